/**
 * The workload YAML format as a zod schema: the one place that names its keys and defaults.
 * Field-level parsing (sizes, durations, fio strings) happens here; checks that relate fields
 * to each other (region inside the image, bs within the region) happen in normalize.ts.
 * Every message starts with "expected" so the formatter can add what was found.
 */
import { MAX_CACHE_TABLES } from '../cache/limits.js';
import { z } from 'zod';
import { POLICY_NAMES, type PolicyName } from '../cache/policies/index.js';
import { ALLOCATION_MODES, DEFAULT_ALLOCATION, DEFAULT_CACHE_SIZE, DEFAULT_POLICY } from '../qed/options.js';
import { DEFAULT_CLUSTER_SIZE, DEFAULT_TABLE_SIZE, validClusterSize, validTableSize } from '../qed/format.js';
import { IO_EVENTS } from '../io/backend.js';
import { FAULT_ERRNOS } from '../io/faults.js';
import { CACHE_MODES, DEFAULT_CACHE_MODE, DEFAULT_IO_MODE, IO_MODES } from '../io/file-backend.js';
import { IMAGE_STORES } from '../io/metadata-backend.js';
import { parseLatencyModel } from '../io/latency-model.js';
import { parseBlockSize, parseDistribution, splitOf } from './fio.js';
import { Expected, bytes, bytesOrPercent, percent, positiveMillis, wholeMicros } from '../config/units.js';
import { mapping, oneOf, scalar } from '../config/zod.js';
import { FORMAT_NAMES } from './traces/formats.js';
import { FIT_MODES, OFFSET_UNITS, TIMINGS, TIME_UNITS, parseColumns, parseSpeed } from './traces/options.js';

/** Defaults that depend on other fields are applied in normalize.ts; they are documented here. */
export const DEFAULTS = {
  seed: 1,
  clusterSize: DEFAULT_CLUSTER_SIZE,
  tableSize: DEFAULT_TABLE_SIZE,
  cache: { size: DEFAULT_CACHE_SIZE, policy: DEFAULT_POLICY },
  allocation: DEFAULT_ALLOCATION,
  pattern: 'random',
  distribution: 'uniform',
  op: 'read',
  rwmixread: 50,
  bs: '4k',
  iodepth: 1,
  maxIodepth: 4096,
  /** Requests in flight over a phase's jobs (the sum of their iodepth): each is a worker held in memory; 1 M took 580 MB. */
  maxPhaseDepth: 262144,
  flushEvery: 0,
} as const;

/** Top-level keys with this prefix are ignored: a place for YAML anchors (`x-reader: &reader`). */
export const EXTENSION_PREFIX = 'x-';

export const PATTERNS = ['sequential', 'random', 'strided', 'hotspot'] as const;
export const OPERATIONS = ['read', 'write', 'zero', 'mixed'] as const;
export const BACKING_FORMATS = ['raw', 'qed'] as const;

function whole(min: number, max = Number.MAX_SAFE_INTEGER) {
  const error = max === Number.MAX_SAFE_INTEGER ? `expected a whole number ≥ ${min}` : `expected a whole number from ${min} to ${max}`;
  return z.number({ error }).int({ error }).min(min, { error }).max(max, { error });
}

/** Seeds are doubles in JSON: at most 2^53 − 1, said in the message (not a rounded 1e20). */
function seed() {
  const error = `expected a whole number from 0 to 2^53 − 1 (${Number.MAX_SAFE_INTEGER})`;
  return z.number({ error }).int({ error }).min(0, { error }).max(Number.MAX_SAFE_INTEGER, { error });
}

function text(what: string) {
  return z.string({ error: `expected ${what}` }).min(1, { error: `expected ${what}` });
}

const size = (min = 0) => scalar('a size such as 512, 4k, 64KiB or 2G', (v) => bytes(v, min));
const sizeOrPercent = () => scalar('a size such as 4k or 2G, or a percentage such as 50%', bytesOrPercent);
const pct = () => scalar('a percentage from 0 to 100', percent);

