/** The reference the latency tests compare LatencyRecorder with: hdr-histogram-js built as the recorder's is, each value recorded alone. */
import hdr, { type JsHistogram } from 'hdr-histogram-js';

/** The histogram LatencyRecorder builds (1 ns .. 1 h, 3 digits). */
export const referenceHistogram = (): JsHistogram =>
  hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000_000, numberOfSignificantValueDigits: 3, autoResize: false, bitBucketSize: 64 }) as JsHistogram;

/** Record `x` ns as LatencyRecorder.record clamps it, with the library's own recordValue. */
export function recordAlone(h: JsHistogram, x: number): void {
  h.recordValue(Math.max(1, Math.min(Math.round(x), 3_600_000_000_000)));
}
