/** A sparse in-memory block backend (and the store several backends may share). */
import { forEachChunk } from '../util/chunks.js';
import { remainder } from '../util/remainder.js';
import { allZero } from '../util/zeros.js';
import { BackendError, type BlockBackend, type IoEvent } from './backend.js';

const SECTOR = 512;
const SECTOR_WORDS = SECTOR / 4;
/** Sectors per page: a page keeps per-sector state, keys and raw blocks. */
const PAGE_SECTORS = 128; // 64 KiB
/** Raw bytes are kept in blocks of this many sectors (4 KiB), allocated as a sector needs one. */
const BLOCK_SECTORS = 8;
const BLOCK_BYTES = BLOCK_SECTORS * SECTOR;

/** A sector's state in its page. */
const ZERO = 0;
const CODED = 1;
const RAW = 2;

/**
 * Describes some 512-byte sectors exactly by a few words, e.g. the replay's stamps, which are
 * derivable from (write sequence, sector, seed). A store given one keeps the key instead of
 * the bytes where `encode` accepts a sector, and the bytes themselves where it does not.
 */
export interface SectorCodec {
  /** Words per key. */
  readonly keyWords: number;
  /** If the sector at words[w..w+128) is one `decode` gives back exactly, write its key at keys[k..] and return true. */
  encode(words: Uint32Array, w: number, keys: Uint32Array, k: number): boolean;
  /** Write the sector that the key at keys[k..] describes to words[w..w+128). */
  decode(keys: Uint32Array, k: number, words: Uint32Array, w: number): void;
}

class Page {
  readonly state = new Uint8Array(PAGE_SECTORS);
  keys: Uint32Array | null = null;
  readonly blocks: Array<Uint8Array | undefined> = [];
}

/**
 * The bytes of an in-memory device; several backends may share one (reopen tests). Memory
 * follows what is not zero: an all-zero sector takes no bytes, a sector the codec describes
 * takes its key, any other its 512 bytes (in 4 KiB blocks). Reads give back the exact bytes.
 */
export class MemoryStore {
  private readonly pages = new Map<number, Page>();
  length = 0;
  /** Bumped by every change of the stored bytes (copyIn, truncate): equal generations, equal bytes. */
  generation = 0;
  /** A sector assembled from a partial write, or an unaligned one; decode target for partial reads. */
  private readonly scratch = new Uint32Array(SECTOR_WORDS);
  private readonly scratchBytes = new Uint8Array(this.scratch.buffer);
  /** A key being encoded (kept only if the codec accepts the sector). */
  private readonly key: Uint32Array;

  constructor(private readonly codec: SectorCodec | null = null) {
    this.key = new Uint32Array(codec?.keyWords ?? 0);
  }

  /**
   * Copy bytes out, from `offset` into buf[from, to) (default: all of buf; a range, not a view,
   * as an L2 table load copies its chunks: a subarray per copy cost more than the copy); holes
   * and the region past the end read as zeros.
   */
  copyOut(buf: Uint8Array, offset: number, from = 0, to = buf.length): void {
    if (remainder(offset, BLOCK_BYTES) !== 0 || (to - from) % BLOCK_BYTES !== 0) {
      return this.copySectors(from === 0 && to === buf.length ? buf : buf.subarray(from, to), offset);
    }
    // Whole 4 KiB blocks (an L2 table load's chunks): one copy or fill per block whose sectors
    // are all raw or all zero, not a callback and a view per sector.
    let pageNo = -1;
    let page: Page | undefined;
    for (let at = from; at < to; at += BLOCK_BYTES) {
      const sector = (offset + at - from) / SECTOR;
      if (Math.floor(sector / PAGE_SECTORS) !== pageNo) {
        pageNo = Math.floor(sector / PAGE_SECTORS);
        page = this.pages.get(pageNo);
      }
      const s = sector % PAGE_SECTORS;
      const block = page?.blocks[s / BLOCK_SECTORS];
      // A block's bytes of a sector not raw are zeros (setZero clears them), so a block without coded sectors copies whole.
      if (!page || (!block && !page.keys)) buf.fill(0, at, at + BLOCK_BYTES);
      else if (block && !(page.keys && hasCoded(page.state, s))) buf.set(block, at);
      else this.copySectors(buf.subarray(at, at + BLOCK_BYTES), offset + at - from);
    }
  }

