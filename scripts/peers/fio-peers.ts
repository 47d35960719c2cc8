/**
 * fio on the image file treated as raw: the case's requests replayed from an iolog (v2) at the
 * file offsets the image maps them to (same blocks, same order); for allocating writes, at the
 * virtual offsets in a fresh file, which fio creates sparse, so each write allocates.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { BenchCase } from './cases.js';
import type { Peer, PeerContext } from './peer.js';
import { runTool } from './tools.js';

export function fioPeer(engine: 'psync' | 'io_uring', skip: string | null): Peer {
  return {
    id: `fio-${engine}`,
    label: engine === 'psync' ? 'fio psync (raw file)' : 'fio io_uring (raw file)',
    group: 'raw',
    inProcess: false,
    skip,
    depth: (c) => (engine === 'psync' ? 1 : c.depth),
    async run(c, ctx) {
      const out = path.join(ctx.dir, `fio-${engine}.json`);
      const fresh = path.join(ctx.dir, `fresh-fio-${engine}.raw`);
      const args = [`--name=peers-${c.id}`, `--ioengine=${engine}`, '--invalidate=0', '--output-format=json', `--output=${out}`];
      if (engine !== 'psync') args.push(`--iodepth=${c.depth}`);
      args.push(`--read_iolog=${c.fresh ? iolog(c, ctx, fresh, c.offsets) : iolog(c, ctx, ctx.image, ctx.host.get(c.id))}`, '--replay_no_stall=1');
      try {
        const r = await runTool('fio', args);
        if (r.code !== 0) throw new Error(`fio ${args.join(' ')} failed (exit ${r.code}): ${r.stderr.trim()}`);
        const job = (JSON.parse(fs.readFileSync(out, 'utf8')) as { jobs: Array<Record<string, { iops: number; total_ios: number }>> }).jobs[0];
        const side = job[c.op];
        if (side.total_ios !== c.ops) throw new Error(`fio did ${side.total_ios} of ${c.ops} ${c.op}s`);
        return side.iops;
      } finally {
        fs.rmSync(out, { force: true });
        fs.rmSync(fresh, { force: true });
      }
    },
  };
}

/** fio's iolog v2 of the case's requests on `target` at `offsets` (written once per case, target and count). */
function iolog(c: BenchCase, ctx: PeerContext, target: string, offsets: Float64Array | undefined): string {
  if (!offsets) throw new Error(`no file offsets for case ${c.id}`);
  const file = path.join(ctx.dir, `iolog-${c.id}-${path.basename(target)}-${c.ops}.txt`);
  if (fs.existsSync(file)) return file;
  const lines = ['fio version 2 iolog', `${target} add`, `${target} open`];
  for (const off of offsets.subarray(0, c.ops)) lines.push(`${target} ${c.op} ${off} ${c.bs}`);
  lines.push(`${target} close`, '');
  fs.writeFileSync(file, lines.join('\n'));
  return file;
}
