/** bench:peers output: one table per case, and the L2-load oracle's counts. */
import { table } from '../../src/report/text-table.js';
import { fmtInt, type Spread } from '../lib/samples.js';
import type { BenchCase } from './cases.js';
import type { L2LoadComparison } from './l2-loads.js';

export interface PeerRow extends Spread {
  peer: string;
  label: string;
  group: string;
  depth: number;
  /** ops/s of each repetition, in run order. */
  samples: number[];
  /** median ÷ the reference peer's median (qed-bench engine alone); null without one. */
  ratio: number | null;
  /** median ÷ qemu-img bench aio=threads' median; null when that peer did not run. */
  ratioQemu: number | null;
}

export interface CaseResult {
  id: BenchCase['id'];
  title: string;
  ops: number;
  bs: number;
  depth: number;
  /** Wall-clock seconds of all the case's timed runs (process start-up included). */
  seconds: number;
  rows: PeerRow[];
  /** Peers not run, and why. */
  skipped: Array<{ peer: string; reason: string }>;
}

export function printCase(r: CaseResult, reference: string, qemuReference: string, write: (line: string) => void): void {
  const header = ['peer', 'depth', 'median ops/s', 'min–max ops/s', `÷ ${reference}`, `÷ ${qemuReference}`];
  const ratio = (x: number | null): string => (x === null ? '-' : `${x.toFixed(2)}x`);
  const body = r.rows.map((x) => [x.label, String(x.depth), fmtInt(x.median), `${fmtInt(x.min)}–${fmtInt(x.max)}`, ratio(x.ratio), ratio(x.ratioQemu)]);
  write(`${r.title} (${r.seconds.toFixed(0)} s of runs)`);
  for (const line of table(header, body)) write(line);
  for (const s of r.skipped) write(`  skipped ${s.peer}: ${s.reason}`);
  write('');
}

export function printL2Loads(rows: L2LoadComparison[], write: (line: string) => void): void {
  const header = ['sequence', 'requests', 'L2 loads: qed-bench (fifo, 50)', 'QEMU (qemu-io trace)', 'equal'];
  const body = rows.map((r) => [r.sequence, String(r.requests), String(r.ours), String(r.qemu), r.ours === r.qemu ? 'yes' : 'NO']);
  write('L2 table loads, one request at a time (qemu-io -T qed_read_table is the oracle)');
  for (const line of table(header, body)) write(line);
  for (const r of rows) write(`  ${r.sequence}: ${r.description}`);
  write('');
}

