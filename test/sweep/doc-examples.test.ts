/** The sweep and report docs show deterministic figures: the same grid must print them today. */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { cliOk, useTempDir } from '../cli/helpers.js';

const tmp = useTempDir();
const doc = (name: string) => readFile(new URL(`../../docs/${name}`, import.meta.url), 'utf8');

describe('docs/sweep.md and docs/report.md examples', () => {
  it('mixed-parallel at cache sizes 4 and 8, fifo and lru, gives the cells the docs print', async () => {
    const out = tmp.path('s.json');
    const sweep = await cliOk(0, 'sweep', 'workloads/mixed-parallel.yaml', '--cache-size', '4,8', '--policy', 'fifo,lru', '-o', out, '-q');
    const sweepDoc = await doc('sweep.md');
    const md = (await cliOk(0, 'report', out, '--format', 'md')).stdout;
    const reportDoc = await doc('report.md');
    for (const size of ['4', '8']) {
      // sweep.md's table has every policy; its first two columns are fifo and lru.
      const row = sweep.stdout.split('\n').find((l) => l.startsWith(`${size} `))!;
      const cells = row.trim().split(/\s{2,}/).slice(1);
      const docRow = sweepDoc.split('\n').find((l) => l.startsWith(`${size} `) && l.includes('/ +'))!;
      expect(docRow.trim().split(/\s{2,}/).slice(1, 3), `sweep.md size ${size}`).toEqual(cells);
      const mdRow = md.split('\n').find((l) => l.startsWith(`| ${size} |`))!;
      expect(reportDoc.split('\n'), `report.md size ${size}`).toContain(mdRow);
    }
  }, 60_000);
});
