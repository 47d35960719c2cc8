/**
 * `qed-bench trace stats FILE` (what is in a trace and what cache covers it) and
 * `qed-bench trace convert FILE -o OUT` (to fio iolog v3, or another format with --to).
 */
import { open, type FileHandle } from 'node:fs/promises';
import { once } from 'node:events';
import { createGzip } from 'node:zlib';
import { Option } from 'commander';
import { DEFAULT_CLUSTER_SIZE, DEFAULT_TABLE_SIZE, validClusterSize, validTableSize } from '../qed/format.js';
import { formatSize, humanSize } from '../util/size.js';
import { FORMAT_NAMES, formatByName } from '../workload/traces/formats.js';
import { TraceReader } from '../workload/traces/reader.js';
import { TraceError, type TraceFormat, type TraceRequest } from '../workload/traces/types.js';
import { traceStats, type TraceStats } from '../workload/traces/stats.js';
import { whyUnreadable } from '../util/why-unreadable.js';
import { EXIT_INTERRUPTED, onInterrupt } from './interrupt.js';
import { CliUsageError, EXIT_OK } from './errors.js';
import { checkOutPath, finishTemp, isSpecialFile, tempBeside } from './out-path.js';
import { formatCurve } from './mrc.js';
import { intArg, pathArg, positiveIntArg, sampleRateArg, sizeArg, usageOutput, type RegisterCommand } from './options.js';
import type { Output } from './output.js';
import { addTraceReadOptions, noRequests, readOptionsOf, type TraceCliOptions } from './trace-input.js';

export interface TraceStatsOptions extends TraceCliOptions {
  file: string;
  clusterSize: number;
  tableSize: number;
  sampleRate: number;
  sampleMax?: number;
  json?: boolean;
}

export async function traceStatsCommand(o: TraceStatsOptions, out: Output): Promise<number> {
  if (!validClusterSize(o.clusterSize)) throw new CliUsageError(`--cluster-size ${o.clusterSize}: expected a power of two from 4k to 64M`);
  if (!validTableSize(o.tableSize)) throw new CliUsageError(`--table-size ${o.tableSize}: expected 1, 2, 4, 8 or 16`);
  const stats = await traceStats(o.file, { ...readOptionsOf(o), clusterSize: o.clusterSize, tableSize: o.tableSize, sampleRate: o.sampleRate, sampleMax: o.sampleMax, device: o.device });
  if (stats.requests === 0) throw noRequests(o.file, o.device, 'nothing to count');
  out.stdout(o.json ? `${JSON.stringify(stats, null, 2)}\n` : formatStats(stats));
  return EXIT_OK;
}

const pct = (n: number, of: number) => (of ? `${((100 * n) / of).toFixed(1)}%` : '-');
const bytes = (n: number) => (n < 1024 ? `${n} B` : humanSize(n));

