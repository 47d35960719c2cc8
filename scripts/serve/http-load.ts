/** autocannon (the package, from a script) against a serve session's GET /disk ranges and /metrics. */
import autocannon from 'autocannon';

export interface HttpLoadResult {
  target: string;
  requestsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  non2xx: number;
  total: number;
}

/** 4 KiB ranges at random 4 KiB-aligned offsets of a disk of `size` bytes, or plain GETs of `path`. */
export async function httpLoad(base: string, path: '/disk' | '/metrics', opts: { size: number; durationS: number; connections: number }): Promise<HttpLoadResult> {
  const blocks = Math.floor(opts.size / 4096);
  let seed = 0x2545f491;
  const next = (): number => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) % blocks;
  };
  const result = await autocannon({
    url: `${base}${path}`,
    connections: opts.connections,
    duration: opts.durationS,
    requests: [
      {
        method: 'GET',
        setupRequest: (req) => {
          if (path !== '/disk') return req;
          const off = next() * 4096;
          return { ...req, headers: { ...req.headers, range: `bytes=${off}-${off + 4095}` } };
        },
      },
    ],
  });
  return {
    target: path === '/disk' ? 'GET /disk (4 KiB ranges)' : 'GET /metrics',
    requestsPerSec: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    total: result.requests.total,
  };
}
