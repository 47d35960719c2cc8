/** Running `qemu-img check` on an image after a replay and reading its counts. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

import type { QemuCheck } from '../metrics/integrity.js';
import type { CheckResult } from '../qed/check.js';
import { findOnPath } from '../util/find-on-path.js';

const run = promisify(execFile);

export type { QemuCheck };

/** Whether an executable is on PATH. */
export async function onPath(tool: string): Promise<boolean> {
  return findOnPath(tool) !== null;
}

/**
 * `qemu-img check --output=json` of an image. With `required` false, returns null when
 * qemu-img is not installed; with it true, that is an error.
 */
export async function qemuImgCheck(path: string, required: boolean): Promise<QemuCheck | null> {
  if (!(await onPath('qemu-img'))) {
    if (required) throw new Error('--qemu-check needs qemu-img on PATH (Debian: apt-get install qemu-utils)');
    return null;
  }
  let stdout: string;
  let exitCode = 0;
  try {
    ({ stdout } = await run('qemu-img', ['check', '-f', 'qed', '--output=json', path]));
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    exitCode = typeof e.code === 'number' ? e.code : 1;
    stdout = e.stdout ?? '';
    if (!stdout.trim()) {
      const error = e.stderr?.trim() || `exit ${exitCode}`;
      return { exitCode, error, corruptions: 0, leaks: 0, checkErrors: 1, allocatedClusters: 0, totalClusters: 0 };
    }
  }
  const c = qemuCheckCounts(JSON.parse(stdout) as Record<string, unknown>);
  return { exitCode, corruptions: c.corruptions, leaks: c.leaks, checkErrors: c.checkErrors, allocatedClusters: c.allocatedClusters, totalClusters: c.totalClusters };
}

/** Every count of `qemu-img check --output=json` (absent ones zero): our check's counts, and leaks fixed. */
export type QemuCheckCounts = Omit<CheckResult, 'findings'> & { leaksFixed: number };

export function qemuCheckCounts(json: Record<string, unknown>): QemuCheckCounts {
  const n = (k: string): number => (typeof json[k] === 'number' ? (json[k] as number) : 0);
  return {
    totalClusters: n('total-clusters'),
    allocatedClusters: n('allocated-clusters'),
    fragmentedClusters: n('fragmented-clusters'),
    corruptions: n('corruptions'),
    corruptionsFixed: n('corruptions-fixed'),
    leaks: n('leaks'),
    leaksFixed: n('leaks-fixed'),
    checkErrors: n('check-errors'),
  };
}