  /** copyOut sector by sector. */
  private copySectors(buf: Uint8Array, offset: number): void {
    // Nothing is kept past `length` (truncate drops it), so stored sectors are the whole truth.
    // A loop rather than forEachChunk: runs of zero sectors (and raw sectors of one block) are
    // copied in one call, as an L2 table with a few entries set is mostly zero sectors.
    let words: Uint32Array | null | undefined; // made when a coded sector needs it
    const len = buf.length;
    let pageNo = -1;
    let page: Page | undefined;
    let done = 0;
    while (done < len) {
      const pos = offset + done;
      const sector = Math.floor(pos / SECTOR);
      const inSector = pos - sector * SECTOR;
      const pn = Math.floor(sector / PAGE_SECTORS);
      if (pn !== pageNo) {
        pageNo = pn;
        page = this.pages.get(pn);
      }
      const s = sector - pn * PAGE_SECTORS;
      const state = page ? page.state[s] : ZERO;
      // This sector's bytes, then as many whole sectors after it (same page) in the same state.
      let end = Math.min(done + SECTOR - inSector, len);
      if (state === ZERO) {
        for (let t = s + 1; end < len && t < PAGE_SECTORS && (!page || page.state[t] === ZERO); t++) end = Math.min(end + SECTOR, len);
        buf.fill(0, done, end);
      } else if (state === RAW) {
        const b = Math.floor(s / BLOCK_SECTORS);
        for (let t = s + 1; end < len && t < (b + 1) * BLOCK_SECTORS && page!.state[t] === RAW; t++) end = Math.min(end + SECTOR, len);
        const at = (s - b * BLOCK_SECTORS) * SECTOR + inSector;
        buf.set(page!.blocks[b]!.subarray(at, at + (end - done)), done);
      } else if (end - done === SECTOR && (words ??= buf.byteOffset % 4 === 0 ? new Uint32Array(buf.buffer, buf.byteOffset, buf.length >>> 2) : null) && done % 4 === 0) {
        this.codec!.decode(page!.keys!, s * this.codec!.keyWords, words, done >>> 2);
      } else {
        this.codec!.decode(page!.keys!, s * this.codec!.keyWords, this.scratch, 0);
        buf.set(this.scratchBytes.subarray(inSector, inSector + (end - done)), done);
      }
      done = end;
    }
  }

  /** Copy bytes in, extending the device past its end; an empty write changes nothing (as pwrite). */
  copyIn(buf: Uint8Array, offset: number): void {
    if (buf.length === 0) return;
    this.generation++;
    if (buf.length > BLOCK_BYTES && offset % BLOCK_BYTES === 0 && buf.length % BLOCK_BYTES === 0) {
      // A new L2 table is mostly zeros: a zero block over sectors that hold nothing changes
      // nothing, found by one native compare instead of a check per sector.
      for (let at = 0; at < buf.length; at += BLOCK_BYTES) {
        if (!(allZero(buf, at, at + BLOCK_BYTES) && this.holdsNothing((offset + at) / SECTOR))) this.copySectorsIn(buf.subarray(at, at + BLOCK_BYTES), offset + at);
      }
    } else this.copySectorsIn(buf, offset);
    this.length = Math.max(this.length, offset + buf.length);
  }

  /** Whether the block of sectors from `sector` (a block's first) holds only zeros as nothing. */
  private holdsNothing(sector: number): boolean {
    const page = this.pages.get(Math.floor(sector / PAGE_SECTORS));
    if (!page) return true;
    const s = sector % PAGE_SECTORS;
    for (let i = s; i < s + BLOCK_SECTORS; i++) if (page.state[i] !== ZERO) return false;
    return true;
  }

  /** copyIn sector by sector (the device's length left to the caller). */
  private copySectorsIn(buf: Uint8Array, offset: number): void {
    const words = buf.byteOffset % 4 === 0 ? new Uint32Array(buf.buffer, buf.byteOffset, buf.length >>> 2) : null;
    forEachChunk(offset, buf.length, SECTOR, (sector, inSector, done, n) => {
      if (n === SECTOR && words && done % 4 === 0) {
        this.put(sector, words, done >>> 2);
      } else {
        // A partial (or unaligned) sector: the whole sector as it will be, then stored as one.
        if (n < SECTOR) this.loadScratch(sector);
        this.scratchBytes.set(buf.subarray(done, done + n), inSector);
        this.put(sector, this.scratch, 0);
      }
    });
  }

  truncate(size: number): void {
    this.generation++;
    const keepSectors = Math.ceil(size / SECTOR);
    for (const [pageNo, page] of [...this.pages]) {
      const first = pageNo * PAGE_SECTORS;
      if (first >= keepSectors) this.pages.delete(pageNo);
      else for (let s = keepSectors - first; s < PAGE_SECTORS; s++) this.setZero(page, s);
    }
    const tail = size % SECTOR;
    if (tail > 0) {
      // The sector holding the new end keeps its head; its tail reads as zeros after regrowth.
      const sector = Math.floor(size / SECTOR);
      this.loadScratch(sector);
      this.scratchBytes.fill(0, tail);
      this.put(sector, this.scratch, 0);
    }
    this.length = size;
  }

  /** Bytes held for sector contents (state, keys and raw blocks), for tests and memory reports. */
  get heldBytes(): number {
    let n = 0;
    for (const page of this.pages.values()) {
      n += page.state.length + (page.keys?.byteLength ?? 0);
      for (const b of page.blocks) n += b?.length ?? 0;
    }
    return n;
  }

