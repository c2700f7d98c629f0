import { privateServersMissing, startPrivateRedis, type PrivateRedis } from '@threadline/testing';
import { RedisCoordination } from './redis.coordination.js';

const missing = privateServersMissing();
const describeWithRedis = missing ? describe.skip : describe;

// A paused redis-server keeps its sockets open and answers nothing: the case no socket error reports.
describeWithRedis(`a Redis that stops answering${missing ? ` (skipped: ${missing})` : ''}`, () => {
  const PING_TIMEOUT_MS = 300;
  let redis: PrivateRedis;
  let coordination: RedisCoordination;

  beforeAll(async () => {
    redis = await startPrivateRedis();
    coordination = await RedisCoordination.connect(redis.url, 'tl:paused:', { pingTimeoutMs: PING_TIMEOUT_MS });
  });
  afterAll(async () => {
    redis?.resume();
    await coordination?.close();
    await redis?.dispose();
  });

  it('reports down to the health check within its limit, and the commands sent meanwhile complete once it answers again', async () => {
    expect(await coordination.increment('count', 1, 60)).toBe(1);
    redis.pause();
    const during = coordination.increment('count', 1, 60);
    const started = Date.now();
    expect(await coordination.ping()).toBe(false);
    expect(Date.now() - started).toBeGreaterThanOrEqual(PING_TIMEOUT_MS - 5);
    redis.resume();
    expect(await during).toBe(2);
    expect(await coordination.ping()).toBe(true);
  });
});
