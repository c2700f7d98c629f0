export interface TurnLock {
  /**
   * Larger than every fence granted before on any key (microseconds of the coordinator's
   * clock, strictly growing). Stored with each write, it lets the database refuse a
   * holder whose lease lapsed once a newer holder has written.
   */
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
 * The newest items of a sequence kept in step with the store that owns it (a session's
 * context window). Every write to the store is reported with its `seq`; an entry only
 * ever moves from `seq - 1` to `seq`, so a missed write (a crash between the store and
 * the cache, a writer without the cache) leaves it out of step, and out of step means
 * dropped and refilled from the store, never served.
 */
export interface TailCacheOptions {
  /** keep at most this many items */
  maxItems: number;
  ttlSeconds: number;
}

export interface TailSnapshot {
  /** the last seq reported: the items are everything the cache keeps up to it */
  throughSeq: number;
  items: string[];
}

/**
 * Hot, shared state: per-session turn locks (FIFO, leased), counters for rate limits
 * and budgets, the window cache and pub/sub. In-process by default; Redis when REDIS_URL
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

  /**
   * Records that the store now holds the consecutive seqs `firstSeq`, `firstSeq + 1`, … one per
   * entry of `items` (an item, or null for a message the cache does not keep). With `read`,
   * returns the items after the append when the entry was in step, else null. Seq 1 is a
   * thread's first message: with no entry yet, it starts one in step (nothing precedes it).
   */
  abstract tailAppend(key: string, firstSeq: number, items: ReadonlyArray<string | null>, options: TailCacheOptions & { read?: boolean }): Promise<string[] | null>;
  /** The items (oldest first) and the seq they are current through, when the entry is in step; null on a miss. */
  abstract tailRead(key: string): Promise<TailSnapshot | null>;
  /**
   * Installs items read from the store as of `throughSeq`, unless a write the reader did not
   * see (a higher seq) was reported meanwhile or another reader already filled the entry.
   */
  abstract tailFill(key: string, throughSeq: number, items: string[], options: TailCacheOptions): Promise<void>;
  abstract tailDrop(key: string): Promise<void>;

  abstract publish(channel: string, payload: unknown): Promise<void>;
  abstract subscribe(channel: string, handler: (payload: unknown) => void): Promise<Unsubscribe>;

  abstract ping(): Promise<boolean>;
  abstract close(): Promise<void>;
}