  /** The whole of one sector as stored, into the scratch sector. */
  private loadScratch(sector: number): void {
    const page = this.pages.get(Math.floor(sector / PAGE_SECTORS));
    const s = sector % PAGE_SECTORS;
    const state = page ? page.state[s] : ZERO;
    if (state === ZERO) this.scratch.fill(0);
    else if (state === RAW) {
      const at = (s % BLOCK_SECTORS) * SECTOR;
      this.scratchBytes.set(page!.blocks[Math.floor(s / BLOCK_SECTORS)]!.subarray(at, at + SECTOR));
    } else this.codec!.decode(page!.keys!, s * this.codec!.keyWords, this.scratch, 0);
  }

  /** Store the whole sector at words[w..w+128): as nothing (zeros), a key, or its bytes. */
  private put(sector: number, words: Uint32Array, w: number): void {
    const pageNo = Math.floor(sector / PAGE_SECTORS);
    const s = sector % PAGE_SECTORS;
    let page = this.pages.get(pageNo);
    if (isZero(words, w)) {
      if (page) this.setZero(page, s);
      return;
    }
    if (!page) {
      page = new Page();
      this.pages.set(pageNo, page);
    }
    const codec = this.codec;
    if (codec && codec.encode(words, w, this.key, 0)) {
      page.keys ??= new Uint32Array(PAGE_SECTORS * codec.keyWords);
      page.keys.set(this.key, s * codec.keyWords);
      this.setZero(page, s);
      page.state[s] = CODED;
      return;
    }
    const b = Math.floor(s / BLOCK_SECTORS);
    const block = (page.blocks[b] ??= new Uint8Array(BLOCK_SECTORS * SECTOR));
    block.set(new Uint8Array(words.buffer, words.byteOffset + w * 4, SECTOR), (s % BLOCK_SECTORS) * SECTOR);
    page.state[s] = RAW;
  }

  private setZero(page: Page, s: number): void {
    if (page.state[s] !== RAW) {
      page.state[s] = ZERO;
      return;
    }
    // No longer raw: its bytes cleared (copyOut copies whole blocks), the block freed once no sector in it is.
    page.state[s] = ZERO;
    const b = Math.floor(s / BLOCK_SECTORS);
    for (let i = b * BLOCK_SECTORS; i < (b + 1) * BLOCK_SECTORS; i++) {
      if (page.state[i] === RAW) {
        const at = (s % BLOCK_SECTORS) * SECTOR;
        page.blocks[b]!.fill(0, at, at + SECTOR);
        return;
      }
    }
    page.blocks[b] = undefined;
  }
}

/** Whether a sector of the block starting at sector s is stored as a codec key. */
function hasCoded(state: Uint8Array, s: number): boolean {
  for (let i = s; i < s + BLOCK_SECTORS; i++) if (state[i] === CODED) return true;
  return false;
}

function isZero(words: Uint32Array, w: number): boolean {
  for (let i = w; i < w + SECTOR_WORDS; i++) if (words[i] !== 0) return false;
  return true;
}

/** A sparse in-memory device: pages allocated on first write, holes read as zeros. */
export class MemoryBackend implements BlockBackend {
  protected closed = false;

  constructor(
    readonly store = new MemoryStore(),
    readonly readOnly = false,
    readonly name = 'memory',
  ) {}

  async read(buf: Uint8Array, offset: number, event?: IoEvent): Promise<void> {
    this.readSync(buf, offset, event);
  }

  async write(buf: Uint8Array, offset: number, event?: IoEvent): Promise<void> {
    this.writeSync(buf, offset, event);
  }

  /** read, done before returning (the deterministic scheduler's step needs no promise). */
  readSync(buf: Uint8Array, offset: number, _event?: IoEvent): void {
    const what = `read ${buf.length} bytes at ${offset}`;
    this.assertOpen(what);
    this.checkRange(what, buf.length, offset);
    this.store.copyOut(buf, offset);
  }

  writeSync(buf: Uint8Array, offset: number, _event?: IoEvent): void {
    const what = `write ${buf.length} bytes at ${offset}`;
    this.assertWritable(what);
    this.checkRange(what, buf.length, offset);
    this.store.copyIn(buf, offset);
  }

  async flush(): Promise<void> {
    this.assertOpen('flush');
  }

  async truncate(size: number): Promise<void> {
    const what = `truncate to ${size} bytes`;
    this.assertWritable(what);
    this.checkRange(what, 0, size);
    this.store.truncate(size);
  }

  async size(): Promise<number> {
    this.assertOpen('stat');
    return this.store.length;
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  protected assertOpen(what: string): void {
    if (this.closed) throw new BackendError('EBADF', `${this.name}: cannot ${what}: closed`);
  }

  protected assertWritable(what: string): void {
    this.assertOpen(what);
    if (this.readOnly) throw new BackendError('EROFS', `${this.name}: cannot ${what}: opened read-only`);
  }

  /** Offsets and ends must be byte counts below 2^53 (BlockBackend's contract). */
  protected checkRange(what: string, length: number, offset: number): void {
    if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(offset + length)) {
      throw new BackendError('EINVAL', `${this.name}: cannot ${what}: not a byte offset`);
    }
  }
}
