import { EventEmitter } from 'node:events';
import { Coordination, LockTimeoutError, type LockOptions, type TailCacheOptions, type TailSnapshot, type TurnLock, type Unsubscribe } from './coordination.port.js';
import { BoundedMap } from '@api/common/bounded-map.js';
import { MemoryTailCache } from './tail-cache.memory.js';

interface Waiter {
  grant: () => void;
}

interface LockState {
  held: boolean;
  queue: Waiter[];
}

/** One process: a FIFO queue per lock key, plain maps, an EventEmitter. */
export class InProcessCoordination extends Coordination {
  readonly kind = 'in-process' as const;
  private readonly locks = new Map<string, LockState>();
  // Bounded: rate-limit and budget counters get a key per subject and window, so a
  // long-lived process would otherwise keep every window it has ever counted.
  private readonly counters = new BoundedMap<{ value: number }>(200_000);
  private readonly bus = new EventEmitter().setMaxListeners(0);
  private lastFence = 0;
  private readonly tails = new MemoryTailCache();

  async acquireTurnLock(lockKey: string, options: LockOptions): Promise<TurnLock> {
    const lock = this.locks.get(lockKey) ?? { held: false, queue: [] };
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
    const fence = this.nextFence();
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

  /** Microseconds of wall time, strictly growing: fences stored in the database still rank below new ones after a restart. */
  private nextFence(): number {
    this.lastFence = Math.max(Date.now() * 1000, this.lastFence + 1);
    return this.lastFence;
  }

  async increment(counterKey: string, by: number, ttlSeconds: number): Promise<number> {
    const current = this.counters.get(counterKey);
    if (!current) {
      this.counters.set(counterKey, { value: by }, ttlSeconds * 1000);
      return by;
    }
    // In place: the counter keeps the expiry of its first increment, as with Redis (EXPIRE NX).
    current.value += by;
    return current.value;
  }

  async incrementMany(increments: ReadonlyArray<{ key: string; by: number; ttlSeconds: number }>): Promise<number[]> {
    return Promise.all(increments.map((i) => this.increment(i.key, i.by, i.ttlSeconds)));
  }

  async tailAppend(key: string, firstSeq: number, items: ReadonlyArray<string | null>, options: TailCacheOptions & { read?: boolean }): Promise<string[] | null> {
    return this.tails.append(key, firstSeq, items, options);
  }

  async tailRead(key: string): Promise<TailSnapshot | null> {
    return this.tails.read(key);
  }

  async tailFill(key: string, throughSeq: number, items: string[], options: TailCacheOptions): Promise<void> {
    this.tails.fill(key, throughSeq, items, options);
  }

  async tailDrop(key: string): Promise<void> {
    this.tails.drop(key);
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
