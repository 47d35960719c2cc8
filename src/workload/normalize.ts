/**
 * From the parsed YAML form to the Workload the runner reads: defaults that depend on other
 * fields, percentages resolved against the image or region, and the checks that relate fields
 * (region inside the image, bs within the region, the hot area inside the region).
 * Percent offsets round down to a multiple of align; percent spans round down to whole bytes.
 */
import { basename, dirname, resolve } from 'node:path';
import { SECTOR, isPowerOfTwo, maxImageSize, validTableSize } from '../qed/format.js';
import { formatSize, humanSize } from '../util/size.js';
import type { Issue } from '../config/locate.js';
import { formatPath, type PathSeg } from '../config/paths.js';
import { DEFAULTS, type ParsedJob, type ParsedWorkload } from './schema.js';
import { normalizeScenario } from './scenario.js';
import type { BlockSize, CacheSpec, EngineSpec, ImageSpec, JobSpec, Operation, Pattern, PhaseSpec, PowerCutSpec, SchedulerSpec, Stop, Workload } from './types.js';
import type { FaultRule } from '../io/faults.js';
import { DIRECT_IO_MODES } from '../io/file-backend.js';
import type { SizeOrPercent } from '../config/units.js';
import { parseDistribution } from './fio.js';
import { normalizeTrace } from './traces/normalize-trace.js';

export interface ImageInfo {
  size: number;
  clusterSize: number;
  tableSize: number;
}

/** What normalizing needs from outside: the file system, kept behind two calls. */
export interface Env {
  /** The workload file; relative paths resolve beside it, and its name is the default name. */
  source: string;
  /** Geometry of an existing image, or why it cannot be used. */
  inspectImage(path: string): ImageInfo | { error: string };
  exists(path: string): boolean;
  /** Why a backing file cannot be used as `format` (a directory, unreadable, not QED), or null. */
  inspectBacking?(path: string, format: 'raw' | 'qed'): string | null;
}

export type Normalized = { workload: Workload; issues?: undefined } | { issues: Issue[] };

/** Exact when short ("64 KiB"), else bytes with a rounded figure ("107374182 bytes (102.400 MiB)"). */
function fmt(n: number): string {
  const exact = formatSize(n);
  return parseFloat(exact) < 10000 ? exact : `${n} bytes (${humanSize(n)})`;
}

export function normalize(w: ParsedWorkload, env: Env): Normalized {
  const issues: Issue[] = [];
  const report = (path: PathSeg[], message: string, hint?: string) => issues.push({ path, message, hint });
  const image = normalizeImage(w.image, env, report);
  const cache: CacheSpec = { size: w.cache.size, policy: w.cache.policy };
  const engine: EngineSpec = { allocation: w.engine.allocation };
  const phases: PhaseSpec[] = w.phases.map((p, i) => {
    const name = p.name ?? `phase-${i + 1}`;
    if ((p.jobs === undefined) === (p.scenario === undefined)) {
      const both = p.jobs !== undefined;
      report(['phases', i], both ? 'expected either jobs or scenario, found both' : 'missing; expected jobs or scenario', both ? 'a scenario phase runs its steps instead of jobs' : 'add e.g. jobs: [{ stop: { ops: 10000 } }]');
    }
    if (p.scenario) return { name, jobs: [], scenario: normalizeScenario(p.scenario, ['phases', i, 'scenario'], w.scheduler.mode, image?.size ?? null, report) };
    return {
      name,
      jobs: (p.jobs ?? []).map((j, k) => {
        const at = ['phases', i, 'jobs', k];
        if (!j.stop && !j.trace) issues.push({ path: [...at, 'stop'], message: 'expected a mapping of ops, bytes and/or duration', hint: 'add e.g. stop: { ops: 10000 }', missing: true });
        const job = normalizeJob(j, k, at, image?.size ?? null, report);
        if (j.trace) job.trace = normalizeTrace(j.trace, dirname(env.source), env.exists, [...at, 'trace'], report);
        return job;
      }),
    };
  });
  uniqueNames(phases, (i) => ['phases', i], w.phases.map((p) => p.name !== undefined), 'phase', report);
  phases.forEach((p, i) => {
    uniqueNames(p.jobs, (k) => ['phases', i, 'jobs', k], (w.phases[i].jobs ?? []).map((j) => j.name !== undefined), 'job', report);
    const depth = p.jobs.reduce((n, j) => n + j.iodepth, 0);
    if (depth > DEFAULTS.maxPhaseDepth) {
      report(['phases', i, 'jobs'], `expected at most ${DEFAULTS.maxPhaseDepth} requests in flight over the phase's jobs (the sum of their iodepth), found ${depth} over ${p.jobs.length} jobs`, 'each one is a worker held in memory; use fewer jobs or a lower iodepth');
    }
  });
  if (issues.length || !image) return { issues };
  const name = w.name ?? basename(env.source).replace(/\.ya?ml$/i, '');
  return { workload: { name, description: w.description, source: env.source, seed: w.seed, image, cache, engine, scheduler: schedulerOf(w), phases } };
}

