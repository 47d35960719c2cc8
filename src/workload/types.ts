/** The workload as the runner reads it: parsed, validated, sizes in bytes, defaults filled in. */
import type { IoEvent } from '../io/backend.js';
import type { LatencyModel } from '../io/latency-model.js';
import type { FaultRule } from '../io/faults.js';
import type { CacheMode, IoMode } from '../io/file-backend.js';
import type { ImageStore } from '../io/metadata-backend.js';
import type { L2CacheSettings } from '../qed/options.js';

/**
 * A workload after parsing and validation: every size in bytes, every default filled in.
 * The YAML form (see schema.ts and the README) is friendlier; this is what the runner reads.
 */

export type Distribution =
  | { kind: 'uniform' }
  /** fio's zipf: theta > 0, theta != 1. */
  | { kind: 'zipf'; theta: number }
  /** fio's pareto: 0 < h < 1. */
  | { kind: 'pareto'; h: number }
  /** fio's normal: deviation as a fraction of the region, centred at `center` (0..1). */
  | { kind: 'normal'; sigma: number; center: number }
  /** fio's zoned: `share` of accesses (fractions summing to 1) go to successive `span` fractions. */
  | { kind: 'zoned'; zones: Array<{ share: number; span: number }> };

/** Block sizes: one, a uniform range (multiples of `align`), or a weighted split (fio bssplit). */
export type BlockSize =
  | { kind: 'fixed'; size: number }
  | { kind: 'range'; min: number; max: number }
  | { kind: 'split'; parts: Array<{ size: number; weight: number }> };

export type Pattern =
  | { kind: 'sequential' }
  | { kind: 'random'; distribution: Distribution }
  /** Each request `stride` bytes after the previous one's start, wrapping inside the region. */
  | { kind: 'strided'; stride: number }
  /**
   * `share` (0..1) of requests go uniformly to the hot area; the rest uniformly to the region.
   * hotOffset/hotSpan are absolute disk byte offsets, resolved by the loader.
   */
  | { kind: 'hotspot'; hotOffset: number; hotSpan: number; share: number };

export type Operation =
  | { kind: 'read' }
  | { kind: 'write' }
  | { kind: 'zero' }
  /** `readShare` 0..1 (fio rwmixread / 100). */
  | { kind: 'mixed'; readShare: number };

export interface Stop {
  ops?: number;
  /** Stop once the issued lengths reach this (the last request is not shortened). */
  bytes?: number;
  /** Milliseconds of wall-clock (or virtual, under the deterministic scheduler) time. */
  durationMs?: number;
}

export interface JobSpec {
  name: string;
  pattern: Pattern;
  op: Operation;
  bs: BlockSize;
  /** Request offsets are multiples of this (default: 4096, or the smallest block size if smaller). */
  align: number;
  /** The bytes of the virtual disk this job touches. */
  region: { offset: number; span: number };
  iodepth: number;
  stop: Stop;
  /** Issue a flush after every N issued requests of this job; 0 = never. */
  flushEvery: number;
  /** Pause before each request, microseconds. */
  thinkTimeUs: number;
  /** Replay this trace instead of the pattern (pattern, op and bs are then unused). */
  trace?: TraceJobSpec;
}

export interface PhaseSpec {
  name: string;
  /** Empty in a scenario phase. */
  jobs: JobSpec[];
  /** Steps run in order instead of jobs (deterministic scheduler only); see replay/scenario.ts. */
  scenario?: ScenarioStep[];
}

/** One step of a scenario phase: blkdebug-style breakpoints and requests issued by hand. */
export type ScenarioStep =
  | { kind: 'break'; event: IoEvent; tag: string }
  /** Issued without waiting; `as` names it for a later wait. */
  | { kind: 'request'; req: IoRequest; as: string | null }
  | { kind: 'wait-break'; tag: string }
  | { kind: 'resume'; tag: string }
  /** The named requests, or every request issued so far in the phase. */
  | { kind: 'wait'; names: string[] | 'all' };

