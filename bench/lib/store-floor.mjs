// Child process: the store floor. The round trips DESIGN §5 requires of a turn, on the raw
// drivers and node:http with nothing else: what any gateway that keeps threads durably
// must spend on this machine before its own code runs. Per turn: a Redis lock that also
// reads the cached window (one round trip), the user message committed with its WAL flush
// (group commit: rows that arrive while two statements are in flight leave together), the
// streamed upstream call, the answer committed without waiting for the flush, the reply,
// then the window and the lock release in one Redis write. It authenticates nothing,
// validates nothing, keeps no session rows, usage, cost or budget, and has no timeouts.
import { Buffer } from 'node:buffer';
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { createClient } from 'redis';
import { serveChild } from './child-server.mjs';
// Threadline's own decoder of the upstream's event stream (built by the bench before it
// runs): the floor then reads an answer at the same cost, and the difference is the rest.
import { SseDecoder } from '../../apps/api/dist/llm/sse-decoder.js';

const upstream = new URL(`${process.env.UPSTREAM_URL}/chat/completions`);
const prefix = `${process.env.REDIS_KEY_PREFIX ?? 'tl:floor:'}floor:`;
const WINDOW = 20;
const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: 256 });

const durable = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const relaxed = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
relaxed.on('connect', (client) => void client.query('SET synchronous_commit = off').catch(() => undefined));
await durable.query(`CREATE TABLE IF NOT EXISTS floor_messages (
  id uuid PRIMARY KEY, thread text NOT NULL, seq int NOT NULL, role text NOT NULL, content text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(), UNIQUE (thread, seq))`);
const redis = createClient({ url: process.env.REDIS_URL });
await redis.connect();

/** Rows that arrive while `inFlight` statements are running wait and leave as one INSERT. */
function groupCommit(pool, inFlight = 2) {
  let queue = [];
  let running = 0;
  const flush = () => {
    if (running >= inFlight || queue.length === 0) return;
    const batch = queue;
    queue = [];
    running++;
    const values = batch.map((_, i) => `($${i * 5 + 1}, $${i * 5 + 2}, $${i * 5 + 3}, $${i * 5 + 4}, $${i * 5 + 5})`).join(', ');
    pool
      .query({ name: `floor-insert-${batch.length}`, text: `INSERT INTO floor_messages (id, thread, seq, role, content) VALUES ${values}`, values: batch.flatMap((b) => b.row) })
      .then(() => batch.forEach((b) => b.done()), (error) => batch.forEach((b) => b.fail(error)))
      .finally(() => {
        running--;
        flush();
      });
  };
  return (row) =>
    new Promise((done, fail) => {
      queue.push({ row, done, fail });
      flush();
    });
}
const storeDurably = groupCommit(durable);
const storeRelaxed = groupCommit(relaxed);
const nextSeq = new Map();

function askUpstream(messages) {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ model: 'gpt-4.1-nano', messages, stream: true, stream_options: { include_usage: true } });
    const req = http.request(upstream, { method: 'POST', agent, headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench', 'content-length': Buffer.byteLength(body) } }, (res) => {
      const decoder = new SseDecoder();
      let answer = '';
      res.on('data', (chunk) => {
        for (const { data } of decoder.write(chunk)) {
          if (data !== '[DONE]') answer += JSON.parse(data).choices?.[0]?.delta?.content ?? '';
        }
      });
      res.on('end', () => resolve(answer));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function turn(thread, message) {
  const lock = `${prefix}lock:${thread}`;
  const windowKey = `${prefix}window:${thread}`;
  let [granted, cached] = await redis.multi().set(lock, '1', { NX: true, PX: 30_000 }).lRange(windowKey, -WINDOW, -1).exec();
  // Turns of one thread run one at a time: the next waits (a thread has one bench connection,
  // so this only happens when a load phase starts while the last one's final turn is finishing).
  while (granted !== 'OK') {
    await sleep(2);
    [granted, cached] = await redis.multi().set(lock, '1', { NX: true, PX: 30_000 }).lRange(windowKey, -WINDOW, -1).exec();
  }
  const seq = (nextSeq.get(thread) ?? 0) + 1;
  nextSeq.set(thread, seq + 1);
  try {
    await storeDurably([randomUUID(), thread, seq, 'user', message]);
    const window = [...cached.map((m) => JSON.parse(m)), { role: 'user', content: message }];
    const answer = await askUpstream(window);
    await storeRelaxed([randomUUID(), thread, seq + 1, 'assistant', answer]);
    return {
      answer,
      after: () => redis.multi().rPush(windowKey, [JSON.stringify(window.at(-1)), JSON.stringify({ role: 'assistant', content: answer })]).lTrim(windowKey, -WINDOW, -1).del(lock).exec(),
    };
  } catch (error) {
    void redis.del(lock).catch(() => undefined);
    throw error;
  }
}

const server = http.createServer((req, res) => {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (chunk) => (body += chunk));
  req.on('end', () => {
    turn(String(req.headers['x-user-id'] ?? 'anonymous'), JSON.parse(body).message).then(
      ({ answer, after }) => {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ answer }));
        void after().catch(() => undefined);
      },
      (error) => res.writeHead(error.status ?? 500).end(),
    );
  });
});
serveChild(server, () => Promise.all([durable.end(), relaxed.end(), redis.quit()]));
