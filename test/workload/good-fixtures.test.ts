import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadWorkload } from '../../src/workload/load.js';

const ROOT = join(import.meta.dirname, '..', '..');
const yamlIn = (dir: string) => readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).map((f) => join(dir, f));

const shipped = yamlIn(join(ROOT, 'workloads'));
const fixtures = yamlIn(join(import.meta.dirname, 'fixtures', 'good'));

describe('valid workloads load', () => {
  it('there are good fixtures to check', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(3);
  });

  it.each([...shipped, ...fixtures])('%s', async (path) => {
    const runs = await loadWorkload(path);
    expect(runs.length).toBeGreaterThan(0);
    for (const w of runs) {
      expect(w.source).toBe(path);
      expect(w.phases.length).toBeGreaterThan(0);
      expect(w.phases.every((p) => p.jobs.length > 0 || (p.scenario?.length ?? 0) > 0)).toBe(true);
      expect(w.image.size).toBeGreaterThan(0);
    }
  });
});
