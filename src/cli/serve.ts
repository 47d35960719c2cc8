/** `qed-bench serve IMAGE|WORKLOAD.yaml`: the engine behind an NBD server and an HTTP front end until Ctrl-C / SIGTERM. */
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { formatSummary } from '../report/summary.js';
import { checkExposure, ListenAddressError, parseListen, type ListenAddress } from '../serve/listen.js';
import { hostPort, ServeSession } from '../serve/session.js';
import { DEFAULT_HANDSHAKE_TIMEOUT_MS, DEFAULT_IDLE_TIMEOUT_MS } from '../serve/nbd/server.js';
import { DEFAULT_PUT_LIMIT } from '../serve/http/server.js';
import { safeFileName } from '../util/file-name.js';
import { inspectImage, loadWorkload, parseWorkload } from '../workload/load.js';
import type { Workload } from '../workload/types.js';
import { CliUsageError, EXIT_FAILURE, EXIT_OK } from './errors.js';
import { pathArg, positiveTimerMsArg, setArg, sizeArg, timerMsArg, type RegisterCommand } from './options.js';
import type { Output } from './output.js';

export interface ServeCommandOptions {
  target: string;
  nbd: string | false;
  http?: string;
  allowRemote?: boolean;
  set: string[];
  readOnly?: boolean;
  out?: string;
  resultsDir: string;
  handshakeTimeout: number;
  idleTimeout: number;
  putLimit: number;
  json?: boolean;
  quiet?: boolean;
  /** Tests: resolves to the session once listening; the command stops when `stop` resolves. */
  onListening?: (s: ServeSession) => void;
  stop?: Promise<void>;
}

export const registerServe: RegisterCommand = (program: Command, out, setCode) => {
  program
    .command('serve')
    .description('serve an image (or a workload\'s image and cache settings) over NBD and HTTP until Ctrl-C / SIGTERM; then flush, close cleanly, write a results file')
    .argument('<image|workload>', 'QED image, or a workload YAML file (its image and cache settings; its jobs are not run)')
    .option('--nbd <addr>', 'NBD listen address host:port (port 0: any free port)', '127.0.0.1:10809')
    .option('--no-nbd', 'no NBD server')
    .option('--http <addr>', 'HTTP listen address for /metrics, /status, /disk and the live page at / (default: none)')
    .option('--allow-remote', 'allow listen addresses other than loopback (there is no authentication)')
    .option('--set <key=value>', 'override a workload field, e.g. cache.size=16 (repeatable, each field once)', setArg, [])
    .option('-r, --read-only', 'serve read-only (NBD READ_ONLY flag; writes refused with EPERM, PUT with 403)')
    .option('-o, --out <file>', 'results file (default: results/serve-<name>-<time>.json)', pathArg)
    .option('--results-dir <dir>', 'where results files go without --out', pathArg, 'results')
    .option('--handshake-timeout <ms>', 'close NBD clients that have not finished the handshake after this long', positiveTimerMsArg, DEFAULT_HANDSHAKE_TIMEOUT_MS)
    .option('--idle-timeout <ms>', 'close NBD clients idle this long (0: never)', timerMsArg, DEFAULT_IDLE_TIMEOUT_MS)
    .addOption(new Option('--put-limit <size>', 'largest PUT /disk body (413 beyond)').argParser(sizeArg).default(DEFAULT_PUT_LIMIT, '32M'))
    .option('--json', 'print the results JSON at the end instead of the summary')
    .option('-q, --quiet', 'no status lines while serving')
    .action(async (target: string, o) => setCode(await serveCommand({ target, ...o }, out)));
};

