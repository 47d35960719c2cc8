/** A served image for tests: a real QED file in a temp dir, opened by the engine, behind an NbdServer on an ephemeral loopback port. */
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { createImageFile, openImageFile } from '../../src/qed/open-file.js';
import type { QedImage } from '../../src/qed/image.js';
import type { L2CacheSettings } from '../../src/qed/options.js';
import { ServeMetrics } from '../../src/serve/metrics.js';
import { NbdServer, type NbdServerOptions } from '../../src/serve/nbd/server.js';
import type { ServeTarget } from '../../src/serve/target.js';
import { tempDirs } from '../helpers/tmp.js';
import type { IoMode } from '../../src/io/file-backend.js';

export interface Served {
  img: QedImage;
  path: string;
  server: NbdServer;
  metrics: ServeMetrics;
  port: number;
}

export function servedImages(): (opts?: Partial<NbdServerOptions> & { size?: number; readOnly?: boolean; l2Cache?: Partial<L2CacheSettings>; io?: IoMode; clusterSize?: number; tableSize?: number; wrapTarget?: (t: ServeTarget) => ServeTarget }) => Promise<Served> {
  const tmp = tempDirs('qed-bench-serve-');
  const live: Served[] = [];
  afterEach(async () => {
    for (const s of live.splice(0)) {
      await s.server.stop();
      await s.img.close();
    }
  });
  return async (opts = {}) => {
    const path = join(await tmp(), 'served.qed');
    await createImageFile(path, { size: opts.size ?? 64 * 1024 * 1024, clusterSize: opts.clusterSize, tableSize: opts.tableSize });
    const img = await openImageFile(path, { readOnly: opts.readOnly, l2Cache: opts.l2Cache, io: opts.io });
    const metrics = new ServeMetrics(img);
    const target = opts.wrapTarget ? opts.wrapTarget(img) : img;
    const server = new NbdServer({ ...opts, target, observer: metrics });
    const { port } = await server.listen('127.0.0.1', 0);
    const s = { img, path, server, metrics, port };
    live.push(s);
    return s;
  };
}
