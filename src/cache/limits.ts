/** How large a cache the suite accepts: policies allocate their bookkeeping for the whole capacity up front. */

/**
 * 2^20 tables: 9 policies of this size take about 0.4 GB; more than any image needs at the
 * default geometry (each table maps 2 GiB) and 2 TiB worth at the smallest one.
 */
export const MAX_CACHE_TABLES = 1 << 20;
