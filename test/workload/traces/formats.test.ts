// Each trace format read from hand-written lines whose units were converted by hand.
import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readAll } from '../../../src/workload/traces/reader.js';
import { tempDirs } from '../../helpers/tmp.js';
import { findOnPath } from '../../../src/util/find-on-path.js';

const tmp = tempDirs();

async function read(name: string, text: string | Buffer, opts: Parameters<typeof readAll>[1] = {}) {
  const file = join(await tmp(), name);
  await writeFile(file, text);
  return { file, reqs: await readAll(file, opts) };
}

const strip = (rs: Array<{ line: number }>) => rs.map(({ line: _l, ...r }) => r);

describe('trace formats: unit conversions on hand-computed lines', () => {
  it('msr: filetime ticks of 100 ns, bytes, DiskNumber as the device', async () => {
    const { reqs } = await read('hm_1.csv', '128166372003061629,hm,1,Read,3154132992,4096,51097\n128166372016382155,hm,1,Write,3154132992,512,100\n');
    // (128166372016382155 - 128166372003061629) = 13320526 ticks = 1332052600 ns
    expect(strip(reqs)).toEqual([
      { time: 0, op: 'read', offset: 3154132992, length: 4096, device: '1' },
      { time: 1332052600, op: 'write', offset: 3154132992, length: 512, device: '1' },
    ]);
  });

  it('tencent: seconds, 512-byte sectors, 0 read / 1 write', async () => {
    const { reqs } = await read('cbs.csv', '1538323200,4096,8,1,1063\n1538323201,0,16,0,1063\n');
    expect(strip(reqs)).toEqual([
      { time: 0, op: 'write', offset: 2097152, length: 4096, device: '1063' },
      { time: 1e9, op: 'read', offset: 0, length: 8192, device: '1063' },
    ]);
  });

  it('alibaba: microseconds, bytes', async () => {
    const { reqs } = await read('alibaba.csv', '3,R,126703644672,4096,1577808000000001\n3,W,0,512,1577808000000251\n');
    expect(strip(reqs)).toEqual([
      { time: 0, op: 'read', offset: 126703644672, length: 4096, device: '3' },
      { time: 250_000, op: 'write', offset: 0, length: 512, device: '3' },
    ]);
  });

  it('systor: header skipped, decimal seconds kept exact, LUN as the device', async () => {
    const { reqs } = await read('systor.csv', 'Timestamp,Response,IOType,LUN,Offset,Size\n1486117350.270366,0.000512,R,4,6492602368,4096\n1486117350.290000,0.000100,W,4,0,65536\n');
    expect(strip(reqs)).toEqual([
      { time: 0, op: 'read', offset: 6492602368, length: 4096, device: '4' },
      { time: 19_634_000, op: 'write', offset: 0, length: 65536, device: '4' },
    ]);
  });

  it('k5cloud: decimal seconds, bytes, ID as the device', async () => {
    const { reqs } = await read('k5_trace.csv', '5,10.5,W,4096,8192\n5,12.25,R,0,4096\n');
    expect(strip(reqs)).toEqual([
      { time: 0, op: 'write', offset: 4096, length: 8192, device: '5' },
      { time: 1.75e9, op: 'read', offset: 0, length: 4096, device: '5' },
    ]);
  });

  it('blkparse: queue events only, sectors of 512 bytes, sec.nsec, F without sectors is a flush', async () => {
    const text = [
      '  8,0    3        1     0.000000000   697  Q   W 223490 + 8 [kjournald]',
      '  8,0    3        2     0.000001234   697  G   W 223490 + 8 [kjournald]',
      '  8,0    0        3     1.500000001  1234  Q   R 100 + 16 [dd]',
      '  8,0    0        4     2.000000000     1  Q FWS [kworker/0:1]',
      '  8,0    0        5     2.000000100     1  Q   D 2048 + 2048 [fstrim]',
      'CPU0 (8,0):',
      ' Reads Queued:           1,        8KiB\t Writes Queued:           1,        4KiB',
    ].join('\n');
    const { reqs } = await read('sda.blkparse.txt', text);
    expect(strip(reqs)).toEqual([
      { time: 0, op: 'write', offset: 114426880, length: 4096, device: '8,0' },
      { time: 1_500_000_001, op: 'read', offset: 51200, length: 8192, device: '8,0' },
      { time: 2e9, op: 'flush', offset: 0, length: 0, device: '8,0' },
      { time: 2_000_000_100, op: 'trim', offset: 1048576, length: 1048576, device: '8,0' },
    ]);
  });

  it("fio iolog v2: wait N holds until N ms after the start (fio's code, not its HOWTO)", async () => {
    const text = 'fio version 2 iolog\n/dev/sda add\n/dev/sda open\n/dev/sda write 0 4096\n/dev/sda wait 1500 0\n/dev/sda read 4096 8192\n/dev/sdb add\n/dev/sdb trim 0 65536\n/dev/sda sync 0 0\n/dev/sda close\n';
    const { reqs } = await read('x.log', text);
    expect(strip(reqs)).toEqual([
      { time: 0, op: 'write', offset: 0, length: 4096, device: '/dev/sda' },
      { time: 1.5e9, op: 'read', offset: 4096, length: 8192, device: '/dev/sda' },
      { time: 1.5e9, op: 'trim', offset: 0, length: 65536, device: '/dev/sdb' },
      { time: 1.5e9, op: 'flush', offset: 0, length: 0, device: '/dev/sda' },
    ]);
  });

  it('fio iolog v3: microsecond timestamps; wait ignored as fio does', async () => {
    const text = 'fio version 3 iolog\n0 /dev/sda add\n0 /dev/sda open\n120 /dev/sda write 0 4096\n130 /dev/sda wait 99999 0\n1120 /dev/sda read 4096 4096\n';
    const { reqs } = await read('y.iolog', text);
    expect(strip(reqs)).toEqual([
      { time: 120_000, op: 'write', offset: 0, length: 4096, device: '/dev/sda' },
      { time: 1_120_000, op: 'read', offset: 4096, length: 4096, device: '/dev/sda' },
    ]);
  });

  it('oracleGeneral: 24-byte records, seconds', async () => {
    const b = Buffer.alloc(48);
    b.writeUInt32LE(100, 0);
    b.writeBigUInt64LE(8192n, 4);
    b.writeUInt32LE(4096, 12);
    b.writeUInt32LE(103, 24);
    b.writeBigUInt64LE(0n, 28);
    b.writeUInt32LE(512, 36);
    const { reqs } = await read('w.oracleGeneral.bin', b);
    expect(strip(reqs)).toEqual([
      { time: 0, op: 'read', offset: 8192, length: 4096, device: '0' },
      { time: 3e9, op: 'read', offset: 0, length: 512, device: '0' },
    ]);
  });

  it('generic csv: named columns, sectors, milliseconds, header skipped', async () => {
    const { reqs } = await read('t.csv', 'ts,kind,lba,blocks\n10,W,8,1\n12.5,R,16,2\n', { format: 'csv', columns: { time: 1, op: 2, offset: 3, size: 4 }, offsetUnit: 512, timeUnit: 1e6 });
    expect(strip(reqs)).toEqual([
      { time: 0, op: 'write', offset: 4096, length: 512, device: '0' },
      { time: 2.5e6, op: 'read', offset: 8192, length: 1024, device: '0' },
    ]);
  });

  it('gzip input is streamed like plain text', async () => {
    const { reqs } = await read('hm_1.csv.gz', gzipSync('128166372003061629,hm,1,Read,0,4096,1\n'));
    expect(reqs).toHaveLength(1);
  });
});

