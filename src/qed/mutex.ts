/** A FIFO lock: waiters are served in arrival order, as QEMU's allocating-write queue. */
export class FifoMutex {
  private locked = false;
  private readonly waiters: Array<() => void> = [];

  /** Someone holds the lock (and others may wait behind it). */
  get held(): boolean {
    return this.locked;
  }

  get waiting(): number {
    return this.waiters.length;
  }

  async acquire(): Promise<void> {
    if (!this.locked) {
      this.locked = true;
      return;
    }
    await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  release(): void {
    const next = this.waiters.shift();
    if (next) next(); // ownership passes directly; `locked` stays true
    else this.locked = false;
  }

  /** Run `fn` holding the lock. */
  async with<T>(fn: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await fn();
    } finally {
      this.release();
    }
  }
}
