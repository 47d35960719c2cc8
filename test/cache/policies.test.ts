import { describe, expect, it } from 'vitest';
import { L2Cache, type CacheEntry } from '../../src/cache/l2-cache.js';
import type { EvictionPolicy } from '../../src/cache/policy.js';
import { createPolicy, POLICY_NAMES } from '../../src/cache/policies/index.js';
import { ArcPolicy } from '../../src/cache/policies/arc.js';
import { TwoQPolicy } from '../../src/cache/policies/2q.js';
import { S3FifoPolicy } from '../../src/cache/policies/s3-fifo.js';
import { LfuAgingPolicy } from '../../src/cache/policies/lfu.js';
import {
  RefArc, RefClock, RefFifo, RefLfu, RefLfuAging, RefLru, RefS3Fifo, RefSieve, RefTwoQ, type RefPolicy,
  TABLE,
  access,
} from './policy-reference.js';

/**
 * Hit/miss sequences on plain access sequences (one request at a time, its reference dropped
 * at once), hand-computed from each policy's published definition. Each expected string is
 * checked twice: against the real policy driven through L2Cache, and against the array-based
 * reference in policy-reference.ts (so the reference the property tests trust is itself pinned
 * to the hand computation). 'm' = miss, 'H' = hit.
 */

const NAMES = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const keysOf = (seq: string): number[] => seq.split(' ').map((s) => NAMES.indexOf(s));
const namesOf = (offsets: number[]): string => offsets.map((o) => NAMES[o / TABLE]).join('');

function replay(
  policy: EvictionPolicy,
  capacity: number,
  seq: string,
  each?: (cache: L2Cache<number>) => void,
): { pattern: string; cache: L2Cache<number> } {
  const cache = new L2Cache<number>(capacity, policy);
  let pattern = '';
  for (const k of keysOf(seq)) {
    pattern += access(cache, k) ? 'H' : 'm';
    each?.(cache);
  }
  const s = cache.stats();
  expect(s.hits + s.misses).toBe(s.lookups);
  expect(s.inUseSkips).toBe(0);
  return { pattern, cache };
}

function refReplay(ref: RefPolicy, seq: string): string {
  return keysOf(seq).map((k) => (ref.access(k) ? 'H' : 'm')).join('');
}

const cached = (cache: L2Cache<number>): string =>
  [...NAMES].filter((_, i) => cache.isCached(i * TABLE)).join('');

/** The cached tables after each access. */
function residentTrace(policy: EvictionPolicy, capacity: number, seq: string): string {
  const out: string[] = [];
  replay(policy, capacity, seq, (cache) => out.push(cached(cache)));
  return out.join(' ');
}

const misses = (pattern: string): number => [...pattern].filter((c) => c === 'm').length;

// Silberschatz et al., Operating System Concepts: the reference string of the page-replacement
// chapter; with 3 frames FIFO faults 15 times, LRU 12 times.
const OSC = '7 0 1 2 0 3 0 4 2 3 0 3 2 1 2 0 1 7 0 1'.split(' ').map((d) => NAMES[Number(d)]).join(' ');