export function formatStats(s: TraceStats): string {
  const t = s.trace;
  const lines = [
    `${t.file}: ${t.format} trace, ${formatSize(t.fileBytes)}${t.compression === 'none' ? '' : ` ${t.compression}`}, sha256 ${t.sha256 ?? '-'}`,
    `requests: ${s.requests}${t.badLines ? ` (${t.badLines} bad lines skipped)` : ''} over ${(s.timeSpanNs / 1e9).toFixed(3)} s`,
  ];
  for (const [op, c] of Object.entries(s.ops)) if (c.requests) lines.push(`  ${op.padEnd(6)} ${String(c.requests).padStart(10)}  ${pct(c.requests, s.requests).padStart(6)}  ${bytes(c.bytes)}`);
  lines.push('request sizes:');
  for (const [size, n] of Object.entries(s.sizes).sort((a, b) => Number(a[0]) - Number(b[0]))) lines.push(`  ≤ ${bytes(Number(size)).padEnd(10)} ${String(n).padStart(10)}  ${pct(n, s.requests).padStart(6)}`);
  const g = s.geometry;
  lines.push(
    `extent: ${bytes(s.extent)}; footprint: ${s.footprint.blocks} distinct 4 KiB blocks (${bytes(s.footprint.bytes)}), ${s.footprint.clusters} clusters of ${bytes(g.clusterSize)}, ${s.footprint.tables} L2 tables (each maps ${bytes(g.tableSpan)}; table_size ${g.tableSize})`,
    `cache to cover the footprint: QED ${s.cacheToCover.qedTables} tables (only cold misses left); qcow2 rule of thumb (1 MiB of L2 cache per 8 GiB of disk at 64 KiB clusters) ${s.cacheToCover.qcow2RuleMiB} MiB for the extent`,
  );
  if (s.devices.length > 1 || (s.devices[0] && s.devices[0].device !== '0')) {
    // run/sweep TRACE without --device share tables across devices: their hit rates differ from these counts.
    const apart = s.devices.length > 1 ? ' (footprint, cache to cover and curve keep them apart, as `--device all` replays them; run/sweep without --device put every device on one disk, sharing tables)' : '';
    lines.push(`devices: ${s.devices.length}${apart}`);
    for (const d of s.devices.slice(0, 20)) {
      lines.push(`  ${d.device.padEnd(12)} ${String(d.requests).padStart(10)} requests, ${pct(d.ops.read.requests, d.requests)} reads, extent ${bytes(d.extent)}, ${d.tables} tables`);
    }
    if (s.devices.length > 20) lines.push(`  (and ${s.devices.length - 20} more; --json lists them all)`);
  }
  if (s.mrc) lines.push('', formatCurve({ input: t.file, workload: null, mrc: s.mrc }).trimEnd());
  return `${lines.join('\n')}\n`;
}

export interface TraceConvertOptions extends TraceCliOptions {
  file: string;
  out: string;
  to: string;
}

/**
 * Stream the requests out in another format (gzip when OUT ends in .gz); prints how many. The
 * output goes to a temp file beside OUT, renamed at the end: a bad line, an empty result or a
 * write error leaves nothing behind, and OUT may not be the input.
 */
export async function traceConvertCommand(o: TraceConvertOptions, out: Output): Promise<number> {
  const to = formatByName(o.to);
  if (!to) throw new CliUsageError(`--to ${o.to}: expected one of ${FORMAT_NAMES.join(', ')}`);
  checkOutPath(o.out, '-o', [o.file], false);
  const reader = new TraceReader(o.file, readOptionsOf(o));
  const special = isSpecialFile(o.out);
  const tmp = special ? o.out : tempBeside(o.out);
  // Ctrl-C stops between batches and removes the temp file (a second one exits at once). Taken
  // before the temp file exists, so a Ctrl-C as it appears cannot leave it behind.
  const { signal, stop: stopInterrupts } = onInterrupt(out, `stopping; ${o.out} will not be written`);
  let fh: FileHandle;
  try {
    fh = await open(tmp, special ? 'w' : 'wx');
  } catch (err) {
    stopInterrupts();
    throw new CliUsageError(`-o ${o.out}: cannot write it: ${whyUnreadable(err)}`);
  }
  const file = fh.createWriteStream();
  let failed: Error | null = null;
  file.on('error', (err) => (failed ??= err));
  const gz = o.out.endsWith('.gz') ? createGzip() : null;
  if (gz) gz.pipe(file);
  const sink = gz ?? file;
  const write = async (b: Buffer | string) => {
    if (failed) throw failed;
    if (!sink.write(b)) await Promise.race([once(sink, 'drain'), once(file, 'error')]);
  };
  let n = 0;
  let ok = false;
  try {
    if (to.kind === 'text' && to.header) await write(`${to.header}\n`);
    const line = to.writer();
    for await (const batch of reader.batches()) {
      if (signal.aborted) break;
      const parts: Array<string | Buffer> = [];
      for (const r of batch) {
        if (o.device !== undefined && r.device !== o.device) continue;
        parts.push(convertOne(o.file, reader.format.kind === 'binary', to, line, r));
        n++;
      }
      if (parts.length) await write(to.kind === 'text' ? (parts as string[]).join('') : Buffer.concat(parts as Buffer[]));
    }
    if (n === 0 && !signal.aborted) throw noRequests(o.file, o.device, `nothing to convert (${o.out} not written)`);
    ok = !signal.aborted;
  } catch (err) {
    if (failed && err === failed) throw writeFailed(o.out, failed);
    throw err;
  } finally {
    stopInterrupts();
    sink.end();
    if (!file.closed) await once(file, 'close').catch(() => {});
    if (failed) ok = false;
    if (!special) await finishTemp(tmp, o.out, ok);
  }
  if (failed) throw writeFailed(o.out, failed);
  if (signal.aborted) {
    out.stderr(`qed-bench: trace convert interrupted after ${n} requests; ${o.out} not written\n`);
    return EXIT_INTERRUPTED;
  }
  out.stdout(`${o.out}: ${n} requests as ${to.name}${to.name === 'iolog' ? ' (fio version 3 iolog: replay with fio --read_iolog=FILE --replay_redirect=/path/to/target)' : ''}\n`);
  return EXIT_OK;
}

