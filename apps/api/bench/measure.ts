// autocannon with the figures we report: throughput and latency percentiles, as one JSON line.
import autocannon from "autocannon";

export interface Measured {
  bench: string;
  requestsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  non2xx: number;
  durationSec: number;
}

export async function measure(bench: string, opts: { url: string; headers?: Record<string, string>; durationSec: number; connections: number }): Promise<Measured> {
  // warm up JIT, pools and caches first
  await autocannon({ url: opts.url, headers: opts.headers, connections: opts.connections, duration: 2 });
  const r = await autocannon({ url: opts.url, headers: opts.headers, connections: opts.connections, duration: opts.durationSec });
  const result: Measured = {
    bench,
    requestsPerSec: Math.round(r.requests.average),
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    errors: r.errors,
    non2xx: r.non2xx,
    durationSec: opts.durationSec,
  };
  console.log(JSON.stringify(result));
  return result;
}
