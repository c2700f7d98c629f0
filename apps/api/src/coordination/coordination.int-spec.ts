import { randomToken } from '@api/common/ids.js';
import { Coordination, LockTimeoutError } from './coordination.port.js';
import { InProcessCoordination } from './in-process.coordination.js';
import { RedisCoordination } from './redis.coordination.js';

const redisUrl = process.env.REDIS_URL;
const kinds: Array<[string, () => Promise<Coordination>]> = [['in-process', async () => new InProcessCoordination()]];
if (redisUrl) kinds.push(['redis', () => RedisCoordination.connect(redisUrl, `tl:test:coord:${randomToken(6)}:`)]);

describe.each(kinds)('coordination port (%s)', (kind, make) => {
  let coordination: Coordination;
  beforeEach(async () => (coordination = await make()));
  afterEach(() => coordination.close());

  it('grants one lock per key at a time, in the order asked, with growing fences', async () => {
    const order: number[] = [];
    const first = await coordination.acquireTurnLock('k', { waitMs: 5000, leaseMs: 5000 });
    const waiters = [1, 2, 3, 4].map(async (n) => {
      await new Promise((r) => setTimeout(r, n * 15)); // ask in a known order
      const lock = await coordination.acquireTurnLock('k', { waitMs: 5000, leaseMs: 5000 });
      order.push(n);
      await new Promise((r) => setTimeout(r, 5));
      await lock.release();
      return lock.fence;
    });
    await new Promise((r) => setTimeout(r, 100));
    expect(order).toEqual([]);
    await first.release();
    const fences = await Promise.all(waiters);
    expect(order).toEqual([1, 2, 3, 4]);
    expect(fences).toEqual([...fences].sort((a, b) => a - b));
    expect(fences[0]!).toBeGreaterThan(first.fence);
  });

  it('locks on different keys do not wait for each other', async () => {
    const a = await coordination.acquireTurnLock('a', { waitMs: 100, leaseMs: 5000 });
    const b = await coordination.acquireTurnLock('b', { waitMs: 100, leaseMs: 5000 });
    await Promise.all([a.release(), b.release()]);
  });

  it('gives up with LockTimeoutError after waitMs and leaves the queue', async () => {
    const held = await coordination.acquireTurnLock('t', { waitMs: 1000, leaseMs: 5000 });
    await expect(coordination.acquireTurnLock('t', { waitMs: 150, leaseMs: 5000 })).rejects.toBeInstanceOf(LockTimeoutError);
    await held.release();
    // the timed-out waiter is gone: the next one gets the lock at once
    const next = await coordination.acquireTurnLock('t', { waitMs: 200, leaseMs: 5000 });
    await next.release();
  });

  it('counts with a time to live', async () => {
    expect(await coordination.increment('c', 2, 60)).toBe(2);
    expect(await coordination.increment('c', 3, 60)).toBe(5);
  });

  it('increments several counters in one call, in order, sharing totals with increment()', async () => {
    await coordination.increment('m1', 5, 60);
    expect(await coordination.incrementMany([{ key: 'm1', by: 2, ttlSeconds: 60 }, { key: 'm2', by: 7, ttlSeconds: 60 }])).toEqual([7, 7]);
    expect(await coordination.incrementMany([{ key: 'm2', by: 1, ttlSeconds: 60 }])).toEqual([8]);
    expect(await coordination.incrementMany([])).toEqual([]);
  });

  it('caches JSON values and forgets them on delete', async () => {
    await coordination.cacheSet('x', { a: 1 }, 60);
    expect(await coordination.cacheGet('x')).toEqual({ a: 1 });
    await coordination.cacheDelete('x');
    expect(await coordination.cacheGet('x')).toBeNull();
  });

  it('publishes to subscribers', async () => {
    const got = new Promise((resolve) => void coordination.subscribe('chan', resolve));
    await new Promise((r) => setTimeout(r, 50));
    await coordination.publish('chan', { hello: 'world' });
    expect(await got).toEqual({ hello: 'world' });
  });
});

(redisUrl ? describe : describe.skip)('redis turn lock across processes', () => {
  it('a holder that dies without releasing blocks the session for at most one lease', async () => {
    const prefix = `tl:test:coord:${randomToken(6)}:`;
    const doomed = await RedisCoordination.connect(redisUrl!, prefix);
    const survivor = await RedisCoordination.connect(redisUrl!, prefix);
    try {
      const stale = await doomed.acquireTurnLock('s', { waitMs: 5000, leaseMs: 600 });
      // the process "dies": its connection and lease renewals stop, nobody releases
      await doomed.client.disconnect();
      const started = Date.now();
      const lock = await survivor.acquireTurnLock('s', { waitMs: 5000, leaseMs: 600 });
      const waited = Date.now() - started;
      expect(waited).toBeGreaterThan(300);
      expect(waited).toBeLessThan(3000);
      expect(lock.fence).toBeGreaterThan(stale.fence);
      await lock.release();
    } finally {
      await survivor.close();
      await doomed.close().catch(() => undefined);
    }
  });
});
