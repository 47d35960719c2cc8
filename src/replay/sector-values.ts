/** The values the shadow model keeps per sector (sector-map.ts), shared by shadow.ts and durability.ts. */
import type { SectorContent } from './stamp.js';

/** Sector-map values: 0 never written, seq of a data write, seq | ZERO_BIT of a zero write. */
export const ZERO_BIT = 0x80000000;
/** A sector whose content cannot be predicted (failed or unaligned write). */
export const UNKNOWN = 0xffffffff;

/** Whether a sector read back shows the write (or zeros) its map value says. */
export function matches(want: number, got: SectorContent): boolean {
  if (want === 0 || want & ZERO_BIT) return got.kind === 'zeros';
  return got.kind === 'stamp' && got.seq === want;
}
