/** The integrity verdict of a run (results `integrity`): what the shadow model and the checks found. */

/** A run of sectors whose content was not what the shadow model expected. */
export interface Violation {
  kind: 'stale-read' | 'lost-write' | 'corrupt' | 'unexpected-data';
  /** Virtual byte offset of the first sector of the run. */
  offset: number;
  /** Sectors in this run with the same expectation and finding. */
  sectors: number;
  /** The write that should be there: its sequence number and kind, or the image's original content. */
  expected: string;
  found: string;
  /** When it was seen: during the replay (by read `readSeq`) or in the final read-back. */
  during: 'replay' | 'read-back';
  readSeq?: number;
}

export interface IntegrityReport {
  verdict: 'passed' | 'failed' | 'skipped';
  writesTracked: number;
  readsVerified: number;
  sectorsVerified: number;
  sectorsUnverifiable: number;
  staleReads: number;
  lostWrites: number;
  corruptSectors: number;
  unexpectedData: number;
  violations: Violation[];
}

/** A report with nothing counted yet (or nothing verified: 'skipped'). */
export function emptyIntegrityReport(verdict: IntegrityReport['verdict']): IntegrityReport {
  return {
    verdict,
    writesTracked: 0,
    readsVerified: 0,
    sectorsVerified: 0,
    sectorsUnverifiable: 0,
    staleReads: 0,
    lostWrites: 0,
    corruptSectors: 0,
    unexpectedData: 0,
    violations: [],
  };
}

/** What `qemu-img check` said about the image after the run. */
export interface QemuCheck {
  exitCode: number;
  /** qemu-img's message when it could not check the image at all (e.g. table_size 1). */
  error?: string;
  corruptions: number;
  leaks: number;
  checkErrors: number;
  allocatedClusters: number;
  totalClusters: number;
}
