import { randomToken } from '@api/common/ids.js';
import { Coordination, LockTimeoutError } from './coordination.port.js';
import { InProcessCoordination } from './in-process.coordination.js';
import { RedisCoordination } from './redis.coordination.js';

const redisUrl = process.env.REDIS_URL;
/** Under this run's id, so the run's global teardown deletes what the tests leave. */
const testPrefix = () => `tl:test:coord:${process.env.TL_TEST_RUN_ID ?? 'solo'}:${randomToken(6)}:`;
const kinds: Array<[string, () => Promise<Coordination>]> = [['in-process', async () => new InProcessCoordination()]];
if (redisUrl) kinds.push(['redis', () => RedisCoordination.connect(redisUrl, testPrefix())]);

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

  it('fences are microseconds of the clock, strictly growing, on any key', async () => {
    const before = Date.now() * 1000;
    const fences: number[] = [];
    for (const key of ['f1', 'f2', 'f1', 'f1']) {
      const lock = await coordination.acquireTurnLock(key, { waitMs: 1000, leaseMs: 5000 });
      fences.push(lock.fence);
      await lock.release();
    }
    expect(fences[0]!).toBeGreaterThanOrEqual(before - 5_000_000); // Redis's clock, not ours: allow skew
    for (let i = 1; i < fences.length; i++) expect(fences[i]!).toBeGreaterThan(fences[i - 1]!);
    expect(Number.isSafeInteger(fences.at(-1))).toBe(true);
  });

  describe('tail cache (the window cache)', () => {
    const options = { maxItems: 3, ttlSeconds: 60 };

    it('is a miss until filled; appends move it from seq-1 to seq and keep the newest maxItems', async () => {
      expect(await coordination.tailRead('w')).toBeNull();
      await coordination.tailFill('w', 2, ['a', 'b'], options);
      expect(await coordination.tailRead('w')).toEqual({ throughSeq: 2, items: ['a', 'b'] });
      expect(await coordination.tailAppend('w', 3, ['c'], { ...options, read: true })).toEqual(['a', 'b', 'c']);
      expect(await coordination.tailAppend('w', 4, ['d'], options)).toEqual([]);
      expect(await coordination.tailRead('w')).toEqual({ throughSeq: 4, items: ['b', 'c', 'd'] });
      // a seq that counts without an item (a failed answer)
      expect(await coordination.tailAppend('w', 5, [null], { ...options, read: true })).toEqual(['b', 'c', 'd']);
      expect(await coordination.tailAppend('w', 6, ['e'], { ...options, read: true })).toEqual(['c', 'd', 'e']);
      expect(await coordination.tailRead('w')).toEqual({ throughSeq: 6, items: ['c', 'd', 'e'] });
    });

    it('one append may carry consecutive seqs: the same as appending them one by one', async () => {
      await coordination.tailFill('m', 2, ['a', 'b'], options);
      expect(await coordination.tailAppend('m', 3, ['c', null, 'e'], { ...options, read: true })).toEqual(['b', 'c', 'e']);
      expect(await coordination.tailRead('m')).toEqual({ throughSeq: 5, items: ['b', 'c', 'e'] });
      expect(await coordination.tailAppend('m', 6, ['f', 'g'], options)).toEqual([]);
      expect(await coordination.tailRead('m')).toEqual({ throughSeq: 7, items: ['e', 'f', 'g'] });
      // out of step, it remembers the last seq it carried: a reader that saw only the first cannot fill
      expect(await coordination.tailAppend('m', 9, ['i', 'j'], options)).toBeNull();
      await coordination.tailFill('m', 9, ['h', 'i'], options);
      expect(await coordination.tailRead('m')).toBeNull();
      await coordination.tailFill('m', 10, ['h', 'i', 'j'], options);
      expect(await coordination.tailRead('m')).toEqual({ throughSeq: 10, items: ['h', 'i', 'j'] });
    });

    it('a missed write (a gap in seq) makes it a miss, never a stale answer', async () => {
      await coordination.tailFill('g', 1, ['a'], options);
      expect(await coordination.tailAppend('g', 3, ['c'], { ...options, read: true })).toBeNull();
      expect(await coordination.tailRead('g')).toBeNull();
      // the same seq reported twice is out of step too
      await coordination.tailFill('g2', 1, ['a'], options);
      await coordination.tailAppend('g2', 2, ['b'], options);
      expect(await coordination.tailAppend('g2', 2, ['b'], options)).toBeNull();
      expect(await coordination.tailRead('g2')).toBeNull();
    });

    it('a reader cannot install a snapshot older than a write reported meanwhile', async () => {
      // reader read the store through seq 4; a writer stored seq 5 and reported it before the reader filled
      expect(await coordination.tailAppend('r', 5, ['e'], options)).toBeNull();
      await coordination.tailFill('r', 4, ['c', 'd'], options);
      expect(await coordination.tailRead('r')).toBeNull();
      // a reader that saw seq 5 may
      await coordination.tailFill('r', 5, ['c', 'd', 'e'], options);
      expect(await coordination.tailRead('r')).toEqual({ throughSeq: 5, items: ['c', 'd', 'e'] });
      // and a second filler does not overwrite an entry in step
      await coordination.tailFill('r', 5, ['x'], options);
      expect(await coordination.tailRead('r')).toEqual({ throughSeq: 5, items: ['c', 'd', 'e'] });
    });

    it("a new thread's first report starts its entry in step; any later seq without an entry is a miss", async () => {
      // seq 1 and 2 (a first question and its answer) in one report, as a turn sends them
      expect(await coordination.tailAppend('n', 1, ['q', 'a'], { ...options, read: true })).toEqual(['q', 'a']);
      expect(await coordination.tailRead('n')).toEqual({ throughSeq: 2, items: ['q', 'a'] });
      expect(await coordination.tailAppend('n1', 1, ['q'], options)).toEqual([]);
      expect(await coordination.tailAppend('n1', 2, ['a'], { ...options, read: true })).toEqual(['q', 'a']);
      // an entry that fell out of step is not restarted by a report of seq 1
      expect(await coordination.tailAppend('n2', 3, ['c'], options)).toBeNull();
      expect(await coordination.tailAppend('n2', 1, ['a'], options)).toBeNull();
      expect(await coordination.tailRead('n2')).toBeNull();
      expect(await coordination.tailAppend('n3', 2, ['b'], { ...options, read: true })).toBeNull();
      expect(await coordination.tailRead('n3')).toBeNull();
    });

    it('fills keep only the newest maxItems; drop forgets the entry', async () => {
      await coordination.tailFill('d', 5, ['a', 'b', 'c', 'd', 'e'], options);
      expect(await coordination.tailRead('d')).toEqual({ throughSeq: 5, items: ['c', 'd', 'e'] });
      await coordination.tailDrop('d');
      expect(await coordination.tailRead('d')).toBeNull();
      expect(await coordination.tailAppend('d', 6, ['f'], options)).toBeNull();
    });
  });

  it('publishes to subscribers', async () => {
    const got = new Promise((resolve) => void coordination.subscribe('chan', resolve));
    await new Promise((r) => setTimeout(r, 50));
    await coordination.publish('chan', { hello: 'world' });
    expect(await got).toEqual({ hello: 'world' });
  });
});

