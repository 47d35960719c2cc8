/**
 * qed-bench itself, real timing on the file backend: the engine alone (QedImage driven at the
 * case's depth by the same lane loop as the raw peers) and the full replay runner (runWorkload
 * from a workload, verification off, no qemu-img check), each on a chosen file I/O path (auto,
 * the default, and the named ones) and the engine also with cache: none (O_DIRECT).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { CacheMode, IoMode } from '../../src/io/file-backend.js';
import type { AllocationMode } from '../../src/qed/options.js';
import { createImageFile, openImageFile } from '../../src/qed/open-file.js';
import { runWorkload } from '../../src/replay/runner.js';
import { parseWorkload } from '../../src/workload/load.js';
import { atDepth } from '../lib/lanes.js';
import { opsPerSec } from '../lib/samples.js';
import type { BenchCase } from './cases.js';
import { allocationTag, ioId, ioTag, type Peer, type PeerContext } from './peer.js';

export function enginePeer(allocation: AllocationMode, io: IoMode = 'auto', cache: CacheMode = 'writeback'): Peer {
  return {
    id: `engine${allocation === 'serial' ? '' : `-${allocation}`}${ioId(io, cache)}`,
    label: `qed-bench engine alone (QedImage)${allocationTag(allocation)}${ioTag(io, cache)}`,
    group: 'qed-bench',
    inProcess: true,
    skip: null,
    // The allocation mode only matters where writes allocate.
    applies: (c) => allocation === 'serial' || c.fresh,
    depth: (c) => c.depth,
    async run(c, ctx) {
      const file = c.fresh ? path.join(ctx.dir, `fresh-engine-${allocation}-${io}-${cache}.qed`) : ctx.image;
      if (c.fresh) await createImageFile(file, { size: ctx.size, clusterSize: ctx.clusterSize });
      const img = await openImageFile(file, { readOnly: c.op === 'read', allocation, io, cache });
      try {
        const io = c.op === 'read' ? (b: Uint8Array, o: number) => img.read(b, o) : (b: Uint8Array, o: number) => img.write(b, o);
        return opsPerSec(c.ops, await atDepth(c.offsets, c.depth, c.bs, io, 0xa5));
      } finally {
        await img.close();
        if (c.fresh) fs.rmSync(file, { force: true });
      }
    },
  };
}

export function runnerPeer(allocation: AllocationMode, io: IoMode = 'auto'): Peer {
  return {
    id: `runner${allocation === 'serial' ? '' : `-${allocation}`}${ioId(io)}`,
    label: `qed-bench runner (runWorkload, no verify)${allocationTag(allocation)}${ioTag(io)}`,
    group: 'qed-bench',
    inProcess: true,
    skip: null,
    // As the engine's rows: serial everywhere, parallel where writes allocate; so the runner's
    // serial row divides by the engine's reference (serial) like with like.
    applies: (c) => allocation === 'serial' || c.fresh,
    depth: (c) => c.depth,
    async run(c, ctx) {
      const out = await runWorkload(workloadFor(c, ctx, allocation, io), { verify: false, qemuCheck: false, sampleEvery: c.ops });
      // The phase ends with a flush (fsync), which qemu-img bench does not time: the rate is
      // taken at the last request's completion, the time-series point sampled there.
      const last = out.phases[0]?.timeSeries.at(-1);
      if (!last || last.requests !== c.ops) throw new Error(`runner completed ${last?.requests ?? 0} of ${c.ops} requests`);
      return opsPerSec(c.ops, last.t * 1e6);
    },
  };
}

function workloadFor(c: BenchCase, ctx: PeerContext, allocation: AllocationMode, io: IoMode) {
  const image = c.fresh ? `{ size: ${ctx.size}, cluster_size: ${ctx.clusterSize}, io: ${io} }` : `{ path: ${JSON.stringify(ctx.image)}, io: ${io} }`;
  // align = bs: the generator's stride then wraps at the disk size, as qemu-img bench's does.
  const pattern = c.stride === c.bs ? 'pattern: sequential' : `pattern: strided, stride: ${c.stride}, align: ${c.bs}`;
  const yaml = [
    `name: peers-${c.id}-${io}`,
    `image: ${image}`,
    'cache: { size: 50, policy: fifo }',
    ...(allocation === 'serial' ? [] : [`engine: { allocation: ${allocation} }`]),
    'phases:',
    `  - jobs: [{ ${pattern}, op: ${c.op}, bs: ${c.bs}, iodepth: ${c.depth}, stop: { ops: ${c.ops} } }]`,
    '',
  ].join('\n');
  return parseWorkload(yaml, path.join(ctx.dir, `peers-${c.id}-${io}.yaml`))[0];
}