const blockSizeList = z
  .array(mapping('bs and weight', { bs: size(1), weight: z.number({ error: 'expected a weight > 0' }) }), {
    error: 'expected a list of {bs, weight}',
  })
  .transform((parts, ctx) => {
    try {
      return splitOf(parts.map((p) => ({ size: p.bs, weight: p.weight })));
    } catch (err) {
      if (!(err instanceof Expected)) throw err;
      ctx.addIssue({ code: 'custom', message: err.message, input: parts });
      return z.NEVER;
    }
  });

const blockSize = z.union([scalar('a block size', parseBlockSize), blockSizeList], {
  error: 'expected a block size (4k), a range (4k-64k), a split (4k/50:64k/50) or a list of {bs, weight}',
});

const region = mapping('offset and span', {
  offset: sizeOrPercent().optional().meta({ description: 'Start, in bytes or % of the image size (default 0).' }),
  span: sizeOrPercent().optional().meta({ description: 'Length, in bytes or % of the image size (default: to the end).' }),
});

const hotspot = mapping('offset, span and share', {
  offset: sizeOrPercent().optional().meta({ description: 'Start of the hot area, from the region start: bytes or % of the region (default 0).' }),
  span: sizeOrPercent().meta({ description: 'Length of the hot area: bytes or % of the region.' }),
  share: pct().meta({ description: 'Percent of requests that go to the hot area.' }),
});

const stop = mapping('ops, bytes and/or duration', {
  ops: whole(1).optional().meta({ description: 'Stop after this many requests.' }),
  bytes: size(1).optional().meta({ description: 'Stop after this many bytes transferred.' }),
  duration: scalar('a duration such as 500ms, 10s or 2m', positiveMillis).optional().meta({ description: 'Stop after this long (us, ms, s, m, h).' }),
}).refine((s) => s.ops !== undefined || s.bytes !== undefined || s.duration !== undefined, {
  message: 'expected at least one of ops, bytes or duration',
  params: { hint: 'e.g. stop: { ops: 10000 }' },
});

/** A job that replays a block trace (workload/traces/) instead of a pattern. */
const traceSchema = mapping('file, format, device, fit, scale, align, timing, speed, max_bad_lines, columns, offset_unit and time_unit', {
  file: text('a trace file path').meta({ description: 'The trace (relative to the workload file); .gz and .zst are read as they stream.' }),
  format: oneOf(FORMAT_NAMES).optional().meta({ description: 'Default: detected from the name and first lines.' }),
  device: z.union([z.string(), z.number()], { error: 'expected a device, volume, LUN or file name' }).transform(String).optional().meta({ description: "Only this device's requests (default: all, merged)." }),
  fit: oneOf(FIT_MODES).default('error').meta({ description: "A request past the job's region: error (names the line), wrap (offset modulo the region), scale (offset / scale)." }),
  scale: whole(1).optional().meta({ description: 'fit scale: the divisor (default: the smallest that fits the trace).' }),
  align: size(512).optional().meta({ yamlDefault: 512, description: 'Offsets round down and ends up to a multiple of this power of two (512 B to 1 MiB).' }),
  timing: oneOf(TIMINGS).optional().meta({ yamlDefault: 'fast', description: "fast: as fast as iodepth allows; original: at the trace's times (virtual times under the deterministic scheduler)." }),
  speed: scalar('a speed factor such as 2, 10x or 0.5x', parseSpeed).optional().meta({ description: 'timing original, this many times faster (implies timing original).' }),
  max_bad_lines: whole(0).default(0).meta({ description: 'Bad lines to skip and count before the trace is refused.' }),
  columns: scalar('columns such as time=1,offset=3,size=4,op=2', parseColumns).optional().meta({ description: 'format csv: 1-based columns of time, offset, size, op, device.' }),
  offset_unit: oneOf(Object.keys(OFFSET_UNITS) as ['byte', 'sector']).optional().meta({ description: 'format csv: offset and size unit (default byte).' }),
  time_unit: oneOf(Object.keys(TIME_UNITS) as ['s', 'ms', 'us', 'ns']).optional().meta({ description: 'format csv: time unit (default s).' }),
});