(redisUrl ? describe : describe.skip)('redis counters', () => {
  it('incrementMany gives each counter its TTL at its first increment and never extends it', async () => {
    const prefix = testPrefix();
    const redis = await RedisCoordination.connect(redisUrl!, prefix);
    try {
      expect(await redis.incrementMany([{ key: 'a', by: 3, ttlSeconds: 60 }, { key: 'b', by: 4, ttlSeconds: 3600 }])).toEqual([3, 4]);
      expect(await redis.incrementMany([{ key: 'a', by: 1, ttlSeconds: 9000 }])).toEqual([4]);
      const ttlA = await redis.client.ttl(`${prefix}counter:a`);
      const ttlB = await redis.client.ttl(`${prefix}counter:b`);
      expect(ttlA).toBeGreaterThan(50);
      expect(ttlA).toBeLessThanOrEqual(60);
      expect(ttlB).toBeGreaterThan(3500);
      expect(await redis.client.get(`${prefix}counter:b`)).toBe('4');
      await redis.client.del([`${prefix}counter:a`, `${prefix}counter:b`]);
    } finally {
      await redis.close();
    }
  });
});

(redisUrl ? describe : describe.skip)('redis turn lock across processes', () => {
  it('a holder that dies without releasing blocks the session for at most one lease', async () => {
    const prefix = testPrefix();
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
      // Redis lost its keys (a restart without persistence): fences still grow
      for await (const keys of survivor.client.scanIterator({ MATCH: `${prefix}*` })) if (keys.length) await survivor.client.del(keys);
      await survivor.client.scriptFlush(); // and its script cache: EVALSHA falls back to EVAL
      const after = await survivor.acquireTurnLock('s', { waitMs: 1000, leaseMs: 600 });
      expect(after.fence).toBeGreaterThan(lock.fence);
      await after.release();
    } finally {
      await survivor.close();
      await doomed.close().catch(() => undefined);
    }
  });

  it('a release wakes waiters through the release channel, and publishes nothing when no one waits', async () => {
    const prefix = testPrefix();
    const holder = await RedisCoordination.connect(redisUrl!, prefix);
    const other = await RedisCoordination.connect(redisUrl!, prefix);
    const listener = holder.client.duplicate();
    await listener.connect();
    const channel = `${prefix}lock-released`;
    const published: string[] = [];
    await listener.subscribe(channel, (lockKey) => published.push(lockKey));
    const until = async (done: () => Promise<boolean> | boolean) => {
      for (let i = 0; i < 200 && !(await done()); i++) await new Promise((r) => setTimeout(r, 10));
    };
    // A lease long enough that the waiter's fallback poll (1 s) could not be what grants it.
    const options = { waitMs: 5000, leaseMs: 30_000 };
    try {
      const alone = await holder.acquireTurnLock('quiet', options);
      await alone.release();
      const held = await holder.acquireTurnLock('busy', options);
      const waiting = other.acquireTurnLock('busy', options);
      await until(async () => (await holder.client.lLen(`${prefix}lock:busy:q`)) === 2);
      await held.release();
      const next = await waiting;
      await next.release();
      // Redis delivers a channel's messages in the order they were published: once this
      // marker is in, any message the releases above sent is in too.
      await holder.client.publish(channel, 'marker');
      await until(() => published.includes('marker'));
      expect(published).toEqual(['busy', 'marker']);
      expect(next.fence).toBeGreaterThan(held.fence);
    } finally {
      await listener.close();
      await Promise.all([holder.close(), other.close()]);
    }
  });
});
