/**
 * Hostile traces, table-driven: each bad input (built in a temp dir) must give exit 2, a
 * one-paragraph message naming the file and line:column, field or byte offset, no stack trace,
 * nothing on stdout, the input unchanged and no file left in the directory that was not there.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { copyFile, mkdir, open, readdir, readFile, symlink, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { cli, cliOk, expectRefused, STACK_LINE, useTempDir } from './helpers.js';
import { zstdFrame, zstdRleBomb } from '../helpers/zstd-frame.js';

const tmp = useTempDir();
const SAMPLES = 'workloads/traces';
const MSR = '128166372000002099,host,0,Write,2864320512,4096,0';
const IOLOG = 'fio version 3 iolog\n1 /dev/x add\n1 /dev/x open\n';
const SYSTOR = 'Timestamp,Response,IOType,LUN,Offset,Size\n';

interface Case {
  name: string;
  /** File name in the temp dir and its contents (or a sample to copy, or a function writing it). */
  file: string;
  body: string | Buffer | { sample: string } | ((path: string) => Promise<void>);
  /** Arguments after `trace stats FILE` (or a whole command line: FILE stands for the file, OUT for the temp dir). */
  args?: string[];
  argv?: string[];
  /** Fragments of stderr, in order of appearance not required. */
  says: string[];
}

const stats = (...more: string[]) => more;

