// Turns the raw results into the figures table, the targets table (value, goal, pass/fail),
// bench/results/latest.json and the results section of bench/README.md.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fmtBytes, fmtMs, fmtNum, markdownTable, minus, round, table } from './stats.mjs';

const withOverhead = (value, base) => (value === null || value === undefined ? '–' : base === null || base === undefined ? fmtMs(value) : `${fmtMs(value)} (+${fmtMs(minus(value, base))})`.replace('(+-', '(−'));

export function restRows(results, targets) {
  const base = results.rest.upstream;
  return targets.map((t) => {
    const r = results.rest[t.id];
    const first = t.id === 'upstream';
    return [
      t.label,
      first ? fmtMs(r.c1.latency.p50) : withOverhead(r.c1.latency.p50, base.c1.latency.p50),
      first ? fmtMs(r.c1.latency.p99) : withOverhead(r.c1.latency.p99, base.c1.latency.p99),
      fmtNum(r.c50.perSecond),
      first ? fmtMs(r.c50.latency.p50) : withOverhead(r.c50.latency.p50, base.c50.latency.p50),
      first ? fmtMs(r.c50.latency.p99) : withOverhead(r.c50.latency.p99, base.c50.latency.p99),
      r.c1.non2xx + r.c1.errors + r.c50.non2xx + r.c50.errors || '0',
    ];
  });
}
export const REST_HEADER = ['REST, one turn', 'c=1 p50 (+over upstream)', 'c=1 p99', 'c=50 turns/s', 'c=50 p50', 'c=50 p99', 'failed'];

/** Where a REST turn's CPU goes at c=50, by process: what the whole machine pays per turn. */
export function cpuRows(results, targets) {
  return targets
    .filter((t) => results.rest[t.id]?.c50?.cpuMsPerTurn)
    .map((t) => {
      const cpu = results.rest[t.id].c50.cpuMsPerTurn;
      const ms = (x) => fmtNum(x, 3);
      const ceiling = cpu.total > 0 ? fmtNum(Math.round((results.machine.cpus * 1000) / cpu.total)) : '–';
      return [t.label, ms(cpu.target), ms(cpu.postgres), ms(cpu.redis), ms(cpu.upstream), ms(cpu.generator), ms(cpu.total), ceiling];
    });
}
export const CPU_HEADER = ['CPU per REST turn at c=50, ms', 'target', 'Postgres', 'Redis', 'upstream', 'generator', 'total', 'turns/s the cores allow'];

export function streamRows(results, targets) {
  const base = results.stream.upstream;
  return targets.filter((t) => t.stream).map((t) => {
    const r = results.stream[t.id];
    const channel = t.kind === 'threadline' ? 'socket.io' : 'SSE';
    if (r.skipped || !r.c1 || !r.c50) return [t.label, channel, 'not measured: a streamed turn fails', '', '', '', '', 'all'];
    const first = t.id === 'upstream';
    const o = (value, baseValue) => (first ? fmtMs(value) : withOverhead(value, baseValue));
    return [
      t.label,
      channel,
      o(r.c1.ttft.p50, base.c1?.ttft.p50),
      o(r.c1.total.p50, base.c1?.total.p50),
      fmtNum(r.c50.perSecond),
      o(r.c50.ttft.p50, base.c50?.ttft.p50),
      o(r.c50.total.p99, base.c50?.total.p99),
      r.c1.errors + r.c50.errors || '0',
    ];
  });
}
export const STREAM_HEADER = ['streamed turn', 'channel', 'c=1 first token p50', 'c=1 total p50', 'c=50 turns/s', 'c=50 first token p50', 'c=50 total p99', 'failed'];

