import { describe, expect, it } from 'vitest';
import { ShadowModel } from '../../src/replay/shadow.js';
import { SECTOR, stampBuffer } from '../../src/replay/stamp.js';

/** The shadow model's verdict after a cut, on a little disk whose sectors the test sets. */
const SEED = 0x5eed;
const DISK = 16 * SECTOR;

function model() {
  const shadow = new ShadowModel(SEED, 'zeros');
  shadow.trackDurability();
  const disk = new Uint8Array(DISK);
  const write = (offset: number, length: number): number => {
    const w = shadow.beginWrite(offset, length, false);
    shadow.endWrite(w.seq, true);
    return w.seq;
  };
  const flush = (): void => shadow.endFlush(shadow.beginFlush(), true);
  /** Sector `s` shows write `seq` (0: zeros, -1: garbage). */
  const show = (s: number, seq: number): void => {
    const sub = disk.subarray(s * SECTOR, (s + 1) * SECTOR);
    if (seq === -1) sub.fill(0xa5);
    else if (seq === 0) sub.fill(0);
    else stampBuffer(sub, s * SECTOR, seq, SEED);
  };
  const read = async (buf: Uint8Array, off: number): Promise<void> => buf.set(disk.subarray(off, off + buf.length));
  const verify = () => shadow.verifyAfterCut(read);
  /** Never-written sectors of the disk (as of allocated clusters) must be zeros. */
  const verifyRest = () => shadow.verifyUnwritten([{ start: 0, length: DISK }], read);
  return { shadow, write, flush, show, verify, verifyRest };
}

describe('shadow model after a power cut', () => {
  it('a durable write showing is fine; an unflushed write may be there, gone, or torn per sector', async () => {
    for (const [shown, lostUnflushed] of [[[2, 2, 2, 2], 0], [[1, 1, 1, 1], 1], [[2, 1, 2, 1], 1]] as const) {
      const m = model();
      const w1 = m.write(0, 4 * SECTOR);
      m.flush();
      const w2 = m.write(0, 4 * SECTOR);
      m.shadow.powerCut();
      shown.forEach((which, s) => m.show(s, which === 1 ? w1 : w2));
      expect(await m.verify()).toEqual({ lostFlushedWrites: 0, lostUnflushedWrites: lostUnflushed });
      expect(m.shadow.report()).toMatchObject({ verdict: 'passed', sectorsVerified: 4 });
    }
  });

  it('a durable sector showing older data, zeros or garbage is a lost flushed write', async () => {
    for (const bad of ['older', 'zeros', 'garbage'] as const) {
      const m = model();
      const w0 = m.write(0, 2 * SECTOR);
      const w1 = m.write(0, 2 * SECTOR);
      m.flush();
      m.shadow.powerCut();
      m.show(0, w1);
      m.show(1, bad === 'older' ? w0 : bad === 'zeros' ? 0 : -1);
      expect((await m.verify()).lostFlushedWrites).toBe(1);
      const r = m.shadow.report();
      expect(r.verdict).toBe('failed');
      expect(r.violations[0]).toMatchObject({ offset: SECTOR, sectors: 1, expected: `write #${w1}`, kind: bad === 'garbage' ? 'corrupt' : 'lost-write' });
    }
  });

  it('a write completed while a flush was in flight is not durable; one issued after the cut changes nothing', async () => {
    const m = model();
    const w1 = m.write(0, SECTOR);
    const f = m.shadow.beginFlush();
    const w2 = m.write(0, SECTOR); // completes after the flush was issued
    m.shadow.endFlush(f, true);
    const inFlight = m.shadow.beginWrite(SECTOR, SECTOR, false);
    m.shadow.powerCut();
    const late = m.shadow.beginWrite(2 * SECTOR, SECTOR, false);
    m.shadow.endWrite(inFlight.seq, false); // failed by the cut: may have landed or not
    m.shadow.endWrite(late.seq, false);
    m.show(0, w1);
    m.show(1, inFlight.seq);
    expect(await m.verify()).toEqual({ lostFlushedWrites: 0, lostUnflushedWrites: 1 });
    expect(m.shadow.report().verdict).toBe('passed');
    expect(w2).toBeGreaterThan(w1);
    await m.verifyRest();
    expect(m.shadow.report().verdict).toBe('passed');
    m.show(2, late.seq); // a write issued after the cut cannot be on disk
    await m.verifyRest();
    expect(m.shadow.report()).toMatchObject({ verdict: 'failed', unexpectedData: 1 });
  });

  it('overlapping writes in flight together may land in either order; others may not', async () => {
    for (const raced of [true, false]) {
      const shadow = new ShadowModel(SEED, 'zeros');
      const disk = new Uint8Array(DISK);
      const a = shadow.beginWrite(0, 2 * SECTOR, false);
      if (!raced) shadow.endWrite(a.seq, true);
      const b = shadow.beginWrite(0, 2 * SECTOR, false);
      shadow.endWrite(b.seq, true);
      if (raced) shadow.endWrite(a.seq, true); // completes last, but b may have landed after it
      disk.set(b.data!, 0);
      await shadow.verifyAll(async (buf, off) => buf.set(disk.subarray(off, off + buf.length)));
      expect(shadow.report().lostWrites).toBe(0); // raced: the older write landed last
      disk.set(a.data!, 0);
      await shadow.verifyAll(async (buf, off) => buf.set(disk.subarray(off, off + buf.length)));
      expect(shadow.report().lostWrites).toBe(raced ? 0 : 2);
    }
  });
});
