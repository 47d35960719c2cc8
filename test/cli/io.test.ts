import { describe, expect, it } from 'vitest';
import { parseIoCommand } from '../../src/cli/io-parse.js';
import { dumpBuffer, timeStr } from '../../src/cli/io-report.js';
import { cli, cliOk, useTempDir } from './helpers.js';

const tmp = useTempDir();

async function image(size = '1G'): Promise<string> {
  const img = tmp.path('io.qed');
  await cliOk(0, 'create', img, size);
  return img;
}

describe('io: write and verify', () => {
  it('writes a pattern and reads it back, with qemu-io lines', async () => {
    const img = await image();
    const r = await cliOk(0, 'io', img, '-c', 'write -P 0xab 0 64k', '-c', 'read -P 0xab 0 64k', '-c', 'read -P 171 0x8000 4k');
    expect(r.stdout).toMatch(/^wrote 65536\/65536 bytes at offset 0\n64 KiB, 1 ops; \d\d\.\d\d sec \([\d.]+ \w+\/sec and [\d.]+ ops\/sec\)\n/);
    expect(r.stdout).toContain('read 65536/65536 bytes at offset 0\n');
    expect(r.stdout).toContain('read 4096/4096 bytes at offset 32768\n');
    expect(r.stdout).not.toContain('verification failed');
  });

  it('a mismatching read prints qemu-io\'s message and exits 1', async () => {
    const img = await image();
    const r = await cli('io', img, '-c', 'write -P 0xab 0 64k', '-c', 'read -P 0xac 0 1536', '-c', 'read -P 0xab 0 64k');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('Pattern verification failed at offset 0, 1536 bytes\n');
    // The next command still ran, as in qemu-io.
    expect(r.stdout).toContain('read 65536/65536 bytes at offset 0\n');
  });

  it('default pattern is 0xcd; -z and zero write zeroes; -q is quiet', async () => {
    const img = await image();
    await cliOk(0, 'io', img, '-c', 'write 0 128k', '-c', 'write -z 0 4k', '-c', 'zero 64k 64k');
    const r = await cliOk(0, 'io', img, '-c', 'read -q -P 0 0 4k', '-c', 'read -P 0xcd 4k 60k', '-c', 'read -qP0 64k 64k');
    expect(r.stdout).not.toContain('offset 0\n');
    expect(r.stdout).toContain('read 61440/61440 bytes at offset 4096\n');
  });

  it('read -v dumps the buffer as qemu-io does', async () => {
    const img = await image();
    const r = await cliOk(0, 'io', img, '-c', 'write -P 0x41 0 20', '-c', 'read -v 0 20');
    expect(r.stdout).toContain('00000000:  41 41 41 41 41 41 41 41 41 41 41 41 41 41 41 41  AAAAAAAAAAAAAAAA\n00000010:  41 41 41 41  AAAA\n');
  });

  it('truncate grows the image; flush works', async () => {
    const img = await image('1M');
    await cliOk(0, 'io', img, '-c', 'truncate 2M', '-c', 'write -P 9 1M 4k', '-c', 'flush');
    const info = JSON.parse((await cliOk(0, 'info', img, '--json')).stdout);
    expect(info.header.image_size).toBe(2 * 2 ** 20);
    await cliOk(0, 'io', img, '-r', '-c', 'read -P 9 1M 4k');
  });
});