/** The goals of issue 9, measured on the Postgres + Redis process. */
export function evaluateTargets(results, subject = 'tl-pg') {
  const rest = results.rest;
  const tl = rest[subject];
  const peer = rest.peer;
  const overheadP50 = minus(tl.c1.latency.p50, rest.upstream.c1.latency.p50);
  const rows = [
    {
      target: 'overhead per turn, p50, c=1 (REST)',
      value: overheadP50,
      shown: fmtMs(overheadP50),
      goal: '≤ 1 ms',
      pass: overheadP50 !== null && overheadP50 <= 1,
    },
    {
      target: 'turns/s at 50 connections vs peer',
      value: tl.c50.perSecond,
      shown: `${fmtNum(tl.c50.perSecond)} (peer ${fmtNum(peer.c50.perSecond)}, ×${(tl.c50.perSecond / peer.c50.perSecond).toFixed(2)})`,
      goal: `≥ ${fmtNum(2 * peer.c50.perSecond)} (2× peer)`,
      pass: tl.c50.perSecond >= 2 * peer.c50.perSecond && tl.c50.non2xx + tl.c50.errors === 0,
    },
    {
      target: 'p99 at 50 connections vs peer',
      value: tl.c50.latency.p99,
      shown: `${fmtMs(tl.c50.latency.p99)} (peer ${fmtMs(peer.c50.latency.p99)})`,
      goal: `≤ ${fmtMs(round(peer.c50.latency.p99 / 2))} (½ peer)`,
      pass: tl.c50.latency.p99 <= peer.c50.latency.p99 / 2,
    },
  ];
  if (results.sockets) {
    const { sockets } = results;
    rows.push({
      target: `memory per idle widget socket (${fmtNum(sockets.sockets)} sockets)`,
      value: sockets.bytesPerSocket,
      shown: `${fmtBytes(sockets.bytesPerSocket)} (RSS ${fmtBytes(sockets.rssPerSocket)}, heap + external ${fmtBytes(sockets.heapPerSocket + sockets.externalPerSocket)})`,
      goal: '≤ 20 KB',
      pass: sockets.connected === sockets.sockets && sockets.bytesPerSocket <= 20 * 1024,
    });
  }
  if (results.history) {
    rows.push({
      target: 'turn on 100,000-msg thread / 10-msg thread (p50)',
      value: results.history.ratioP50,
      shown: `×${results.history.ratioP50} (${fmtMs(results.history.big.p50)} vs ${fmtMs(results.history.small.p50)})`,
      goal: '≤ ×1.2',
      pass: results.history.ratioP50 <= 1.2,
    });
  }
  if (results.live) {
    rows.push({
      target: 'live event to /admin, p99',
      value: results.live.quiet.p99,
      shown: `${fmtMs(results.live.quiet.p99)} (p50 ${fmtMs(results.live.quiet.p50)})`,
      goal: '< 100 ms',
      pass: results.live.quiet.p99 < 100,
    });
  }
  return rows;
}
export const TARGET_HEADER = ['target (Postgres + Redis, sessions persisted)', 'value', 'goal', 'result'];
export const targetRows = (targets) => targets.map((t) => [t.target, t.shown, t.goal, t.pass ? 'PASS' : 'FAIL']);