describe('hand-computed sequences', () => {
  it('fifo: the textbook string (15 faults) and Belady\'s anomaly (9 faults with 3 frames, 10 with 4)', () => {
    // Frames oldest first; a hit changes nothing.
    //  7 m [7]      0 m [7 0]    1 m [7 0 1]  2 m [0 1 2]  0 H
    //  3 m [1 2 3]  0 m [2 3 0]  4 m [3 0 4]  2 m [0 4 2]  3 m [4 2 3]
    //  0 m [2 3 0]  3 H          2 H          1 m [3 0 1]  2 m [0 1 2]
    //  0 H          1 H          7 m [1 2 7]  0 m [2 7 0]  1 m [7 0 1]
    const expected = 'mmmmHmmmmmmHHmmHHmmm';
    expect(misses(expected)).toBe(15);
    expect(replay(createPolicy('fifo'), 3, OSC).pattern).toBe(expected);
    expect(refReplay(new RefFifo(3), OSC)).toBe(expected);

    const belady = 'B C D E B C F B C D E F';
    expect(misses(replay(createPolicy('fifo'), 3, belady).pattern)).toBe(9);
    expect(misses(replay(createPolicy('fifo'), 4, belady).pattern)).toBe(10);
  });

  it('lru: the textbook string, 12 faults', () => {
    // Most recent first; a hit moves to the front, a miss evicts the last.
    //  7 m [7]      0 m [0 7]    1 m [1 0 7]  2 m [2 1 0]  0 H [0 2 1]
    //  3 m [3 0 2]  0 H [0 3 2]  4 m [4 0 3]  2 m [2 4 0]  3 m [3 2 4]
    //  0 m [0 3 2]  3 H [3 0 2]  2 H [2 3 0]  1 m [1 2 3]  2 H [2 1 3]
    //  0 m [0 2 1]  1 H [1 0 2]  7 m [7 1 0]  0 H [0 7 1]  1 H [1 0 7]
    const expected = 'mmmmHmHmmmmHHmHmHmHH';
    expect(misses(expected)).toBe(12);
    const { pattern, cache } = replay(createPolicy('lru'), 3, OSC);
    expect(pattern).toBe(expected);
    expect(refReplay(new RefLru(3), OSC)).toBe(expected);
    expect(cached(cache)).toBe('ABH'); // tables 0, 1, 7
  });

  it('clock: the textbook string, 11 faults (bit clear on load, as libCacheSim)', () => {
    // Ring of 3 frames [f0 f1 f2], '*' = reference bit set, ^ = hand.
    //  7 0 1: m m m, frames [7 0 1] ^f0
    //  2 m: f0=7 clear -> replaced                     [2 0 1] ^f1
    //  0 H: [2 0* 1]
    //  3 m: f1=0* cleared, f2=1 clear -> replaced      [2 0 3] ^f0
    //  0 H: [2 0* 3]
    //  4 m: f0=2 replaced                              [4 0* 3] ^f1
    //  2 m: f1=0* cleared, f2=3 replaced               [4 0 2] ^f0
    //  3 m: f0=4 replaced                              [3 0 2] ^f1
    //  0 H, 3 H, 2 H: [3* 0* 2*]
    //  1 m: f1, f2, f0 cleared in turn, f1=0 replaced  [3 1 2] ^f2
    //  2 H: [3 1 2*]
    //  0 m: f2=2* cleared, f0=3 replaced               [0 1 2] ^f1
    //  1 H: [0 1* 2]
    //  7 m: f1=1* cleared, f2=2 replaced               [0 1 7] ^f0
    //  0 H, 1 H
    const expected = 'mmmmHmHmmmHHHmHmHmHH';
    expect(misses(expected)).toBe(11);
    expect(replay(createPolicy('clock'), 3, OSC).pattern).toBe(expected);
    expect(refReplay(new RefClock(3), OSC)).toBe(expected);
  });

  it('sieve: hits set a bit and move nothing; the hand keeps its place and wraps', () => {
    // Capacity 3. Queue oldest (tail) first, '*' = visited, ^ = hand (none: start at the tail).
    //  1 A m [A]  2 B m [A B]  3 C m [A B C]  4 A H [A* B C]
    //  5 D m: hand at tail: A* cleared, B evicted; hand -> C          [A C D]   ^C
    //  6 B m: C evicted; hand -> D                                    [A D B]   ^D
    //  7 E m: D evicted; hand -> B                                    [A B E]   ^B
    //  8 A H [A* B E]
    //  9 F m: B evicted; hand -> E                                    [A* E F]  ^E
    // 10 E H [A* E* F]
    // 11 G m: E* cleared, F evicted (it was the head: hand wraps)     [A* E G]  ^-
    // 12 H m: from the tail: A* cleared, E evicted; hand -> G         [A G H]   ^G
    // 13 A H, 14 G H [A* G* H]
    // 15 I m: G* cleared, H evicted (head: hand wraps)                [A* G I]  ^-
    // 16 J m: A* cleared, G evicted; hand -> I                        [A I J]   ^I
    // 17 A H
    // A, seen again each round, survives while newcomers are sifted out in front of it.
    const seq = 'A B C A D B E A F E G H A G I J A';
    const expected = 'mmmHmmmHmHmmHHmmH';
    const { pattern, cache } = replay(createPolicy('sieve'), 3, seq);
    expect(pattern).toBe(expected);
    expect(refReplay(new RefSieve(3), seq)).toBe(expected);
    expect(cached(cache)).toBe('AIJ');
    expect(residentTrace(createPolicy('sieve'), 3, seq)).toBe(
      'A AB ABC ABC ACD ABD ABE ABE AEF AEF AEG AGH AGH AGH AGI AIJ AIJ',
    );
    // LRU on the same sequence keeps the recent ones instead of A.
    expect(replay(createPolicy('lru'), 3, seq).pattern).not.toBe(expected);
  });

  it('2q: A1in FIFO, A1out ghost, Am LRU (capacity 4: Kin 1, Kout 2)', () => {
    // reclaimfor: |A1in| > Kin -> A1in's tail goes and enters A1out, else Am's tail goes.
    // Lists head (newest) first.
    //  1-4 A B C D m          A1in [D C B A]
    //  5 A H (A1in: no change)
    //  6 E m: A -> A1out      A1in [E D C B]  A1out [A]
    //  7 F m: B -> A1out      A1in [F E D C]  A1out [B A]
    //  8 A m: A in A1out -> Am; C -> A1out     A1in [F E D]  Am [A]  A1out [C B]
    //  9 B m: B in A1out -> Am; D -> A1out     A1in [F E]    Am [B A]  A1out [D C]
    // 10 G m: E -> A1out (C dropped)           A1in [G F]    A1out [E D]
    // 11 A H: Am [A B]
    // 12 H m: F -> A1out (D dropped)           A1in [H G]    A1out [F E]
    // 13 C m (C was dropped: a plain miss): G -> A1out    A1in [C H]  A1out [G F]
    // 14 F m: F in A1out -> Am; H -> A1out     A1in [C]  Am [F A B]  A1out [H G]
    // 15 I m: |A1in| = 1 = Kin -> Am's tail B goes, remembered nowhere   A1in [I C]  Am [F A]
    // 16 B m (a plain miss): C -> A1out        A1in [B I]  A1out [C H]
    // 17 A H: Am [A F]
    // 18 C m: C in A1out -> Am; I -> A1out     A1in [B]  Am [C A F]  A1out [I H]
    const seq = 'A B C D A E F A B G A H C F I B A C';
    const expected = 'mmmmHmmmmmHmmmmmHm';
    const policy = new TwoQPolicy();
    const { pattern } = replay(policy, 4, seq);
    expect(pattern).toBe(expected);
    expect(refReplay(new RefTwoQ(4), seq)).toBe(expected);
    const q = policy.queues();
    expect([namesOf(q.a1in), namesOf(q.am), namesOf(q.a1out)]).toEqual(['B', 'CAF', 'IH']);
    expect(residentTrace(new TwoQPolicy(), 4, seq)).toBe(
      'A AB ABC ABCD ABCD BCDE CDEF ADEF ABEF ABFG ABFG ABGH ABCH ABCF ACFI ABFI ABFI ABCF',
    );
  });

  it('arc: p adapts up on B1 hits and down on B2 hits (capacity 4)', () => {
    // Fig. 4 of the paper; lists MRU first.
    //  1-4 A B C D: case IV, cache not full              T1 [D C B A]
    //  5 A H, 6 B H: case I -> T2                         T1 [D C]  T2 [B A]
    //  7 E m: IV, |L1| = 2 < 4, total 4: REPLACE, |T1| = 2 > p = 0: C -> B1    T1 [E D]  B1 [C]
    //  8 F m: IV, |L1| = 3, total 5: REPLACE: D -> B1     T1 [F E]  B1 [D C]
    //  9 C m: II (C in B1): p = 0 + max(1, 0/2) = 1; REPLACE: |T1| = 2 > 1: E -> B1;
    //         C -> T2                                     T1 [F]  T2 [C B A]  B1 [E D]
    // 10 D m: II: p = 1 + 1 = 2; REPLACE: |T1| = 1 < 2: A (T2's LRU) -> B2; D -> T2
    //                                                     T1 [F]  T2 [D C B]  B1 [E]  B2 [A]
    // 11 A m: III (A in B2): p = 2 - max(1, 1/1) = 1; REPLACE: |T1| = 1 = p and A was in B2:
    //         F -> B1; A -> T2                            T1 []  T2 [A D C B]  B1 [F E]  B2 []
    // 12 G m: IV, |L1| = 2, total 6: REPLACE, |T1| = 0: B -> B2     T1 [G]  T2 [A D C]  B2 [B]
    // 13 B m: III: p = 1 - max(1, |B1|/|B2| = 2/1) = max(0, -1) = 0; REPLACE: |T1| = 1 > 0:
    //         G -> B1; B -> T2                            T1 []  T2 [B A D C]  B1 [G F E]  B2 []
    // 14 H m: IV, |L1| = 3, total 7: REPLACE, |T1| = 0: C -> B2     T1 [H]  T2 [B A D]  B2 [C]
    // 15 I m: IV, |L1| = 4 = c, |T1| < c: delete B1's LRU E; REPLACE: H -> B1
    //                                                     T1 [I]  B1 [H G F]
    // 16 E m (deleted, a plain miss): IV, |L1| = 4: delete F; REPLACE: I -> B1
    //                                                     T1 [E]  B1 [I H G]
    // 17 D H, 18 A H                                      T2 [A D B]
    const seq = 'A B C D A B E F C D A G B H I E D A';
    const expected = 'mmmmHHmmmmmmmmmmHH';
    // After each step: p | T1 | T2 | B1 | B2, as in the comments above.
    const states = [
      '0|A|||', '0|BA|||', '0|CBA|||', '0|DCBA|||', '0|DCB|A||', '0|DC|BA||',
      '0|ED|BA|C|', '0|FE|BA|DC|', '1|F|CBA|ED|', '2|F|DCB|E|A', '1||ADCB|FE|', '1|G|ADC|FE|B',
      '0||BADC|GFE|', '0|H|BAD|GFE|C', '0|I|BAD|HGF|C', '0|E|BAD|IHG|C', '0|E|DBA|IHG|C', '0|E|ADB|IHG|C',
    ];
    const policy = new ArcPolicy();
    const seen: string[] = [];
    const { pattern } = replay(policy, 4, seq, () => {
      const st = policy.state();
      seen.push([st.p, namesOf(st.t1), namesOf(st.t2), namesOf(st.b1), namesOf(st.b2)].join('|'));
    });
    expect(pattern).toBe(expected);
    expect(seen).toEqual(states);
    const ref = new RefArc(4);
    const refSeen = keysOf(seq).map((k) => {
      ref.access(k);
      return [ref.p, ...[ref.t1, ref.t2, ref.b1, ref.b2].map((l) => l.map((x) => NAMES[x]).join(''))].join('|');
    });
    expect(refSeen).toEqual(states);
  });

  it('s3-fifo: one-hit wonders leave through S into G, ghost hits enter M, M is a 2-bit CLOCK (capacity 5)', () => {
    // S share max(1, 10% of 5) = 1, so S is evicted from whenever it is non-empty; G holds 4.
    // Queues head (newest) first; frequencies f, capped at 3.
    //  1-5 A B C D E m                      S [E D C B A]
    //  6 A H, 7 A H (fA 2), 8 B H (fB 1)
    //  9 F m: evictS: A (f 2 > 1) -> M with f 0; B (f 1) evicted -> G    S [F E D C]  M [A]  G [B]
    // 10 B m: evictS: C -> G; B is in G -> M         S [F E D]  M [B A]  G [C]
    // 11 C m: evictS: D -> G; C in G -> M            S [F E]  M [C B A]  G [D]
    // 12 A H (fA 1)
    // 13 H m: evictS: E -> G; H -> S                 S [H F]  G [E D]
    // 14 E m: evictS: F -> G; E in G -> M            S [H]  M [E C B A]  G [F D]
    // 15 H H, 16 H H (fH 2)
    // 17 I m: evictS: H (f 2) -> M, S is empty, nothing evicted; evictM: A (f 1) -> head with f 0,
    //         B (f 0) evicted (not to G)             S [I]  M [A H E C]  G [F D]
    // 18 B m (not in G): evictS: I -> G              S [B]  G [I F D]
    // 19 A H
    const seq = 'A B C D E A A B F B C A H E H H I B A';
    const expected = 'mmmmmHHHmmmHmmHHmmH';
    const policy = new S3FifoPolicy();
    const { pattern } = replay(policy, 5, seq);
    expect(pattern).toBe(expected);
    expect(refReplay(new RefS3Fifo(5), seq)).toBe(expected);
    const st = policy.state();
    expect([namesOf(st.small), namesOf(st.main), namesOf(st.ghost)]).toEqual(['B', 'AHEC', 'IFD']);
    expect(st.freq.get(0 * TABLE)).toBe(1);
    expect(residentTrace(new S3FifoPolicy(), 5, seq)).toBe(
      'A AB ABC ABCD ABCDE ABCDE ABCDE ABCDE ACDEF ABDEF ABCEF ABCEF ABCFH ABCEH ABCEH ABCEH ACEHI ABCEH ABCEH',
    );
  });

  it('lfu-aging: lowest count goes, least recent among equals; halving lets an old favourite go (Amax 3)', () => {
    // Capacity 3, Amax 3: after a hit, if the sum of counts > 3 × entries, every count halves.
    //  1 A m (A1)  2 A H (A2)  3 A H (A3)  4 B m (B1)  5 A H (A4)  6 A H (A5, sum 6 = 3×2)
    //  7 C m (C1)                                   A5 B1 C1
    //  8 D m: B1 and C1 lowest, B older -> B goes   A5 C1 D1
    //  9 B m: C goes                                A5 D1 B1
    // 10 D H (D2), 11 D H (D3, sum 9 = 3×3)
    // 12 B H (B2, sum 10 > 9): halve -> A2 D1 B1; D (last hit at 11) is older than B (12)
    // 13 C m: D goes                                A2 B1 C1
    // 14 E m: B goes                                A2 C1 E1
    // 15 C H (C2)
    // 16 F m: E goes; 17 G m: F goes                A2 C2 G1
    // 18 G H (G2)
    // 19 H m: all at 2, A least recently used -> A goes (plain LFU would keep A at 5 forever)
    const seq = 'A A A B A A C D B D D B C E C F G G H';
    const expected = 'mHHmHHmmmHHHmmHmmHm';
    const policy = new LfuAgingPolicy(3);
    const { pattern, cache } = replay(policy, 3, seq);
    expect(pattern).toBe(expected);
    const ref = new RefLfuAging(3, 3);
    expect(refReplay(ref, seq)).toBe(expected);
    expect(policy.agings).toBe(1);
    expect(ref.agings).toBe(1);
    expect(cached(cache)).toBe('CGH');
    expect([2, 6, 7].map((k) => policy.countOf(k * TABLE))).toEqual([2, 2, 1]);
    expect(residentTrace(new LfuAgingPolicy(3), 3, seq)).toBe(
      'A A A AB AB AB ABC ACD ABD ABD ABD ABD ABC ACE ACE ACF ACG ACG CGH',
    );
  });

  it('s3-fifo: a missed key leaves G at lookup, before the eviction made for it can push it out (as libCacheSim)', () => {
    // Capacity 5: S share 1, G holds floor(5 × 0.9) = 4.
    //  1-5 A-E m; 6-9 F G H I m: each evicts S's tail into G   S [I H G F E]  G [D C B A]
    // 10 A m: A leaves G at lookup (G [D C B]); evictS: E -> G [E D C B]; A enters M
    //    (checked after the eviction, A would be G's oldest, pushed out by E, and enter S)
    // 11-15 J K L M N m: S's tails F G H I J go; A stays in M
    // 16 A H (the insert-time check misses here: A would have left S at 15)
    const seq = 'A B C D E F G H I A J K L M N A';
    const expected = 'mmmmmmmmmmmmmmmH';
    const policy = new S3FifoPolicy();
    expect(replay(policy, 5, seq).pattern).toBe(expected);
    expect(refReplay(new RefS3Fifo(5), seq)).toBe(expected);
    expect(namesOf(policy.state().main)).toBe('A');
  });

  it('lfu: lowest count goes, least recent among equals, counts never age (as libCacheSim)', () => {
    // Capacity 3. 1-3 A A A (A3)  4 B m  5 C m  6 B H (B2)  7 D m: C (1) goes     A3 B2 D1
    //  8 E m: D goes   9 D m: E goes   10 D H (D2)  11 E m: B2 and D2, B reached 2 first -> B
    // 12 B m: E (1) goes; A keeps its 3 throughout
    const seq = 'A A A B C B D E D D E B A';
    const expected = 'mHHmmHmmmHmmH';
    const policy = createPolicy('lfu');
    const { pattern, cache } = replay(policy, 3, seq);
    expect(pattern).toBe(expected);
    expect(refReplay(new RefLfu(3), seq)).toBe(expected);
    expect(cached(cache)).toBe('ABD');
  });
});

