// The deterministic scheduler steps from a process.nextTick queued by a microtask; a nextTick
// anywhere else in src/ could run after that step instead of before it, so only the scheduler may use one.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('process.nextTick in src/', () => {
  it('is used by the deterministic scheduler only', () => {
    const root = fileURLToPath(new URL('../../src', import.meta.url));
    const users = sources(root)
      .filter((f) => /\bnextTick\b/.test(readFileSync(f, 'utf8')))
      .map((f) => path.relative(root, f));
    expect(users).toEqual([path.join('io', 'scheduler.ts')]);
  });
});