export const jobSchema = mapping('job settings', {
  name: text('a job name').optional().meta({ description: 'Default job-N (1-based).' }),
  pattern: oneOf(PATTERNS).default(DEFAULTS.pattern),
  distribution: scalar('a distribution such as uniform, zipf:1.2, pareto:0.2, normal:10 or zoned:60/10:40/90', (v) => parseDistribution(String(v)))
    .optional()
    .meta({ yamlDefault: DEFAULTS.distribution, description: 'pattern random only: uniform, zipf:θ, pareto:h, normal:σ%[:center%], zoned:share/span:... (percent).' }),
  stride: size(1).optional().meta({ description: 'pattern strided only (required there): distance between request starts.' }),
  hotspot: hotspot.optional().meta({ description: 'pattern hotspot only (required there).' }),
  op: oneOf(OPERATIONS).default(DEFAULTS.op),
  rwmixread: pct()
    .optional()
    .meta({ yamlDefault: DEFAULTS.rwmixread, description: 'op mixed only: percent of requests that are reads.' }),
  bs: blockSize.prefault(DEFAULTS.bs).meta({ description: 'Block size: 4k, a range 4k-64k, a split 4k/50:64k/50, or a list of {bs, weight}.' }),
  align: size(1).optional().meta({ description: 'Request offsets are multiples of this power of two (default: the largest power of two ≤ min(4k, smallest bs)).' }),
  region: region.optional().meta({ description: 'Part of the disk this job touches (default: all of it).' }),
  iodepth: whole(1, DEFAULTS.maxIodepth).default(DEFAULTS.iodepth),
  stop: stop.optional().meta({ description: 'Required unless the job replays a trace (where it cuts the replay short).' }),
  trace: traceSchema.optional().meta({ description: 'Replay this block trace instead of a pattern (pattern, distribution, stride, hotspot, op, rwmixread, bs, align and flush_every are then refused).' }),
  flush_every: whole(0).default(DEFAULTS.flushEvery).meta({ description: 'Flush after every N requests; 0 = never.' }),
  think_time: scalar('a duration such as 100us, 2ms or 0', wholeMicros).prefault(0).meta({ description: 'Pause before each request (us, ms, s).' }),
});

const SCENARIO_STEP_KEYS = ['break', 'request', 'wait_break', 'resume', 'wait'] as const;

/** One scenario step: exactly one of break, request, wait_break, resume, wait. */
const scenarioStep = mapping('one of break, request, wait_break, resume or wait', {
  break: mapping('event and tag', { event: oneOf(IO_EVENTS), tag: text('a breakpoint tag') })
    .optional()
    .meta({ description: 'Hold the next request with this event (blkdebug break EVENT TAG).' }),
  request: mapping('op, offset, length and as', {
    op: oneOf(['read', 'write', 'zero', 'flush'] as const),
    offset: size().optional().meta({ description: 'Byte offset (not for flush).' }),
    length: size(1).optional().meta({ description: 'Byte length (not for flush).' }),
    as: text('a request name').optional().meta({ description: 'Name for wait; the request is issued without waiting for it.' }),
  })
    .optional()
    .meta({ description: 'Issue one request and go on at once.' }),
  wait_break: text('a breakpoint tag').optional().meta({ description: 'Wait until a request is held at this breakpoint.' }),
  resume: text('a breakpoint tag').optional().meta({ description: 'Let the held request go; the breakpoint is removed.' }),
  wait: z
    .union([text('a request name'), z.array(text('a request name'), { error: 'expected a list of request names' }).min(1, { error: 'expected at least one name' })], {
      error: 'expected a request name, a list of names, or all',
    })
    .optional()
    .meta({ description: 'Wait for the named request(s); all: every request issued so far in this phase.' }),
})
  .refine((s) => SCENARIO_STEP_KEYS.filter((k) => s[k] !== undefined).length === 1, {
    message: `expected exactly one of ${SCENARIO_STEP_KEYS.join(', ')} in each step`,
  })
  .meta({ minProperties: 1, maxProperties: 1 });

export const scenarioSchema = z
  .array(scenarioStep, { error: 'expected a list of steps' })
  .min(1, { error: 'expected at least one step' })
  .meta({ description: 'Steps run in order instead of jobs (needs scheduler.mode: deterministic): a written-down interleaving.' });

