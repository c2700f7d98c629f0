// Load generators: autocannon for plain REST (closed loop, N keep-alive connections),
// and a small closed-loop driver for streaming clients (SSE over HTTP, socket.io).
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { summarize } from './stats.mjs';

const MAX_REQUESTS = 250_000;

/**
 * `connections` keep-alive connections, each sending its next request as soon as the last
 * answered, for `seconds`. Latencies are kept as raw floats from autocannon's response event.
 * `headersFor(i)` gives connection i its own headers (Threadline: one end user per connection).
 */
export async function restLoad({ url, body, headers, headersFor, connections, seconds }) {
  const samples = [];
  let non2xx = 0;
  let index = 0;
  const started = performance.now();
  const instance = autocannon({
    url,
    method: 'POST',
    connections,
    duration: seconds,
    headers,
    body,
    timeout: 30,
    // A bound on requests as well as on time, whatever the target's speed.
    maxOverallRequests: MAX_REQUESTS,
    ...(headersFor ? { setupClient: (client) => client.setHeaders({ ...headers, ...headersFor(index++) }) } : {}),
  });
  instance.on('response', (_client, status, _bytes, ms) => {
    if (status >= 200 && status < 300) samples.push(ms);
    else non2xx++;
  });
  const result = await new Promise((resolve, reject) => {
    instance.once('done', resolve);
    instance.once('error', reject);
  });
  const elapsed = (performance.now() - started) / 1000;
  const errors = result.errors + result.timeouts;
  return { ...restResult(connections, elapsed, samples, non2xx, errors), samples };
}

function restResult(connections, elapsed, samples, non2xx, errors) {
  return {
    connections,
    seconds: Math.round(elapsed * 100) / 100,
    ok: samples.length,
    non2xx,
    errors,
    perSecond: Math.round(samples.length / elapsed),
    latency: summarize(samples),
  };
}

/**
 * Rounds of one target as one result: turns/s over their summed time, percentiles over all
 * their samples, CPU per turn weighted by each round's turns; each round's turns/s kept.
 */
export function mergeRounds(rounds) {
  const samples = rounds.flatMap((r) => r.samples);
  const sum = (pick) => rounds.reduce((total, r) => total + pick(r), 0);
  const merged = restResult(rounds[0].connections, sum((r) => r.seconds), samples, sum((r) => r.non2xx), sum((r) => r.errors));
  const turns = sum((r) => r.ok + r.non2xx);
  if (rounds.every((r) => r.cpuMsPerTurn)) {
    merged.cpuMsPerTurn = Object.fromEntries(
      Object.keys(rounds[0].cpuMsPerTurn).map((key) => [
        key,
        rounds[0].cpuMsPerTurn[key] === null ? null : Math.round((1000 * sum((r) => r.cpuMsPerTurn[key] * (r.ok + r.non2xx))) / turns) / 1000,
      ]),
    );
  }
  merged.rounds = rounds.map((r) => r.perSecond);
  return merged;
}

/**
 * Closed loop over already-open streaming clients: each client runs turn() back to back
 * until the time is up. A client's turn() resolves { ttft, total } in milliseconds.
 */
export async function streamLoad(clients, seconds) {
  const ttft = [];
  const total = [];
  let errors = 0;
  let firstError = null;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    clients.map(async (client) => {
      while (performance.now() < deadline && ttft.length + errors < MAX_REQUESTS) {
        try {
          const sample = await client.turn();
          ttft.push(sample.ttft);
          total.push(sample.total);
        } catch (error) {
          errors++;
          firstError ??= error.message;
          if (errors > 1000) return;
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  return {
    connections: clients.length,
    seconds: Math.round(elapsed * 100) / 100,
    ok: total.length,
    errors,
    firstError,
    perSecond: Math.round(total.length / elapsed),
    ttft: summarize(ttft),
    total: summarize(total),
  };
}

/** Runs `work(i)` for i in [0, count) with at most `parallel` in flight; resolves their results in order. */
export async function pool(count, parallel, work) {
  const out = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(parallel, count) }, async () => {
      while (next < count) {
        const i = next++;
        out[i] = await work(i);
      }
    }),
  );
  return out;
}
