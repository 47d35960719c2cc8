// GET /disk to a client that reads slowly: each full socket buffer waits for 'drain' or 'close', and the listener that did not fire is removed (no pile-up, no MaxListenersExceededWarning).
import { request } from 'node:http';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createImageFile } from '../../src/qed/open-file.js';
import { tempDirs } from '../helpers/tmp.js';
import { startServe } from './session.js';

const tmp = tempDirs('qed-bench-serve-slow-');

describe('GET /disk to a slow reader', () => {
  it('streams the whole disk without a listener leak warning', async () => {
    const dir = await tmp();
    const image = join(dir, 'disk.qed');
    await createImageFile(image, { size: 32 * 1024 * 1024 });
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
    process.on('warning', onWarning);
    const s = await startServe(image, { http: true, nbd: false, resultsFile: join(dir, 'r.json') });
    try {
      const got = await new Promise<number>((resolve, reject) => {
        request(`${s.httpUrl}/disk`, (res) => {
          let n = 0;
          // Pause after every chunk so the server's socket buffer fills again and again.
          res.on('data', (c: Buffer) => {
            n += c.length;
            res.pause();
            setTimeout(() => res.resume(), 1);
          });
          res.on('end', () => resolve(n));
          res.on('error', reject);
        })
          .on('error', reject)
          .end();
      });
      expect(got).toBe(32 * 1024 * 1024);
    } finally {
      await s.stop();
      process.off('warning', onWarning);
    }
    expect(warnings.filter((w) => w.includes('MaxListenersExceeded'))).toEqual([]);
  });
});
