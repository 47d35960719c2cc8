/**
 * A small workload for the miss-ratio-curve tests: one job at iodepth 1 (no concurrency) under
 * the deterministic scheduler, a cache of 6 tables, 32 small tables (4 KiB clusters, one-cluster
 * tables: 2 MiB of disk each, so the final check is quick): a strided pass that
 * creates 20 tables, then zipf mixed reads and writes over the whole disk (writes to the other
 * 12 tables create them mid-stream: `new` accesses among the lookups).
 */
export const MRC_WORKLOAD = `name: mrc-small
seed: 5
image:
  size: 64M
  cluster_size: 4k
  table_size: 1
cache:
  size: 6
  policy: lru
scheduler:
  mode: deterministic
phases:
  - name: touch
    jobs:
      - name: writer
        pattern: strided
        stride: 2M
        op: write
        bs: 4k
        region: { offset: 0, span: 40M }
        iodepth: 1
        stop: { ops: 20 }
  - name: mixed
    jobs:
      - name: zipf
        pattern: random
        distribution: zipf:0.7
        op: mixed
        rwmixread: 80
        bs: 4k
        iodepth: 1
        stop: { ops: 1500 }
`;