describe('io: aio', () => {
  it('aio_write requests run in parallel; aio_flush waits; data reads back after reopening', async () => {
    const img = await image('8G');
    const regions = [0, 2 ** 31, 3 * 2 ** 31, 5 * 2 ** 20, 64 * 1024, 2 ** 32 + 4096];
    const writes = regions.flatMap((off, i) => ['-c', `aio_write -P ${i + 1} ${off} 64k`]);
    const r = await cliOk(0, 'io', img, ...writes, '-c', 'aio_flush', '--json');
    const out = JSON.parse(r.stdout);
    expect(out.commands).toHaveLength(regions.length + 1);
    expect(out.commands.every((c: { ok: boolean }) => c.ok)).toBe(true);
    expect(out.engine.requests.write).toBe(regions.length);
    // A request found another allocating write in flight: they were issued together.
    expect(out.engine.allocationWaits).toBeGreaterThan(0);
    expect(out.cache).toMatchObject({ capacity: 50, policy: 'fifo' });

    const reads = regions.flatMap((off, i) => ['-c', `aio_read -P ${i + 1} ${off} 64k`]);
    const back = await cliOk(0, 'io', img, '-r', ...reads);
    expect(back.stdout.match(/^read 65536\/65536 bytes/gm)).toHaveLength(regions.length);
  });

  it('a failing aio_read makes the exit 1', async () => {
    const img = await image();
    const r = await cli('io', img, '-c', 'aio_write -P 1 0 4k', '-c', 'aio_read -P 2 0 4k', '-c', 'aio_flush');
    // aio_read may run before or after the write lands; 2 never matches either way.
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('Pattern verification failed at offset 0, 4096 bytes');
  });

  it('--json reports each command with verification, and the cache options reach the engine', async () => {
    const img = await image();
    const r = await cli('io', img, '--cache-size', '3', '--cache-policy', 'fifo-unsafe', '--json', '-c', 'write -P 5 0 4k', '-c', 'read -P 6 0 4k');
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.commands[1]).toMatchObject({ command: 'read -P 6 0 4k', op: 'read', ok: false, verified: false, mismatchAt: 0 });
    expect(out.cache).toMatchObject({ capacity: 3, policy: 'fifo-unsafe' });
  });
});

describe('io: command errors', () => {
  it('an unknown command names it and lists the known ones, exit 2, image untouched', async () => {
    const img = await image();
    const r = await cli('io', img, '-c', 'write 0 4k', '-c', 'frobnicate 0 1');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^qed-bench: unknown io command "frobnicate".*known commands: read, aio_read, write/);
    // Parsed before opening: the valid write before it did not run.
    const info = JSON.parse((await cliOk(0, 'info', img, '--json')).stdout);
    expect(info.allocation.data_bytes).toBe(0);
  });

  it.each([
    ['read 1x 4k', 'OFFSET'],
    ['read 0', 'expected 2 argument'],
    ['read -P 256 0 1', 'not a valid pattern byte'],
    ['write -z -P 1 0 1', '-z and -P'],
    ['read -y 0 1', 'unknown option -y'],
    ['read 0 2G', 'larger than'],
  ])('"%s" is a usage error mentioning %s', async (cmd, want) => {
    const img = await image();
    const r = await cli('io', img, '-c', cmd);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(want);
    expect(r.stderr).toContain(`"${cmd}"`);
  });

  it('-r refuses write commands before opening', async () => {
    const img = await image();
    const r = await cli('io', img, '-r', '-c', 'zero 0 64k');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('read-only');
  });

  it('a request outside the image fails that command (exit 1) and names the image', async () => {
    const img = await image('1M');
    const r = await cli('io', img, '-c', 'read 1M 1');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^qed-bench: read failed: .*io\.qed: request at offset 1048576/);
  });
});

describe('io parsing and formatting units', () => {
  it('parses qemu-io syntax', () => {
    expect(parseIoCommand('aio_write -qP0x10 0x1000 4k')).toMatchObject({ op: 'write', aio: true, quiet: true, pattern: 16, offset: 4096, length: 4096 });
    expect(parseIoCommand('zero 1m 2M')).toMatchObject({ op: 'write', zero: true, offset: 2 ** 20, length: 2 ** 21 });
    expect(parseIoCommand('truncate 1T')).toMatchObject({ op: 'truncate', size: 2 ** 40 });
  });

  it('formats time and dumps as qemu-io', () => {
    expect(timeStr(0.004)).toBe('00.00 sec');
    expect(timeStr(61.5)).toBe('01:01.50');
    expect(timeStr(3725.25)).toBe('1:02:05.25');
    expect(dumpBuffer(new Uint8Array([0x61, 0x20, 0x7a]), 0x10)).toBe('00000010:  61 20 7a  a.z\n');
  });
});