const CASES: Case[] = [
  { name: 'empty file, format given', file: 'a.csv', body: '', args: stats('--format', 'msr'), says: ['a.csv: no requests'] },
  { name: 'empty file, no format', file: 'a.csv', body: '', says: ['a.csv: cannot tell the trace format', '--format'] },
  { name: 'header only (systor)', file: 'a.csv', body: SYSTOR, args: stats('--format', 'systor'), says: ['a.csv: no requests'] },
  { name: 'header only (iolog)', file: 'a.log', body: 'fio version 3 iolog\n', args: stats('--format', 'iolog'), says: ['a.log: no requests'] },
  { name: 'blkparse text with no queue event', file: 'a.txt', body: ' 8,0 0 1 0.000169849 1 C R 1 + 8 [0]\n', args: stats('--format', 'blkparse'), says: ['a.txt: no requests'] },
  { name: 'empty blktrace', file: 'a.blktrace', body: '', args: stats('--format', 'blktrace'), says: ['a.blktrace: no requests'] },
  { name: 'empty oracleGeneral', file: 'a.oracleGeneral', body: '', says: ['a.oracleGeneral: no requests'] },
  { name: 'truncated last line', file: 'a.csv', body: `${MSR}\n128166372000002490,host,1,Re`, args: stats('--format', 'msr'), says: ['a.csv:2:1: line: expected 7 comma-separated fields'] },
  { name: 'wrong field count', file: 'a.csv', body: '3,R,1,4096\n', args: stats('--format', 'alibaba'), says: ['a.csv:1:1: line: expected 5 comma-separated fields'] },
  { name: 'non-numeric offset', file: 'a.csv', body: `${MSR}\n1,host,1,Read,abc,4096,0\n`, args: stats('--format', 'msr'), says: ['a.csv:2:15: Offset: expected a whole number, found "abc"'] },
  { name: 'negative offset', file: 'a.csv', body: '3,R,-1,4096,1\n', args: stats('--format', 'alibaba'), says: ['a.csv:1:5: offset: expected a whole number, found "-1"'] },
  { name: 'NaN timestamp', file: 'a.csv', body: `${SYSTOR}NaN,0.0001,R,4,0,4096\n`, args: stats('--format', 'systor'), says: ['a.csv:2:1: Timestamp: expected a decimal number'] },
  { name: 'offset past 2^53', file: 'a.csv', body: '3,R,9007199254740993,4096,1\n', args: stats('--format', 'alibaba'), says: ['a.csv:1:5: offset: expected a whole number, found "9007199254740993"'] },
  { name: 'size past 2^53', file: 'a.csv', body: `${MSR}\n1,host,1,Read,0,99999999999999999999,0\n`, args: stats('--format', 'msr'), says: ['a.csv:2:17: Size: expected a whole number'] },
  { name: 'sectors that reach past 2^53 bytes', file: 'a.csv', body: '1538323201,9007199254740000,8,0,1063\n', args: stats('--format', 'tencent'), says: ['a.csv:1:1: offset: expected a request ending below 2^53 bytes'] },
  { name: 'zero-size read (csv)', file: 'a.csv', body: '3,R,0,0,1\n', args: stats('--format', 'alibaba'), says: ['a.csv:1:1: size: expected a request of at least 1 byte', 'found "0"'] },
  { name: 'zero-size read (iolog)', file: 'a.log', body: `${IOLOG}2 /dev/x read 5 0\n`, args: stats('--format', 'iolog'), says: ['a.log:4:1: size: expected a request of at least 1 byte'] },
  { name: 'unknown op', file: 'a.csv', body: `${MSR}\n1,host,1,Trim,4096,4096,0\n`, args: stats('--format', 'msr'), says: ['a.csv:2:10: Type: expected one of Read, Write'] },
  { name: 'iolog request on a file never added', file: 'a.log', body: `${IOLOG}2 /dev/x read 0 4096\n3 /dev/y read 0 4096\n`, args: stats('--format', 'iolog'), says: ['a.log:5:3: file: expected a file named by an earlier "/dev/y add" line, found "/dev/y"'] },
  { name: 'a zero-size line before a malformed one is named first', file: 'a.log', body: `${IOLOG}2 /dev/x read 5 0\n3 /dev/x frob 0 4096\n`, args: stats('--format', 'iolog'), says: ['a.log:4:1: size: expected a request of at least 1 byte'] },
  { name: 'a zero-size line before a malformed one is named first (msr, text path)', file: 'a.csv', body: '128166372003061629,hm,0,Read,0,0,100\n128166372003061630,hm,0,Read,0,x,100\n', args: stats('--format', 'msr'), says: ['a.csv:1:1: size: expected a request of at least 1 byte'] },
  // CR-only line ends (classic Mac OS): the file was read as one request, the rest in ignored trailing fields.
  { name: 'CR-only line ends (msr, byte scanner)', file: 'a.csv', body: `${MSR}\r${MSR}\r${MSR}\r`, args: stats('--format', 'msr'), says: ['a.csv:1:50: line: expected lines that end in LF or CRLF', '\\r128166372000002099'] },
  { name: 'CR-only line ends (generic csv, commaFields)', file: 'a.csv', body: '0.1,R,0,4096,v\r0.2,W,4096,4096,v\n', args: stats('--format', 'csv', '--columns', 'time=1,op=2,offset=3,size=4,device=5'), says: ['a.csv:1:15: line: expected lines that end in LF or CRLF'] },
  { name: 'CR-only line ends (blkparse, word scanner)', file: 'a.txt', body: ' 8,0 0 1 0.1 1 Q R 8 + 8 [a]\r 8,0 0 2 0.2 1 Q W 16 + 8 [a]\r', args: stats('--format', 'blkparse'), says: ['a.txt:1:29: line: expected lines that end in LF or CRLF'] },
  { name: 'a CR inside an iolog line', file: 'a.log', body: `${IOLOG}2 /dev/x read 0 4096\r3 /dev/x read 4096 4096\n`, args: stats('--format', 'iolog'), says: ['a.log:4:21: line: expected lines that end in LF or CRLF'] },
  // A blkparse queue event that reads, writes or discards with no "sector + n" was skipped unseen.
  { name: 'blkparse read/write event with no sectors', file: 'a.txt', body: ' 8,0 0 1 0.1 1 Q R 8 + 8 [a]\n 8,0 0 2 0.2 1 Q W [a]\n', args: stats('--format', 'blkparse'), says: ['a.txt:2:', 'sector: expected "sector + nsectors" after a W queue event'] },
  { name: 'blkparse write of 0 sectors', file: 'a.txt', body: ' 8,0 0 1 0.1 1 Q R 8 + 8 [a]\n 8,0 0 2 0.2 1 Q W 16 + 0 [a]\n', args: stats('--format', 'blkparse'), says: ['a.txt:2:1: size: expected a request of at least 1 byte'] },
  { name: 'a blktrace sector past 2^53 bytes, named exactly', file: 'a.blktrace', body: async (p) => {
    const b = (await readFile(join(SAMPLES, 'sda.blktrace'))).subarray(0, 48 * 4);
    b.writeBigUInt64LE(2n ** 60n, 48 * 3 + 16);
    await writeFile(p, b);
  }, args: stats('--format', 'blktrace'), says: ['a.blktrace: record 4 at byte offset 144: sector: expected a request ending below 2^53 bytes', 'found sector 1152921504606846976 (590295810358705651712 bytes)'] },
  // Times are ns from the first request as doubles: past 2^64 ticks (a filetime is u64), or past 2^53 ns between two
  // steps of the double, they were rounded values; whole seconds far apart stay exact and are kept.
  { name: 'msr timestamp at 2^64', file: 'a.csv', body: `${MSR}\n18446744073709551616,host,0,Read,0,4096,0\n`, args: stats('--format', 'msr'), says: ['a.csv:2:1: Timestamp: expected a whole number below 2^64', 'found "18446744073709551616"'] },
  { name: 'msr timestamp past 2^53 ns after the first, not a double', file: 'a.csv', body: `${MSR}\n128566372000002100,host,0,Read,0,4096,0\n`, args: stats('--format', 'msr'), says: ['a.csv:2:1: time: expected a time from the first request that a double holds to the nanosecond', 'after it by more than 2^53 ns'] },
  { name: 'a rounded time is named after the line\'s own bad fields', file: 'a.csv', body: `${MSR}\n1,host,0,Read,abc,4096,0\n`, args: stats('--format', 'msr'), says: ['a.csv:2:15: Offset: expected a whole number'] },
  { name: 'a rounded time on the byte scanner\'s path (many lines)', file: 'a.csv', body: `${`${MSR}\n`.repeat(50)}1,host,0,Read,0,4096,0\n`, args: stats('--format', 'msr'), says: ['a.csv:51:1: time: expected a time from the first request that a double holds', 'before it by more than 2^53 ns'] },
  { name: 'alibaba time rounded', file: 'a.csv', body: '3,R,0,4096,1\n3,R,0,4096,100000000000002\n', args: stats('--format', 'alibaba'), says: ['a.csv:2:1: time: expected a time from the first request that a double holds'] },
  { name: 'systor time rounded', file: 'a.csv', body: `${SYSTOR}1.5,0.0001,R,4,0,4096\n10000001.500000001,0.0001,R,4,0,4096\n`, args: stats('--format', 'systor'), says: ['a.csv:3:1: time: expected a time from the first request that a double holds'] },
  { name: 'iolog v3 time rounded', file: 'a.log', body: `${IOLOG}2 /dev/x read 0 4096\n99999999999998 /dev/x read 0 4096\n`, args: stats('--format', 'iolog'), says: ['a.log:5:1: time: expected a time from the first request that a double holds'] },
  { name: 'iolog v2 wait rounded', file: 'a.log', body: 'fio version 2 iolog\n/dev/x add\n/dev/x read 0 4096\n/dev/x wait 9999999999999\n', args: stats('--format', 'iolog'), says: ['a.log:4:8: wait: expected milliseconds since the start that a double holds in nanoseconds'] },
  { name: 'a blktrace time past 2^53 ns, named exactly', file: 'a.blktrace', body: async (p) => {
    const b = (await readFile(join(SAMPLES, 'sda.blktrace'))).subarray(0, 48 * 4);
    b.writeBigUInt64LE(2n ** 60n + 1n, 48 * 3 + 8);
    await writeFile(p, b);
  }, args: stats('--format', 'blktrace'), says: ['a.blktrace: record 4 at byte offset 144: time: expected a time from the first request that a double holds', 'found 1152921504606846977 ns'] },
  { name: 'unknown iolog action', file: 'a.log', body: `${IOLOG}2 /dev/x frob 0 4096\n`, args: stats('--format', 'iolog'), says: ['a.log:4:10: action: expected read, write'] },
  { name: 'trailing garbage after the last field', file: 'a.csv', body: '3,R,0,4096,1\n3,R,0,4096,17xyz\n', args: stats('--format', 'alibaba'), says: ['a.csv:2:'] },
  { name: 'binary garbage given as CSV', file: 'a.csv', body: Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 151 + 7) % 256)), args: stats('--format', 'msr'), says: ['a.csv:1:1: '] },
  { name: 'truncated .gz names the byte offset', file: 'a.csv.gz', body: async (p) => {
    await copyFile(join(SAMPLES, 'msr-hm.csv.gz'), p);
    await truncate(p, 15000);
  }, args: stats('--format', 'msr'), says: ['a.csv.gz: truncated or corrupt gzip data at byte offset 15000'] },
  { name: 'a .gz that is not gzip', file: 'a.csv.gz', body: `${MSR}\n`, args: stats('--format', 'msr'), says: ['a.csv.gz: byte offset 0: expected gzip data'] },
  { name: 'a .zst that is not zstd', file: 'a.csv.zst', body: `${MSR}\n`, args: stats('--format', 'msr'), says: ['a.csv.zst: byte offset 0: expected zstd data'] },
  { name: 'a .zst frame whose content checksum is wrong', file: 'a.csv.zst', body: Buffer.concat([zstdFrame([`${MSR}\n`]), zstdFrame([`${MSR}\n`], 0xdeadbeef)]), args: stats('--format', 'msr'), says: [`a.csv.zst: zstd content checksum mismatch in the frame at byte offset ${zstdFrame([`${MSR}\n`]).length}: the frame stores 0xdeadbeef`] },
  { name: 'bytes after the last .zst frame', file: 'a.csv.zst', body: Buffer.concat([zstdFrame([`${MSR}\n`]), Buffer.from(`${MSR}\n`)]), args: stats('--format', 'msr'), says: [`a.csv.zst: byte offset ${zstdFrame([`${MSR}\n`]).length}: expected another zstd frame or the end of the file`] },
  { name: 'a .zst frame cut inside a block', file: 'a.csv.zst', body: zstdFrame([`${MSR}\n`]).subarray(0, 20), args: stats('--format', 'msr'), says: ['a.csv.zst: truncated zstd data: the file ends at byte offset 20 inside the frame that starts at byte offset 0, in its block 1 data'] },
  { name: 'a .zst frame asking for a 1.9 GiB window (fzstd allocated it and copied it per block)', file: 'a.csv.zst', body: Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0xa7, 0x09, 0, 0, 0x31]), args: stats('--format', 'msr'), says: ['a.csv.zst: the zstd frame at byte offset 0 needs a 2013265920-byte window, more than the 134217728 (128 MiB) zstd decodes without --memory'] },
  { name: 'a .zst 1.9 GiB window while the format is detected (23 s and 2 GB before)', file: 'a.csv.zst', body: Buffer.concat([Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0xa7]), ...Array.from({ length: 200 }, () => Buffer.from([0x08, 0, 0, 0x31])), Buffer.from([0x09, 0, 0, 0x0a])]), says: ['a.csv.zst: the zstd frame at byte offset 0 needs a 2013265920-byte window'] },
  { name: 'UTF-16 with a byte order mark, format given (was an unreadable "found" at 1:1)', file: 'a.csv', body: Buffer.from(`\ufeff${MSR}\n`, 'utf16le'), args: stats('--format', 'msr'), says: ['a.csv: byte offset 0: the trace is UTF-16 text', 'iconv -f UTF-16 -t UTF-8'] },
  { name: 'UTF-16 without a byte order mark, format detected (was "cannot tell the trace format")', file: 'a.csv', body: Buffer.from(`${MSR}\n${MSR}\n`, 'utf16le'), says: ['a.csv: byte offset 0: the trace is UTF-16 text'] },
  { name: 'a 3 MiB line of NUL bytes (a sparse 3 GB one ran for minutes, re-joined chunk by chunk)', file: 'a.csv', body: Buffer.alloc(3 << 20), args: stats('--format', 'msr'), says: ['a.csv:1:1: line: expected lines of at most 1 MiB, found one still going at 1 MiB, starting "\\u0000'] },
  { name: 'a line past 1 MiB after good ones is named by its number', file: 'a.csv', body: `${MSR}\n${MSR}\n128166372000002099,${'h'.repeat(2 << 20)},0,Write,0,4096,0\n`, args: stats('--format', 'msr'), says: ['a.csv:3:1: line: expected lines of at most 1 MiB', 'starting "128166372000002099,hhh'] },
  { name: 'a 64 KiB .zst that decodes to 2 GB, format detected (an internal error after 12 s and 4 GB)', file: 'a.csv.zst', body: zstdRleBomb(16_000), says: ['a.csv.zst: cannot tell the trace format'] },
  { name: 'the same with --format: its first line is too long, found in one 8 MiB step (2 GB before)', file: 'a.csv.zst', body: zstdRleBomb(16_000), args: stats('--format', 'msr'), says: ['a.csv.zst:1:1: line: expected lines of at most 1 MiB'] },
  { name: 'run --device all over 9000 devices names the default workload\'s field, not a line of the generated YAML as the trace\'s', file: 'd.csv', body: Array.from({ length: 9000 }, (_, i) => `${128166372000002099 + i},host,${i},Write,0,4096,0\n`).join(''), argv: ['run', 'FILE', '--format', 'msr', '--device', 'all', '-q', '--no-qemu-check', '-o', 'OUT/r.json'], says: ['d.csv (the default workload built for this trace): phases[0].jobs: expected at most 262144 requests in flight'] },
  { name: 'a blktrace record cut short', file: 'a.blktrace', body: async (p) => writeFile(p, (await readFile(join(SAMPLES, 'sda.blktrace'))).subarray(0, 1000)), says: ['a.blktrace: truncated blktrace record 21 at byte offset 960'] },
  { name: 'an oracleGeneral record cut short', file: 'a.oracleGeneral', body: async (p) => writeFile(p, (await readFile(join(SAMPLES, 'w01.oracleGeneral'))).subarray(0, 1000)), says: ['a.oracleGeneral: truncated oracle-general record 42 at byte offset 984'] },
  { name: 'garbage as blktrace', file: 'a.blktrace', body: Buffer.alloc(480, 0x5a), args: stats('--format', 'blktrace'), says: ['a.blktrace: record 1 at byte offset 0: magic'] },
  { name: 'ambiguous format asks for --format', file: 'a.dat', body: '1,2,3\n', says: ['a.dat: cannot tell the trace format', 'give it with --format'] },
  { name: '--format unknown', file: 'a.csv', body: { sample: 'alibaba.csv' }, args: stats('--format', 'foo'), says: ["option '--format <name>' argument 'foo' is invalid"] },
  { name: '--columns malformed', file: 'g.csv', body: { sample: 'generic.csv' }, args: stats('--format', 'csv', '--columns', 'time=1,offset'), says: ['--columns: expected columns such as'] },
  { name: '--columns column out of range', file: 'g.csv', body: { sample: 'generic.csv' }, args: stats('--format', 'csv', '--columns', 'time=1,offset=30,size=4,op=2'), says: ['g.csv:1:1: line: expected at least 30 comma-separated fields'] },
  { name: '--columns duplicate name', file: 'g.csv', body: { sample: 'generic.csv' }, args: stats('--format', 'csv', '--columns', 'time=1,offset=3,offset=4,size=4'), says: ['--columns: expected each column name once, found offset twice'] },
  { name: '--columns two names in one column', file: 'g.csv', body: { sample: 'generic.csv' }, args: stats('--format', 'csv', '--columns', 'offset=3,size=3'), says: ['found offset and size both in column 3'] },
  { name: '--columns huge column', file: 'g.csv', body: { sample: 'generic.csv' }, args: stats('--format', 'csv', '--columns', 'offset=3,size=99999999999'), says: ['--columns: expected columns from 1 to 1024'] },
  { name: '--columns for a format with fixed columns', file: 'a.csv', body: { sample: 'alibaba.csv' }, args: stats('--format', 'alibaba', '--columns', 'offset=3,size=4'), says: ['a.csv: columns given for a trace of format alibaba', 'apply to format csv only'] },
  { name: '--offset-unit for a format with fixed units', file: 'a.csv', body: { sample: 'alibaba.csv' }, args: stats('--offset-unit', 'sector'), says: ['a.csv: an offset unit given for a trace of format alibaba'] },
  { name: 'run --speed 0x names the option', file: 'a.csv', body: { sample: 'alibaba.csv' }, argv: ['run', 'FILE', '--timing', 'original', '--speed', '0x', '-q', '--no-qemu-check', '-o', 'OUT/r.json'], says: ["option '--speed <factor>' argument '0x' is invalid", 'expected a speed factor above 0'] },
  { name: 'run --speed too large to be a number (Infinity)', file: 'a.csv', body: { sample: 'alibaba.csv' }, argv: ['run', 'FILE', '--timing', 'original', '--speed', `${'9'.repeat(400)}x`, '-q', '--no-qemu-check', '-o', 'OUT/r.json'], says: ["option '--speed <factor>' argument", 'expected a speed factor above 0 and below 2^1024'] },
  { name: 'sweep --speed negative names the option', file: 'a.csv', body: { sample: 'alibaba.csv' }, argv: ['sweep', 'FILE', '--speed', '-2x', '-q', '-o', 'OUT/r.json'], says: ["option '--speed <factor>' argument '-2x' is invalid"] },
  { name: 'run --fit unknown', file: 'a.csv', body: { sample: 'alibaba.csv' }, argv: ['run', 'FILE', '--fit', 'squash', '-q', '--no-qemu-check', '-o', 'OUT/r.json'], says: ["option '--fit <mode>' argument 'squash' is invalid"] },
  { name: 'run --iodepth 0', file: 'a.csv', body: { sample: 'alibaba.csv' }, argv: ['run', 'FILE', '--iodepth', '0', '-q', '--no-qemu-check', '-o', 'OUT/r.json'], says: ["option '--iodepth <n>' argument '0' is invalid"] },
  { name: 'run --device absent', file: 'a.csv', body: { sample: 'alibaba.csv' }, argv: ['run', 'FILE', '--device', '999', '-q', '--no-qemu-check', '-o', 'OUT/r.json'], says: ['a.csv: no requests for device "999"; nothing to replay'] },
  { name: '--offset-unit unknown', file: 'g.csv', body: { sample: 'generic.csv' }, args: stats('--format', 'csv', '--columns', 'offset=3,size=4', '--offset-unit', 'kb'), says: ["'--offset-unit <unit>' argument 'kb' is invalid"] },
  { name: '--device absent from the trace', file: 'a.csv', body: { sample: 'alibaba.csv' }, args: stats('--device', '999'), says: ['a.csv: no requests for device "999"'] },
  { name: '--max-bad-lines negative', file: 'a.csv', body: { sample: 'alibaba.csv' }, args: stats('--max-bad-lines', '-1'), says: ["'--max-bad-lines <n>' argument '-1' is invalid"] },
  { name: '--max-bad-lines not whole', file: 'a.csv', body: { sample: 'alibaba.csv' }, args: stats('--max-bad-lines', '1.5'), says: ["'--max-bad-lines <n>' argument '1.5' is invalid"] },
  { name: '--max-bad-lines exceeded', file: 'a.csv', body: async (p) => writeFile(p, `${await readFile(join(SAMPLES, 'alibaba.csv'), 'utf8')}x\ny\n`), args: stats('--format', 'alibaba', '--max-bad-lines', '1'), says: ['a.csv:3002:1: line:', '(more than --max-bad-lines 1 bad lines)'] },
  { name: 'missing file', file: 'a.csv', body: async () => {}, args: stats('--format', 'msr'), says: ['a.csv: cannot read the trace: no such file or directory'] },
  // trace convert: refused before anything is written, or the output removed.
  { name: 'convert onto the input itself', file: 'a.csv', body: { sample: 'alibaba.csv' }, argv: ['trace', 'convert', 'FILE', '--format', 'alibaba', '--to', 'alibaba', '-o', 'FILE'], says: ['it is the input'] },
  { name: 'convert onto a link to the input', file: 'a.csv', body: async (p) => {
    await copyFile(join(SAMPLES, 'alibaba.csv'), p);
    await symlink(p, `${p}.link`);
  }, argv: ['trace', 'convert', 'FILE', '--format', 'alibaba', '-o', 'FILE.link'], says: ['it is the input'] },
  { name: 'convert into a missing directory', file: 'a.csv', body: { sample: 'alibaba.csv' }, argv: ['trace', 'convert', 'FILE', '-o', 'OUT/nodir/x.iolog'], says: ['nodir/x.iolog: cannot write there: the directory', 'does not exist'] },
  { name: 'convert onto a directory', file: 'a.csv', body: async (p) => {
    await copyFile(join(SAMPLES, 'alibaba.csv'), p);
    await mkdir(join(p, '..', 'sub'));
  }, argv: ['trace', 'convert', 'FILE', '-o', 'OUT/sub'], says: ['sub: it is a directory'] },
  { name: 'convert below a file', file: 'a.csv', body: { sample: 'alibaba.csv' }, argv: ['trace', 'convert', 'FILE', '-o', 'FILE/x.iolog'], says: ['cannot write there: a file of that name is in the way'] },
  { name: 'convert with a bad line leaves no partial output', file: 'a.csv', body: async (p) => writeFile(p, `${await readFile(join(SAMPLES, 'alibaba.csv'), 'utf8')}bad\n`), argv: ['trace', 'convert', 'FILE', '--format', 'alibaba', '-o', 'OUT/x.iolog.gz'], says: ['a.csv:3001:1: line:'] },
  { name: 'convert of no request writes nothing', file: 'a.csv', body: { sample: 'alibaba.csv' }, argv: ['trace', 'convert', 'FILE', '--device', '999', '-o', 'OUT/x.iolog'], says: ['no requests for device "999"', 'x.iolog not written'] },
  { name: 'convert of bytes a sector format cannot express (text)', file: 'u.csv', body: '3,R,0,4096,1\n3,R,100,4000,2\n', argv: ['trace', 'convert', 'FILE', '--format', 'alibaba', '--to', 'tencent', '-o', 'OUT/x.csv'], says: ['u.csv:2:1: request: read 100+4000 is not in whole 512-byte sectors; tencent cannot express it'] },
  { name: 'convert of bytes a sector format cannot express (binary)', file: 'u.csv', body: '3,W,512,1000,1\n', argv: ['trace', 'convert', 'FILE', '--format', 'alibaba', '--to', 'blktrace', '-o', 'OUT/x.blktrace'], says: ['u.csv:1:1: request: write 512+1000 is not in whole 512-byte sectors; blktrace cannot express it'] },
  { name: 'convert onto a full device', file: 'a.csv', body: { sample: 'alibaba.csv' }, argv: ['trace', 'convert', 'FILE', '-o', '/dev/full'], says: ['-o /dev/full: cannot write it: no space left on the device'] },
];