export async function serveCommand(o: ServeCommandOptions, out: Output): Promise<number> {
  const nbd = o.nbd === false ? null : listen(o.nbd, '--nbd', o.allowRemote);
  const http = o.http ? listen(o.http, '--http', o.allowRemote) : null;
  if (!nbd && !http) throw new CliUsageError('serve: nothing to serve with --no-nbd and no --http');
  const workload = await workloadOf(o.target, o.set);
  const session = await ServeSession.start({
    workload,
    nbd,
    http,
    readOnly: o.readOnly ?? false,
    handshakeTimeoutMs: o.handshakeTimeout,
    idleTimeoutMs: o.idleTimeout,
    putLimit: o.putLimit,
    log: o.quiet || o.json ? undefined : (line) => out.stderr(`qed-bench serve: ${line}\n`),
  });
  const img = session.img;
  const lines = [`serving ${session.imagePath}${session.created ? ' (created)' : ''}: ${img.size} bytes, cache ${workload.cache.size} tables ${workload.cache.policy}, ${img.readOnly ? 'read-only' : 'read-write'}`];
  if (session.nbdAddress) lines.push(`nbd:  nbd://${hostPort(session.nbdAddress)}`);
  if (session.httpAddress) lines.push(`http: http://${hostPort(session.httpAddress)}/  (/metrics /status /disk)`);
  lines.push('Ctrl-C or SIGTERM stops: requests in flight finish, the image is flushed and closed clean.');
  out.stdout(`${lines.join('\n')}\n`);
  o.onListening?.(session);

  const ticker = o.quiet || o.json ? null : setInterval(() => out.stderr(`qed-bench serve: ${statusLine(session)}\n`), 10_000);
  ticker?.unref();
  await (o.stop ?? untilSignal(out));
  if (ticker) clearInterval(ticker);

  const { results, needCheck } = await session.stop();
  const path = o.out ?? join(o.resultsDir, `serve-${safeFileName(workload.name)}-${new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}.json`);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(results, null, 2)}\n`);
  if (o.json) out.stdout(`${JSON.stringify(results, null, 2)}\n`);
  else out.stdout(`${formatSummary(results)}\nresults: ${path}\nimage: ${session.imagePath} (closed ${needCheck ? 'with need-check still set' : 'clean, need-check clear'})\n`);
  return results.integrity.verdict === 'failed' ? EXIT_FAILURE : EXIT_OK;
}

function listen(value: string, option: string, allowRemote = false): ListenAddress {
  try {
    const a = parseListen(value, option);
    checkExposure(a, option, allowRemote);
    return a;
  } catch (err) {
    if (err instanceof ListenAddressError) throw new CliUsageError(`serve: ${err.message}`);
    throw err;
  }
}

/** A workload file as it is (its jobs are not run), or an image wrapped in a workload with no jobs. */
async function workloadOf(target: string, set: string[]): Promise<Workload> {
  let ws: Workload[];
  if (/\.ya?ml$/i.test(target)) {
    ws = await loadWorkload(target, { set });
  } else {
    const path = resolve(target);
    const info = inspectImage(path);
    if ('error' in info) throw new CliUsageError(`serve: ${info.error.includes(path) ? '' : `${path}: `}${info.error}`);
    // Named after the image alone: the results file adds "serve-" (was serve-serve-disk-<time>.json).
    const text = `name: ${JSON.stringify(basename(path).replace(/\.qed$/i, ''))}\nimage: { path: ${JSON.stringify(path)} }\nphases: [{ name: clients, jobs: [{ name: clients, op: read, stop: { ops: 1 } }] }]\n`;
    ws = parseWorkload(text, target, { set });
  }
  if (ws.length !== 1) {
    // Each combination's name carries its settings ("w[cache.policy=fifo]"): offer them as --set.
    const picks = ws.slice(0, 3).map((x) => (/\[(.*)\]$/.exec(x.name)?.[1] ?? '').split(',').map((kv) => `--set ${kv}`).join(' '));
    throw new CliUsageError(`serve: ${target} expands to ${ws.length} matrix combinations; serve one, picked with --set (${picks.join(', or ')}${ws.length > 3 ? ', ...' : ''})`);
  }
  const w = ws[0];
  if (w.scheduler.mode === 'deterministic') {
    throw new CliUsageError(`serve: ${target}: scheduler.mode is deterministic, which completes I/O in virtual time for a replay; real clients need real time (--set scheduler.mode=real)`);
  }
  return { ...w, phases: [{ name: 'clients', jobs: [] }] };
}

function statusLine(s: ServeSession): string {
  const c = s.img.cacheStats();
  const k = s.metrics.counts();
  const reqs = Object.values(k.ops).reduce((n, op) => n + op.requests, 0);
  return `${reqs} requests, ${k.connections.nbd.open} nbd + ${k.connections.http.open} http connections, cache ${c.entries}/${c.capacity} tables, hit rate ${c.lookups ? ((c.hits / c.lookups) * 100).toFixed(1) : '-'} %`;
}

/** SIGINT or SIGTERM, once; a second one exits at once. */
function untilSignal(out: Output): Promise<void> {
  return new Promise((resolve) => {
    const handler = (sig: NodeJS.Signals): void => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
      out.stderr(`\nqed-bench serve: ${sig}: finishing requests in flight, flushing and closing the image (again to quit at once)\n`);
      const hard = (): never => process.exit(130);
      process.once('SIGINT', hard);
      process.once('SIGTERM', hard);
      resolve();
    };
    process.on('SIGINT', handler);
    process.on('SIGTERM', handler);
  });
}
