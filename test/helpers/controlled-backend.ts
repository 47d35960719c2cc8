import { BackendError, type BlockBackend, type IoEvent } from '../../src/io/backend.js';

interface Gate {
  event: IoEvent;
  /** Resolves when a request with the event has arrived and is being held. */
  reached: Promise<void>;
  arrive: () => void;
  release: () => void;
  opened: Promise<void>;
  used: boolean;
}

/**
 * Wraps a backend so a test decides when chosen I/O completes (hold the next request of an
 * event until released) or fails (the next request of an event gets an errno).
 */
export class ControlledBackend implements BlockBackend {
  private readonly gates: Gate[] = [];
  private readonly failures: Array<{ event: IoEvent; code: string }> = [];
  readonly log: IoEvent[] = [];

  constructor(private readonly inner: BlockBackend) {}

  get name(): string {
    return this.inner.name;
  }

  get readOnly(): boolean {
    return this.inner.readOnly;
  }

  /** Hold the next request tagged `event` until `release()` is called. */
  hold(event: IoEvent): { reached: Promise<void>; release: () => void } {
    let arrive!: () => void;
    let release!: () => void;
    const reached = new Promise<void>((r) => (arrive = r));
    const opened = new Promise<void>((r) => (release = r));
    const g: Gate = { event, reached, arrive, release, opened, used: false };
    this.gates.push(g);
    return { reached, release };
  }

  /** Fail the next request tagged `event` with `code`. */
  failNext(event: IoEvent, code = 'EIO'): void {
    this.failures.push({ event, code });
  }

  read(buf: Uint8Array, offset: number, event?: IoEvent): Promise<void> {
    return this.around(event, () => this.inner.read(buf, offset, event));
  }

  write(buf: Uint8Array, offset: number, event?: IoEvent): Promise<void> {
    return this.around(event, () => this.inner.write(buf, offset, event));
  }

  flush(event?: IoEvent): Promise<void> {
    return this.around(event, () => this.inner.flush(event));
  }

  truncate(size: number): Promise<void> {
    return this.inner.truncate(size);
  }

  size(): Promise<number> {
    return this.inner.size();
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  private async around(event: IoEvent | undefined, op: () => Promise<void>): Promise<void> {
    if (event) this.log.push(event);
    const f = this.failures.findIndex((x) => x.event === event);
    if (f >= 0) {
      const { code } = this.failures.splice(f, 1)[0];
      throw new BackendError(code, `${this.name}: injected ${code} at ${event}`);
    }
    const g = this.gates.find((x) => x.event === event && !x.used);
    if (g) {
      g.used = true;
      g.arrive();
      await g.opened;
    }
    await op();
  }
}