describe('trace formats: bad input', () => {
  it('names file:line:column, the field, expected and found', async () => {
    const file = join(await tmp(), 'hm_0.csv');
    await writeFile(file, '128166372003061629,hm,1,Read,0,4096,1\n128166372003061629,hm,1,Reed,0,4096,1\n');
    await expect(readAll(file)).rejects.toThrow(`${file}:2:25: Type: expected one of Read, Write, read, write, found "Reed"`);
  });

  it('--max-bad-lines skips and counts', async () => {
    const file = join(await tmp(), 'hm_0.csv');
    await writeFile(file, '128166372003061629,hm,1,Read,0,4096,1\n128166372003061629,hm,1,Read,x,4096,1\n128166372003061630,hm,1,Write,0,4096,1\n');
    expect(await readAll(file, { maxBadLines: 1 })).toHaveLength(2);
    await expect(readAll(file, { maxBadLines: 0 })).rejects.toThrow(/:2:30: Offset: expected a whole number, found "x"/);
  });

  it('a truncated gzip names the byte offset', async () => {
    const file = join(await tmp(), 'hm_0.csv.gz');
    const gz = gzipSync('128166372003061629,hm,1,Read,0,4096,1\n'.repeat(1000));
    await writeFile(file, gz.subarray(0, gz.length - 20));
    await expect(readAll(file)).rejects.toThrow(new RegExp(`truncated or corrupt gzip data at byte offset ${gz.length - 20}`));
  });

  it('a truncated binary record names the byte offset', async () => {
    await expect(read('w.oracleGeneral', Buffer.alloc(24 + 10))).rejects.toThrow(/truncated oracle-general record 2 at byte offset 24: 10 bytes left/);
  });

  it('an undetectable format asks for --format', async () => {
    await expect(read('data.txt', 'a b c\n')).rejects.toThrow(/cannot tell the trace format.*--format/);
  });
});

