/** The external tools bench:peers drives, and what this machine's builds of them support. */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { onPath } from '../../src/replay/qemu-check.js';

export interface ToolRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run a tool to completion; a non-zero exit resolves (with its code), a spawn failure rejects. */
export function runTool(tool: string, args: string[], timeoutMs = 300_000): Promise<ToolRun> {
  return new Promise((resolve, reject) => {
    execFile(tool, args, { timeout: timeoutMs, maxBuffer: 64 << 20, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err && typeof (err as NodeJS.ErrnoException).code === 'string') {
        reject(new Error(`cannot run ${tool}: ${err.message}`));
        return;
      }
      const e = err as (Error & { code?: number }) | null;
      resolve({ code: e ? (typeof e.code === 'number' ? e.code : -1) : 0, stdout, stderr });
    });
  });
}

/** What is installed; a string is the reason a peer is skipped. */
export interface Tools {
  qemuImg: true | string;
  qemuImgIoUring: true | string;
  qemuIoTrace: true | string;
  fio: true | string;
  fioIoUring: true | string;
}

/** Probe each tool once, on a tiny file in `dir`. */
export async function probeTools(dir: string): Promise<Tools> {
  const probe = path.join(dir, 'probe.raw');
  fs.writeFileSync(probe, new Uint8Array(1 << 20));
  try {
    const qemuImg = (await onPath('qemu-img')) ? true : 'qemu-img not on PATH (Debian: apt-get install qemu-utils)';
    const qemuImgIoUring =
      qemuImg !== true ? qemuImg : await works('qemu-img', ['bench', '-f', 'raw', '-c', '1', '-i', 'io_uring', probe], 'this qemu-img build has no io_uring');
    const qemuIoTrace = (await onPath('qemu-io')) ? await traceEvents() : 'qemu-io not on PATH (Debian: apt-get install qemu-utils)';
    const fio = (await onPath('fio')) ? true : 'fio not on PATH (Debian: apt-get install fio)';
    const fioIoUring =
      fio !== true
        ? fio
        : await works('fio', ['--name=probe', `--filename=${probe}`, '--rw=read', '--bs=4k', '--size=64k', '--ioengine=io_uring', '--invalidate=0'], 'this fio build or kernel has no io_uring');
    return { qemuImg, qemuImgIoUring, qemuIoTrace, fio, fioIoUring };
  } finally {
    fs.rmSync(probe, { force: true });
  }
}

async function works(tool: string, args: string[], why: string): Promise<true | string> {
  const r = await runTool(tool, args, 30_000);
  return r.code === 0 ? true : `${why} (${(r.stderr.trim().split('\n').pop() ?? `exit ${r.code}`).slice(0, 160)})`;
}

/** The trace events the L2-load oracle reads: qemu-io must list qed_read_table. */
async function traceEvents(): Promise<true | string> {
  const r = await runTool('qemu-io', ['-T', 'help'], 30_000);
  return /\bqed_read_table\b/.test(r.stdout + r.stderr)
    ? true
    : 'qemu-io lists no qed_read_table trace event (built without the log trace backend?)';
}
