import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { cliOk, useTempDir } from './helpers.js';

const tmp = useTempDir();
const hasQemu = spawnSync('qemu-io', ['--version']).status === 0 && spawnSync('qemu-img', ['--version']).status === 0;
if (!hasQemu) console.warn('qemu-io/qemu-img not found on PATH: skipping the QEMU interop test');

function qemu(tool: string, ...args: string[]) {
  return spawnSync(tool, args, { encoding: 'utf8' });
}

describe.skipIf(!hasQemu)('QEMU reads what qed-bench io wrote, and the other way round', () => {
  it('patterns written by qed-bench verify with qemu-io; qemu-img check is clean', async () => {
    const img = tmp.path('ours.qed');
    await cliOk(0, 'create', img, '4G');
    await cliOk(0, 'io', img, '-c', 'write -P 0xab 0 64k', '-c', 'aio_write -P 0x12 3G 8k', '-c', 'aio_write -z 1M 64k', '-c', 'aio_flush');
    const r = qemu('qemu-io', '-f', 'qed', '-c', 'read -P 0xab 0 64k', '-c', 'read -P 0x12 3G 8k', '-c', 'read -P 0 1M 64k', img);
    expect(r.stdout).not.toContain('verification failed');
    expect(r.status).toBe(0);
    expect(qemu('qemu-io', '-f', 'qed', '-c', 'read -P 0xac 0 64k', img).stdout).toContain('Pattern verification failed');
    expect(qemu('qemu-img', 'check', img).status).toBe(0);
  });

  it('patterns written by qemu-io verify with qed-bench io', async () => {
    const img = tmp.path('theirs.qed');
    expect(qemu('qemu-img', 'create', '-f', 'qed', img, '1G').status).toBe(0);
    expect(qemu('qemu-io', '-f', 'qed', '-c', 'write -P 0x5c 64k 128k', img).status).toBe(0);
    await cliOk(0, 'io', img, '-r', '-c', 'read -P 0x5c 64k 128k', '-c', 'read -P 0 0 64k');
    await cliOk(0, 'check', img);
  });
});