function schedulerOf(w: ParsedWorkload): SchedulerSpec {
  const s = w.scheduler;
  const when = (x: 'once' | 'always' | number): FaultRule['when'] => (typeof x === 'number' ? { kind: 'probability', p: x } : { kind: x });
  const pc = s.power_cut;
  const powerCut: PowerCutSpec | null = !pc
    ? null
    : pc.after_requests !== undefined
      ? { kind: 'after-requests', requests: pc.after_requests, tear: pc.tear }
      : pc.at_event !== undefined
        ? { kind: 'at-event', event: pc.at_event, nth: pc.nth, tear: pc.tear }
        : { kind: 'random', tear: pc.tear };
  return {
    mode: s.mode,
    seed: s.seed ?? w.seed,
    reorder: s.reorder,
    latency: s.latency,
    faults: s.faults.map((f) => ({ event: f.event, errno: f.errno, when: when(f.when) })),
    powerCut,
  };
}

type Report = (path: PathSeg[], message: string, hint?: string) => void;

function normalizeImage(i: ParsedWorkload['image'], env: Env, report: Report): ImageSpec | null {
  const dir = dirname(env.source);
  if (i.cache === 'none' && i.io !== undefined && !DIRECT_IO_MODES.includes(i.io)) {
    report(['image', 'cache'], `expected cache: writeback with io: ${i.io}; cache: none (O_DIRECT) needs aligned buffers, which only the async and ring paths have`, 'use io: async, ring or auto, or cache: writeback');
    return null;
  }
  if (i.store === 'metadata' && !metadataStoreFits(i, report)) return null;
  if (i.path !== undefined) return existingImage(i, resolve(dir, i.path), env, report);
  if (i.size === undefined) {
    report(['image', 'size'], 'missing; expected the virtual size of the fresh image', 'add e.g. size: 16G, or path: to use an existing image');
    return null;
  }
  const size = i.size;
  const clusterSize = i.cluster_size ?? DEFAULTS.clusterSize;
  const tableSize = i.table_size ?? DEFAULTS.tableSize;
  let ok = true;
  if (i.size === 0) {
    report(['image', 'size'], 'expected a virtual size of at least 512 bytes, found 0', 'e.g. size: 16G');
    return null;
  }
  if (i.size % SECTOR !== 0) {
    const down = i.size - (i.size % SECTOR);
    report(['image', 'size'], `expected a multiple of 512 bytes, found ${i.size} bytes`, `use ${down} or ${down + SECTOR}`);
    ok = false;
  }
  const max = maxImageSize(clusterSize, tableSize);
  if (i.size > max) {
    const t = [1, 2, 4, 8, 16].find((n) => validTableSize(n) && maxImageSize(clusterSize, n) >= size);
    const hint = t ? `use table_size: ${t} or more` : 'use a larger cluster_size';
    report(['image', 'size'], `expected at most ${fmt(max)} for cluster_size ${fmt(clusterSize)} and table_size ${tableSize}, found ${fmt(i.size)}`, hint);
    ok = false;
  }
  let backing: ImageSpec['backing'] = null;
  if (i.backing) {
    const file = resolve(dir, i.backing.file);
    const why = !env.exists(file) ? `${file} does not exist` : (env.inspectBacking?.(file, i.backing.format) ?? null);
    if (why) {
      report(['image', 'backing', 'file'], `expected an existing ${i.backing.format === 'qed' ? 'QED image' : 'file'}, found "${i.backing.file}" (${why})`);
      ok = false;
    }
    backing = { file, format: i.backing.format };
    if (i.store === 'metadata') {
      report(['image', 'store'], 'expected full with a backing file: a metadata-only replay runs on a fresh in-memory image without backing data', 'remove store: metadata or backing');
      ok = false;
    }
  }
  return ok ? { path: null, size: i.size, clusterSize, tableSize, backing, keep: i.keep, io: i.io, cache: i.cache, ...(i.store ? { store: i.store } : {}) } : null;
}

