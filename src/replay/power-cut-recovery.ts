/** A power cut during a replay: the crash, the reopen and repair, and what was lost. */
import { BackendError } from '../io/backend.js';
import { MemoryBackend, type MemoryStore } from '../io/memory-backend.js';
import { POWER_CUT_CODE, PowerCut } from '../io/power-cut.js';
import type { DeterministicScheduler } from '../io/scheduler.js';
import type { QemuCheck } from '../metrics/integrity.js';
import type { RecoveryReport } from '../metrics/recovery.js';
import type { CheckResult } from '../qed/check.js';
import { QedFormatError } from '../qed/errors.js';
import { QedImage } from '../qed/image.js';
import { allocationMap } from '../qed/map.js';
import { openImageFile } from '../qed/open-file.js';
import { Rng } from '../util/random.js';
import { WorkloadError } from '../workload/errors.js';
import type { Workload } from '../workload/types.js';
import { qemuImgCheck } from './qemu-check.js';
import type { MappingShadow } from './mapping-shadow.js';
import type { ShadowModel } from './shadow.js';

export type { RecoveryReport };

export interface Recovered {
  recovery: RecoveryReport;
  check: CheckResult;
  qemuCheck: QemuCheck | null;
}

/**
 * A power cut in one replay: arms the scheduler, counts workload requests for the
 * after_requests / random triggers, and after the cut simulates the crash and the recovery.
 */
export class PowerCutRun {
  private readonly pc: PowerCut;
  private done = 0;
  private afterReplay = false;
  private cutRequests = 0;

  private constructor(
    w: Workload,
    private readonly scheduler: DeterministicScheduler,
    private readonly target: number | null,
    shadow: ShadowModel | null,
  ) {
    const spec = w.scheduler.powerCut!;
    this.pc = new PowerCut({
      seed: w.scheduler.seed,
      tear: spec.tear,
      atEvent: spec.kind === 'at-event' ? { event: spec.event, nth: spec.nth } : undefined,
      onCut: () => {
        shadow?.powerCut();
        this.cutRequests = this.done;
      },
    });
    shadow?.trackDurability();
    scheduler.armPowerCut(this.pc);
  }

  /**
   * The workload's power cut, armed on `scheduler` (after the image is open: events of the
   * open are not counted), or null without one. Power cuts need the deterministic scheduler.
   */
  static arm(w: Workload, scheduler: DeterministicScheduler | null, shadow: ShadowModel | null): PowerCutRun | null {
    const spec = w.scheduler.powerCut;
    if (!spec) return null;
    const bad = (message: string): WorkloadError => new WorkloadError(w.source, [{ path: 'scheduler.power_cut', message }]);
    if (!scheduler) throw bad('a power cut needs scheduler.mode: deterministic (under real timing the OS decides what is durable); add mode: deterministic to scheduler');
    let target: number | null = null;
    if (spec.kind === 'after-requests') target = spec.requests;
    if (spec.kind === 'random') {
      const jobs = w.phases.flatMap((p) => p.jobs);
      if (jobs.some((j) => j.stop.ops === undefined)) throw bad('random: true needs stop.ops on every job (the cut falls in 1..the planned number of requests)');
      const planned = jobs.reduce((s, j) => s + j.stop.ops!, 0);
      if (planned < 1) throw bad('random: true needs at least one planned request');
      target = 1 + new Rng(w.scheduler.seed, 0x9c08).below(planned);
    }
    return new PowerCutRun(w, scheduler, target, shadow);
  }

  get happened(): boolean {
    return this.pc.isCut;
  }

  /** A workload request completed (called by the runner for every one, flushes included). */
  onRequestDone(): void {
    this.done++;
    if (this.done === this.target && !this.pc.isCut) void this.scheduler.cutPower();
  }

  /** Rethrows `err` unless it is the cut's own EPOWER (e.g. from the runner's end-of-phase flush). */
  swallow(err: unknown): void {
    if (!(this.pc.isCut && err instanceof BackendError && err.code === POWER_CUT_CODE)) throw err;
  }

  /**
   * The crash and the recovery: cut now if the trigger was never reached, drop the engine
   * without a flush or close (only its descriptors are closed), check what the crash left
   * read-only, reopen writable as any user would (need-check → check and repair), verify every
   * written sector against the shadow model, check again and run `qemu-img check`.
   */
  async recover(a: { img: QedImage; path: string; store: MemoryStore | null; shadow: ShadowModel | null; mappings?: MappingShadow | null; qemuCheck: boolean | 'auto'; cache: Workload['cache'] }): Promise<Recovered> {
    if (!this.pc.isCut) {
      this.afterReplay = true;
      this.cutRequests = this.done;
    }
    await this.scheduler.cutPower();
    await a.img.io.close();
    await a.img.backing?.close();
    const open = (readOnly: boolean): Promise<QedImage> =>
      a.store
        ? QedImage.open(new MemoryBackend(a.store, readOnly), { readOnly, l2Cache: a.cache })
        : openImageFile(a.path, { readOnly, l2Cache: a.cache });

    const ro = await open(true);
    const found = await ro.check().finally(() => ro.close());
    const needCheck = ro.needsCheck;
    const img = await open(false);
    let check: CheckResult;
    let lost = { lostFlushedWrites: 0, lostUnflushedWrites: 0 };
    try {
      check = await img.check();
      if (a.shadow) {
        const read = (buf: Uint8Array, off: number): Promise<void> => readOrGarbage(img, buf, off);
        lost = await a.shadow.verifyAfterCut(read);
        const data = (await allocationMap(img)).filter((e) => e.kind === 'data');
        await a.shadow.verifyUnwritten(data, read);
      }
      if (a.mappings) lost = { lostFlushedWrites: await a.mappings.verifyAfterCut(img), lostUnflushedWrites: 0 };
    } finally {
      await img.close();
    }
    const qemuCheck = a.store || a.qemuCheck === false ? null : await qemuImgCheck(a.path, a.qemuCheck === true);
    const s = this.pc.stats!;
    const shadowBad = a.shadow ? a.shadow.report().verdict === 'failed' : false;
    const unrepaired = check.corruptions > 0 || check.checkErrors > 0 || (qemuCheck !== null && (qemuCheck.corruptions > 0 || qemuCheck.checkErrors > 0));
    const recovery: RecoveryReport = {
      cutAt: { requests: this.cutRequests, backendRequests: s.backendRequests, ...(s.event ? { event: s.event } : {}), afterReplay: this.afterReplay },
      writesUndone: s.writesUndone,
      sectorsTorn: s.sectorsTorn,
      needCheck,
      corruptionsFound: found.corruptions,
      corruptionsFixed: Math.max(0, found.corruptions - check.corruptions),
      leaks: check.leaks,
      ...lost,
      verdict: lost.lostFlushedWrites > 0 || unrepaired || shadowBad ? 'failed' : 'passed',
    };
    return { recovery, check, qemuCheck };
  }
}

/** A read the engine refuses (a corrupt table left unrepaired) reads as garbage: counted, not thrown. */
async function readOrGarbage(img: QedImage, buf: Uint8Array, off: number): Promise<void> {
  try {
    await img.read(buf, off);
  } catch (err) {
    if (!(err instanceof QedFormatError)) throw err;
    buf.fill(0xee);
  }
}
