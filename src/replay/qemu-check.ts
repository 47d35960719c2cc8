import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface QemuCheck {
  exitCode: number;
  /** qemu-img's message when it could not check the image at all (e.g. table_size 1). */
  error?: string;
  corruptions: number;
  leaks: number;
  checkErrors: number;
  allocatedClusters: number;
  totalClusters: number;
}

/** Whether an executable is on PATH. */
export async function onPath(tool: string): Promise<boolean> {
  try {
    await run('sh', ['-c', `command -v ${tool}`]);
    return true;
  } catch {
    return false;
  }
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
  const j = JSON.parse(stdout) as Record<string, number>;
  return {
    exitCode,
    corruptions: j['corruptions'] ?? 0,
    leaks: j['leaks'] ?? 0,
    checkErrors: j['check-errors'] ?? 0,
    allocatedClusters: j['allocated-clusters'] ?? 0,
    totalClusters: j['total-clusters'] ?? 0,
  };
}