/** store: metadata is an in-memory image: the settings of an image file contradict it (path and backing are checked where they are read). */
function metadataStoreFits(i: ParsedWorkload['image'], report: Report): boolean {
  const why = 'a metadata-only replay (store: metadata) runs on an in-memory image, no file';
  if (i.keep) report(['image', 'keep'], `expected no keep: true with store: metadata: ${why} is left to keep`, 'remove keep or store: metadata');
  if (i.cache === 'none') report(['image', 'cache'], `expected no cache: none with store: metadata: ${why} is opened with O_DIRECT`, 'remove cache: none or store: metadata');
  if (i.io !== undefined && i.io !== 'auto') report(['image', 'io'], `expected no io: ${i.io} with store: metadata: ${why} is read or written through an I/O path`, 'remove io or store: metadata');
  return !i.keep && i.cache !== 'none' && (i.io === undefined || i.io === 'auto');
}

/** An existing image: its header decides the geometry; the workload may only repeat it. */
function existingImage(i: ParsedWorkload['image'], path: string, env: Env, report: Report): ImageSpec | null {
  const info = env.inspectImage(path);
  if ('error' in info) {
    report(['image', 'path'], `expected an existing QED image, found "${i.path}": ${info.error}`);
    return null;
  }
  let ok = true;
  const given: Array<[string, number | undefined, number]> = [
    ['size', i.size, info.size],
    ['cluster_size', i.cluster_size, info.clusterSize],
    ['table_size', i.table_size, info.tableSize],
  ];
  for (const [key, value, actual] of given) {
    if (value !== undefined && value !== actual) {
      const show = key === 'table_size' ? String : fmt;
      report(['image', key], `expected ${show(actual)} (the existing image's ${key}), found ${show(value)}`, `omit it when image.path is given`);
      ok = false;
    }
  }
  if (i.backing) {
    report(['image', 'backing'], 'backing applies only to a fresh image; an existing image names its own backing file', 'remove backing or path');
    ok = false;
  }
  if (i.store === 'metadata') {
    report(['image', 'store'], 'expected full with image.path: a metadata-only replay runs on a fresh in-memory image', 'remove store: metadata or path');
    ok = false;
  }
  // keep: an image the user named is never deleted, whatever the file says.
  return ok ? { path, size: info.size, clusterSize: info.clusterSize, tableSize: info.tableSize, backing: null, keep: true, io: i.io, cache: i.cache } : null;
}

function sizesOf(bs: BlockSize): number[] {
  if (bs.kind === 'fixed') return [bs.size];
  if (bs.kind === 'range') return [bs.min, bs.max];
  return bs.parts.map((p) => p.size);
}

