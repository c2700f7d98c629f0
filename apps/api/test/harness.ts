import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import pg from 'pg';
import { FakeOpenAI } from '@threadline/testing';
import { randomToken } from '../src/common/ids.js';
import { STARTUP_GRACE_MS } from '../src/admin/admin-watchers.js';
import type { Clock } from '../src/common/clock.js';
import { AppConfig } from '../src/config/app-config.js';
import { createApp } from '../src/create-app.js';
import type { Backend } from './backends.js';
import { pgliteTemplate, postgresTemplate, withDatabase } from './templates.js';

export interface StorageHandle {
  backend: Backend;
  env: Record<string, string>;
  dispose(): Promise<void>;
}

/** A private, migrated store for one suite: a copied PGlite dir, or a cloned Postgres database + Redis prefix. */
export async function provisionStorage(backend: Backend): Promise<StorageHandle> {
  if (backend === 'embedded') {
    const dataDir = await mkdtemp(join(tmpdir(), 'tl-it-'));
    await cp(await pgliteTemplate(), join(dataDir, 'pglite'), { recursive: true });
    return { backend, env: { DATA_DIR: dataDir }, dispose: () => rm(dataDir, { recursive: true, force: true }) };
  }
  const url = process.env.DATABASE_URL!;
  const template = await postgresTemplate(url);
  const database = `tl_${process.env.TL_TEST_RUN_ID ?? 'solo'}_${randomToken(6).toLowerCase().replace(/[^a-z0-9]/g, 'x')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database} TEMPLATE ${template}`);
  await admin.end();
  const dataDir = await mkdtemp(join(tmpdir(), 'tl-it-'));
  return {
    backend,
    env: { DATABASE_URL: withDatabase(url, database), REDIS_URL: process.env.REDIS_URL!, REDIS_KEY_PREFIX: `tl:test:${database}:`, DATA_DIR: dataDir },
    dispose: () => rm(dataDir, { recursive: true, force: true }),
  };
}

export interface Gateway {
  url: string;
  app: NestFastifyApplication;
  config: AppConfig;
  request<T = any>(method: string, path: string, options?: { body?: unknown; headers?: Record<string, string>; raw?: string }): Promise<{ status: number; body: T; headers: Headers; text: string }>;
  close(): Promise<void>;
}

export interface GatewayOptions {
  storage: StorageHandle;
  fake?: FakeOpenAI;
  env?: Record<string, string>;
  clock?: Clock;
}

/**
 * Until then a new instance assumes staff may be watching /admin, so it streams every
 * answer from the upstream: a test of which answers are asked for whole waits it out.
 */
export const untilNoWatchersAssumed = () => new Promise((resolve) => setTimeout(resolve, STARTUP_GRACE_MS + 100));

/** The real app on a free port, talking to the fake upstream unless told otherwise. */
export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const config = AppConfig.fromEnv({
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    MASTER_KEY: TEST_MASTER_KEY,
    LLM_RETRY_BASE_MS: '5',
    LLM_TIMEOUT_MS: '2000',
    LLM_ANSWER_TIMEOUT_MS: '2000',
    ...(options.fake ? { OPENAI_API_KEY: 'test-key', OPENAI_BASE_URL: options.fake.baseURL } : {}),
    ...options.storage.env,
    ...options.env,
  });
  const app = await createApp({ config, clock: options.clock, logger: false });
  await app.listen(0, '127.0.0.1').catch(async (error: unknown) => {
    await app.close().catch(() => undefined);
    throw error;
  });
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return {
    url,
    app,
    config,
    async request(method, path, { body, headers = {}, raw } = {}) {
      const response = await fetch(`${url}${path}`, {
        method,
        headers: { ...(body !== undefined || raw !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
        body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
      });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        /* SSE and HTML stay text */
      }
      return { status: response.status, body: parsed as never, headers: response.headers, text };
    },
    close: () => app.close(),
  };
}

export const TEST_MASTER_KEY = 'test-master-key-0123456789';
export const masterAuth = { authorization: `Bearer ${TEST_MASTER_KEY}` };

/** An API key made the way an operator would, through the admin API. */
export async function createApiKey(gateway: Gateway, tenant?: string): Promise<string> {
  const { status, body } = await gateway.request('POST', '/api/admin/api-keys', { headers: masterAuth, body: { name: 'test', ...(tenant ? { tenant } : {}) } });
  if (status !== 201 && status !== 200) throw new Error(`api key creation failed: ${status} ${JSON.stringify(body)}`);
  return body.secret;
}

/** Web session: id + token. */
export async function openWebSession(gateway: Gateway): Promise<{ sessionId: string; token: string; auth: Record<string, string> }> {
  const { body } = await gateway.request('POST', '/api/sessions', { body: {} });
  return { sessionId: body.sessionId, token: body.token, auth: { authorization: `Bearer ${body.token}` } };
}

/** The contents of each message the upstream received in request `index`. */
export function upstreamContents(fake: FakeOpenAI, index = -1): string[] {
  const request = fake.requests.at(index);
  if (!request) throw new Error(`the upstream received no request ${index}`);
  return request.messages.map((m) => `${m.role}: ${typeof m.content === 'string' ? m.content : JSON.stringify(m.content ?? m.tool_calls)}`);
}

export interface GatewaySuite {
  fake: FakeOpenAI;
  storage: StorageHandle;
  gateway: Gateway;
  /** close and boot again on the same storage (a restart) */
  restart(): Promise<Gateway>;
}

/**
 * The usual suite setup in one call: a fake upstream, private storage for `backend`,
 * the gateway booted once for the suite, the fake's record cleared before each test,
 * and everything torn down after. Fields are filled in `beforeAll`.
 */
export function useGateway(
  backend: Backend,
  options: { env?: Record<string, string>; clock?: Clock; fake?: Parameters<typeof FakeOpenAI.start>[0] } = {},
): GatewaySuite {
  const suite = {} as GatewaySuite;
  const boot = () => startGateway({ storage: suite.storage, fake: suite.fake, env: options.env, clock: options.clock });
  suite.restart = async () => {
    await suite.gateway.close();
    suite.gateway = await boot();
    return suite.gateway;
  };
  beforeAll(async () => {
    suite.fake = await FakeOpenAI.start(options.fake);
    suite.storage = await provisionStorage(backend);
    suite.gateway = await boot();
  });
  beforeEach(() => suite.fake.reset());
  afterAll(async () => {
    await suite.gateway?.close();
    await suite.fake?.close();
    await suite.storage?.dispose();
  });
  return suite;
}