/** One line each for the figures that are not in the two load tables. */
export function detailLines(results) {
  const lines = [];
  const { sockets, history, live, roundTrips } = results;
  if (sockets) {
    const { before, after } = sockets;
    lines.push(
      `Idle sockets: ${fmtNum(sockets.connected)} of ${fmtNum(sockets.sockets)} connected in ${sockets.connectSeconds} s to a fresh process; after full GC, RSS ${fmtBytes(before.rss)} → ${fmtBytes(after.rss)}, V8 heap ${fmtBytes(before.heapUsed)} → ${fmtBytes(after.heapUsed)}, external ${fmtBytes(before.external)} → ${fmtBytes(after.external)}: per socket RSS ${fmtBytes(sockets.rssPerSocket)}, heap ${fmtBytes(sockets.heapPerSocket)}, external ${fmtBytes(sockets.externalPerSocket)}.`,
    );
  }
  if (history) lines.push(`History: ${history.turns} turns on each thread; 100,000 messages p50 ${fmtMs(history.big.p50)} / p99 ${fmtMs(history.big.p99)}, 10 messages p50 ${fmtMs(history.small.p50)} / p99 ${fmtMs(history.small.p99)} (ratio of means ×${history.ratioMean}).`);
  if (live) lines.push(`Live events: quiet p50 ${fmtMs(live.quiet.p50)} / p99 ${fmtMs(live.quiet.p99)} over ${live.quiet.n} messages; while 50 connections drive ${fmtNum(live.backgroundTurnsPerSecond)} turns/s, p50 ${fmtMs(live.underLoad.p50)} / p99 ${fmtMs(live.underLoad.p99)} over ${live.underLoad.n}.`);
  const floor = results.rest?.['store-floor'];
  const tl = results.rest?.['tl-pg'];
  const peer = results.rest?.peer;
  if (floor && tl && peer) {
    const over = (r) => minus(r.c1.latency.p50, results.rest.upstream.c1.latency.p50);
    lines.push(
      `Store floor (the round trips a turn must make, on raw drivers): +${fmtMs(over(floor))} at c=1 and ${fmtNum(floor.c50.perSecond)} turns/s at c=50 (×${(floor.c50.perSecond / peer.c50.perSecond).toFixed(2)} the peer); Threadline, Postgres + Redis, adds +${fmtMs(minus(over(tl), over(floor)))} at c=1 over it and serves ×${(tl.c50.perSecond / floor.c50.perSecond).toFixed(2)} of its turns/s.`,
    );
  }
  if (peer?.c50?.rounds && tl?.c50?.rounds) {
    const rounds = (r) => r.c50.rounds.map((x) => fmtNum(x)).join(' / ');
    lines.push(`REST at c=50 in ${tl.c50.rounds.length} rounds, the targets taking turns; turns/s per round: the peer ${rounds(peer)}${floor?.c50?.rounds ? `, the store floor ${rounds(floor)}` : ''}, Threadline (Postgres + Redis) ${rounds(tl)}.`);
  }
  if (roundTrips) lines.push(`Round trips per REST turn: ${roundTrips.pgTransactionsPerTurn} Postgres transactions, ${roundTrips.redisCommandsPerTurn} Redis commands (${Object.entries(roundTrips.redisCommands).map(([k, v]) => `${k} ${v}`).join(', ')}); the api process made ${roundTrips.writeSyscallsPerTurn} write and ${roundTrips.readSyscallsPerTurn} read syscalls per turn.`);
  const first = roundTrips?.firstTurn;
  if (first) lines.push(`A thread's first turn (a new end user, c=1): ${first.pgTransactionsPerTurn} Postgres transactions, ${first.redisCommandsPerTurn} Redis commands, p50 ${fmtMs(first.p50Ms)} against ${fmtMs(roundTrips.p50Ms)} for a later turn of a thread.`);
  return lines;
}

export function printReport(results, targets, log) {
  log('\nREST (POST /api/chat for Threadline; chat completions for the others), latency with overhead over the direct upstream:');
  log(table(REST_HEADER, restRows(results, targets)));
  log('\nCPU per REST turn at c=50 by process (all Postgres and Redis server processes counted, whoever they served):');
  log(table(CPU_HEADER, cpuRows(results, targets)));
  log('\nStreaming (SSE chat completions; Threadline over socket.io /chat), with overhead over the direct upstream:');
  log(table(STREAM_HEADER, streamRows(results, targets)));
  log('\nTargets:');
  log(table(TARGET_HEADER, targetRows(results.targets)));
  log('');
  for (const line of detailLines(results)) log(line);
}

export async function writeJson(file, results) {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(results, null, 2)}\n`);
}

const START = '<!-- bench:results:start -->';
const END = '<!-- bench:results:end -->';

/** Replaces the results section of bench/README.md with this run's tables. */
export async function updateReadme(file, results, targets) {
  const text = await readFile(file, 'utf8');
  const a = text.indexOf(START);
  const b = text.indexOf(END);
  if (a < 0 || b < a) return false;
  const m = results.machine;
  const section = [
    START,
    '',
    `Run of ${results.date} at commit \`${results.git.commit.slice(0, 12)}\`${results.git.dirty ? ' (with uncommitted changes)' : ''}, ${results.mode} mode;`,
    `${m.cpus}× ${m.cpuModel}, ${fmtNum(m.memoryGB, 1)} GB, Node ${m.node}, ${m.platform}.`,
    '',
    `> ${results.load.note}`,
    '',
    markdownTable(TARGET_HEADER, targetRows(results.targets)),
    '',
    markdownTable(REST_HEADER, restRows(results, targets)),
    '',
    markdownTable(CPU_HEADER, cpuRows(results, targets)),
    '',
    markdownTable(STREAM_HEADER, streamRows(results, targets)),
    '',
    ...detailLines(results).map((line) => `- ${line}`),
    '',
    END,
  ].join('\n');
  await writeFile(file, text.slice(0, a) + section + text.slice(b + END.length));
  return true;
}
