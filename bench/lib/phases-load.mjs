// Side-by-side load phases: REST turns at 1 and 50 connections, and streamed turns
// (SSE for the upstream, the floor and the peer; socket.io /chat for Threadline).
import { setTimeout as sleep } from 'node:timers/promises';
import { chatSocketClient, sseClient } from './clients.mjs';
import { mergeRounds, pool, restLoad, streamLoad } from './load.mjs';
import { processTicks, trackCommands } from './machine.mjs';

export const TURN_TEXT = 'hello from the bench, please echo this line';
const MODEL = 'gpt-4.1-nano';

/** Targets that keep a thread per end user get one per connection: turns of one thread run one at a time by design. */
const userPerConnection = (tag) => (i) => ({ 'x-user-id': `${tag}-${i}` });

/** What each target is asked, over REST: one chat turn. */
export function restTargets({ upstream, passThrough, peer, storeFloor, threadlines }) {
  const completion = (stream) => ({ model: MODEL, messages: [{ role: 'user', content: TURN_TEXT }], ...(stream ? { stream: true } : {}) });
  const openAi = (id, label, baseURL, pid, extra = {}) => ({
    id,
    label,
    pid,
    kind: 'openai',
    url: `${baseURL}/chat/completions`,
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench', ...extra },
    body: JSON.stringify(completion(false)),
    stream: () => sseClient(`${baseURL}/chat/completions`, { authorization: 'Bearer sk-bench', ...extra }, completion(true)),
  });
  return [
    openAi('upstream', 'fake upstream, direct', upstream.baseURL, upstream.proc.pid),
    openAi('passthrough', 'pass-through proxy (floor)', passThrough.baseURL, passThrough.proc.pid),
    openAi('peer', 'Portkey gateway (peer)', peer.baseURL, peer.proc.pid, peer.headers),
    {
      id: 'store-floor',
      label: 'store floor (raw drivers)',
      pid: storeFloor.proc.pid,
      kind: 'floor',
      url: `${storeFloor.url}/turn`,
      headers: { 'content-type': 'application/json' },
      headersFor: userPerConnection,
      body: JSON.stringify({ message: TURN_TEXT }),
      // REST only: it exists to price the store's round trips, which streaming does not change.
      stream: null,
    },
    ...threadlines.map((tl) => ({
      id: tl.id,
      label: tl.label,
      pid: tl.proc.pid,
      kind: 'threadline',
      url: `${tl.url}/api/chat`,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tl.apiKey}` },
      headersFor: userPerConnection,
      body: JSON.stringify({ message: TURN_TEXT }),
      stream: () => chatSocketClient(tl.url, TURN_TEXT),
    })),
  ];
}

/**
 * CPU spent from now until the returned function is called, per turn, in ms: the target's
 * process, every Postgres and Redis server process, the fake upstream and this generator.
 * Clock ticks are 10 ms; a load phase of several seconds makes thousands of turns.
 * `target` is null when the target is the upstream itself.
 */
async function cpuPerTurn(targetPid, upstreamPid) {
  const postgres = await trackCommands(['postgres']);
  const redis = await trackCommands(['redis-server']);
  const start = { target: await processTicks(targetPid), upstream: await processTicks(upstreamPid), generator: process.cpuUsage() };
  return async (turns) => {
    const generatorMicros = process.cpuUsage(start.generator);
    const ms = (ticks) => Math.round((ticks * 10_000) / turns) / 1000;
    const shares = {
      target: targetPid === upstreamPid ? null : ms((await processTicks(targetPid)) - start.target),
      postgres: ms(await postgres.stop()),
      redis: ms(await redis.stop()),
      upstream: ms((await processTicks(upstreamPid)) - start.upstream),
      generator: Math.round((generatorMicros.user + generatorMicros.system) / turns) / 1000,
    };
    return { ...shares, total: Math.round(1000 * Object.values(shares).reduce((a, b) => a + (b ?? 0), 0)) / 1000 };
  };
}

/**
 * Each target first runs `steadySeconds` at the highest concurrency, not counted: a gateway
 * is judged as it runs once it has been up for a while, with its hot code optimised. After
 * only the short warm-up, V8's optimising compiler was still a third of Threadline's CPU
 * (perf, bench/README.md). Then its lower concurrencies, each a short warm-up and the
 * measurement. The highest concurrency, where the targets are compared, is measured last in
 * `rounds` rounds with the targets taking turns, so that the host's drift (tens of percent
 * within minutes here) falls on every target alike instead of on whichever ran in a slow minute.
 */
export async function restPhase(targets, { concurrencies, steadySeconds, warmupSeconds, seconds, rounds, roundSeconds, log }) {
  const upstreamPid = targets.find((t) => t.id === 'upstream').pid;
  const top = Math.max(...concurrencies);
  const optionsFor = (target, connections) => ({ url: target.url, body: target.body, headers: target.headers, headersFor: target.headersFor?.(`rest-c${connections}`), connections });
  const measure = async (target, connections, measureSeconds) => {
    const options = optionsFor(target, connections);
    await restLoad({ ...options, seconds: warmupSeconds });
    const cpu = await cpuPerTurn(target.pid, upstreamPid);
    const result = await restLoad({ ...options, seconds: measureSeconds });
    result.cpuMsPerTurn = await cpu(result.ok + result.non2xx);
    await settle(target.pid);
    return result;
  };
  const report = (target, result) => {
    const perRound = result.rounds ? ` (rounds ${result.rounds.join(' / ')})` : '';
    log(`  REST ${target.label.padEnd(30)} c=${String(result.connections).padEnd(3)} ${result.perSecond} turns/s${perRound}, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms${result.non2xx || result.errors ? `, ${result.non2xx} non-2xx, ${result.errors} errors` : ''}`);
  };
  const out = {};
  for (const target of targets) {
    out[target.id] = {};
    await restLoad({ ...optionsFor(target, top), seconds: steadySeconds });
    for (const connections of concurrencies.filter((c) => c !== top)) {
      const result = withoutSamples(await measure(target, connections, seconds));
      out[target.id][`c${connections}`] = result;
      report(target, result);
    }
  }
  const measured = Object.fromEntries(targets.map((target) => [target.id, []]));
  for (let round = 0; round < rounds; round++) {
    for (const target of targets) measured[target.id].push(await measure(target, top, roundSeconds));
  }
  for (const target of targets) {
    const result = withoutSamples(mergeRounds(measured[target.id]));
    out[target.id][`c${top}`] = result;
    report(target, result);
  }
  return out;
}

/**
 * Waits (at most 5 s) until the process is idle: a gateway that queued turns (embedded PGlite
 * at 50 connections) still runs them after its clients stop, on the cores the next target's
 * measurement would use.
 */
async function settle(pid) {
  const deadline = Date.now() + 5000;
  let before = await processTicks(pid);
  while (Date.now() < deadline) {
    await sleep(200);
    const now = await processTicks(pid);
    if (now - before <= 1) return;
    before = now;
  }
}

/** Raw samples are for merging rounds; results.json keeps the summary. */
function withoutSamples(result) {
  delete result.samples;
  return result;
}

export async function streamPhase(targets, { concurrencies, warmupSeconds, seconds, log }) {
  const out = {};
  for (const target of targets) {
    if (!target.stream) continue;
    out[target.id] = {};
    const refusal = await probe(target);
    if (refusal) {
      out[target.id].skipped = refusal;
      log(`  stream ${target.label.padEnd(28)} skipped: a first streamed turn failed (${refusal})`);
      continue;
    }
    for (const connections of concurrencies) {
      const clients = await pool(connections, 10, () => target.stream());
      try {
        await streamLoad(clients, warmupSeconds);
        const result = await streamLoad(clients, seconds);
        out[target.id][`c${connections}`] = result;
        const channel = target.kind === 'threadline' ? 'socket.io' : 'SSE';
        log(`  stream ${target.label.padEnd(28)} c=${String(connections).padEnd(3)} ${channel.padEnd(9)} ${result.perSecond} turns/s, first token p50 ${result.ttft.p50} ms, total p50 ${result.total.p50} ms, p99 ${result.total.p99} ms${result.errors ? `, ${result.errors} errors (${result.firstError})` : ''}`);
      } finally {
        for (const client of clients) client.close();
      }
    }
  }
  return out;
}

/** One streamed turn before the load: a target that cannot stream at all is reported, not hammered. */
async function probe(target) {
  let client = null;
  try {
    client = await target.stream();
    await client.turn();
    return null;
  } catch (error) {
    return error.message;
  } finally {
    client?.close();
  }
}
