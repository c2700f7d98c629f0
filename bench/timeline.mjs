#!/usr/bin/env node
// npm run bench:timeline [-- --turns 600] [-- --skip-build]
// Where one REST turn at concurrency 1 spends its time, step by step: Threadline on Postgres +
// Redis beside the store floor (the same round trips on raw drivers), each process recording
// its own socket events (lib/socket-timeline-hook.mjs). Prints one table and writes
// bench/results/timeline-latest.json. See bench/README.md ("Running it", and the fifteenth pass for a reading).
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildWorkspace } from './lib/build.mjs';
import { destroySharedAgent, requestJson } from './lib/clients.mjs';
import { gitInfo, machineInfo, processTicks } from './lib/machine.mjs';
import { restLoad } from './lib/load.mjs';
import { TURN_TEXT } from './lib/phases-load.mjs';
import { installSignalHandlers, onCleanup, stopEverything } from './lib/procs.mjs';
import { table } from './lib/stats.mjs';
import { stepsOf, turnsOf } from './lib/timeline.mjs';
import { BENCH_DATABASE_URL, BENCH_REDIS_URL, provisionPostgres, runStamp, startStoreFloor, startThreadline, startUpstream } from './lib/targets.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const HOOK = join(import.meta.dirname, 'lib/socket-timeline-hook.mjs');
const argv = process.argv.slice(2);
const turnsArg = argv.indexOf('--turns');
const TURNS = turnsArg >= 0 ? Number(argv[turnsArg + 1]) : 600;
const BLOCKS = 6;
const PER_BLOCK = Math.ceil(TURNS / BLOCKS);
const STEADY_SECONDS = 10;
const log = (line) => console.log(line);
// Steps are tens of microseconds: the bench's usual two decimals would round them away.
const fmtMs = (x) => (x === null || x === undefined ? '–' : `${x.toFixed(3)} ms`);

if (!Number.isInteger(TURNS) || TURNS < BLOCKS) throw new Error(`--turns wants a whole number of at least ${BLOCKS}`);

/** Asks the process for the events it recorded since the last ask (see the hook). */
async function takeEvents(base) {
  await writeFile(`${base}.dump`, '');
  for (let waited = 0; !existsSync(`${base}.json`); waited += 20) {
    if (waited > 10_000) throw new Error(`no timeline from ${base}`);
    await sleep(20);
  }
  const flat = JSON.parse(await readFile(`${base}.json`, 'utf8'));
  await rm(`${base}.json`);
  return flat;
}

