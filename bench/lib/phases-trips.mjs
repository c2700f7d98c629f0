// Round trips per turn on the Postgres + Redis process: Postgres transactions (from
// pg_stat_database of the bench database) and Redis commands (MONITOR, attributed to the
// api process's own Redis connections through /proc). On a loaded VM every round trip is
// a syscall and a wake-up of another process, so this is where much of a turn's time goes.
import { readdir, readFile, readlink } from 'node:fs/promises';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { requestJson } from './clients.mjs';
import { TURN_TEXT } from './phases-load.mjs';
import { round, summarize } from './stats.mjs';

// Idle backends publish their statistics within PGSTAT_IDLE_INTERVAL (10 s).
const PG_STATS_SETTLE_MS = 11_000;

/** Local ports of `pid`'s TCP connections to `remotePort` (from /proc/<pid>/fd and /proc/net/tcp*). */
async function localPortsTo(pid, remotePort) {
  const inodes = new Set();
  for (const fd of await readdir(`/proc/${pid}/fd`)) {
    const link = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
    const match = /^socket:\[(\d+)\]$/.exec(link);
    if (match) inodes.add(match[1]);
  }
  const ports = new Set();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const text = await readFile(table, 'utf8').catch(() => '');
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10 || !inodes.has(cols[9])) continue;
      if (parseInt(cols[2].split(':')[1], 16) === remotePort) ports.add(parseInt(cols[1].split(':')[1], 16));
    }
  }
  return ports;
}

/** The process's read and write syscall counters (/proc/<pid>/io); null where unreadable. */
async function syscalls(pid) {
  const text = await readFile(`/proc/${pid}/io`, 'utf8').catch(() => null);
  if (!text) return null;
  const field = (name) => Number(new RegExp(`^${name}: (\\d+)$`, 'm').exec(text)?.[1]);
  return { syscr: field('syscr'), syscw: field('syscw') };
}

/** MONITOR on a raw connection: counts commands per client port until stop(). */
function monitorRedis(redisUrl) {
  const url = new URL(redisUrl);
  const socket = net.connect(Number(url.port || 6379), url.hostname);
  const byPort = new Map();
  let buffer = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk) => {
    buffer += chunk;
    const lines = buffer.split('\r\n');
    buffer = lines.pop();
    for (const line of lines) {
      const match = /^\+\d+\.\d+ \[\d+ [^\]]*:(\d+)\] "([^"]+)"/.exec(line);
      if (!match) continue;
      const port = Number(match[1]);
      const commands = byPort.get(port) ?? new Map();
      const name = match[2].toUpperCase();
      commands.set(name, (commands.get(name) ?? 0) + 1);
      byPort.set(port, commands);
    }
  });
  const ready = new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.write('MONITOR\r\n');
      resolve();
    });
  });
  return { ready, byPort, stop: () => socket.destroy() };
}

/**
 * Round trips, syscalls and c=1 latency per REST turn, for a thread's later turns and for a
 * thread's first turn (a new end user: the session is opened in the turn), which is what
 * most widget conversations start with.
 */
export async function tripsPhase(tl, { turns, log }) {
  const db = new pg.Client({ connectionString: tl.store.databaseUrl });
  await db.connect();
  const monitor = monitorRedis(tl.store.redisUrl);
  try {
    await monitor.ready;
    const turn = (user) => requestJson(`${tl.url}/api/chat`, { body: { message: TURN_TEXT }, headers: { authorization: `Bearer ${tl.apiKey}`, 'x-user-id': user } });
    await turn('round-trips');
    const snapshot = async () => {
      const { rows } = await db.query(`SELECT xact_commit + xact_rollback AS xacts FROM pg_stat_database WHERE datname = current_database()`);
      return Number(rows[0].xacts);
    };
    const measure = async (userOf) => {
      const before = await snapshot();
      monitor.byPort.clear();
      const ioBefore = await syscalls(tl.proc.pid);
      for (let i = 0; i < turns; i++) {
        const reply = await turn(userOf(i));
        if (reply.status !== 200) throw new Error(`turn answered ${reply.status}`);
      }
      const ioAfter = await syscalls(tl.proc.pid);
      const redisPorts = await localPortsTo(tl.proc.pid, Number(new URL(tl.store.redisUrl).port || 6379));
      const commands = new Map();
      for (const [port, counts] of monitor.byPort) {
        if (!redisPorts.has(port)) continue;
        for (const [name, n] of counts) commands.set(name, (commands.get(name) ?? 0) + n);
      }
      await sleep(PG_STATS_SETTLE_MS);
      // Our own two snapshot statements are transactions too.
      const pgTransactions = (await snapshot()) - before - 1;
      const redisTotal = [...commands.values()].reduce((a, b) => a + b, 0);
      return {
        turns,
        pgTransactionsPerTurn: round(pgTransactions / turns, 2),
        redisCommandsPerTurn: round(redisTotal / turns, 2),
        writeSyscallsPerTurn: ioBefore && ioAfter ? round((ioAfter.syscw - ioBefore.syscw) / turns, 1) : null,
        readSyscallsPerTurn: ioBefore && ioAfter ? round((ioAfter.syscr - ioBefore.syscr) / turns, 1) : null,
        redisCommands: Object.fromEntries([...commands.entries()].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, round(v / turns, 2)])),
      };
    };
    const describe = (r) =>
      `${r.pgTransactionsPerTurn} Postgres transactions, ${r.redisCommandsPerTurn} Redis commands (${Object.entries(r.redisCommands).map(([k, v]) => `${k} ${v}`).join(', ')}), ${r.writeSyscallsPerTurn} write and ${r.readSyscallsPerTurn} read syscalls`;
    const stamp = Date.now().toString(36);
    const newUser = (tag) => (i) => `first-turn-${stamp}-${tag}-${i}`;
    await sleep(PG_STATS_SETTLE_MS);
    const result = await measure(() => 'round-trips');
    log(`  per REST turn: ${describe(result)}`);
    result.firstTurn = await measure(newUser('trips'));
    log(`  per first turn of a thread: ${describe(result.firstTurn)}`);
    // Latency without MONITOR, which slows every Redis command: first and later turns
    // alternate one by one, so the host's drift falls on both alike.
    monitor.stop();
    const latency = { first: [], later: [] };
    const timed = async (user, into) => {
      const started = performance.now();
      const reply = await turn(user);
      if (reply.status !== 200) throw new Error(`turn answered ${reply.status}`);
      into.push(performance.now() - started);
    };
    const firstUser = newUser('latency');
    for (let i = 0; i < turns * 3; i++) {
      await timed(firstUser(i), latency.first);
      await timed('round-trips', latency.later);
    }
    result.firstTurn.p50Ms = summarize(latency.first).p50;
    result.p50Ms = summarize(latency.later).p50;
    log(`  c=1 p50: a thread's first turn ${result.firstTurn.p50Ms} ms, a later turn ${result.p50Ms} ms`);
    return result;
  } finally {
    monitor.stop();
    await db.end();
  }
}
