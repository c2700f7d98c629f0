export interface TurnLock {
  /** grows by one per acquisition of the same lock: a write stamped with an older fence is stale */
  readonly fence: number;
  release(): Promise<void>;
}

export interface LockOptions {
  /** give up (LockTimeoutError) after waiting this long */
  waitMs: number;
  /** a holder that stops renewing loses the lock after this long */
  leaseMs: number;
}

export class LockTimeoutError extends Error {
  override name = 'LockTimeoutError';
}

export type Unsubscribe = () => Promise<void>;

/**
 * Hot, shared state: per-session turn locks (FIFO, leased), counters for rate limits
 * and budgets, a small cache and pub/sub. In-process by default; Redis when REDIS_URL
 * is set, so several api instances behave as one.
 */
export abstract class Coordination {
  abstract readonly kind: 'in-process' | 'redis';

  /** Turns in one session run one at a time, in the order they asked. */
  abstract acquireTurnLock(lockKey: string, options: LockOptions): Promise<TurnLock>;

  /** Adds `by` to a counter that lives `ttlSeconds` from its first increment; returns the new total. */
  abstract increment(counterKey: string, by: number, ttlSeconds: number): Promise<number>;

  /** Several increments in one round trip; totals in the same order. */
  abstract incrementMany(increments: ReadonlyArray<{ key: string; by: number; ttlSeconds: number }>): Promise<number[]>;

  abstract cacheGet<T>(key: string): Promise<T | null>;
  abstract cacheSet(key: string, value: unknown, ttlSeconds: number): Promise<void>;
  abstract cacheDelete(key: string): Promise<void>;

  abstract publish(channel: string, payload: unknown): Promise<void>;
  abstract subscribe(channel: string, handler: (payload: unknown) => void): Promise<Unsubscribe>;

  abstract ping(): Promise<boolean>;
  abstract close(): Promise<void>;
}
