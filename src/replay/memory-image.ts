/** A fresh image in memory for a replay without file I/O (stress and sweep runs). */
import type { BlockBackend } from '../io/backend.js';
import { MemoryBackend, MemoryStore } from '../io/memory-backend.js';
import { MetadataBackend } from '../io/metadata-backend.js';
import { SparseMemoryBackend } from '../io/sparse-memory-backend.js';
import { QedUsageError } from '../qed/errors.js';
import { createImage } from '../qed/create.js';
import { QedImage } from '../qed/image.js';
import type { Workload } from '../workload/types.js';
import { STAMP_CODEC } from './stamp.js';

/** Shown as the image path of a run whose image lived in memory. */
export const MEMORY_IMAGE_PATH = '(memory)';

/**
 * A fresh image of the workload's geometry in a MemoryStore, opened through `wrap` (the
 * deterministic scheduler's attach, or identity): a replay without file I/O, for seed sweeps.
 * Nothing is kept and `qemu-img check` cannot see it; our own check still runs. With
 * `metadataOnly` the store keeps header, L1 and L2 bytes and drops data (see metadata-backend.ts);
 * without, it keeps each stamped sector as its stamp (16 bytes) and any other bytes as they are.
 */
export async function openMemoryImage(
  w: Workload,
  wrap: (b: BlockBackend) => BlockBackend,
  metadataOnly = false,
): Promise<{ img: QedImage; store: MemoryStore }> {
  const what = metadataOnly ? 'a metadata-only' : 'an in-memory';
  if (w.image.path) throw new QedUsageError(`${what} run needs a fresh image, but the workload names image.path ${w.image.path}`);
  if (w.image.backing) throw new QedUsageError(`${what} run cannot use a backing file; run on files instead`);
  const store = new MemoryStore(metadataOnly ? null : STAMP_CODEC);
  await createImage(new MemoryBackend(store), { size: w.image.size, clusterSize: w.image.clusterSize, tableSize: w.image.tableSize });
  const io = wrap(metadataOnly ? new MetadataBackend(store) : new SparseMemoryBackend(store));
  const img = await QedImage.open(io, { l2Cache: w.cache, allocation: w.engine.allocation });
  return { img, store };
}