export interface ImageSpec {
  /** Existing image to use; null = create a fresh one in a temp directory. */
  path: string | null;
  size: number;
  clusterSize: number;
  tableSize: number;
  backing: { file: string; format: 'raw' | 'qed' } | null;
  /** Keep the created image after the run (its path is printed and recorded). */
  keep: boolean;
  /** The file backends' I/O path (image and backing files); absent = auto. */
  io?: IoMode;
  /** writeback (page cache) or none (O_DIRECT); absent = writeback. */
  cache?: CacheMode;
  /** `metadata`: replay in memory keeping only metadata bytes; absent = the command's default. */
  store?: ImageStore;
}

/** The workload's `cache` section: the engine's L2 table cache settings (OpenOptions.l2Cache), one type. */
export type CacheSpec = L2CacheSettings;

/** Engine settings (QedImage OpenOptions a workload may choose). */
export interface EngineSpec {
  /** serial: QEMU's one allocating-write queue; parallel: one queue per L1 entry. */
  allocation: 'serial' | 'parallel';
}

/** When a power cut happens under the deterministic scheduler. */
export type PowerCutSpec =
  | { kind: 'after-requests'; requests: number; tear: boolean }
  | { kind: 'at-event'; event: IoEvent; nth: number; tear: boolean }
  /** After a seeded random number of requests, from 1 to the planned total. */
  | { kind: 'random'; tear: boolean };

export interface SchedulerSpec {
  mode: 'real' | 'deterministic';
  seed: number;
  reorder: number;
  latency: { read: LatencyModel; write: LatencyModel; flush: LatencyModel };
  faults: FaultRule[];
  powerCut: PowerCutSpec | null;
}

export interface Workload {
  name: string;
  description: string;
  /** The file it came from, for messages and results. */
  source: string;
  seed: number;
  image: ImageSpec;
  cache: CacheSpec;
  engine: EngineSpec;
  /** How I/O completes: real (the OS decides) or deterministic (a seeded virtual scheduler). */
  scheduler: SchedulerSpec;
  phases: PhaseSpec[];
}

/** One generated request (the shadow model numbers writes and reads as they are issued). */
export interface IoRequest {
  op: 'read' | 'write' | 'zero' | 'flush';
  offset: number;
  length: number;
  /** Trace replays with timing original/speed: ns after the job started that the request is due. */
  at?: number;
}

/**
 * A stream of requests with bounded memory. Generators answer synchronously; a trace reader
 * may return a promise while it reads ahead. null = the stream has ended.
 */
export interface RequestSource {
  next(): IoRequest | null | Promise<IoRequest | null>;
  /** Releases what the source holds open (a trace file) when the replay stops early. */
  close?(): Promise<void>;
}

/** A job that replays a block trace instead of generating requests (workload/traces/). */
export interface TraceJobSpec {
  /** Absolute path. */
  file: string;
  /** Null: detected from the name and first lines when the replay opens it. */
  format: string | null;
  /** Only this device's requests; null: every device's, merged in file order. */
  device: string | null;
  /** A request past the job's region: error (names the line), wrap (offset modulo the region) or scale (offset / scale). */
  fit: 'error' | 'wrap' | 'scale';
  /** fit scale: the divisor; null: the smallest whole one that fits the trace (a first pass reads it). */
  scale: number | null;
  /** Offsets round down and ends up to a multiple of this (default 512, a sector). */
  align: number;
  /** fast: as fast as iodepth allows; original: at the trace's times divided by speed. */
  timing: 'fast' | 'original';
  speed: number;
  maxBadLines: number;
  /** Generic CSV only. */
  columns?: Partial<Record<'time' | 'offset' | 'size' | 'op' | 'device', number>>;
  offsetUnit?: number;
  timeUnit?: number;
}
