import { EventEmitter } from 'node:events';
import { Coordination, LockTimeoutError, type LockOptions, type TurnLock, type Unsubscribe } from './coordination.port.js';

interface Waiter {
  grant: () => void;
}

interface LockState {
  held: boolean;
  fence: number;
  queue: Waiter[];
}

/** One process: a FIFO queue per lock key, plain maps, an EventEmitter. */
export class InProcessCoordination extends Coordination {
  readonly kind = 'in-process' as const;
  private readonly locks = new Map<string, LockState>();
  private readonly counters = new Map<string, { value: number; expiresAt: number }>();
  private readonly cache = new Map<string, { value: string; expiresAt: number }>();
  private readonly bus = new EventEmitter().setMaxListeners(0);

  async acquireTurnLock(lockKey: string, options: LockOptions): Promise<TurnLock> {
    // Fences only matter across processes; in one process a lock never outlives its holder.
    const lock = this.locks.get(lockKey) ?? { held: false, fence: 0, queue: [] };
    this.locks.set(lockKey, lock);
    if (lock.held) {
      await new Promise<void>((resolve, reject) => {
        const waiter: Waiter = { grant: () => (clearTimeout(timer), resolve()) };
        const timer = setTimeout(() => {
          lock.queue.splice(lock.queue.indexOf(waiter), 1);
          reject(new LockTimeoutError(`turn lock ${lockKey} not granted within ${options.waitMs} ms`));
        }, options.waitMs);
        lock.queue.push(waiter);
      });
    }
    lock.held = true;
    const fence = ++lock.fence;
    let released = false;
    return {
      fence,
      release: async () => {
        if (released) return;
        released = true;
        const next = lock.queue.shift();
        if (next) next.grant();
        else this.locks.delete(lockKey);
      },
    };
  }

  async increment(counterKey: string, by: number, ttlSeconds: number): Promise<number> {
    const now = Date.now();
    const current = this.counters.get(counterKey);
    if (!current || current.expiresAt <= now) {
      this.counters.set(counterKey, { value: by, expiresAt: now + ttlSeconds * 1000 });
      return by;
    }
    current.value += by;
    return current.value;
  }

  async incrementMany(increments: ReadonlyArray<{ key: string; by: number; ttlSeconds: number }>): Promise<number[]> {
    return Promise.all(increments.map((i) => this.increment(i.key, i.by, i.ttlSeconds)));
  }

  async cacheGet<T>(key: string): Promise<T | null> {
    const entry = this.cache.get(key);
    if (!entry || entry.expiresAt <= Date.now()) return null;
    return JSON.parse(entry.value) as T;
  }

  async cacheSet(key: string, value: unknown, ttlSeconds: number): Promise<void> {
    // Stored serialized so callers cannot mutate cached state by reference, as with Redis.
    this.cache.set(key, { value: JSON.stringify(value), expiresAt: Date.now() + ttlSeconds * 1000 });
  }

  async cacheDelete(key: string): Promise<void> {
    this.cache.delete(key);
  }

  async publish(channel: string, payload: unknown): Promise<void> {
    this.bus.emit(channel, JSON.parse(JSON.stringify(payload)));
  }

  async subscribe(channel: string, handler: (payload: unknown) => void): Promise<Unsubscribe> {
    this.bus.on(channel, handler);
    return async () => void this.bus.off(channel, handler);
  }

  async ping(): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {
    this.bus.removeAllListeners();
  }
}
