#!/usr/bin/env node
// npm run bench [-- --quick] [-- --profile] [-- --skip-build]   (flags combine)
// Starts a fake upstream, a pass-through proxy, the Portkey gateway, the store floor and
// Threadline (embedded, and Postgres + Redis) on this machine, measures them side by side,
// prints the figures and the targets of issue 9, writes bench/results/latest.json and the
// README section (full runs).
// See bench/README.md for what each figure means.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildWorkspace } from './lib/build.mjs';
import { destroySharedAgent } from './lib/clients.mjs';
import { busyShare, cpuTimes, gitInfo, loadAverage, machineInfo, trackCommands } from './lib/machine.mjs';
import { restPhase, restTargets, streamPhase } from './lib/phases-load.mjs';
import { historyPhase, livePhase, socketsPhase } from './lib/phases-state.mjs';
import { tripsPhase } from './lib/phases-trips.mjs';
import { benchTicks, installSignalHandlers, stopEverything } from './lib/procs.mjs';
import { profileClockMicros, summarizeProfile } from './lib/profile.mjs';
import { evaluateTargets, printReport, updateReadme, writeJson } from './lib/report.mjs';
import { table } from './lib/stats.mjs';
import { BENCH_DATABASE_URL, BENCH_REDIS_URL, freePort, provisionPostgres, runStamp, startPassThrough, startPeer, startStoreFloor, startThreadline, startUpstream } from './lib/targets.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const RESULTS = join(ROOT, 'bench/results');
const args = new Set(process.argv.slice(2));
const quick = args.has('--quick');
const profile = args.has('--profile');
const SERVERS = ['postgres', 'redis-server'];

const plan = quick
  ? { steadySeconds: 3, warmupSeconds: 1, seconds: 3, rounds: 2, roundSeconds: 2, sockets: 5000, historyTurns: 60, historyWarmup: 5, liveEvents: 100, liveLoadSeconds: 3, tripTurns: 50 }
  : { steadySeconds: 15, warmupSeconds: 2, seconds: 8, rounds: 4, roundSeconds: 4, sockets: 5000, historyTurns: 200, historyWarmup: 20, liveEvents: 300, liveLoadSeconds: 6, tripTurns: 100 };

