/** One FIFO lock per key, dropped when unused: the engine's allocation and L1 locks. */
import { FifoMutex } from './mutex.js';

/**
 * One FIFO lock per key (an L1 index, an L1 sector), created on first use and dropped when its
 * last holder releases it with nobody waiting: memory grows with the keys in use, not the keys seen.
 */
export class KeyedFifoLock {
  private readonly locks = new Map<number, FifoMutex>();

  /** Someone holds `key`'s lock (and others may wait behind it). */
  busy(key: number): boolean {
    return this.locks.has(key);
  }

  async acquire(key: number): Promise<void> {
    let m = this.locks.get(key);
    if (!m) {
      m = new FifoMutex();
      this.locks.set(key, m);
    }
    await m.acquire();
  }

  release(key: number): void {
    const m = this.locks.get(key);
    if (!m) throw new Error(`KeyedFifoLock: release of key ${key}, which nobody holds`);
    if (m.waiting === 0) this.locks.delete(key);
    m.release();
  }

  /** Run `fn` holding `key`'s lock. */
  async with<T>(key: number, fn: () => Promise<T>): Promise<T> {
    await this.acquire(key);
    try {
      return await fn();
    } finally {
      this.release(key);
    }
  }
}
