/** Where allocating writes queue: one queue for the image (serial) or one per L1 entry (parallel). */
import { KeyedFifoLock } from './keyed-lock.js';
import { FifoMutex } from './mutex.js';
import type { AllocationMode } from './options.js';

/**
 * The allocation lock an allocating write takes for the L1 entry (`key`) its run lies under.
 * `busy(key)` says whether it would wait (counted as an allocation wait).
 */
export interface AllocationQueue {
  busy(key: number): boolean;
  acquire(key: number): Promise<void>;
  release(key: number): void;
}

/** QEMU's queue: one allocating write at a time, whatever its L1 entry (a plain mutex: no map work). */
class SerialQueue implements AllocationQueue {
  private readonly lock = new FifoMutex();

  busy(): boolean {
    return this.lock.held;
  }

  acquire(): Promise<void> {
    return this.lock.acquire();
  }

  release(): void {
    this.lock.release();
  }
}

/** Allocating writes under different L1 entries run together; under one entry they queue. */
class ParallelQueue implements AllocationQueue {
  private readonly locks = new KeyedFifoLock();

  busy(key: number): boolean {
    return this.locks.busy(key);
  }

  acquire(key: number): Promise<void> {
    return this.locks.acquire(key);
  }

  release(key: number): void {
    this.locks.release(key);
  }
}

export function allocationQueue(mode: AllocationMode): AllocationQueue {
  return mode === 'serial' ? new SerialQueue() : new ParallelQueue();
}
