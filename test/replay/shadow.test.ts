import { describe, expect, it } from 'vitest';
import { ShadowModel } from '../../src/replay/shadow.js';
import { Disk, SECTOR, bytesOf, readNow, writeDone, type Content } from './shadow-helpers.js';

const SEED = 0x5eed;
const K4 = 4096;
const NOT_A_STAMP = 'bytes that are neither zeros nor an intact stamp';

describe('ShadowModel: reads and read-back of completed writes', () => {
  it('stamped writes read back verify, during the replay and in the final read-back', async () => {
    const shadow = new ShadowModel(SEED, 'zeros');
    const disk = new Disk(1 << 20);
    const a = writeDone(shadow, disk, 0, K4);
    const b = writeDone(shadow, disk, 3 * K4, 2 * K4);
    writeDone(shadow, disk, 8 * K4, K4, true);
    expect(new Set([a, b]).size).toBe(2);

    const buf = new Uint8Array(6 * K4); // a, never written, never written, b, b, never written
    await disk.read(buf, 0);
    expect(readNow(shadow, 0, buf)).toBe(0);
    await shadow.verifyAll(disk.read);

    const r = shadow.report();
    expect(r).toMatchObject({ verdict: 'passed', writesTracked: 3, readsVerified: 1, staleReads: 0, lostWrites: 0, corruptSectors: 0, unexpectedData: 0, violations: [] });
    // 48 sectors in the read, then the 32 written sectors (a, b and the zero write) read back.
    expect(r.sectorsVerified).toBe(48 + 32);
    expect(shadow.trackedBytes()).toBe(4 * K4);
  });

  it('the buffer a data write gets is stamped with its own seq at its own offset', () => {
    const shadow = new ShadowModel(SEED, 'zeros');
    const w = shadow.beginWrite(K4, 2 * SECTOR, false);
    expect(w.data).toEqual(bytesOf(K4, [{ stamp: w.seq }, { stamp: w.seq }], SEED));
    expect(shadow.beginWrite(0, K4, true).data).toBeNull();
  });

  it('a stale version read after a newer write completed is a stale-read naming offset, expected and found write', () => {
    const shadow = new ShadowModel(SEED, 'zeros');
    const disk = new Disk(1 << 20);
    const old = writeDone(shadow, disk, K4, K4);
    const staleBytes = disk.bytes.slice(K4, 2 * K4);
    const newer = writeDone(shadow, disk, K4, K4);

    // Sectors 0-1 of the read are current, 2-7 stale.
    const buf = disk.bytes.slice(K4, 2 * K4);
    buf.set(staleBytes.subarray(2 * SECTOR), 2 * SECTOR);
    const t = shadow.beginRead(K4, K4);
    expect(shadow.endRead(t, buf)).toBe(6);

    const r = shadow.report();
    expect(r.verdict).toBe('failed');
    expect(r.staleReads).toBe(6);
    expect(r.violations).toEqual([
      { kind: 'stale-read', offset: K4 + 2 * SECTOR, sectors: 6, expected: `write #${newer}`, found: `write #${old}`, during: 'replay', readSeq: t.seq },
    ]);
  });

  it('zeros where a completed write is expected: stale-read during the replay, lost-write in the read-back', async () => {
    const shadow = new ShadowModel(SEED, 'zeros');
    const disk = new Disk(1 << 20);
    const seq = writeDone(shadow, disk, 2 * K4, K4);
    disk.zero(2 * K4 + SECTOR, 3 * SECTOR); // sectors 1-3 of the write vanish

    expect(readNow(shadow, 2 * K4, disk.bytes.slice(2 * K4, 3 * K4))).toBe(3);
    await shadow.verifyAll(disk.read);
    const r = shadow.report();
    expect(r.staleReads).toBe(3);
    expect(r.lostWrites).toBe(3);
    expect(r.violations).toEqual([
      expect.objectContaining({ kind: 'stale-read', offset: 2 * K4 + SECTOR, sectors: 3, expected: `write #${seq}`, found: 'zeros', during: 'replay' }),
      { kind: 'lost-write', offset: 2 * K4 + SECTOR, sectors: 3, expected: `write #${seq}`, found: 'zeros', during: 'read-back', readSeq: undefined },
    ]);
  });

  it('an older write found in the read-back is a lost-write naming both writes', async () => {
    const shadow = new ShadowModel(SEED, 'zeros');
    const disk = new Disk(1 << 20);
    const old = writeDone(shadow, disk, 0, 2 * K4);
    const before = disk.bytes.slice(0, 2 * K4);
    const newer = writeDone(shadow, disk, K4, K4);
    disk.put(before, 0); // the second write is lost

    await shadow.verifyAll(disk.read);
    const r = shadow.report();
    expect(r.lostWrites).toBe(8);
    expect(r.violations).toEqual([
      { kind: 'lost-write', offset: K4, sectors: 8, expected: `write #${newer}`, found: `write #${old}`, during: 'read-back', readSeq: undefined },
    ]);
    expect(r.sectorsVerified).toBe(16);
  });

  it('a garbled sector is corrupt, during the replay and in the read-back', async () => {
    const shadow = new ShadowModel(SEED, 'zeros');
    const disk = new Disk(1 << 20);
    const seq = writeDone(shadow, disk, 0, K4);
    disk.bytes[5 * SECTOR + 300] ^= 0x40;

    expect(readNow(shadow, 0, disk.bytes.slice(0, K4))).toBe(1);
    await shadow.verifyAll(disk.read);
    const r = shadow.report();
    expect(r.corruptSectors).toBe(2);
    expect(r.staleReads + r.lostWrites).toBe(0);
    expect(r.violations.map((v) => [v.kind, v.offset, v.sectors, v.expected, v.found, v.during])).toEqual([
      ['corrupt', 5 * SECTOR, 1, `write #${seq}`, NOT_A_STAMP, 'replay'],
      ['corrupt', 5 * SECTOR, 1, `write #${seq}`, NOT_A_STAMP, 'read-back'],
    ]);
  });

  it('a stamp where a zero write (or a fresh image) should show zeros is unexpected data', async () => {
    const shadow = new ShadowModel(SEED, 'zeros');
    const disk = new Disk(1 << 20);
    const data = writeDone(shadow, disk, 0, K4);
    const zero = writeDone(shadow, disk, 0, SECTOR, true);
    disk.put(bytesOf(0, [{ stamp: data }], SEED), 0); // the zero write did not happen

    // A read of never-written sectors of a fresh image that finds a stamp.
    expect(readNow(shadow, 64 * K4, bytesOf(64 * K4, [{ stamp: data }, 'zeros'], SEED))).toBe(1);
    await shadow.verifyAll(disk.read);
    const r = shadow.report();
    expect(r.unexpectedData).toBe(2);
    expect(r.violations.map((v) => [v.kind, v.offset, v.expected, v.found])).toEqual([
      ['unexpected-data', 64 * K4, 'the original content (zeros)', `write #${data}`],
      ['unexpected-data', 0, `zeros from zero-write #${zero}`, `write #${data}`],
    ]);
  });

  it('failed writes make their sectors unverifiable, whatever they hold, not violations', async () => {
    const shadow = new ShadowModel(SEED, 'zeros');
    const disk = new Disk(1 << 20);
    writeDone(shadow, disk, 0, K4);
    const failed = shadow.beginWrite(0, 2 * SECTOR, false);
    shadow.endWrite(failed.seq, false);
    const failedZero = shadow.beginWrite(K4, K4, true);
    shadow.endWrite(failedZero.seq, false);
    disk.bytes.fill(0x77, 0, 2 * SECTOR); // torn: neither version
    disk.bytes.fill(0x33, K4, 2 * K4);

    expect(readNow(shadow, 0, disk.bytes.slice(0, 2 * K4))).toBe(0);
    await shadow.verifyAll(disk.read);
    const r = shadow.report();
    expect(r.verdict).toBe('passed');
    expect(r.violations).toEqual([]);
    // 2 + 8 failed sectors, in the read and again in the read-back; the other 6 verified twice.
    expect(r.sectorsUnverifiable).toBe(20);
    expect(r.sectorsVerified).toBe(12);
    expect(shadow.trackedBytes()).toBe(2 * K4);
  });

  it('unaligned writes get an unstamped buffer and leave their sectors unverifiable', async () => {
    const shadow = new ShadowModel(SEED, 'zeros');
    const disk = new Disk(1 << 20);
    const w = shadow.beginWrite(100, 1000, false);
    expect(w.data).toEqual(new Uint8Array(1000));
    disk.bytes.fill(0x99, 100, 1100);
    shadow.endWrite(w.seq, true);
    await shadow.verifyAll(disk.read);
    expect(shadow.report()).toMatchObject({ verdict: 'passed', sectorsUnverifiable: 3, sectorsVerified: 0 });
    // An unaligned read is not verified at all.
    const t = shadow.beginRead(100, 1000);
    expect(shadow.endRead(t, new Uint8Array(1000).fill(1))).toBe(0);
    expect(shadow.report().readsVerified).toBe(0);
  });

  it("on an image of unknown content, never-written sectors are unverifiable; a failed read verifies nothing", () => {
    const shadow = new ShadowModel(SEED, 'unknown');
    const disk = new Disk(1 << 20);
    const seq = writeDone(shadow, disk, K4, SECTOR);
    // Sectors 0-7 and 9 were never written (anything goes); sector 8 should hold write #seq.
    const buf = bytesOf(0, [...Array<Content>(8).fill('garbage'), 'garbage', { stamp: seq }], SEED);
    expect(readNow(shadow, 0, buf)).toBe(1);
    expect(shadow.report()).toMatchObject({ sectorsUnverifiable: 9, sectorsVerified: 1, corruptSectors: 1 });
    expect(shadow.report().violations[0]).toMatchObject({ kind: 'corrupt', offset: K4, expected: `write #${seq}` });

    const t = shadow.beginRead(0, K4);
    expect(shadow.endRead(t, null)).toBe(0);
    expect(shadow.report().readsVerified).toBe(1);
  });

  it('violations are listed as runs, at most 100, while the counts go on', async () => {
    const shadow = new ShadowModel(SEED, 'zeros');
    const disk = new Disk(4 << 20);
    for (let i = 0; i < 150; i++) writeDone(shadow, disk, i * 2 * K4, K4); // 150 separate runs
    disk.bytes.fill(0); // every write lost
    await shadow.verifyAll(disk.read);
    const r = shadow.report();
    expect(r.lostWrites).toBe(150 * 8);
    expect(r.violations).toHaveLength(100);
    expect(r.violations.every((v) => v.sectors === 8 && v.kind === 'lost-write' && v.found === 'zeros')).toBe(true);
    expect(r.violations[99].offset).toBe(99 * 2 * K4);
  });

  it('a write ended twice is a bug in the caller', () => {
    const shadow = new ShadowModel(SEED, 'zeros');
    const w = shadow.beginWrite(0, K4, false);
    shadow.endWrite(w.seq, true);
    expect(() => shadow.endWrite(w.seq, true)).toThrow(/ended twice/);
  });
});