describe('in-use entries', () => {
  /** A request that keeps its reference. */
  function hold(cache: L2Cache<number>, key: number): CacheEntry<number> {
    const offset = key * TABLE;
    const hit = cache.find(offset);
    if (hit) return hit;
    cache.commit(cache.alloc(offset, key));
    return cache.acquire(offset);
  }

  const SAFE = POLICY_NAMES.filter((n) => n !== 'fifo-unsafe');

  it.each(SAFE)('%s: with every entry in use nothing goes; the cache grows, then shrinks back on release', (name) => {
    const cache = new L2Cache<number>(3, createPolicy(name));
    const held = [0, 1, 2, 3, 4].map((k) => hold(cache, k));
    expect(cache.size).toBe(5);
    const s = cache.stats();
    expect(s).toMatchObject({ evictions: 0, evictionsInUse: 0, peakOverCapacity: 2 });
    expect(s.inUseSkips).toBeGreaterThan(0);
    for (const e of held) cache.unref(e);
    expect(cache.size).toBe(3);
    expect(cache.stats().evictions).toBe(2);
    expect(cache.policyName).toBe(name);
  });

  it('lru: the least recent entry is in use, so the next least recent goes', () => {
    const cache = new L2Cache<number>(3, createPolicy('lru'));
    const a = hold(cache, 0); // A, least recent, held
    access(cache, 1);
    access(cache, 2);
    access(cache, 3); // needs room: A skipped, B goes
    expect(cached(cache)).toBe('ACD');
    expect(cache.stats().inUseSkips).toBe(1);
    cache.unref(a);
    access(cache, 4); // A is free and still least recent: it goes
    expect(cached(cache)).toBe('CDE');
  });

  it('clock: the hand moves past an in-use entry with a clear bit, which then waits a full turn', () => {
    const cache = new L2Cache<number>(3, createPolicy('clock'));
    const a = hold(cache, 0);
    access(cache, 1);
    access(cache, 2);
    access(cache, 3); // hand at A: in use, passed; B goes
    expect(cached(cache)).toBe('ACD');
    cache.unref(a);
    access(cache, 4); // hand at C (A was passed to the head): C goes, not A
    expect(cached(cache)).toBe('ADE');
  });

  it('sieve: the hand passes an in-use entry and stays past it', () => {
    const cache = new L2Cache<number>(3, createPolicy('sieve'));
    const a = hold(cache, 0);
    access(cache, 1);
    access(cache, 2);
    access(cache, 3); // hand from the tail: A in use, passed; B goes; hand -> C
    expect(cached(cache)).toBe('ACD');
    cache.unref(a);
    access(cache, 4); // hand at C: C goes, hand -> D; A waits until the hand wraps
    expect(cached(cache)).toBe('ADE');
    access(cache, 3);
    access(cache, 4); // D and E visited
    access(cache, 5); // D, E cleared, past the head: wrap to the tail, A goes at last
    expect(cached(cache)).toBe('DEF');
  });

  it('2q: A1in over Kin but all in use -> Am gives its LRU entry', () => {
    // Capacity 4, Kin 1. Build Am [B] through a ghost hit, then A1in [E D C] all held.
    const policy = new TwoQPolicy();
    const cache = new L2Cache<number>(4, policy);
    for (const k of 'A B C D E'.split(' ')) access(cache, NAMES.indexOf(k)); // A -> A1out
    access(cache, 0); // A from A1out -> Am; B -> A1out
    expect(namesOf(policy.queues().am)).toBe('A');
    const held = [2, 3, 4].map((k) => hold(cache, k)); // C D E in A1in, held
    access(cache, 5); // F: |A1in| 3 > 1 but all in use -> Am's A goes
    expect(cached(cache)).toBe('CDEF');
    expect(namesOf(policy.queues().a1out)).not.toContain('A'); // Am evictions are not remembered
    held.forEach((e) => cache.unref(e));
  });

  it('arc: REPLACE prefers T1 but every T1 entry is in use -> T2\'s LRU goes into B2', () => {
    const policy = new ArcPolicy();
    const cache = new L2Cache<number>(3, policy);
    access(cache, 0);
    access(cache, 0); // A -> T2
    const held = [1, 2].map((k) => hold(cache, k)); // T1 [C B], held; p = 0 so T1 is preferred
    access(cache, 3); // D: T1's entries in use -> A from T2 goes to B2
    expect(cached(cache)).toBe('BCD');
    expect(namesOf(policy.state().b2)).toBe('A');
    held.forEach((e) => cache.unref(e));
  });

  it('s3-fifo: S has only in-use entries -> M gives one; an in-use S tail is skipped in place', () => {
    const policy = new S3FifoPolicy();
    const cache = new L2Cache<number>(5, policy);
    // Fill, make A and B survive into M via the ghost queue.
    for (const k of 'A B C D E'.split(' ')) access(cache, NAMES.indexOf(k));
    access(cache, 5); // F: A evicted from S into G
    access(cache, 0); // A: B -> G; A in G -> M
    expect(namesOf(policy.state().main)).toBe('A');
    const held = [2, 3, 4, 5].map((k) => hold(cache, k)); // all of S held: C D E F
    access(cache, 6); // G: S has only in-use entries -> M's A goes
    expect(cache.isCached(0)).toBe(false);
    expect(cache.stats().evictionsInUse).toBe(0);
    held.forEach((e) => cache.unref(e));
    expect(cache.size).toBe(5);
  });

  it('s3-fifo: an in-use entry at M\'s tail with frequency 0 is passed like a clock hand would', () => {
    const policy = new S3FifoPolicy();
    const cache = new L2Cache<number>(5, policy);
    for (const k of 'A B C D E F K'.split(' ')) access(cache, NAMES.indexOf(k)); // A, B -> G
    const a = hold(cache, 0); // ghost hit: A enters M with frequency 0, held; C -> G
    access(cache, 1); // B: ghost hit, M [B A]; D -> G
    expect(namesOf(policy.state().main)).toBe('BA');
    const held = [4, 5, 10].map((k) => hold(cache, k)); // S [K F E], all held (hits: frequency 1)
    access(cache, 11); // L: S all in use -> M: A in use, passed to the head; B goes
    expect(cached(cache)).toBe('AEFKL');
    expect(namesOf(policy.state().main)).toBe('A');
    cache.unref(a);
    held.forEach((e) => cache.unref(e));
  });

  it('lfu: the lowest-count entry is in use, the next lowest goes', () => {
    const cache = new L2Cache<number>(3, createPolicy('lfu'));
    const a = hold(cache, 0); // A count 1, held
    access(cache, 1);
    access(cache, 1); // B count 2
    access(cache, 2); // C count 1
    access(cache, 3); // D: A (count 1, oldest) in use -> C (count 1) goes
    expect(cached(cache)).toBe('ABD');
    cache.unref(a);
  });
});