/** The largest power of two ≤ min(4096, smallest bs); for a range it also divides both ends. */
export function defaultAlign(bs: BlockSize): number {
  const smallest = Math.min(...sizesOf(bs));
  let a = 4096;
  while (a > smallest) a /= 2;
  if (bs.kind === 'range') while (a > 1 && (bs.min % a || bs.max % a)) a /= 2;
  return a;
}

/** Bytes of a size-or-percent; percentages of `whole`, rounded down to a multiple of `unit`. */
function resolveAt(v: SizeOrPercent, whole: number, unit: number): number {
  if ('bytes' in v) return v.bytes;
  return Math.floor(((v.percent / 100) * whole) / unit) * unit;
}

function normalizeJob(j: ParsedJob, index: number, at: PathSeg[], imageSize: number | null, report: Report): JobSpec {
  const p = (...keys: PathSeg[]) => [...at, ...keys];
  const sizes = sizesOf(j.bs);
  const maxBs = Math.max(...sizes);
  let align = j.align ?? defaultAlign(j.bs);
  if (!isPowerOfTwo(align)) {
    report(p('align'), `expected a power of two such as 512 or 4k, found ${fmt(align)}`);
    align = 1;
  }
  if (j.bs.kind === 'range' && (j.bs.min % align || j.bs.max % align)) {
    report(p('bs'), `expected range ends that are multiples of align (${fmt(align)}), found ${fmt(j.bs.min)}-${fmt(j.bs.max)}`, 'set align: to a power of two dividing both');
  }

  const region = { offset: 0, span: 0 };
  if (imageSize !== null) {
    const off = j.region?.offset ?? { bytes: 0 };
    region.offset = resolveAt(off, imageSize, align);
    region.span = j.region?.span ? resolveAt(j.region.span, imageSize, 1) : Math.max(0, imageSize - region.offset);
    if ('bytes' in off && off.bytes % align) {
      report(p('region', 'offset'), `expected a multiple of align (${fmt(align)}), found ${fmt(off.bytes)}`, 'request offsets are multiples of align');
    } else if (region.offset > imageSize) {
      report(p('region', 'offset'), `expected an offset inside the image (${fmt(imageSize)}), found ${fmt(region.offset)}`);
    } else if (region.offset + region.span > imageSize) {
      report(
        p('region', 'span'),
        `expected the region to end inside the image (${fmt(imageSize)}), found offset ${fmt(region.offset)} + span ${fmt(region.span)} = ${fmt(region.offset + region.span)}`,
        `use span: ${fmt(imageSize - region.offset)} or less`,
      );
    } else if (region.span < maxBs) {
      report(p('bs'), `expected block sizes no larger than the region (${fmt(region.span)}), found ${fmt(maxBs)}`);
    } else if (region.span < align) {
      // Requests start at multiples of align inside the region: it must hold one whole unit.
      report(j.region?.span ? p('region', 'span') : p('region'), `expected a region at least as large as align (${fmt(align)}), found ${fmt(region.span)}`, 'lower align');
    }
  }

  const pattern = normalizePattern(j, p, region, align, maxBs, report);
  return {
    name: j.name ?? `job-${index + 1}`,
    pattern,
    op: normalizeOp(j, p, report),
    bs: j.bs,
    align,
    region,
    iodepth: j.iodepth,
    stop: normalizeStop(j.stop),
    flushEvery: j.flush_every,
    thinkTimeUs: j.think_time,
  };
}

