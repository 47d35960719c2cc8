/** qemu-img bench: QEMU's own QED driver with its default aio (thread pool) or io_uring, cache=writeback (its default) or none (O_DIRECT). */
import fs from 'node:fs';
import path from 'node:path';
import type { Peer, PeerContext } from './peer.js';
import { runTool } from './tools.js';

export function qemuImgPeer(aio: 'threads' | 'io_uring', skip: string | null, cache: 'writeback' | 'none' = 'writeback'): Peer {
  return {
    id: `qemu-img-${aio}${cache === 'none' ? '-none' : ''}`,
    label: `qemu-img bench, aio=${aio}${cache === 'none' ? ', -t none (O_DIRECT)' : aio === 'threads' ? ' (default)' : ''}`,
    group: 'QEMU',
    inProcess: false,
    skip,
    depth: (c) => c.depth,
    async run(c, ctx) {
      const target = c.fresh ? await freshQemuImage(ctx, `${aio}-${cache}`) : ctx.image;
      try {
        const args = ['bench', '-f', 'qed', '-c', String(c.ops), '-d', String(c.depth), '-s', String(c.bs), '-S', String(c.stride)];
        if (c.op === 'write') args.push('-w', '--pattern=165');
        if (aio === 'io_uring') args.push('-i', 'io_uring');
        if (cache === 'none') args.push('-t', 'none');
        args.push(target);
        const r = await runTool('qemu-img', args);
        const m = /Run completed in ([\d.]+) seconds/.exec(r.stdout);
        if (r.code !== 0 || !m) throw new Error(`qemu-img ${args.join(' ')} failed (exit ${r.code}): ${(r.stderr || r.stdout).trim()}`);
        return c.ops / Math.max(Number(m[1]), 0.001); // seconds to three decimals: runs should last 0.5 s or more
      } finally {
        if (c.fresh) fs.rmSync(target, { force: true });
      }
    },
  };
}

async function freshQemuImage(ctx: PeerContext, tag: string): Promise<string> {
  const file = path.join(ctx.dir, `fresh-qemu-${tag}.qed`);
  const r = await runTool('qemu-img', ['create', '-q', '-f', 'qed', '-o', `cluster_size=${ctx.clusterSize}`, file, String(ctx.size)]);
  if (r.code !== 0) throw new Error(`qemu-img create failed: ${r.stderr.trim()}`);
  return file;
}

