/** bench:peers: what a peer (one way of doing a case's requests) is and what it runs on. */
import type { CacheMode, IoMode } from '../../src/io/file-backend.js';
import type { AllocationMode } from '../../src/qed/options.js';
import type { BenchCase, CaseId } from './cases.js';

/** What every peer runs on. */
export interface PeerContext {
  /** Temp directory for fresh images, iologs and fio output; removed at the end. */
  dir: string;
  /** The fully allocated, page-cached QED image (read and overwrite cases). */
  image: string;
  size: number;
  clusterSize: number;
  /** File offsets of each case's requests on the full image (raw peers use these). */
  host: Map<CaseId, Float64Array>;
}

/** One way of doing a case's requests; `run` returns operations per second. */
export interface Peer {
  id: string;
  label: string;
  group: 'QEMU' | 'qed-bench' | 'raw';
  /** Runs in this process (JIT, libuv pool): warmed up before the timed runs. */
  inProcess: boolean;
  /** Why it cannot run here (tool missing), or null. */
  skip: string | null;
  /** Does this peer take part in the case (default: yes). */
  applies?(c: BenchCase): boolean;
  depth(c: BenchCase): number;
  run(c: BenchCase, ctx: PeerContext): Promise<number>;
}

/** The engine peers' allocation mode, in their id and label. */
export function allocationTag(mode: AllocationMode): string {
  return mode === 'serial' ? '' : `, allocation ${mode}`;
}

/** The engine peers' file I/O path and cache mode, in their label (auto and writeback, the defaults, say nothing). */
export function ioTag(io: IoMode, cache: CacheMode = 'writeback'): string {
  return `${io === 'auto' ? '' : `, io ${io}`}${cache === 'none' ? ', cache none (O_DIRECT)' : ''}`;
}

/** The same, in a peer id. */
export function ioId(io: IoMode, cache: CacheMode = 'writeback'): string {
  return `${io === 'auto' ? '' : `-${io}`}${cache === 'none' ? '-direct' : ''}`;
}
