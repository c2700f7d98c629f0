import { Logger } from '@nestjs/common';
import { createClient, type RedisClientType } from 'redis';
import { randomToken } from '@api/common/ids.js';
import { Coordination, LockTimeoutError, type LockOptions, type TurnLock, type Unsubscribe } from './coordination.port.js';
import { ENQUEUE, LEAVE, TRY_GRANT } from './redis-lock.scripts.js';

export class RedisCoordination extends Coordination {
  readonly kind = 'redis' as const;
  private readonly logger = new Logger('redis');
  private readonly wakers = new Map<string, Set<() => void>>();
  private readonly releaseChannel: string;

  private constructor(
    readonly client: RedisClientType,
    private readonly subscriber: RedisClientType,
    private readonly prefix: string,
  ) {
    super();
    this.releaseChannel = `${prefix}lock-released`;
  }

  get prefixForAdapter(): string {
    return this.prefix;
  }

  static async connect(url: string, prefix: string): Promise<RedisCoordination> {
    const client = createClient({
      url,
      // Fail fast while Redis is away so a turn answers 503 instead of hanging.
      disableOfflineQueue: true,
      socket: { reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 2000), connectTimeout: 5000 },
    }) as RedisClientType;
    const subscriber = client.duplicate() as RedisClientType;
    const coordination = new RedisCoordination(client, subscriber, prefix);
    for (const c of [client, subscriber]) c.on('error', (e: Error) => coordination.logger.warn(`redis: ${e.message}`));
    await Promise.all([client.connect(), subscriber.connect()]);
    await subscriber.subscribe(coordination.releaseChannel, (lockKey) => coordination.wake(lockKey));
    return coordination;
  }

  async acquireTurnLock(lockKey: string, options: LockOptions): Promise<TurnLock> {
    const token = randomToken(12);
    const keys = [`${this.prefix}lock:${lockKey}:q`, `${this.prefix}lock:${lockKey}:fence`];
    const alivePrefix = `${this.prefix}lock:${lockKey}:alive:`;
    const lease = String(options.leaseMs);
    await this.client.eval(ENQUEUE, { keys, arguments: [alivePrefix, token, lease, String(options.waitMs + options.leaseMs * 2)] });
    // Renew our lease while we wait and while we hold; a dead process stops renewing.
    const renew = setInterval(() => {
      void this.client.pExpire(`${alivePrefix}${token}`, options.leaseMs).catch(() => undefined);
      void this.client.pExpire(keys[0]!, options.waitMs + options.leaseMs * 2).catch(() => undefined);
    }, Math.max(100, Math.floor(options.leaseMs / 3)));
    const leave = () => this.client.eval(LEAVE, { keys, arguments: [alivePrefix, token, this.releaseChannel, lockKey] });
    try {
      const fence = await this.waitForGrant(lockKey, keys, alivePrefix, token, options);
      let released = false;
      return {
        fence,
        release: async () => {
          if (released) return;
          released = true;
          clearInterval(renew);
          await leave();
        },
      };
    } catch (error) {
      clearInterval(renew);
      await leave().catch(() => undefined);
      throw error;
    }
  }

  private async waitForGrant(lockKey: string, keys: string[], alivePrefix: string, token: string, options: LockOptions): Promise<number> {
    const deadline = Date.now() + options.waitMs;
    // Releases wake us at once; the poll only catches holders that died without releasing.
    const pollMs = Math.max(50, Math.min(1000, Math.floor(options.leaseMs / 4)));
    for (;;) {
      const woken = this.waitForWake(lockKey, Math.min(pollMs, Math.max(0, deadline - Date.now())));
      const result = Number(await this.client.eval(TRY_GRANT, { keys, arguments: [alivePrefix, token] }));
      if (result > 0) {
        woken.cancel();
        return result;
      }
      if (result < 0) {
        woken.cancel();
        await this.client.eval(ENQUEUE, { keys, arguments: [alivePrefix, token, String(options.leaseMs), String(options.waitMs + options.leaseMs * 2)] });
        continue;
      }
      if (Date.now() >= deadline) {
        woken.cancel();
        throw new LockTimeoutError(`turn lock ${lockKey} not granted within ${options.waitMs} ms`);
      }
      await woken.promise;
    }
  }

  private waitForWake(lockKey: string, ms: number): { promise: Promise<void>; cancel: () => void } {
    let set = this.wakers.get(lockKey);
    if (!set) this.wakers.set(lockKey, (set = new Set()));
    const waiters = set;
    let done!: () => void;
    const promise = new Promise<void>((resolve) => (done = resolve));
    const timer = setTimeout(() => finish(), ms);
    const finish = () => {
      clearTimeout(timer);
      waiters.delete(finish);
      if (waiters.size === 0) this.wakers.delete(lockKey);
      done();
    };
    waiters.add(finish);
    return { promise, cancel: finish };
  }

  private wake(lockKey: string): void {
    for (const finish of [...(this.wakers.get(lockKey) ?? [])]) finish();
  }

  async increment(counterKey: string, by: number, ttlSeconds: number): Promise<number> {
    const key = `${this.prefix}counter:${counterKey}`;
    const [value] = await this.client.multi().incrBy(key, by).expire(key, ttlSeconds, 'NX').exec();
    return Number(value);
  }

  async incrementMany(increments: ReadonlyArray<{ key: string; by: number; ttlSeconds: number }>): Promise<number[]> {
    if (increments.length === 0) return [];
    const multi = this.client.multi();
    for (const { key, by, ttlSeconds } of increments) {
      const full = `${this.prefix}counter:${key}`;
      multi.incrBy(full, by).expire(full, ttlSeconds, 'NX');
    }
    const replies = await multi.exec();
    return increments.map((_, index) => Number(replies[index * 2]));
  }

  async cacheGet<T>(key: string): Promise<T | null> {
    const raw = await this.client.get(`${this.prefix}cache:${key}`);
    return raw === null ? null : (JSON.parse(raw) as T);
  }

  async cacheSet(key: string, value: unknown, ttlSeconds: number): Promise<void> {
    await this.client.set(`${this.prefix}cache:${key}`, JSON.stringify(value), { expiration: { type: 'EX', value: ttlSeconds } });
  }

  async cacheDelete(key: string): Promise<void> {
    await this.client.del(`${this.prefix}cache:${key}`);
  }

  async publish(channel: string, payload: unknown): Promise<void> {
    await this.client.publish(`${this.prefix}bus:${channel}`, JSON.stringify(payload));
  }

  async subscribe(channel: string, handler: (payload: unknown) => void): Promise<Unsubscribe> {
    const fullChannel = `${this.prefix}bus:${channel}`;
    const listener = (message: string) => handler(JSON.parse(message));
    await this.subscriber.subscribe(fullChannel, listener);
    return async () => this.subscriber.unsubscribe(fullChannel, listener);
  }

  async ping(): Promise<boolean> {
    try {
      return (await this.client.ping()) === 'PONG';
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.subscriber.close(), this.client.close()]);
  }
}
