// Phases about what Threadline keeps: memory per idle widget socket, a turn on a huge
// thread against a small one, and how fast a message reaches a staff dashboard.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { connectSocket, openWebSession, requestJson } from './clients.mjs';
import { pool, restLoad } from './load.mjs';
import { TURN_TEXT } from './phases-load.mjs';
import { summarize, round } from './stats.mjs';
import { MASTER_KEY } from './targets.mjs';

async function rssBytes(pid) {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1]);
  return kb * 1024;
}

/**
 * Live memory of the probe process: two full collections first (through the inspector),
 * then process.memoryUsage() inside it and the median of three VmRSS readings.
 */
async function settledMemory(inspector, pid) {
  const usage = await inspector.settledMemory();
  const rss = [];
  for (let i = 0; i < 3; i++) {
    rss.push(await rssBytes(pid));
    await sleep(200);
  }
  rss.sort((x, y) => x - y);
  return { rss: rss[1], heapUsed: usage.heapUsed, external: usage.external };
}

/**
 * N idle /chat sockets, each with its own session and token, as N open widget tabs.
 * The sessions are opened through the main process; the sockets go to a fresh process on
 * the same Postgres + Redis (started by `startProbe` with --inspect), whose memory then
 * holds nothing but its startup state and the sockets.
 */
export async function socketsPhase(tl, { count, log, startProbe }) {
  log(`  opening ${count} web sessions…`);
  const sessions = await pool(count, 16, () => openWebSession(tl.url));
  const probe = await startProbe();
  // Loaded here, not at the top: the bench imports this file before it builds libs/testing.
  const { inspectProcess } = await import('@threadline/testing');
  const inspector = await inspectProcess(probe.inspectPort);
  try {
    // The first connections compile the handshake paths; that code is not per-socket memory.
    const warm = await pool(200, 50, (i) => connectSocket(`${probe.url}/chat`, sessions[i]));
    for (const socket of warm) socket.close();
    await sleep(1000);
    const before = await settledMemory(inspector, probe.proc.pid);
    log(`  connecting ${count} sockets to a fresh process (RSS ${(before.rss / 2 ** 20).toFixed(1)} MB, heap ${(before.heapUsed / 2 ** 20).toFixed(1)} MB)…`);
    const started = performance.now();
    const sockets = await pool(count, 50, (i) => connectSocket(`${probe.url}/chat`, sessions[i]));
    const connectSeconds = (performance.now() - started) / 1000;
    await sleep(2000);
    const after = await settledMemory(inspector, probe.proc.pid);
    const connected = sockets.filter((s) => s.connected).length;
    for (const socket of sockets) socket.close();
    const per = (field) => Math.round((after[field] - before[field]) / count);
    const result = {
      sockets: count,
      connected,
      connectSeconds: round(connectSeconds, 2),
      before,
      after,
      rssPerSocket: per('rss'),
      heapPerSocket: per('heapUsed'),
      externalPerSocket: per('external'),
    };
    // RSS alone can hide growth in pages the allocator had already taken; live heap alone misses native buffers.
    result.bytesPerSocket = Math.max(result.rssPerSocket, result.heapPerSocket + result.externalPerSocket);
    log(`  ${connected}/${count} connected in ${result.connectSeconds} s; per socket: RSS ${result.rssPerSocket} B, V8 heap ${result.heapPerSocket} B, external ${result.externalPerSocket} B`);
    return result;
  } finally {
    inspector.close();
    await probe.proc.stop();
  }
}

const SEED = `
  INSERT INTO messages (id, session_id, seq, role, content, status, token_count, created_at)
  SELECT gen_random_uuid(), $1, g,
         CASE WHEN g % 2 = 1 THEN 'user' ELSE 'assistant' END,
         CASE WHEN g % 2 = 1 THEN 'earlier question number ' || g ELSE 'Echo: earlier question number ' || (g - 1) END,
         'complete', 8, now() - make_interval(secs => ($2::int - g)::double precision)
  FROM generate_series(3, $2::int) AS g`;

/**
 * One thread of 100,000 messages and one of 10 (Postgres + Redis process). Each is made by
 * a real turn, then filled to size with one INSERT … generate_series (seq gapless,
 * message_count in step). Turns alternate between the two; after each, the thread is cut
 * back to its size (untimed), so every timed turn sees exactly 100,000 or 10 messages.
 */
