import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  FakeOpenAI,
  privateServersMissing,
  startPrivatePostgres,
  startPrivateRedis,
  threadViolations,
  waitUntil,
  type PrivatePostgres,
  type PrivateRedis,
} from '@threadline/testing';
import { TEST_MASTER_KEY } from '../harness.js';
import { startApiProcess, type ApiProcess } from '../processes.js';
import { driveLoad, isClearUnavailable, openClients } from './load.js';

/*
 * Postgres and Redis restarted under load (issue 8). The machine's shared servers serve
 * other suites at the same time, so this suite runs its own on free ports and restarts those.
 */
const missing = privateServersMissing();
const describeWithServers = missing ? describe.skip : describe;
if (missing) console.warn(`Skipping the Postgres/Redis restart suite: ${missing}`);

const CLIENTS = 18;
const CLIENT_TIMEOUT_MS = 15_000;
const RECOVERY_LIMIT_MS = 15_000;
const echo = (text: string) => `Echo: ${text}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describeWithServers(`two api instances while Postgres or Redis restarts under load${missing ? ` (skipped: ${missing})` : ''}`, () => {
  let postgres: PrivatePostgres;
  let redis: PrivateRedis;
  let fake: FakeOpenAI;
  let dataDir: string;
  const instances: ApiProcess[] = [];

  beforeAll(async () => {
    [postgres, redis, fake] = await Promise.all([startPrivatePostgres(), startPrivateRedis(), FakeOpenAI.start({ latencyMs: 5 })]);
    dataDir = await mkdtemp(join(tmpdir(), 'tl-faults-'));
    const env = {
      DATABASE_URL: postgres.url,
      REDIS_URL: redis.url,
      OPENAI_API_KEY: 'test-key',
      OPENAI_BASE_URL: fake.baseURL,
      MASTER_KEY: TEST_MASTER_KEY,
      LLM_RETRY_BASE_MS: '5',
    };
    // One after the other: the first one migrates the empty cluster.
    instances.push(await startApiProcess({ ...env, DATA_DIR: join(dataDir, 'a') }));
    instances.push(await startApiProcess({ ...env, DATA_DIR: join(dataDir, 'b') }));
  });
  afterAll(async () => {
    await Promise.all(instances.map((i) => i.stop()));
    await fake?.close();
    await Promise.all([postgres?.dispose(), redis?.dispose()]);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const healthy = async (instance: ApiProcess) => (await fetch(`${instance.url}/api/health`).then((r) => r.status, () => 0)) === 200;

  async function survivesOutage(name: string, stop: () => Promise<void>, start: () => Promise<void>, { crash = false } = {}): Promise<void> {
    const label = `${name}${Date.now().toString(36)}`;
    const clients = await openClients(instances.map((i) => i.url), TEST_MASTER_KEY, label, CLIENTS, CLIENT_TIMEOUT_MS);
    try {
      const load = driveLoad(clients);
      await sleep(1000);
      await stop();
      await sleep(2500);
      // ANSWER_COMMIT=async (the default): a crash can lose answers whose commit Postgres had
      // not flushed yet, and only a thread's newest one (a later durable commit flushes all
      // before it). Every turn answered by now was answered before the crash.
      const newestBeforeCrash = new Map(clients.map((c) => [c.name, c.sent.findLast((t) => t.outcome.kind === 'answered')?.text]));
      await start();
      const restartedAt = Date.now();
      await waitUntil('both instances healthy again', async () => {
        const dead = instances.find((i) => i.child.exitCode !== null || i.child.signalCode !== null);
        if (dead) throw new Error(`an api instance died during the outage (exit ${dead.child.exitCode ?? dead.child.signalCode}):\n${dead.output().slice(-4000)}`);
        return (await healthy(instances[0]!)) && (await healthy(instances[1]!));
      }, RECOVERY_LIMIT_MS);
      const recoveryMs = Date.now() - restartedAt;
      await sleep(1000);
      await load.stop();

      const outcomes = clients.flatMap((c) => c.sent.map((t) => ({ client: c.name, channel: c.channel, text: t.text, outcome: t.outcome })));
      // No 500, no stack trace, no hang, no dropped connection: answered, or a clear "unavailable".
      expect(outcomes.filter((o) => o.outcome.kind !== 'answered' && !isClearUnavailable(o.outcome))).toEqual([]);
      expect(outcomes.filter((o) => o.outcome.kind === 'answered' && (o.outcome.status !== 'complete' || o.outcome.content !== echo(o.text)))).toEqual([]);
      // The outage was felt (so the test proved something), and turns were answered on both sides of it.
      expect(outcomes.filter((o) => o.outcome.kind === 'refused').length).toBeGreaterThan(0);
      expect(outcomes.filter((o) => o.outcome.kind === 'answered').length).toBeGreaterThan(CLIENTS);
      expect(recoveryMs).toBeLessThan(RECOVERY_LIMIT_MS);

      // Every conversation answers again without restarting anything.
      for (const client of clients) {
        const text = `${client.name} after the restart`;
        const outcome = await client.send(text);
        client.sent.push({ text, outcome });
        expect({ client: client.name, channel: client.channel, outcome }).toEqual({ client: client.name, channel: client.channel, outcome: { kind: 'answered', status: 'complete', content: echo(text), errorCode: null, httpStatus: 200 } });
      }
      for (const client of clients) {
        const answerMayBeLost = (text: string) => crash && text === newestBeforeCrash.get(client.name);
        expect({ client: client.name, channel: client.channel, violations: threadViolations(await client.history(), client.sent, { expectedAnswer: echo, answerMayBeLost }) }).toEqual({
          client: client.name,
          channel: client.channel,
          violations: [],
        });
      }
    } finally {
      clients.forEach((c) => c.close());
    }
  }

  const outcome = 'every turn answered or refused with a clear 503, nothing lost or doubled, healthy again by itself';
  it(`Postgres stopped cleanly (pg_ctl -m fast): ${outcome}`, () => survivesOutage('pgfast', () => postgres.stop('fast'), () => postgres.start()));
  it(`Postgres crashed (pg_ctl -m immediate): ${outcome}`, () => survivesOutage('pgcrash', () => postgres.stop('immediate'), () => postgres.start(), { crash: true }));

  // The redis adapter publishes without awaiting; socket-server.ts catches those rejections, so an outage never ends the process.
  it(`Redis killed (SIGKILL) and started empty: ${outcome}`, () => survivesOutage('redis', () => redis.stop('kill'), () => redis.start()));
});