export const phaseSchema = mapping('name and jobs (or scenario)', {
  name: text('a phase name').optional().meta({ description: 'Default phase-N (1-based).' }),
  jobs: z.array(jobSchema, { error: 'expected a list of jobs' }).min(1, { error: 'expected at least one job' }).optional().meta({ description: 'The jobs run in parallel (a phase has jobs or scenario).' }),
  scenario: scenarioSchema.optional(),
});

const clusterSize = size().refine(validClusterSize, { message: 'expected a power of two from 4k to 64M' });
const tableSize = whole(1).refine(validTableSize, { message: 'expected 1, 2, 4, 8 or 16 (clusters per table)' });

export const imageSchema = mapping('image settings', {
  path: text('a path to an existing QED image').optional().meta({ description: 'Use this image (relative to the workload file) instead of a fresh one.' }),
  size: size().optional().meta({ description: 'Virtual size (required unless path is given).' }),
  cluster_size: clusterSize.optional().meta({ yamlDefault: DEFAULTS.clusterSize }),
  table_size: tableSize.optional().meta({ yamlDefault: DEFAULTS.tableSize }),
  backing: mapping('file and format', {
    file: text('a backing file path'),
    format: oneOf(BACKING_FORMATS),
  }).optional(),
  keep: z.boolean({ error: 'expected true or false' }).default(false).meta({ description: 'Keep the fresh image after the run.' }),
  io: oneOf(IO_MODES)
    .optional()
    .meta({
      yamlDefault: DEFAULT_IO_MODE,
      description:
        "auto: adaptive with cache writeback; with cache none async when UV_THREADPOOL_SIZE is at least 8 (the qed-bench launcher sets 16), else ring; async: libuv's thread pool, one round trip per request; sync: blocking calls on the main thread (fio's psync), nothing overlaps; ring: worker threads fed through shared-memory rings, requests overlap; adaptive: sync while requests finish in the page cache, ring after one does not.",
    }),
  cache: oneOf(CACHE_MODES)
    .optional()
    .meta({ yamlDefault: DEFAULT_CACHE_MODE, description: "writeback: through the page cache (QEMU's cache=writeback); none: O_DIRECT, bypassing it (QEMU's cache=none, as production VMs run); needs io auto, async or ring and a filesystem that takes O_DIRECT." }),
  store: oneOf(IMAGE_STORES)
    .optional()
    .meta({ description: 'full: the image holds every byte (run default); metadata: an in-memory image that keeps header, L1 and L2 bytes and drops data (sweep, stress and mrc default), same counters and virtual latencies, no byte-level read verification.' }),
});

export const cacheSchema = mapping('size and policy', {
  size: whole(1, MAX_CACHE_TABLES).default(DEFAULTS.cache.size).meta({ description: 'L2 cache capacity in tables.' }),
  policy: z
    .enum(POLICY_NAMES as [PolicyName, ...PolicyName[]], { error: `expected one of ${POLICY_NAMES.join(', ')}` })
    .default(DEFAULTS.cache.policy),
});

export const engineSchema = mapping('engine settings', {
  allocation: oneOf(ALLOCATION_MODES)
    .default(DEFAULTS.allocation)
    .meta({ description: 'serial: one allocating write at a time (QEMU); parallel: allocating writes under different L1 entries (L2 tables) run together.' }),
});

/** A parser whose plain Error messages become "expected ..." issues at this field. */
function parsed<T>(expected: string, parse: (v: string) => T) {
  return scalar(expected, (v) => {
    try {
      return parse(String(v));
    } catch (err) {
      throw new Expected(`expected ${expected} (${(err as Error).message})`);
    }
  });
}

const latency = (d: string) =>
  parsed('a latency model: constant:100us, uniform:50us-2ms or lognormal:200us:0.5', parseLatencyModel).prefault(d);

const fault = mapping('event, errno and when', {
  event: oneOf(IO_EVENTS),
  errno: oneOf(FAULT_ERRNOS).default('EIO'),
  when: z
    .union([z.enum(['once', 'always']), z.number().gt(0).lte(1)], { error: 'expected once, always, or a probability in (0, 1]' })
    .default('once')
    .meta({ description: 'once (the first matching request), always, or a probability per matching request.' }),
});

