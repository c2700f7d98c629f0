// Everything the bench runs against, started on this machine: the fake upstream, the
// pass-through floor, the peer gateway, the store floor and two Threadline processes (embedded;
// Postgres + Redis).
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PRODUCTION_NODE_FLAGS } from '../../scripts/production-node-flags.mjs';
import { requestJson } from './clients.mjs';
import { onCleanup, startNode } from './procs.mjs';

const ROOT = resolve(import.meta.dirname, '../..');
const HERE = import.meta.dirname;

export const MASTER_KEY = `bench-master-${randomBytes(12).toString('hex')}`;

/** The Postgres (a role that may create databases) and Redis every bench entry point provisions its store on. */
export const BENCH_DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const BENCH_REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A run's name in its database, Redis prefix and files: the start time, to the second. */
export const runStamp = () => new Date().toISOString().replace(/\D/g, '').slice(0, 14);

export function freePort() {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });
}

const healthy = (url) => () => globalThis.fetch(url).then((r) => r.ok, () => false);

export async function startUpstream() {
  const proc = await startNode('fake upstream', [join(HERE, 'upstream.mjs')]);
  return { proc, baseURL: proc.info.url };
}

export async function startPassThrough(upstreamBase) {
  const proc = await startNode('pass-through proxy', [join(HERE, 'proxy.mjs')], { env: { UPSTREAM_URL: new URL(upstreamBase).origin } });
  return { proc, baseURL: `${proc.info.url}/v1` };
}

/** The peer: @portkey-ai/gateway, stateless, routing to our upstream through its custom-host header. */
export async function startPeer(upstreamBase) {
  const port = await freePort();
  const entry = join(ROOT, 'node_modules/@portkey-ai/gateway/build/start-server.js');
  const url = `http://127.0.0.1:${port}`;
  // --headless and production: no log console kept in memory, as one would run it in production.
  const proc = await startNode('portkey gateway', [entry, `--port=${port}`, '--headless'], {
    env: { NODE_ENV: 'production' },
    readyLine: false,
    waitReady: () => globalThis.fetch(`${url}/`).then(() => true, () => false),
  });
  return {
    proc,
    baseURL: `${url}/v1`,
    headers: { 'x-portkey-provider': 'openai', 'x-portkey-custom-host': upstreamBase, authorization: 'Bearer sk-bench' },
  };
}

/**
 * The store floor (store-floor.mjs) on the run's own database and Redis prefix: the round
 * trips a turn must make, on raw drivers, as the reference for what Threadline adds over them.
 */
export async function startStoreFloor(upstreamBase, store, { nodeArgs = [], env = {} } = {}) {
  const proc = await startNode('store floor', [join(HERE, 'store-floor.mjs')], {
    nodeArgs,
    env: { ...env, UPSTREAM_URL: upstreamBase, DATABASE_URL: store.databaseUrl, REDIS_URL: store.redisUrl, REDIS_KEY_PREFIX: store.prefix },
  });
  return { proc, url: proc.info.url };
}

/** A fresh Postgres database and Redis key prefix for one run, dropped / deleted at the end. */
export async function provisionPostgres(adminUrl, redisUrl, stamp) {
  // Loaded here, not at the top: the bench imports this file before it builds libs/testing.
  const { provisionSharedStore } = await import('@threadline/testing');
  const { drop, ...store } = await provisionSharedStore(adminUrl, redisUrl, 'bench', stamp);
  onCleanup(drop);
  // Shared by every Threadline process on this store, as in a scaled-out deployment.
  return { kind: 'postgres', ...store, sessionSecret: randomBytes(32).toString('hex') };
}

/**
 * The built gateway as its own process, the way production runs it. `store` is either
 * { kind: 'embedded' } or { kind: 'postgres', databaseUrl, redisUrl, prefix }.
 */
export async function startThreadline(name, upstreamBase, store, { nodeArgs = [], env: extraEnv = {} } = {}) {
  const port = await freePort();
  const dataDir = await mkdtemp(join(tmpdir(), 'tl-bench-'));
  onCleanup(() => rm(dataDir, { recursive: true, force: true }));
  const url = `http://127.0.0.1:${port}`;
  const env = {
    ...extraEnv,
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(port),
    LOG_LEVEL: 'warn',
    DATA_DIR: dataDir,
    MASTER_KEY,
    SESSION_SECRET: store.sessionSecret ?? randomBytes(32).toString('hex'),
    OPENAI_API_KEY: 'sk-bench',
    OPENAI_BASE_URL: upstreamBase,
    // The bench drives thousands of turns from one address; the widget's abuse limits would refuse them.
    WIDGET_RATE_PER_MINUTE: '0',
    WIDGET_RATE_PER_MINUTE_PER_ADDRESS: '0',
    WIDGET_ALLOWED_ORIGINS: '*',
    ...(store.kind === 'postgres' ? { DATABASE_URL: store.databaseUrl, REDIS_URL: store.redisUrl, REDIS_KEY_PREFIX: store.prefix } : {}),
  };
  // Only what the bench means to set: an inherited DATABASE_URL would silently change the mode.
  const clean = { DATABASE_URL: '', REDIS_URL: '', REDIS_KEY_PREFIX: '' };
  for (const key of Object.keys(clean)) if (!(key in env)) env[key] = undefined;
  // BENCH_API_ENTRY: another build's main.js (an A/B against an older commit built in a worktree).
  const proc = await startNode(name, [process.env.BENCH_API_ENTRY || join(ROOT, 'apps/api/dist/main.js')], {
    env,
    nodeArgs: [...PRODUCTION_NODE_FLAGS, ...nodeArgs],
    readyLine: false,
    waitReady: healthy(`${url}/api/health`),
    timeoutMs: 120_000,
  });
  const key = await requestJson(`${url}/api/admin/api-keys`, { body: { name: 'bench' }, headers: { authorization: `Bearer ${MASTER_KEY}` } });
  if (key.status !== 201 && key.status !== 200) throw new Error(`${name}: API key creation answered ${key.status}: ${JSON.stringify(key.body)}`);
  return { name, proc, url, apiKey: key.body.secret, store };
}
