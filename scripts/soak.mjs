#!/usr/bin/env node
// npm run soak [-- --sessions 500 --turns 20 --drop-rate 0.2 --seed 1 --backend embedded|postgres --settle-seconds N --skip-build]
// Boots the built api as its own process against a fake upstream, drives many concurrent
// conversations (widget sockets that drop and come back, SSE integrators that walk away,
// REST callers), checks every stored thread, and compares the api's memory after a full GC
// at boot, after a warm-up and after the run has settled. Exits 1 on a lost, doubled or unanswered
// turn, or when memory did not come back flat. See "Soak test" in the README.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { setInterval, clearInterval } from 'node:timers';
import { parseArgs } from 'node:util';
import { PRODUCTION_NODE_FLAGS } from './production-node-flags.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const { values: args } = parseArgs({
  options: {
    sessions: { type: 'string', default: '500' },
    turns: { type: 'string', default: '20' },
    'drop-rate': { type: 'string', default: '0.2' },
    seed: { type: 'string', default: '1' },
    backend: { type: 'string', default: 'embedded' },
    'database-url': { type: 'string', default: process.env.SOAK_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test' },
    'redis-url': { type: 'string', default: process.env.SOAK_REDIS_URL ?? 'redis://127.0.0.1:6379' },
    'settle-seconds': { type: 'string' },
    'skip-build': { type: 'boolean', default: false },
  },
});
const sessions = Number(args.sessions);
const turns = Number(args.turns);
const backend = args.backend;
// Memory is only comparable once the api has let go of what it keeps for a while: idle
// keep-alive connections of the REST/SSE clients (72 s) and, without Redis, the packets
// socket.io keeps 2 minutes for clients that may recover their connection (swept every minute).
const settleSeconds = Number(args['settle-seconds'] ?? (backend === 'embedded' ? 200 : 80));
if (!(sessions > 0 && turns > 0 && settleSeconds >= 0) || !['embedded', 'postgres'].includes(backend)) {
  console.error('usage: npm run soak -- [--sessions N] [--turns N] [--drop-rate 0..1] [--seed N] [--backend embedded|postgres] [--settle-seconds N] [--skip-build]');
  process.exit(2);
}

// Heap is the leak signal (V8 objects a turn, socket or session left behind); RSS also holds
// allocator slack and, embedded, PGlite's WASM memory, which grows to its cache size and stays.
const HEAP_SLACK = (warm) => Math.max(10 * 2 ** 20, warm * 0.1);
const RSS_SLACK = (warm) => Math.max(64 * 2 ** 20, warm * 0.25);
const MB = (bytes) => `${(bytes / 2 ** 20).toFixed(1)} MB`;
const log = (line) => console.log(line);
const cleanups = [];

if (!args['skip-build']) {
  log('building (npx nx run-many -t build)…');
  const build = spawnSync('npx', ['nx', 'run-many', '-t', 'build', '--outputStyle=static'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', env: { ...process.env, NX_DAEMON: 'false' } });
  if (build.status !== 0) {
    console.error(build.stdout.slice(-4000), build.stderr.slice(-4000));
    process.exit(1);
  }
}
// By path, not by package name: the script drives the build in this checkout, whatever a workspace link points at.
const { FakeOpenAI, freePort, inspectProcess, provisionSharedStore, runSoak, startApiProcess } = await import(pathToFileURL(join(ROOT, 'libs/testing/dist/index.js')).href);

async function provisionStore(stamp) {
  const dataDir = await mkdtemp(join(tmpdir(), 'tl-soak-'));
  cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
  if (backend === 'embedded') return { DATA_DIR: dataDir };
  // A fresh database and Redis prefix on the shared servers, dropped afterwards.
  const store = await provisionSharedStore(args['database-url'], args['redis-url'], 'soak', stamp);
  cleanups.push(store.drop);
  return { DATA_DIR: dataDir, DATABASE_URL: store.databaseUrl, REDIS_URL: store.redisUrl, REDIS_KEY_PREFIX: store.prefix };
}

async function cleanup() {
  for (const fn of cleanups.splice(0).reverse()) await fn().catch((error) => console.error(`cleanup: ${error.message}`));
}
process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));

