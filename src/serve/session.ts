/** A serve session: open the image of a workload, put the NBD and HTTP front ends on it, stop cleanly into a results file. */
import { stat } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { faultWrapper } from '../io/faults.js';
import { recordedIoChoice } from '../io/io-choice.js';
import { buildResults, type RunResults } from '../metrics/results.js';
import { totalOf, OPS, type OpName } from '../metrics/phase.js';
import type { LatencyRecorder } from '../metrics/latency.js';
import type { QedImage } from '../qed/image.js';
import { openImageFile } from '../qed/open-file.js';
import { qemuImgCheck } from '../replay/qemu-check.js';
import { prepareImage } from '../replay/runner.js';
import { emptyIntegrityReport } from '../replay/shadow.js';
import type { Workload } from '../workload/types.js';
import { HttpFront, DEFAULT_PUT_LIMIT } from './http/server.js';
import type { ListenAddress } from './listen.js';
import { ServeMetrics } from './metrics.js';
import { NbdServer } from './nbd/server.js';
import { NO_OBSERVER } from './target.js';

export interface ServeConfig {
  workload: Workload;
  nbd: ListenAddress | null;
  http: ListenAddress | null;
  readOnly: boolean;
  handshakeTimeoutMs?: number;
  idleTimeoutMs?: number;
  /** Largest PUT /disk body (bytes). */
  putLimit?: number;
  /** Told of protocol errors (one line each). */
  log?: (line: string) => void;
}

export class ServeSession {
  private constructor(
    readonly workload: Workload,
    readonly img: QedImage,
    readonly imagePath: string,
    readonly created: boolean,
    readonly metrics: ServeMetrics,
    readonly nbd: NbdServer | null,
    readonly nbdAddress: AddressInfo | null,
    readonly http: HttpFront | null,
    readonly httpAddress: AddressInfo | null,
    private readonly startedAt: string,
  ) {}

  static async start(cfg: ServeConfig): Promise<ServeSession> {
    const startedAt = new Date().toISOString();
    const w = cfg.workload;
    const { path, created } = await prepareImage(w); // a fresh image is kept: what clients wrote is the point
    const img = await openImageFile(path, {
      readOnly: cfg.readOnly,
      l2Cache: w.cache,
      allocation: w.engine.allocation,
      io: w.image.io,
      cache: w.image.cache,
      wrap: faultWrapper(w.scheduler.faults, w.scheduler.seed)?.wrap, // scheduler.faults apply to served I/O as to a replay
    });
    const metrics = new ServeMetrics(img);
    if (cfg.log) {
      const log = cfg.log;
      metrics.listeners.push({ ...NO_OBSERVER, protocolError: (p, kind, detail) => log(`${p} ${kind}: ${detail}`) });
    }
    let nbd: NbdServer | null = null;
    let http: HttpFront | null = null;
    try {
      nbd = cfg.nbd ? new NbdServer({ target: img, observer: metrics, handshakeTimeoutMs: cfg.handshakeTimeoutMs, idleTimeoutMs: cfg.idleTimeoutMs, description: `qed-bench ${path}` }) : null;
      const nbdAddress = nbd && cfg.nbd ? await nbd.listen(cfg.nbd.host, cfg.nbd.port) : null;
      http = cfg.http
        ? new HttpFront({
            target: img,
            stats: img,
            metrics,
            putLimit: cfg.putLimit ?? DEFAULT_PUT_LIMIT,
            config: () => ({ image: path, readOnly: img.readOnly, size: img.size, cache: w.cache, allocation: w.engine.allocation, nbd: nbdAddress ? `nbd://${hostPort(nbdAddress)}` : null, workload: w.source }),
          })
        : null;
      const httpAddress = http && cfg.http ? await http.listen(cfg.http.host, cfg.http.port) : null;
      return new ServeSession(w, img, path, created, metrics, nbd, nbdAddress, http, httpAddress, startedAt);
    } catch (err) {
      await nbd?.stop().catch(() => {});
      await http?.stop().catch(() => {});
      await img.close().catch(() => {});
      throw err;
    }
  }

  /**
   * Stop accepting, let clients' requests in flight finish, flush and close the image (need-check
   * cleared by the idle flush), check it (ours, then qemu-img check when on PATH), return the results.
   */
  async stop(): Promise<{ results: RunResults; needCheck: boolean }> {
    await Promise.all([this.nbd?.stop(), this.http?.stop()]);
    if (!this.img.readOnly) await this.img.flush();
    const needCheck = this.img.needsCheck;
    const phase = this.metrics.phase.finish();
    const check = await this.img.check();
    await this.img.close();
    const qemuCheck = await qemuImgCheck(this.imagePath, false);
    const latencies = Object.fromEntries(OPS.map((o) => [o, this.metrics.phase.latency(o)])) as Record<OpName, LatencyRecorder>;
    const structural = check.corruptions > 0 || check.checkErrors > 0 || (qemuCheck !== null && qemuCheck.corruptions > 0);
    const results = buildResults(this.workload, {
      status: 'completed',
      startedAt: this.startedAt,
      finishedAt: new Date().toISOString(),
      image: { path: this.imagePath, created: this.created, kept: true, fileBytes: (await stat(this.imagePath)).size, io: recordedIoChoice(this.imagePath, this.workload.image) },
      phases: [phase],
      total: totalOf([phase], latencies),
      timing: 'wall-clock',
      scheduler: null,
      // No shadow model: the clients' data is theirs to verify (fio verify, qemu-io -P).
      integrity: { ...emptyIntegrityReport(structural ? 'failed' : 'skipped'), check, qemuCheck },
      recovery: null,
      mrc: null,
    });
    return { results, needCheck };
  }
}

export function hostPort(a: AddressInfo): string {
  return a.family === 'IPv6' ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
}
