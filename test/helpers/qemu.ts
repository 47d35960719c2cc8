/**
 * Shared helpers for interop tests against the real QEMU tools (qemu-img, qemu-io):
 * finding the tools, running them with execFile, parsing their JSON, batching qemu-io
 * pattern checks, and temp directories.
 */
import { execFile } from 'node:child_process';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export const QEMU_TOOLS = ['qemu-img', 'qemu-io'] as const;

export { findOnPath } from '../../src/util/find-on-path.js';
import { findOnPath } from '../../src/util/find-on-path.js';
import { qemuCheckCounts, type QemuCheckCounts } from '../../src/replay/qemu-check.js';

/** The QEMU tools this suite needs that are not on PATH. */
export function missingQemuTools(): string[] {
  return QEMU_TOOLS.filter((t) => findOnPath(t) === null);
}

/**
 * True when the interop suite must be skipped; says so (naming the missing tools) once per
 * suite so a skipped run is never mistaken for a passing one.
 */
export function qemuUnavailable(suite: string): boolean {
  const missing = missingQemuTools();
  if (missing.length > 0) {
    console.warn(`[${suite}] skipped: ${missing.join(' and ')} not found on PATH (install Debian's qemu-utils to run the QEMU interop tests)`);
    return true;
  }
  return false;
}

export interface RunResult {
  /** Exit code; -1 when the process was killed by a signal (see `signal`). */
  code: number;
  signal: string | null;
  stdout: string;
  stderr: string;
  /** The command line, for failure messages. */
  cmd: string;
}

/** Run a tool; resolves with its exit code and output (non-zero exits do not reject). */
export function run(tool: string, args: string[], opts: { timeoutMs?: number; cwd?: string } = {}): Promise<RunResult> {
  const cmd = [tool, ...args.map(shellQuote)].join(' ');
  return new Promise((resolve, reject) => {
    execFile(
      tool,
      args,
      { timeout: opts.timeoutMs ?? 60_000, maxBuffer: 64 * 1024 * 1024, cwd: opts.cwd, encoding: 'utf8' },
      (err, stdout, stderr) => {
        if (err && typeof (err as NodeJS.ErrnoException).code === 'string') {
          // spawn failure (ENOENT, ...), not an exit status
          reject(new Error(`cannot run ${cmd}: ${err.message}`));
          return;
        }
        const e = err as (Error & { code?: number; signal?: string | null }) | null;
        resolve({
          code: e ? (typeof e.code === 'number' ? e.code : -1) : 0,
          signal: e?.signal ?? null,
          stdout,
          stderr,
          cmd,
        });
      },
    );
  });
}

function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** A one-line summary of a run for assertion messages. */
export function describeRun(r: RunResult): string {
  const out = (r.stdout + r.stderr).trim();
  const tail = out.length > 4000 ? `...${out.slice(-4000)}` : out;
  return `${r.cmd}\n  exit ${r.code}${r.signal ? ` (signal ${r.signal})` : ''}\n  ${tail.replace(/\n/g, '\n  ')}`;
}

export const qemuImg = (args: string[]): Promise<RunResult> => run('qemu-img', args);
export const qemuIo = (args: string[]): Promise<RunResult> => run('qemu-io', args);

/** Run and insist on exit code 0. */
export async function mustRun(tool: string, args: string[]): Promise<RunResult> {
  const r = await run(tool, args);
  if (r.code !== 0) throw new Error(`command failed:\n${describeRun(r)}`);
  return r;
}

// ---- qemu-img check -----------------------------------------------------------------

/** `qemu-img check --output=json`: every count (absent ones zero) and the JSON itself. */
export interface QemuCheck extends QemuCheckCounts {
  raw: Record<string, unknown>;
}

export async function qemuCheck(file: string, opts: { repair?: 'leaks' | 'all' } = {}): Promise<{ run: RunResult; check: QemuCheck }> {
  const args = ['check', '-f', 'qed', '--output=json'];
  if (opts.repair) args.push('-r', opts.repair);
  args.push(file);
  const r = await qemuImg(args);
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(r.stdout) as Record<string, unknown>;
  } catch {
    throw new Error(`qemu-img check printed no JSON:\n${describeRun(r)}`);
  }
  return { run: r, check: { ...qemuCheckCounts(raw), raw } };
}

// ---- qemu-img map -------------------------------------------------------------------