function normalizePattern(
  j: ParsedJob,
  p: (...keys: PathSeg[]) => PathSeg[],
  region: { offset: number; span: number },
  align: number,
  maxBs: number,
  report: Report,
): Pattern {
  const only = (key: 'distribution' | 'stride' | 'hotspot', pattern: string) => {
    if (j[key] !== undefined && j.pattern !== pattern) {
      report(p(key), `${key} applies only to pattern ${pattern} (this job's pattern is ${j.pattern})`, `remove it or set pattern: ${pattern}`);
    }
  };
  only('distribution', 'random');
  only('stride', 'strided');
  only('hotspot', 'hotspot');
  switch (j.pattern) {
    case 'sequential':
      return { kind: 'sequential' };
    case 'random':
      return { kind: 'random', distribution: j.distribution ?? parseDistribution(DEFAULTS.distribution) };
    case 'strided': {
      const stride = j.stride ?? 0;
      if (j.stride === undefined) report(p('stride'), 'missing; pattern strided needs a stride', 'add e.g. stride: 1M');
      else if (stride % align) report(p('stride'), `expected a multiple of align (${fmt(align)}), found ${fmt(stride)}`);
      else if (region.span && stride > region.span) report(p('stride'), `expected a stride no larger than the region (${fmt(region.span)}), found ${fmt(stride)}`);
      return { kind: 'strided', stride };
    }
    case 'hotspot': {
      const h = j.hotspot;
      if (!h) {
        report(p('hotspot'), 'missing; pattern hotspot needs a hot area', 'add e.g. hotspot: { offset: 10%, span: 5%, share: 90% }');
        return { kind: 'hotspot', hotOffset: region.offset, hotSpan: 0, share: 0 };
      }
      const off = h.offset ?? { bytes: 0 };
      const rel = resolveAt(off, region.span, align);
      const hotSpan = resolveAt(h.span, region.span, 1);
      if ('bytes' in off && off.bytes % align) {
        report(p('hotspot', 'offset'), `expected a multiple of align (${fmt(align)}), found ${fmt(off.bytes)}`);
      } else if (rel + hotSpan > region.span) {
        report(
          p('hotspot', 'span'),
          `expected the hot area to end inside the region (${fmt(region.span)}), found offset ${fmt(rel)} + span ${fmt(hotSpan)} = ${fmt(rel + hotSpan)}`,
        );
      } else if (rel >= Math.floor(region.span / align) * align) {
        const usable = Math.floor(region.span / align) * align;
        report(p('hotspot', 'offset'), `expected an offset below ${fmt(usable)} (the region's whole ${fmt(align)} units), found ${fmt(rel)}`);
      } else if (hotSpan < maxBs) {
        report(p('hotspot', 'span'), `expected a hot area at least as large as the largest block size (${fmt(maxBs)}), found ${fmt(hotSpan)}`);
      }
      return { kind: 'hotspot', hotOffset: region.offset + rel, hotSpan, share: h.share / 100 };
    }
  }
}

function normalizeOp(j: ParsedJob, p: (...keys: PathSeg[]) => PathSeg[], report: Report): Operation {
  if (j.op === 'mixed') return { kind: 'mixed', readShare: (j.rwmixread ?? DEFAULTS.rwmixread) / 100 };
  if (j.rwmixread !== undefined) {
    report(p('rwmixread'), `rwmixread applies only to op mixed (this job's op is ${j.op})`, 'remove it or set op: mixed');
  }
  return { kind: j.op };
}

function normalizeStop(s: ParsedJob['stop']): Stop {
  const stop: Stop = {};
  if (!s) return stop;
  if (s.ops !== undefined) stop.ops = s.ops;
  if (s.bytes !== undefined) stop.bytes = s.bytes;
  if (s.duration !== undefined) stop.durationMs = s.duration;
  return stop;
}

/** Results are keyed by name, so two phases (or two jobs of a phase) may not share one. */
function uniqueNames(items: Array<{ name: string }>, pathOf: (i: number) => PathSeg[], explicit: boolean[], what: string, report: Report): void {
  const first = new Map<string, number>();
  items.forEach((item, i) => {
    const prev = first.get(item.name);
    if (prev === undefined) {
      first.set(item.name, i);
      return;
    }
    const path = explicit[i] ? [...pathOf(i), 'name'] : pathOf(i);
    report(path, `${what} name "${item.name}" is already used by ${formatPath(pathOf(prev))}; ${what} names must be unique`);
  });
}
