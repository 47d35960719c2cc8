/** A hash map from numbers (table offsets) to values: the cache's index, faster than a Map here. */

/** Empty slot marker (no key is NaN). */
const EMPTY = Number.NaN;

/**
 * Open addressing with linear probing over a Float64Array of keys and a parallel array of values;
 * removal shifts the following run back (no tombstones), so a long run of evictions neither
 * slows lookups nor forces a rehash. The keys are plain doubles: a key read from a Float64Array
 * stream is hashed and compared without being boxed, which a Map with number keys cannot avoid
 * for keys beyond the small-integer range; and at most half the slots are used, so a lookup is
 * one or two probes. Keys must not be NaN. Iteration order is not insertion order.
 */
export class OffsetMap<V> {
  private keys: Float64Array;
  private vals: (V | undefined)[];
  private mask: number;
  size = 0;

  constructor(expected = 16) {
    let n = 16;
    while (n < expected * 2) n *= 2;
    this.keys = new Float64Array(n).fill(EMPTY);
    this.vals = new Array<V | undefined>(n).fill(undefined);
    this.mask = n - 1;
  }

  get(key: number): V | undefined {
    const keys = this.keys;
    const mask = this.mask;
    for (let i = slotOf(key, mask); ; i = (i + 1) & mask) {
      const k = keys[i];
      if (k === key) return this.vals[i];
      if (k !== k) return undefined;
    }
  }

  has(key: number): boolean {
    return this.get(key) !== undefined;
  }

  /** Add or replace; values must not be undefined. */
  set(key: number, value: V): void {
    if (key !== key) throw new RangeError('OffsetMap: a key must not be NaN');
    const keys = this.keys;
    const mask = this.mask;
    for (let i = slotOf(key, mask); ; i = (i + 1) & mask) {
      const k = keys[i];
      if (k === key) {
        this.vals[i] = value;
        return;
      }
      if (k !== k) {
        keys[i] = key;
        this.vals[i] = value;
        if (++this.size * 2 > keys.length) this.grow();
        return;
      }
    }
  }

  /** Remove the key; true if it was there. */
  delete(key: number): boolean {
    const keys = this.keys;
    const vals = this.vals;
    const mask = this.mask;
    let i = slotOf(key, mask);
    for (;;) {
      const k = keys[i];
      if (k === key) break;
      if (k !== k) return false;
      i = (i + 1) & mask;
    }
    // Shift back every later key of the run that may move to the hole (its home slot is not
    // between the hole and itself), so lookups never meet a gap before their key.
    for (let j = (i + 1) & mask; ; j = (j + 1) & mask) {
      const k = keys[j];
      if (k !== k) break;
      const home = slotOf(k, mask);
      if (((j - home) & mask) >= ((j - i) & mask)) {
        keys[i] = k;
        vals[i] = vals[j];
        i = j;
      }
    }
    keys[i] = EMPTY;
    vals[i] = undefined;
    this.size--;
    return true;
  }

  /** Every value, in slot order. */
  values(): V[] {
    const out: V[] = [];
    for (let i = 0; i < this.keys.length; i++) if (this.keys[i] === this.keys[i]) out.push(this.vals[i]!);
    return out;
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldVals = this.vals;
    const n = oldKeys.length * 2;
    this.keys = new Float64Array(n).fill(EMPTY);
    this.vals = new Array<V | undefined>(n).fill(undefined);
    this.mask = n - 1;
    this.size = 0;
    for (let i = 0; i < oldKeys.length; i++) if (oldKeys[i] === oldKeys[i]) this.set(oldKeys[i], oldVals[i]!);
  }
}

/**
 * The home slot of a key: its low and high 32 bits mixed (offsets are multiples of a large power
 * of two, so the low bits alone would pile every key into a few slots): the low word's upper
 * bits folded down, one multiply to spread them up, and its upper half folded back down.
 */
function slotOf(key: number, mask: number): number {
  const lo = key >>> 0;
  // × 2^-32 is exact (a power of two) and cheaper than the division it stands for.
  const hi = (key * 2.3283064365386963e-10) >>> 0;
  const h = Math.imul(lo ^ (lo >>> 15) ^ Math.imul(hi, 0x27d4eb2d), 0x9e3779b1);
  return (h ^ (h >>> 15)) & mask;
}