export interface QemuMapExtent {
  start: number;
  length: number;
  depth: number;
  present?: boolean;
  zero: boolean;
  data: boolean;
  offset?: number;
}

export async function qemuMap(file: string): Promise<QemuMapExtent[]> {
  const r = await qemuImg(['map', '-f', 'qed', '--output=json', file]);
  if (r.code !== 0) throw new Error(`qemu-img map failed:\n${describeRun(r)}`);
  return JSON.parse(r.stdout) as QemuMapExtent[];
}

// ---- qemu-io pattern verification ---------------------------------------------------

export interface PatternRegion {
  offset: number;
  length: number;
  /** The byte every position of the region must hold. */
  pattern: number;
}

export interface VerifyResult {
  /** Lines (and exit codes) reporting a problem; empty when every region verified. */
  failures: string[];
  /** How many reads qemu-io reported completing. */
  reads: number;
}

/**
 * `qemu-io -f qed -r -c 'read -P 0xNN off len' ...` for every region, batched into a few
 * invocations. qemu-io prints "Pattern verification failed at offset X, N bytes" on a mismatch.
 */
export async function qemuIoVerify(file: string, regions: PatternRegion[], batch = 400): Promise<VerifyResult> {
  const out: VerifyResult = { failures: [], reads: 0 };
  for (let i = 0; i < regions.length; i += batch) {
    const part = regions.slice(i, i + batch);
    const args = ['-f', 'qed', '-r'];
    for (const r of part) args.push('-c', `read -P 0x${r.pattern.toString(16).padStart(2, '0')} ${r.offset} ${r.length}`);
    args.push(file);
    const res = await qemuIo(args);
    const text = res.stdout + res.stderr;
    out.reads += (text.match(/^read \d+\/\d+ bytes at offset \d+$/gm) ?? []).length;
    for (const line of text.split('\n')) {
      if (/Pattern verification failed|error|failed/i.test(line)) {
        const m = /at offset (\d+), (\d+) bytes/.exec(line);
        const region = m ? part.find((r) => r.offset === Number(m[1]) && r.length === Number(m[2])) : undefined;
        out.failures.push(region ? `${line} (expected 0x${region.pattern.toString(16)})` : line);
      }
    }
    if (res.code !== 0 && out.failures.length === 0) out.failures.push(`qemu-io exited ${res.code}:\n${describeRun(res)}`);
  }
  return out;
}

/**
 * Read byte ranges through QEMU (`qemu-io -r -c 'read -v off len'`) by parsing its hex dump;
 * for content no single pattern describes. Returns one buffer per range.
 */
export async function qemuIoReadBytes(file: string, ranges: Array<{ offset: number; length: number }>, batch = 64): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for (let i = 0; i < ranges.length; i += batch) {
    const part = ranges.slice(i, i + batch);
    const args = ['-f', 'qed', '-r'];
    for (const r of part) args.push('-c', `read -v ${r.offset} ${r.length}`);
    args.push(file);
    const res = await qemuIo(args);
    if (res.code !== 0) throw new Error(`qemu-io read failed:\n${describeRun(res)}`);
    const bufs = part.map((r) => ({ r, buf: new Uint8Array(r.length), seen: 0 }));
    for (const line of res.stdout.split('\n')) {
      const m = /^([0-9a-f]+):  ((?:[0-9a-f]{2} )*[0-9a-f]{2})/.exec(line);
      if (!m) continue;
      const at = parseInt(m[1], 16);
      const bytes = m[2].split(' ').map((h) => parseInt(h, 16));
      // dump lines come in command order; find the range holding this line
      const b = bufs.find((x) => at >= x.r.offset && at + bytes.length <= x.r.offset + x.r.length && x.seen === at - x.r.offset);
      if (!b) throw new Error(`unexpected qemu-io dump line: ${line}`);
      b.buf.set(bytes, at - b.r.offset);
      b.seen += bytes.length;
    }
    for (const b of bufs) {
      if (b.seen !== b.r.length) throw new Error(`qemu-io dumped ${b.seen} of ${b.r.length} bytes at ${b.r.offset}`);
      out.push(b.buf);
    }
  }
  return out;
}

// ---- temp dirs ----------------------------------------------------------------------

export async function makeTempDir(prefix = 'qed-interop-'): Promise<string> {
  return fsp.mkdtemp(path.join(os.tmpdir(), prefix));
}

export async function removeTempDir(dir: string | undefined): Promise<void> {
  if (dir) await fsp.rm(dir, { recursive: true, force: true });
}
