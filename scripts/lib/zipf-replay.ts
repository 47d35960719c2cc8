/**
 * Issue 10's engine case, shared by bench:sim and bench:engine-speed: 100 default-geometry tables
 * (64 KiB clusters, table_size 4: every miss reads a 256 KiB table), each written once, then
 * 4 KiB zipf(1.1) reads at depth 32 through a fifo cache of 50; and one timed in-memory replay.
 */
export const ZIPF_DEFAULT_GEOMETRY = `name: zipf-default-geometry
seed: 7
image: { size: 200G }
cache: { size: 50, policy: fifo }
scheduler: { mode: deterministic }
phases:
  - name: touch-tables
    jobs: [{ name: one-per-table, pattern: strided, stride: 2G, op: write, bs: 4k, iodepth: 8, stop: { ops: 100 } }]
  - name: read
    jobs: [{ name: zipf-reader, pattern: random, distribution: "zipf:1.1", op: read, bs: 4k, iodepth: 32, stop: { ops: 1000 } }]
`;

/** The part of a run's outcome a timed replay reads. */
interface ReplayTotals {
  total: { requests: number; cache: { lookups: number; misses: number } };
  phases: Array<{ name: string; requests: number }>;
}

type RunWorkload<W> = (w: W, opts: { inMemory: true; verify: true; store: 'full' | 'metadata'; qemuCheck: false; onProgress: (p: { stage: string; phase: string }) => void }) => Promise<ReplayTotals>;

/** A timed replay: the whole (`requests` in `ns`) and its last phase alone (`lastRequests` in `lastNs`). */
export interface TimedReplay {
  requests: number;
  lookups: number;
  misses: number;
  ns: number;
  lastRequests: number;
  lastNs: number;
}

/**
 * One in-memory replay with verification, timed from opening the image to the end of the last
 * phase (the read-back and image check after it excluded); and its last phase alone (the zipf
 * reads, without creating the image and writing the tables first). `run` is passed in so a bench
 * can time another checkout's build with the same code.
 */
export async function timedReplay<W>(run: RunWorkload<W>, w: W, store: 'full' | 'metadata'): Promise<TimedReplay> {
  let t1 = 0n;
  let lastStart = 0n;
  let phase = '';
  const t0 = process.hrtime.bigint();
  const outcome = await run(w, {
    inMemory: true,
    verify: true,
    store,
    qemuCheck: false,
    onProgress: (p) => {
      if (t1 !== 0n) return;
      if (p.stage !== 'replay') t1 = process.hrtime.bigint();
      else if (p.phase !== phase) {
        phase = p.phase; // a phase's first progress is sent as it starts
        lastStart = process.hrtime.bigint();
      }
    },
  });
  if (t1 === 0n) t1 = process.hrtime.bigint();
  const { requests, cache } = outcome.total;
  const last = outcome.phases.at(-1);
  return { requests, lookups: cache.lookups, misses: cache.misses, ns: Number(t1 - t0), lastRequests: last?.requests ?? 0, lastNs: Number(t1 - lastStart) };
}