function writeFailed(out: string, err: Error): CliUsageError {
  return new CliUsageError(`-o ${out}: cannot write it: ${whyUnreadable(err)} (nothing written)`);
}

/** One request in the target format; one the format cannot express is an error naming its line. */
function convertOne(file: string, binary: boolean, to: TraceFormat, line: ReturnType<TraceFormat['writer']>, r: TraceRequest): string | Buffer {
  const cannot = (why: string) => {
    const message = `${why}; ${to.name} cannot express it (convert to a format counted in bytes, e.g. --to iolog)`;
    return binary ? new TraceError(file, `record ${r.line}: request: ${message}`) : new TraceError(file, message, r.line, undefined, 'request');
  };
  if (to.sectorUnits && (r.offset % 512 !== 0 || r.length % 512 !== 0)) throw cannot(`${r.op} ${r.offset}+${r.length} is not in whole 512-byte sectors`);
  try {
    return to.kind === 'text' ? `${(line as (r: TraceRequest) => string)(r)}\n` : (line as (r: TraceRequest) => Buffer)(r);
  } catch (err) {
    if (err instanceof RangeError || err instanceof TypeError) throw cannot(`${r.op} ${r.offset}+${r.length}: ${err.message}`);
    throw err;
  }
}

export const registerTrace: RegisterCommand = (program, out, setCode) => {
  const trace = program.command('trace').configureOutput(usageOutput(out, 'trace')).description('inspect and convert block I/O traces (fio iolog, blkparse, blktrace, MSR, Alibaba, Tencent, SYSTOR, K5cloud, oracleGeneral, CSV)');
  addTraceReadOptions(
    trace
      .command('stats')
      .configureOutput(usageOutput(out, 'trace stats'))
      .description('requests, mix, sizes, time span, footprint, per-device breakdown, cache to cover it, and the LRU curve of its L2 table stream')
      .argument('<file>', 'the trace (.gz and .zst are streamed)')
      .option('-c, --cluster-size <size>', 'geometry for clusters and tables touched', sizeArg, DEFAULT_CLUSTER_SIZE)
      .option('-t, --table-size <clusters>', 'geometry: L2 table size in clusters', intArg, DEFAULT_TABLE_SIZE)
      .option('--sample-rate <r>', 'the table-stream curve: 1 exact, below 1 SHARDS (for long traces)', sampleRateArg, 1)
      .option('--sample-max <n>', 'the table-stream curve by fixed-size SHARDS: at most n sampled tables (overrides --sample-rate)', positiveIntArg)
      .option('--json', 'print JSON'),
  ).action(async (file: string, o) => setCode(await traceStatsCommand({ file, ...o }, out)));
  addTraceReadOptions(
    trace
      .command('convert')
      .configureOutput(usageOutput(out, 'trace convert'))
      .description('write the requests in another format: fio iolog v3 by default, so fio replays the same requests')
      .argument('<file>', 'the trace')
      .requiredOption('-o, --out <file>', 'output file (.gz: gzip)', pathArg)
      .addOption(new Option('--to <format>', 'output format').choices(FORMAT_NAMES).default('iolog')),
  ).action(async (file: string, o) => setCode(await traceConvertCommand({ file, ...o }, out)));
};