const powerCut = mapping('after_requests, at_event (with nth) or random, and tear', {
  after_requests: whole(1).optional().meta({ description: 'Cut after this many requests have completed.' }),
  at_event: oneOf(IO_EVENTS).optional().meta({ description: 'Cut when the nth request with this event is issued.' }),
  nth: whole(1).default(1),
  random: z.boolean({ error: 'expected true or false' }).optional().meta({ description: 'Cut after a seeded random number of requests.' }),
  tear: z.boolean({ error: 'expected true or false' }).default(false).meta({ description: 'Lost multi-sector writes may be torn (some sectors written).' }),
}).refine((p) => [p.after_requests !== undefined, p.at_event !== undefined, p.random === true].filter(Boolean).length === 1, {
  message: 'expected exactly one of after_requests, at_event or random: true',
});

export const schedulerSchema = mapping('scheduler settings', {
  mode: oneOf(['real', 'deterministic'] as const).default('real').meta({ description: 'real: the OS completes I/O; deterministic: a seeded virtual scheduler does, and timings are virtual.' }),
  seed: seed().optional().meta({ description: 'Default: the workload seed.' }),
  reorder: whole(0, 4096).default(4).meta({ description: 'A completion may overtake at most this many earlier pending requests.' }),
  latency: mapping('read, write and flush latency models', {
    read: latency('constant:100us'),
    write: latency('constant:200us'),
    flush: latency('constant:1ms'),
  }).prefault({}),
  faults: z.array(fault, { error: 'expected a list of {event, errno, when}' }).default([]),
  power_cut: powerCut.optional(),
});

export const matrixSchema = z
  .record(z.string(), z.array(z.unknown(), { error: 'expected a list of values' }).min(1, { error: 'expected at least one value' }), {
    error: 'expected a mapping of field paths to lists of values',
  })
  .meta({ description: 'One run per combination: field path (cache.size, phases[0].jobs[0].iodepth) → list of values.' });

export const workloadSchema = mapping('workload settings', {
  name: text('a workload name').optional().meta({ description: 'Default: the file name without .yaml.' }),
  description: z.string({ error: 'expected a text' }).default(''),
  seed: seed().default(DEFAULTS.seed),
  image: imageSchema,
  cache: cacheSchema.prefault({}),
  engine: engineSchema.prefault({}),
  scheduler: schedulerSchema.prefault({}),
  phases: z.array(phaseSchema, { error: 'expected a list of phases' }).min(1, { error: 'expected at least one phase' }),
  matrix: matrixSchema.optional(),
}).meta({ title: 'qed-bench workload' });

/** The YAML form after field-level parsing: sizes in bytes, fio strings decoded. */
/** What to add when a required key is missing (named in the located error). */
export const MISSING_KEY_EXAMPLES: Readonly<Record<string, string>> = {
  image: 'image: { size: 16G }',
  size: 'size: 16G',
  phases: 'phases: [{ jobs: [{ stop: { ops: 10000 } }] }]',
  jobs: 'jobs: [{ stop: { ops: 10000 } }]',
  stop: 'stop: { ops: 10000 }',
  share: 'share: 90%',
  span: 'span: 5%',
};

export type ParsedWorkload = z.output<typeof workloadSchema>;
export type ParsedJob = z.output<typeof jobSchema>;
export type ParsedScenario = z.output<typeof scenarioSchema>;

/**
 * JSON Schema of the YAML form, for editors (`qed-bench schema`). Defaults applied in
 * normalize.ts (and those of transformed fields, which zod drops from input schemas) are
 * recorded as `yamlDefault` metadata and shown as `default`.
 */
export function workloadJsonSchema(): object {
  return z.toJSONSchema(workloadSchema, {
    io: 'input',
    unrepresentable: 'any',
    override: ({ zodSchema, jsonSchema }) => {
      const s = jsonSchema as Record<string, unknown>;
      if (zodSchema === workloadSchema) s.patternProperties = { [`^${EXTENSION_PREFIX}`]: {} };
      if (zodSchema === jobSchema) s.anyOf = [{ required: ['stop'] }, { required: ['trace'] }]; // a pattern job needs stop
      if ('yamlDefault' in s) {
        s.default = s.yamlDefault;
        delete s.yamlDefault;
      }
    },
  });
}