async function main() {
  installSignalHandlers();
  if (!argv.includes('--skip-build')) buildWorkspace(ROOT, log);
  const stamp = runStamp();
  const dir = await mkdtemp(join(tmpdir(), 'tl-timeline-'));
  onCleanup(() => rm(dir, { recursive: true, force: true }));
  const upstream = await startUpstream();
  const store = await provisionPostgres(BENCH_DATABASE_URL, BENCH_REDIS_URL, `timeline${stamp}`);
  const hooked = (name) => ({ nodeArgs: ['--import', HOOK], env: { SOCKET_TIMELINE: join(dir, name) } });
  const floor = await startStoreFloor(upstream.baseURL, store, hooked('floor'));
  const threadline = await startThreadline('threadline (postgres + redis)', upstream.baseURL, store, hooked('threadline'));
  const portOf = (url, fallback) => Number(new URL(url).port || fallback);
  const shared = { redis: portOf(store.redisUrl, 6379), postgres: portOf(store.databaseUrl, 5432), upstream: portOf(upstream.baseURL, 80) };
  const targets = [
    { id: 'store-floor', label: 'store floor', pid: floor.proc.pid, url: `${floor.url}/turn`, headers: {}, base: join(dir, 'floor'), ports: { ...shared, server: portOf(floor.url) } },
    {
      id: 'tl-pg',
      label: 'Threadline',
      pid: threadline.proc.pid,
      url: `${threadline.url}/api/chat`,
      headers: { authorization: `Bearer ${threadline.apiKey}` },
      base: join(dir, 'threadline'),
      ports: { ...shared, server: portOf(threadline.url) },
    },
  ];

  for (const target of targets) {
    log(`${target.label}: ${STEADY_SECONDS} s at 50 connections to steady state (not recorded)`);
    await restLoad({
      url: target.url,
      body: JSON.stringify({ message: TURN_TEXT }),
      headers: { 'content-type': 'application/json', ...target.headers },
      headersFor: (i) => ({ 'x-user-id': `steady-${i}` }),
      connections: 50,
      seconds: STEADY_SECONDS,
    });
    await takeEvents(target.base);
    target.turns = [];
    target.clientMs = [];
    target.ticks = 0;
  }
  // Blocks taking turns, so the host's drift falls on both alike.
  log(`${PER_BLOCK * BLOCKS} turns on one thread each, at concurrency 1, in ${BLOCKS} blocks taking turns`);
  for (let block = 0; block < BLOCKS; block++) {
    for (const target of targets) {
      const ticksBefore = await processTicks(target.pid);
      for (let i = 0; i < PER_BLOCK; i++) {
        const reply = await requestJson(target.url, { body: { message: TURN_TEXT }, headers: { ...target.headers, 'x-user-id': 'timeline' } });
        if (reply.status !== 200 && reply.status !== 201) throw new Error(`${target.label} answered ${reply.status}: ${JSON.stringify(reply.body)}`);
        target.clientMs.push(reply.ms);
      }
      target.ticks += (await processTicks(target.pid)) - ticksBefore;
      target.turns.push(...turnsOf(await takeEvents(target.base), target.ports));
    }
  }

  const results = { date: new Date().toISOString(), machine: machineInfo(), git: gitInfo(ROOT), turnsEach: PER_BLOCK * BLOCKS, targets: {} };
  for (const target of targets) {
    const sorted = [...target.clientMs].sort((a, b) => a - b);
    results.targets[target.id] = {
      label: target.label,
      clientP50Ms: sorted[sorted.length >> 1],
      // Clock ticks are 10 ms: over hundreds of turns, a few percent.
      cpuMsPerTurn: (target.ticks * 10) / target.clientMs.length,
      ...stepsOf(target.turns),
    };
  }
  report(results, targets);
  await writeFile(join(ROOT, 'bench/results/timeline-latest.json'), `${JSON.stringify(results, null, 2)}\n`);
  log('wrote bench/results/timeline-latest.json');
}

function report(results, targets) {
  const [floor, tl] = targets.map((t) => results.targets[t.id]);
  for (const t of [floor, tl]) {
    log(`\n${t.label}: ${t.onPath} of ${t.turns} turns took the usual path: ${t.path}`);
    for (const other of t.otherPaths) log(`  ${other.turns} took: ${other.path}`);
  }
  if (floor.path !== tl.path) {
    for (const t of [floor, tl]) log(`\n${t.label}\n${table(['step', 'kind', 'p50'], t.steps.map((s) => [s.label, s.kind, fmtMs(s.ms)]))}`);
    return;
  }
  const kind = (k) => (k === 'own' ? 'own work' : 'waiting');
  const compare = (label, kindShown, floorMs, tlMs) => [label, kindShown, fmtMs(floorMs), fmtMs(tlMs), fmtMs(tlMs - floorMs)];
  const rows = tl.steps.map((s, k) => compare(s.label, kind(s.kind), floor.steps[k].ms, s.ms));
  const sum = (t, pick) => t.steps.filter((s) => s.beforeReply && pick(s)).reduce((n, s) => n + s.ms, 0);
  for (const [label, pick] of [['up to the reply: own work', (s) => s.kind === 'own'], ['up to the reply: waiting', (s) => s.kind === 'wait'], ['up to the reply', () => true]]) {
    rows.push(compare(label, '', sum(floor, pick), sum(tl, pick)));
  }
  rows.push(compare('process CPU per turn (all of it)', '', floor.cpuMsPerTurn, tl.cpuMsPerTurn));
  rows.push(compare('client: request to reply (p50)', '', floor.clientP50Ms, tl.clientP50Ms));
  log(`\n${table(['step (medians)', 'kind', floor.label, tl.label, 'difference'], rows)}`);
}

try {
  await main();
} finally {
  destroySharedAgent();
  await stopEverything();
}