async function main() {
  const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
  // Echo streamed a word every 2 ms: a dropped link can land mid-answer, and the upstream is not the bottleneck.
  const fake = await FakeOpenAI.start({
    responder: (req) => {
      const last = [...req.messages].reverse().find((m) => m.role === 'user');
      return { kind: 'text', text: `Echo: ${String(last?.content)}`, delayMsPerChunk: 2 };
    },
  });
  cleanups.push(() => fake.close());
  // The fake keeps every request for tests; a long run must not grow this process without bound.
  const trim = setInterval(() => fake.reset(), 1000);
  cleanups.push(async () => clearInterval(trim));

  const store = await provisionStore(stamp);
  const masterKey = randomBytes(16).toString('hex');
  const inspectPort = await freePort();
  log(`starting the api (${backend === 'embedded' ? 'embedded PGlite, in-process coordination' : `Postgres ${store.DATABASE_URL.replace(/\/\/[^@]*@/, '//')}, Redis prefix ${store.REDIS_KEY_PREFIX}`})…`);
  const api = await startApiProcess(
    {
      ...store,
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      MASTER_KEY: masterKey,
      SESSION_SECRET: randomBytes(32).toString('hex'),
      OPENAI_API_KEY: 'sk-soak',
      OPENAI_BASE_URL: fake.baseURL,
      // One machine plays every client: the widget's per-address abuse limits would refuse them.
      WIDGET_RATE_PER_MINUTE: '0',
      WIDGET_RATE_PER_MINUTE_PER_ADDRESS: '0',
      WIDGET_ALLOWED_ORIGINS: '*',
    },
    // As production runs it: memory is judged with the flags that shape the heap.
    { entry: join(ROOT, 'apps/api/dist/main.js'), nodeArgs: [...PRODUCTION_NODE_FLAGS, `--inspect=127.0.0.1:${inspectPort}`], readyTimeoutMs: 120_000 },
  );
  cleanups.push(() => api.stop());
  const inspector = await inspectProcess(inspectPort);
  cleanups.push(async () => inspector.close());
  const expectedAnswer = (text) => `Echo: ${text}`;
  const common = { base: api.url, masterKey, dropRate: Number(args['drop-rate']), expectedAnswer };

  const boot = await inspector.settledMemory();
  const warmSessions = Math.min(50, sessions);
  log(`warm-up: ${warmSessions} sessions × 5 turns…`);
  const warmup = await runSoak({ ...common, sessions: warmSessions, turns: 5, seed: Number(args.seed) + 1 });
  const warm = await inspector.settledMemory();
  log(`soak: ${sessions} sessions × ${turns} turns, ${Math.round(common.dropRate * 100)}% of socket and SSE turns lose their link…`);
  const report = await runSoak({ ...common, sessions, turns, seed: Number(args.seed), log });
  const justAfter = await inspector.settledMemory();
  log(`waiting ${settleSeconds} s for the api to let go of what it keeps for a while (idle keep-alive connections, recovery buffers of closed sockets)…`);
  await new Promise((r) => setTimeout(r, settleSeconds * 1000));
  const after = await inspector.settledMemory();

  const heapGrowth = after.heapUsed - warm.heapUsed;
  const rssGrowth = after.rss - warm.rss;
  const flat = heapGrowth <= HEAP_SLACK(warm.heapUsed) && rssGrowth <= RSS_SLACK(warm.rss);
  const ok = report.failures.length === 0 && report.violations.length === 0 && warmup.failures.length === 0 && warmup.violations.length === 0 && flat;
  log('');
  log(`backend            ${backend}`);
  log(`conversations      ${report.sessions} (socket.io ${report.byChannel['socket.io']}, web REST ${report.byChannel['web REST']}, integrator SSE ${report.byChannel['integrator SSE']})`);
  log(`turns              ${report.turns} in ${(report.durationMs / 1000).toFixed(1)} s: ${report.turnsPerSecond.toFixed(1)} turns/s`);
  const latency = ({ p50, p99, max }) => `p50 ${p50.toFixed(0)} ms, p99 ${p99.toFixed(0)} ms, max ${max.toFixed(0)} ms`;
  log(`turn latency       first turn of each conversation (all start at once): ${latency(report.latencyMs.first)}`);
  log(`                   later, undisturbed: ${latency(report.latencyMs.clean)}; with a dropped link: ${latency(report.latencyMs.dropped)}`);
  for (const [channel, figures] of Object.entries(report.latencyByChannelMs)) log(`                   later, undisturbed, ${channel.padEnd(15)} ${latency(figures)}`);
  log(`dropped links      ${report.drops} (answer learnt after reconnecting: ${report.recovered}, messages resent: ${report.resends})`);
  log(`answered           ${report.answered}/${report.turns}; turns not answered: ${report.failures.length}; threads breaking an invariant: ${report.violations.length}`);
  log(`memory after GC    boot: RSS ${MB(boot.rss)}, heap ${MB(boot.heapUsed)}; warm: RSS ${MB(warm.rss)}, heap ${MB(warm.heapUsed)}; right after the run: RSS ${MB(justAfter.rss)}, heap ${MB(justAfter.heapUsed)}; ${settleSeconds} s later: RSS ${MB(after.rss)}, heap ${MB(after.heapUsed)}, external ${MB(after.external)}`);
  log(`memory growth      heap ${MB(heapGrowth)} (allowed ${MB(HEAP_SLACK(warm.heapUsed))}, ${Math.round(heapGrowth / report.turns)} B/turn), RSS ${MB(rssGrowth)} (allowed ${MB(RSS_SLACK(warm.rss))}): ${flat ? 'flat' : 'NOT FLAT'}`);
  for (const failure of [...report.failures, ...warmup.failures].slice(0, 10)) log(`  not answered: ${failure.conversation} (${failure.channel}) ${JSON.stringify(failure.text)} → ${JSON.stringify(failure.outcome)}`);
  for (const violation of [...report.violations, ...warmup.violations].slice(0, 10)) log(`  broken thread: ${violation.conversation} (${violation.channel}): ${violation.problems.join('; ')}`);
  log(ok ? '\nsoak passed' : '\nsoak FAILED');
  if (api.child.exitCode !== null) log(`the api exited during the run:\n${api.output().slice(-4000)}`);
  return ok;
}

let ok = false;
try {
  ok = await main();
} catch (error) {
  console.error(error);
} finally {
  await cleanup();
}
process.exit(ok ? 0 : 1);