const started = Date.now();
const log = (line) => console.log(line);
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(0)} s`;

function build() {
  if (!args.has('--skip-build')) buildWorkspace(ROOT, log);
}

async function main() {
  installSignalHandlers();
  build();
  const stamp = runStamp();
  log(`measuring how busy the machine is before starting (3 s)…`);
  const busyBefore = await busyShare(3000);
  const loadBefore = loadAverage();
  const cpuAtStart = { machine: await cpuTimes(), bench: await benchTicks(), servers: await trackCommands(SERVERS) };
  const phaseLoad = {};
  const mark = (phase) => {
    phaseLoad[phase] = loadAverage();
    log(`\n[${elapsed()}] ${phase} (load average ${phaseLoad[phase].join(' ')})`);
  };

  mark('starting processes');
  const upstream = await startUpstream();
  const passThrough = await startPassThrough(upstream.baseURL);
  const peer = await startPeer(upstream.baseURL);
  const store = await provisionPostgres(BENCH_DATABASE_URL, BENCH_REDIS_URL, stamp);
  const storeFloor = await startStoreFloor(upstream.baseURL, store);
  const profileName = `threadline-pg-${stamp}.cpuprofile`;
  const nodeArgs = profile ? ['--cpu-prof', `--cpu-prof-dir=${RESULTS}`, `--cpu-prof-name=${profileName}`] : [];
  const tlPg = { id: 'tl-pg', label: 'Threadline, Postgres + Redis', ...(await startThreadline('threadline (postgres + redis)', upstream.baseURL, store, { nodeArgs })) };
  const tlEmbedded = { id: 'tl-embedded', label: 'Threadline, embedded PGlite', ...(await startThreadline('threadline (embedded)', upstream.baseURL, { kind: 'embedded' })) };
  log(`  upstream ${upstream.baseURL}, pass-through ${passThrough.baseURL}, peer ${peer.baseURL}, store floor ${storeFloor.url}`);
  log(`  threadline ${tlPg.url} (database ${store.database}, Redis prefix ${store.prefix}), embedded ${tlEmbedded.url}`);

  const targets = restTargets({ upstream, passThrough, peer, storeFloor, threadlines: [tlEmbedded, tlPg] });
  const results = {
    date: new Date().toISOString(),
    mode: quick ? 'quick' : 'full',
    plan,
    machine: machineInfo(),
    git: gitInfo(ROOT),
    targetsMeasured: targets.map(({ id, label, kind }) => ({ id, label, kind })),
  };

  mark('idle widget sockets');
  const startProbe = async () => {
    const inspectPort = await freePort();
    const probe = await startThreadline('threadline socket probe', upstream.baseURL, store, { nodeArgs: [`--inspect=127.0.0.1:${inspectPort}`] });
    return { ...probe, inspectPort };
  };
  results.sockets = await socketsPhase(tlPg, { count: plan.sockets, log, startProbe });
  mark('REST turns');
  // The profile is summarised over the load phases only: start-up and the socket probe are not a turn's cost.
  const loadWindow = { from: profileClockMicros(), to: Infinity };
  const concurrencies = [1, 50];
  results.rest = await restPhase(targets, { concurrencies, steadySeconds: plan.steadySeconds, rounds: plan.rounds, roundSeconds: plan.roundSeconds, warmupSeconds: plan.warmupSeconds, seconds: plan.seconds, log });
  mark('streamed turns');
  results.stream = await streamPhase(targets, { concurrencies, warmupSeconds: plan.warmupSeconds, seconds: plan.seconds, log });
  loadWindow.to = profileClockMicros();
  mark('100,000-message thread');
  results.history = await historyPhase(tlPg, { turns: plan.historyTurns, warmup: plan.historyWarmup, log });
  mark('live events');
  results.live = await livePhase(tlPg, { events: plan.liveEvents, loadSeconds: plan.liveLoadSeconds, log });
  mark('round trips per turn');
  results.roundTrips = await tripsPhase(tlPg, { turns: plan.tripTurns, log });

  mark('stopping');
  const duringRun = await cpuShares(cpuAtStart);
  destroySharedAgent();
  await stopEverything();
  const busyAfter = await busyShare(3000);
  results.load = {
    busyBefore,
    busyAfter,
    loadAverageBefore: loadBefore,
    loadAverageByPhase: phaseLoad,
    duringRun,
    note: loadNote(busyBefore, busyAfter, duringRun, results.machine.cpus),
  };
  if (profile) results.profile = await profileSummary(join(RESULTS, profileName), loadWindow);

  results.targets = evaluateTargets(results);
  results.durationSeconds = Math.round((Date.now() - started) / 1000);
  printReport(results, targets, log);
  log(`\n${results.load.note}`);
  // latest.json and the README keep the last full run: the profiler slows the process it
  // samples, and quick runs are too short for the tails.
  const out = profile ? 'profile-latest.json' : quick ? 'latest-quick.json' : 'latest.json';
  await writeJson(join(RESULTS, out), results);
  log(`wrote bench/results/${out}`);
  if (!quick && !profile && (await updateReadme(join(ROOT, 'bench/README.md'), results, targets))) log('updated the results section of bench/README.md');
  log(`done in ${elapsed()}`);
}

/**
 * Shares of all cores since `start`: busy, used by the bench's own processes, by the
 * Postgres and Redis servers (serving the bench and anyone else), and by everything else.
 */
async function cpuShares(start) {
  const machine = await cpuTimes();
  const bench = (await benchTicks()) - start.bench;
  const servers = await start.servers.stop();
  const total = machine.total - start.machine.total;
  if (!(total > 0)) return null;
  const busy = total - (machine.idle - start.machine.idle);
  const share = (x) => Math.max(0, Math.round((1000 * x) / total) / 1000);
  return { busy: share(busy), bench: share(bench), servers: share(servers), others: share(busy - bench - servers) };
}

function loadNote(before, after, during, cpus) {
  const pct = (x) => (x === null || x === undefined ? 'unknown' : `${Math.round(x * 100)}%`);
  const worst = Math.max(before ?? 0, after ?? 0);
  const verdict =
    worst >= 0.5
      ? 'heavily loaded by other work (test runs, builds): every latency and throughput figure is pessimistic and noisy'
      : worst >= 0.15
        ? 'partly busy with other work: figures are somewhat pessimistic'
        : 'quiet before and after the run';
  const run = during
    ? ` During the run they were ${pct(during.busy)} busy: ${pct(during.bench)} the bench's own processes, ${pct(during.servers)} Postgres and Redis (for the bench and anyone else), ${pct(during.others)} everything else (other people's work).`
    : '';
  return `Machine ${verdict}; the ${cpus} cores were ${pct(before)} busy in the 3 s before the bench started and ${pct(after)} in the 3 s after it stopped.${run}`;
}

async function profileSummary(file, window) {
  if (!existsSync(file)) {
    log(`no CPU profile at ${file} (the process did not exit cleanly?)`);
    return null;
  }
  const summary = await summarizeProfile(file, 25, window);
  log(`\nCPU profile of the Postgres + Redis process: ${file.slice(ROOT.length + 1)} (open it in Chrome DevTools or speedscope for a flame graph)`);
  log(`busy ${summary.busyMs} ms during the REST and streaming phases (${Math.round((window.to - window.from) / 1e6)} s; start-up and the other phases left out); top self time by package:`);
  log(table(['package', 'self ms', '%'], summary.packages.slice(0, 15).map((p) => [p.name, p.ms, p.share])));
  log('\ntop functions by self time:');
  log(table(['function  file:line', 'self ms', '%'], summary.functions.map((f) => [f.name, f.ms, f.share])));
  return summary;
}

main()
  .catch(async (error) => {
    console.error(`\nbench failed: ${error.stack ?? error.message}`);
    process.exitCode = 1;
  })
  .finally(async () => {
    await stopEverything();
    // socket.io clients, keep-alive agents and autocannon leave handles; nothing else is pending.
    process.exit(process.exitCode ?? 0);
  });