const sha = async (p: string) => createHash('sha256').update(await readFile(p)).digest('hex');

async function build(c: Case): Promise<string> {
  const path = tmp.path(c.file);
  if (typeof c.body === 'function') await c.body(path);
  else if (typeof c.body === 'string' || Buffer.isBuffer(c.body)) await writeFile(path, c.body);
  else await copyFile(join(SAMPLES, c.body.sample), path);
  return path;
}

describe('hostile traces are refused cleanly', () => {
  it.each(CASES)('$name', async (c) => {
    const path = await build(c);
    const dir = tmp.path('');
    const before = await readdir(dir);
    const hashes = await Promise.all(before.filter((f) => f !== 'sub').map((f) => sha(join(dir, f)).catch(() => 'dir')));
    const argv = c.argv ? c.argv.map((a) => a.replace(/^FILE/, path).replace(/^OUT/, dir)) : ['trace', 'stats', path, ...(c.args ?? [])];
    const r = await cli(...argv);
    expectRefused(r, c.says);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(await readdir(dir)).toEqual(before);
    expect(await Promise.all(before.filter((f) => f !== 'sub').map((f) => sha(join(dir, f)).catch(() => 'dir')))).toEqual(hashes);
  });

  it('a pipe for a trace (<(zcat x.gz), a FIFO) is named as one, not "ESPIPE: invalid seek"', async () => {
    const p = tmp.path('p.csv');
    execFileSync('mkfifo', [p]);
    const writer = open(p, 'w'); // so that the CLI's open returns
    try {
      expectRefused(await cli('trace', 'stats', p, '--format', 'alibaba'), ['p.csv: cannot read the trace: it is a pipe, not a file', 'save it to a file first']);
    } finally {
      await (await writer).close();
    }
  });

  it('--debug adds the stack to the same message', async () => {
    const r = await cli('--debug', 'trace', 'stats', tmp.path('none.csv'), '--format', 'msr');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('none.csv: cannot read the trace');
    expect(r.stderr).toContain(STACK_LINE);
  });

  it('accepted as the same requests: CRLF line ends, a byte order mark, gzip', async () => {
    const plain = tmp.path('p.csv');
    await writeFile(plain, `${MSR}\n${MSR}\n`);
    const want = JSON.parse((await cliOk(0, 'trace', 'stats', plain, '--format', 'msr', '--json')).stdout);
    for (const [name, body] of [
      ['crlf.csv', `${MSR}\r\n${MSR}\r\n`],
      ['bom.csv', `\ufeff${MSR}\n${MSR}\n`],
      ['bom.csv.gz', gzipSync(`\ufeff${MSR}\n${MSR}\n`)],
    ] as const) {
      const f = tmp.path(name);
      await writeFile(f, body);
      const got = JSON.parse((await cliOk(0, 'trace', 'stats', f, '--json')).stdout);
      expect({ requests: got.requests, ops: got.ops, extent: got.extent }).toEqual({ requests: want.requests, ops: want.ops, extent: want.extent });
    }
  });

  it('a zero-size line is skipped and counted under --max-bad-lines', async () => {
    const f = tmp.path('z.csv');
    await writeFile(f, `${MSR}\n1,host,0,Read,4096,0,0\n${MSR}\n`);
    const s = JSON.parse((await cliOk(0, 'trace', 'stats', f, '--format', 'msr', '--max-bad-lines', '1', '--json')).stdout);
    expect(s.requests).toBe(2);
    expect(s.trace.badLines).toBe(1);
    expect(s.trace.firstBadLines[0]).toContain('z.csv:2:1: size: expected a request of at least 1 byte');
  });
});
