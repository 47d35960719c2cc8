/**
 * fio on the image file treated as raw: the case's requests replayed from an iolog at the file
 * offsets the image maps them to (same blocks, same order), or, for allocating writes,
 * sequential writes into a fresh sparse file (--fallocate=none, so each write allocates).
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
      if (c.fresh) {
        args.push(`--filename=${fresh}`, '--rw=write', `--bs=${c.bs}`, `--size=${c.ops * c.bs}`, '--fallocate=none');
      } else {
        args.push(`--read_iolog=${iolog(c, ctx)}`, '--replay_no_stall=1');
      }
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

/** fio's iolog v2 of the case's requests at their file offsets on the full image (written once). */
function iolog(c: BenchCase, ctx: PeerContext): string {
  const file = path.join(ctx.dir, `iolog-${c.id}.txt`);
  if (fs.existsSync(file)) return file;
  const host = ctx.host.get(c.id);
  if (!host) throw new Error(`no file offsets for case ${c.id}`);
  const lines = ['fio version 2 iolog', `${ctx.image} add`, `${ctx.image} open`];
  for (const off of host) lines.push(`${ctx.image} ${c.op} ${off} ${c.bs}`);
  lines.push(`${ctx.image} close`, '');
  fs.writeFileSync(file, lines.join('\n'));
  return file;
}
