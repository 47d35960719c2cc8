/**
 * Raw I/O from Node on the image file: a blocking fs.readSync/writeSync loop (one at a time,
 * no thread hop: the limit for one thread) and the project's FileBackend at the case's depth.
 * Same file offsets as the image maps the requests to; fresh: sequential into a new file.
 */
import fs from 'node:fs';
import path from 'node:path';
import { FileBackend } from '../../src/io/file-backend.js';
import { atDepth } from '../lib/lanes.js';
import { elapsedNs, opsPerSec } from '../lib/samples.js';
import type { BenchCase } from './cases.js';
import type { Peer, PeerContext } from './peer.js';

function target(c: BenchCase, ctx: PeerContext, tag: string): { file: string; offsets: Float64Array } {
  if (c.fresh) return { file: path.join(ctx.dir, `fresh-${tag}.raw`), offsets: c.offsets };
  const offsets = ctx.host.get(c.id);
  if (!offsets) throw new Error(`no file offsets for case ${c.id}`);
  return { file: ctx.image, offsets: offsets.subarray(0, c.ops) };
}

export const nodeSyncPeer: Peer = {
  id: 'node-sync',
  label: 'Node fs.readSync/writeSync loop',
  group: 'raw',
  inProcess: true,
  skip: null,
  depth: () => 1,
  async run(c, ctx) {
    const { file, offsets } = target(c, ctx, 'node-sync');
    const fd = fs.openSync(file, c.fresh ? 'w' : c.op === 'read' ? 'r' : 'r+');
    const buf = new Uint8Array(c.bs).fill(0xa5);
    try {
      const t0 = process.hrtime.bigint();
      if (c.op === 'read') for (const off of offsets) fs.readSync(fd, buf, 0, c.bs, off);
      else for (const off of offsets) fs.writeSync(fd, buf, 0, c.bs, off);
      return opsPerSec(offsets.length, elapsedNs(t0));
    } finally {
      fs.closeSync(fd);
      if (c.fresh) fs.rmSync(file, { force: true });
    }
  },
};

export const fileBackendPeer: Peer = {
  id: 'file-backend',
  label: 'qed-bench FileBackend (raw file)',
  group: 'raw',
  inProcess: true,
  skip: null,
  depth: (c) => c.depth,
  async run(c, ctx) {
    const { file, offsets } = target(c, ctx, 'file-backend');
    const b = await FileBackend.open(file, { readOnly: c.op === 'read', create: c.fresh });
    try {
      const ns = await atDepth(offsets, c.depth, c.bs, c.op === 'read' ? (buf, off) => b.read(buf, off) : (buf, off) => b.write(buf, off), 0xa5);
      return opsPerSec(offsets.length, ns);
    } finally {
      await b.close();
      if (c.fresh) fs.rmSync(file, { force: true });
    }
  },
};
