/**
 * A trace file where `run` and `sweep` expect a workload: the trace options they take, and the
 * default workload built from one pass over the trace (its extent and devices).
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { DEFAULT_CLUSTER_SIZE, DEFAULT_TABLE_SIZE } from '../qed/format.js';
import { FORMAT_NAMES } from '../workload/traces/formats.js';
import { DEFAULT_TRACE_IODEPTH, traceWorkloadText, type TraceJobOptions } from '../workload/traces/default-workload.js';
import { FIT_MODES, OFFSET_UNITS, TIME_UNITS, TIMINGS, parseColumns, parseSpeed } from '../workload/traces/options.js';
import { resolveFormat } from '../workload/traces/reader.js';
import { traceStats } from '../workload/traces/stats.js';
import { TraceError } from '../workload/traces/types.js';
import { WorkloadError } from '../workload/errors.js';
import { boundedIntArg, intArg } from './options.js';
import { CliUsageError } from './errors.js';
import { DEFAULTS } from '../workload/schema.js';
import { resolve } from 'node:path';

/** The trace options as commander gives them (all optional). */
export type TraceCliOptions = Partial<TraceJobOptions>;

/** Anything but a .yaml/.yml file is a trace. */
export const isTraceFile = (path: string): boolean => !/\.ya?ml$/i.test(path);

/** The options that read a trace (stats, convert and the replay commands). */
export function addTraceReadOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--format <name>', 'trace format (default: detected from the name and first lines)').choices(FORMAT_NAMES))
    .option('--device <name>', 'only this device / volume / LUN (run and sweep of a trace: "all" = one parallel job per device; a YAML workload sets trace.device per job)')
    .option('--max-bad-lines <n>', 'skip and count up to n bad lines instead of stopping at the first', intArg)
    .option('--columns <map>', 'format csv: 1-based columns, e.g. time=1,offset=3,size=4,op=2,device=5')
    .addOption(new Option('--offset-unit <unit>', 'format csv: offset and size unit').choices(Object.keys(OFFSET_UNITS)))
    .addOption(new Option('--time-unit <unit>', 'format csv: time unit').choices(Object.keys(TIME_UNITS)));
}

/** run / sweep: the read options plus how to replay. */
export function addTraceReplayOptions(cmd: Command): Command {
  return addTraceReadOptions(cmd)
    .addOption(new Option('--fit <mode>', 'trace input: a request past the image: error, wrap (offset modulo the size) or scale').choices(FIT_MODES))
    .addOption(new Option('--timing <mode>', 'trace input: fast (as fast as iodepth allows) or original (the trace times)').choices(TIMINGS))
    .option('--speed <factor>', 'trace input: timing original this many times faster, e.g. 10x', speedArg)
    // Checked where it is typed: the default workload's schema would blame a line of its own YAML, named as the trace's.
    .option('--iodepth <n>', `trace input: requests in flight per job (default ${DEFAULT_TRACE_IODEPTH})`, boundedIntArg(DEFAULTS.maxIodepth, "a job's most requests in flight"));
}

/** Each trace option and the job field a YAML workload sets it with. */
const YAML_FIELD_OF: Record<keyof TraceCliOptions, string> = {
  device: 'trace.device',
  format: 'trace.format',
  maxBadLines: 'trace.max_bad_lines',
  columns: 'trace.columns',
  offsetUnit: 'trace.offset_unit',
  timeUnit: 'trace.time_unit',
  fit: 'trace.fit',
  timing: 'trace.timing',
  speed: 'trace.speed',
  iodepth: 'iodepth',
};

const FLAG_OF = (key: string): string => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/**
 * run / sweep of a YAML workload: the trace options only shape the default workload of a bare
 * trace, so given with a YAML file they would be silently ignored. Refused, naming where each goes.
 */
export function refuseTraceOptionsForYaml(workload: string, o: TraceCliOptions): void {
  if (isTraceFile(workload)) return;
  const given = (Object.keys(YAML_FIELD_OF) as Array<keyof TraceCliOptions>).filter((k) => o[k] !== undefined);
  if (!given.length) return;
  const flags = given.map((k) => `${FLAG_OF(k)} ${String(o[k])}`).join(', ');
  const fields = given.map((k) => YAML_FIELD_OF[k]).join(', ');
  throw new CliUsageError(
    `${workload}: ${flags}: trace options only apply to a trace given in place of the workload; a YAML workload sets them per job (${fields}): write them in the file or use --set, e.g. --set phases[0].jobs[0].${YAML_FIELD_OF[given[0]]}=${String(o[given[0]])}`,
  );
}

/** --speed checked where it is typed (the default workload would otherwise name its own YAML line); kept as written. */
function speedArg(v: string): string {
  try {
    parseSpeed(v);
  } catch (err) {
    throw new InvalidArgumentError(`"${v}": ${(err as Error).message}`);
  }
  return v;
}

export function readOptionsOf(o: TraceCliOptions) {
  return {
    format: o.format,
    maxBadLines: o.maxBadLines,
    columns: o.columns ? parseCsvColumns(o.columns) : undefined,
    offsetUnit: o.offsetUnit ? OFFSET_UNITS[o.offsetUnit] : undefined,
    timeUnit: o.timeUnit ? TIME_UNITS[o.timeUnit] : undefined,
  };
}

function parseCsvColumns(v: string) {
  try {
    return parseColumns(v);
  } catch (err) {
    throw new TraceError('--columns', (err as Error).message);
  }
}

/** A trace (or its device) with no request: nothing to replay, count or convert. */
export function noRequests(path: string, device: string | undefined, consequence: string): TraceError {
  const what = device === undefined ? 'no requests (an empty file, a header only, or no line a request)' : `no requests for device "${device}"`;
  return new TraceError(path, `${what}; ${consequence}${device === undefined ? '' : ' (`qed-bench trace stats` without --device lists the devices)'}`);
}

/**
 * A problem with a trace's default workload (too many devices for one image, for the iodepth
 * limit) has no line in the trace: named by its field, for the file, not at the generated
 * YAML's line:col read as the trace's.
 */
export function withoutLines<T>(file: string, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (!(err instanceof WorkloadError)) throw err;
    throw new WorkloadError(`${file} (the default workload built for this trace)`, err.problems.map(({ line: _line, col: _col, ...p }) => p));
  }
}

/** The default workload of a trace, as YAML text, and the file name messages use. */
export async function traceWorkload(path: string, o: TraceCliOptions): Promise<{ text: string; file: string }> {
  const file = resolve(path);
  const format = resolveFormat(file, o.format).name;
  const device = o.device === 'all' ? undefined : o.device;
  const stats = await traceStats(file, { ...readOptionsOf(o), format, clusterSize: DEFAULT_CLUSTER_SIZE, tableSize: DEFAULT_TABLE_SIZE, sampleRate: 0, device, hash: false, footprint: false });
  if (stats.requests === 0) throw noRequests(path, device, 'nothing to replay');
  const text = traceWorkloadText(file, { ...o, format, iodepth: o.iodepth ?? DEFAULT_TRACE_IODEPTH }, stats);
  return { text, file: path };
}