export async function historyPhase(tl, { turns, warmup, log }) {
  const db = new pg.Client({ connectionString: tl.store.databaseUrl });
  await db.connect();
  try {
    const turn = async (user) => {
      const reply = await requestJson(`${tl.url}/api/chat`, { body: { message: TURN_TEXT }, headers: { authorization: `Bearer ${tl.apiKey}`, 'x-user-id': user } });
      if (reply.status !== 200) throw new Error(`turn for ${user} answered ${reply.status}: ${JSON.stringify(reply.body)}`);
      return reply.ms;
    };
    const threads = { big: { user: 'history-big', size: 100_000, samples: [] }, small: { user: 'history-small', size: 10, samples: [] } };
    for (const thread of Object.values(threads)) {
      await turn(thread.user);
      const { rows } = await db.query(`SELECT id FROM sessions WHERE channel = 'api' AND end_user_id = $1 AND status = 'active'`, [thread.user]);
      thread.id = rows[0].id;
      const started = performance.now();
      await db.query(SEED, [thread.id, thread.size]);
      await db.query(`UPDATE sessions SET message_count = $2 WHERE id = $1`, [thread.id, thread.size]);
      if (thread.size > 1000) log(`  seeded ${thread.size.toLocaleString('en-US')} messages in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    }
    await db.query('ANALYZE messages');
    const cutBack = (thread) =>
      db.query(`WITH d AS (DELETE FROM messages WHERE session_id = $1 AND seq > $2) UPDATE sessions SET message_count = $2 WHERE id = $1`, [thread.id, thread.size]);
    let check = null;
    for (let i = 0; i < warmup + turns; i++) {
      // ABBA order: neither thread always goes first.
      const order = i % 2 === 0 ? [threads.big, threads.small] : [threads.small, threads.big];
      for (const thread of order) {
        const ms = await turn(thread.user);
        if (i >= warmup) thread.samples.push(ms);
        if (thread === threads.big && check === null) {
          const { rows } = await db.query(`SELECT count(*)::int AS n, max(seq) AS top, (SELECT message_count FROM sessions WHERE id = $1) AS counted FROM messages WHERE session_id = $1`, [thread.id]);
          check = rows[0];
        }
        await cutBack(thread);
      }
    }
    const big = summarize(threads.big.samples);
    const small = summarize(threads.small.samples);
    const result = {
      turns,
      big,
      small,
      ratioP50: round(big.p50 / small.p50),
      ratioMean: round(big.mean / small.mean),
      bigThreadAfterFirstTurn: { messages: check.n, maxSeq: check.top, messageCount: check.counted, gapless: check.n === check.top && check.top === check.counted },
    };
    log(`  100,000-message thread p50 ${big.p50} ms vs 10-message thread p50 ${small.p50} ms: ratio ${result.ratioP50}`);
    return result;
  } finally {
    await db.end();
  }
}

/**
 * From sending a message (POST /api/chat) to an /admin socket receiving its
 * `message:created`: quiet (one message at a time), then while 50 connections keep the
 * process busy (a message every 100 ms, each in its own thread).
 */
export async function livePhase(tl, { events, loadSeconds, log }) {
  const admin = await connectSocket(`${tl.url}/admin`, { token: MASTER_KEY });
  const waiting = new Map();
  admin.on('message:created', ({ message }) => {
    const entry = message?.role === 'user' ? waiting.get(message.content) : undefined;
    if (!entry) return;
    waiting.delete(message.content);
    entry.resolve(performance.now() - entry.started);
  });
  const tag = randomBytes(4).toString('hex');
  const one = async (i, user = `live-${i % 4}`) => {
    const text = `live event ${tag} ${i}`;
    const seen = new Promise((resolve) => waiting.set(text, { started: performance.now(), resolve }));
    const reply = requestJson(`${tl.url}/api/chat`, { body: { message: text }, headers: { authorization: `Bearer ${tl.apiKey}`, 'x-user-id': user } });
    const ms = await Promise.race([seen, sleep(10_000).then(() => null)]);
    const { status } = await reply;
    if (status !== 200) throw new Error(`live-event turn answered ${status}`);
    if (ms === null) throw new Error(`no message:created within 10 s for "${text}"`);
    return ms;
  };
  try {
    const quiet = [];
    for (let i = 0; i < events; i++) quiet.push(await one(i));
    const busy = [];
    const background = restLoad({
      url: `${tl.url}/api/chat`,
      body: JSON.stringify({ message: TURN_TEXT }),
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tl.apiKey}` },
      headersFor: (i) => ({ 'x-user-id': `live-load-${i}` }),
      connections: 50,
      seconds: loadSeconds,
    });
    let done = false;
    void background.finally(() => (done = true));
    await sleep(500);
    // Paced, not one after another: under load each turn takes long, and we want many samples.
    const pending = [];
    const failures = [];
    for (let i = events; !done; i++) {
      pending.push(one(i, `live-busy-${i}`).then((ms) => busy.push(ms), (error) => failures.push(error)));
      await sleep(100);
    }
    await Promise.all(pending);
    const load = await background;
    if (failures.length > 0) throw failures[0];
    const result = { quiet: summarize(quiet), underLoad: summarize(busy), backgroundTurnsPerSecond: load.perSecond };
    log(`  live events: quiet p50 ${result.quiet.p50} ms, p99 ${result.quiet.p99} ms; under 50-connection load p50 ${result.underLoad.p50} ms, p99 ${result.underLoad.p99} ms`);
    return result;
  } finally {
    admin.close();
  }
}