describe('trace input: zstd (fzstd)', () => {
  const zstd = findOnPath('zstd');
  if (!zstd) console.log('zstd not on PATH: skipping the .zst tests (apt-get install zstd)');
  it.skipIf(!zstd)('a .zst trace streams like plain text, and a cut one names the byte offset', async () => {
    const dir = await tmp();
    const plain = join(dir, 'hm_2.csv');
    await writeFile(plain, '128166372003061629,hm,2,Write,0,4096,1\n'.repeat(50_000));
    execFileSync('zstd', ['-q', plain, '-o', `${plain}.zst`]);
    expect(await readAll(`${plain}.zst`)).toHaveLength(50_000);
    const whole = await readFile(`${plain}.zst`);
    await writeFile(`${plain}.zst`, whole.subarray(0, whole.length - 30));
    await expect(readAll(`${plain}.zst`)).rejects.toThrow(`truncated zstd data: the file ends at byte offset ${whole.length - 30} inside the frame that starts at byte offset 0`);
  });

  it.skipIf(!zstd)('several frames (zstd output concatenated, pzstd with its skippable frames) read as one stream, their checksums checked', async () => {
    const dir = await tmp();
    const plain = join(dir, 'hm_2.csv');
    await writeFile(plain, '128166372003061629,hm,2,Write,0,4096,1\n'.repeat(50_000));
    const two = Buffer.concat([execFileSync('zstd', ['-q', '-c', plain]), execFileSync('zstd', ['-q', '-c', '--no-check', plain])]);
    await writeFile(`${plain}.zst`, two);
    expect(await readAll(`${plain}.zst`)).toHaveLength(100_000);
    if (findOnPath('pzstd')) {
      execFileSync('pzstd', ['-q', '-f', '-p', '2', plain, '-o', `${plain}.p.zst`]);
      expect(await readAll(`${plain}.p.zst`)).toHaveLength(50_000);
    }
    // a flipped byte in the first frame's compressed data: its checksum no longer matches
    const first = execFileSync('zstd', ['-q', '-c', plain]);
    first[first.length >> 1] ^= 0x20;
    await writeFile(`${plain}.zst`, first);
    await expect(readAll(`${plain}.zst`)).rejects.toThrow(/hm_2\.csv\.zst: (zstd content checksum mismatch in|corrupt zstd data in) the frame at byte offset 0/);
  });
});
