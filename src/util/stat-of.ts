/** A path's stat, or null where there is none (missing, unreadable): for checks made before any work. */
import { statSync, type Stats } from 'node:fs';

export function statOf(path: string): Stats | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}