describe('ShadowModel: a read racing one write to the same range', () => {
  /**
   * Old version: a completed data or zero write; new version: a data or zero write W whose
   * begin and end interleave with the read's. Every order of the four events is tried.
   */
  type Ev = 'bW' | 'eW' | 'bR' | 'eR';
  const ORDERS: Ev[][] = [
    ['bW', 'eW', 'bR', 'eR'], // W done before the read: only new
    ['bW', 'bR', 'eW', 'eR'],
    ['bW', 'bR', 'eR', 'eW'],
    ['bR', 'bW', 'eW', 'eR'],
    ['bR', 'bW', 'eR', 'eW'],
    ['bR', 'eR', 'bW', 'eW'], // the read done before W began: only old
  ];

  const cases = ORDERS.flatMap((order) =>
    (['stamp', 'zeros'] as const).flatMap((oldKind) => (['data', 'zero'] as const).map((newKind) => ({ order, oldKind, newKind }))),
  );

  it.each(cases)('$order.0 $order.1 $order.2 $order.3, old $oldKind, new $newKind: old, new, nothing else', ({ order, oldKind, newKind }) => {
    const at = (e: Ev): number => order.indexOf(e);
    const oldLegal = at('eW') > at('bR'); // W not yet complete when the read was issued
    const newLegal = at('bW') < at('eR'); // W issued before the read completed
    const off = 4 * K4;
    const n = 4; // sectors

    const tryContent = (content: Content): number => {
      const shadow = new ShadowModel(SEED, 'zeros');
      const disk = new Disk(1 << 20);
      writeDone(shadow, disk, off, n * SECTOR); // seq 1: an older version still
      writeDone(shadow, disk, off, n * SECTOR, oldKind === 'zeros'); // seq 2: the old version
      let w: { seq: number } | undefined;
      let t: ReturnType<ShadowModel['beginRead']> | undefined;
      let bad = -1;
      for (const e of order) {
        if (e === 'bW') w = shadow.beginWrite(off, n * SECTOR, newKind === 'zero');
        if (e === 'eW') shadow.endWrite(w!.seq, true);
        if (e === 'bR') t = shadow.beginRead(off, n * SECTOR);
        if (e === 'eR') bad = shadow.endRead(t!, bytesOf(off, Array<Content>(n).fill(content), SEED));
      }
      return bad;
    };

    // The seqs are deterministic: ancient 1, old 2, then W and the read take 3 and 4 in event order.
    const wSeq = at('bW') < at('bR') ? 3 : 4;
    const oldContent: Content = oldKind === 'stamp' ? { stamp: 2 } : 'zeros';
    const newContent: Content = newKind === 'data' ? { stamp: wSeq } : 'zeros';
    const same = JSON.stringify(oldContent) === JSON.stringify(newContent);
    expect(tryContent(oldContent)).toBe(oldLegal || (same && newLegal) ? 0 : n);
    expect(tryContent(newContent)).toBe(newLegal || (same && oldLegal) ? 0 : n);
    // A third version: the write before the old one, a stamp no write made, garbage, and
    // zeros when neither version is zeros.
    const thirds: Content[] = [{ stamp: 1 }, { stamp: 999 }, 'garbage'];
    if (oldKind === 'stamp' && newKind === 'data') thirds.push('zeros');
    for (const third of thirds) expect(tryContent(third), JSON.stringify(third)).toBe(n);
  });
});
