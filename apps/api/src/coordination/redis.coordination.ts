import { createHash } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { createClient, type RedisClientType } from 'redis';
import { randomToken } from '@api/common/ids.js';
import { Coordination, LockTimeoutError, type LockOptions, type TailCacheOptions, type TailSnapshot, type TurnLock, type Unsubscribe } from './coordination.port.js';
import { INCREMENT_MANY } from './redis-counter.scripts.js';
import { ENQUEUE_AND_TRY, LEAVE, TRY_GRANT } from './redis-lock.scripts.js';
import { TAIL_APPEND, TAIL_FILL, TAIL_READ } from './redis-tail.scripts.js';

export class RedisCoordination extends Coordination {
  readonly kind = 'redis' as const;
  private readonly logger = new Logger('redis');
  private readonly wakers = new Map<string, Set<() => void>>();
  private readonly releaseChannel: string;
  private readonly shas = new Map<string, string>();

  private constructor(
    readonly client: RedisClientType,
    private readonly subscriber: RedisClientType,
    private readonly prefix: string,
    private readonly pingTimeoutMs: number,
  ) {
    super();
    this.releaseChannel = `${prefix}lock-released`;
  }

  get prefixForAdapter(): string {
    return this.prefix;
  }

  /** pingTimeoutMs: how long the health check waits for Redis before calling it down */
  static async connect(url: string, prefix: string, { pingTimeoutMs = 2000 }: { pingTimeoutMs?: number } = {}): Promise<RedisCoordination> {
    const client = createClient({
      url,
      // Fail fast while Redis is away so a turn answers 503 instead of hanging.
      disableOfflineQueue: true,
      // The default timeout bounds only a command's wait to be written, never the wait for its
      // reply, and costs an AbortSignal.timeout per command (~15 a turn, each alive 5 s).
      commandOptions: { timeout: 0 },
      socket: { reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 2000), connectTimeout: 5000 },
    }) as RedisClientType;
    const subscriber = client.duplicate() as RedisClientType;
    const coordination = new RedisCoordination(client, subscriber, prefix, pingTimeoutMs);
    for (const c of [client, subscriber]) c.on('error', (e: Error) => coordination.logger.warn(`redis: ${e.message}`));
    await Promise.all([client.connect(), subscriber.connect()]);
    await subscriber.subscribe(coordination.releaseChannel, (lockKey) => coordination.wake(lockKey));
    return coordination;
  }

  async acquireTurnLock(lockKey: string, options: LockOptions): Promise<TurnLock> {
    const token = randomToken(12);
    const keys = [`${this.prefix}lock:${lockKey}:q`, `${this.prefix}lock:${lockKey}:fence`];
    const alivePrefix = `${this.prefix}lock:${lockKey}:alive:`;
    const enqueue = () =>
      this.script(ENQUEUE_AND_TRY, { keys, arguments: [alivePrefix, token, String(options.leaseMs), String(options.waitMs + options.leaseMs * 2)] }).then(Number);
    const first = await enqueue();
    // Renew our lease while we wait and while we hold; a dead process stops renewing.
    const renew = setInterval(() => {
      void this.client.pExpire(`${alivePrefix}${token}`, options.leaseMs).catch(() => undefined);
      void this.client.pExpire(keys[0]!, options.waitMs + options.leaseMs * 2).catch(() => undefined);
    }, Math.max(100, Math.floor(options.leaseMs / 3)));
    const leave = () => this.script(LEAVE, { keys, arguments: [alivePrefix, token, this.releaseChannel, lockKey] });
    try {
      const fence = first > 0 ? first : await this.waitForGrant(lockKey, keys, alivePrefix, token, options, enqueue);
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

  private async waitForGrant(lockKey: string, keys: string[], alivePrefix: string, token: string, options: LockOptions, enqueue: () => Promise<number>): Promise<number> {
    const deadline = Date.now() + options.waitMs;
    // Releases wake us at once; the poll only catches holders that died without releasing.
    const pollMs = Math.max(50, Math.min(1000, Math.floor(options.leaseMs / 4)));
    for (;;) {
      const woken = this.waitForWake(lockKey, Math.min(pollMs, Math.max(0, deadline - Date.now())));
      const result = Number(await this.script(TRY_GRANT, { keys, arguments: [alivePrefix, token] }));
      if (result > 0) {
        woken.cancel();
        return result;
      }
      if (result < 0) {
        woken.cancel();
        const regranted = await enqueue();
        if (regranted > 0) return regranted;
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
    const [value] = await this.incrementMany([{ key: counterKey, by, ttlSeconds }]);
    return value!;
  }

  async incrementMany(increments: ReadonlyArray<{ key: string; by: number; ttlSeconds: number }>): Promise<number[]> {
    if (increments.length === 0) return [];
    const keys = increments.map(({ key }) => `${this.prefix}counter:${key}`);
    const args = increments.flatMap(({ by, ttlSeconds }) => [String(by), String(ttlSeconds)]);
    const values = (await this.script(INCREMENT_MANY, { keys, arguments: args })) as number[];
    return values.map(Number);
  }

  async tailAppend(key: string, firstSeq: number, items: ReadonlyArray<string | null>, options: TailCacheOptions & { read?: boolean }): Promise<string[] | null> {
    const args = [String(firstSeq), String(options.maxItems), String(options.ttlSeconds * 1000), options.read ? '1' : '0', ...items.map((item) => item ?? '')];
    return (await this.script(TAIL_APPEND, { keys: this.tailKeys(key), arguments: args })) as string[] | null;
  }

  async tailRead(key: string): Promise<TailSnapshot | null> {
    const found = (await this.script(TAIL_READ, { keys: this.tailKeys(key) })) as [string, string[]] | null;
    return found ? { throughSeq: Number(found[0]), items: found[1] } : null;
  }

  async tailFill(key: string, throughSeq: number, items: string[], options: TailCacheOptions): Promise<void> {
    const args = [String(throughSeq), String(options.maxItems), String(options.ttlSeconds * 1000), ...items];
    await this.script(TAIL_FILL, { keys: this.tailKeys(key), arguments: args });
  }

  async tailDrop(key: string): Promise<void> {
    await this.client.del(this.tailKeys(key));
  }

  /**
   * EVALSHA, falling back to EVAL once per script and server (a restarted Redis has
   * forgotten it): the hot scripts are a kilobyte each, sent on every turn otherwise.
   */
  private async script(source: string, options: { keys: string[]; arguments?: string[] }): Promise<unknown> {
    let sha = this.shas.get(source);
    if (!sha) this.shas.set(source, (sha = createHash('sha1').update(source).digest('hex')));
    try {
      return await this.client.evalSha(sha, options);
    } catch (error) {
      if (!(error as Error).message?.startsWith('NOSCRIPT')) throw error;
      return this.client.eval(source, options);
    }
  }

  private tailKeys(key: string): [string, string] {
    return [`${this.prefix}tail:${key}:seq`, `${this.prefix}tail:${key}:items`];
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

  /** false, not a hang, when Redis keeps its connection open but does not answer (a paused or frozen host) */
  async ping(): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), this.pingTimeoutMs)));
    try {
      return await Promise.race([this.client.ping().then((reply) => reply === 'PONG'), late]);
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.subscriber.close(), this.client.close()]);
  }
}
