import { EventEmitter } from 'node:events';
import type { PGlite } from '@electric-sql/pglite';

type Callback = (err: Error | null, result?: unknown) => void;

interface PgShapedResult {
  rows: unknown[];
  rowCount: number;
  command: string;
}

/**
 * A `pg`-shaped driver over one PGlite instance, for TypeORM's postgres dialect.
 *
 * PGlite is a single connection. typeorm-pglite hands that one connection to every
 * query runner at once, so two concurrent transactions interleave their statements
 * into one. Here the pool has exactly one client and `connect()` waits until the
 * previous holder releases it: transactions are serialized, as a pool of size 1 would.
 * The instance is passed in (no process-wide singleton) so a test can run several.
 */
export function pgliteDriver(db: PGlite): { Pool: new (options?: unknown) => EventEmitter } {
  const waiters: Array<() => void> = [];
  let held = false;

  const acquire = (): Promise<void> =>
    new Promise((resolve) => {
      if (!held) {
        held = true;
        resolve();
      } else waiters.push(resolve);
    });
  const release = (): void => {
    const next = waiters.shift();
    if (next) next();
    else held = false;
  };

  const run = async (sql: string, params?: unknown[]): Promise<PgShapedResult> => {
    if (params && params.length > 0) {
      const result = await db.query(sql, params);
      return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length, command: commandOf(sql) };
    }
    // exec accepts several statements; TypeORM expects the last statement's result.
    const results = await db.exec(sql);
    const last = results[results.length - 1];
    return { rows: last?.rows ?? [], rowCount: last?.affectedRows ?? last?.rows.length ?? 0, command: commandOf(sql) };
  };

  class Client extends EventEmitter {
    query(sql: string | { text: string; values?: unknown[] }, paramsOrCb?: unknown[] | Callback, cb?: Callback): Promise<PgShapedResult> {
      const text = typeof sql === 'string' ? sql : sql.text;
      const params = typeof paramsOrCb === 'function' ? undefined : (paramsOrCb ?? (typeof sql === 'string' ? undefined : sql.values));
      const callback = typeof paramsOrCb === 'function' ? paramsOrCb : cb;
      const promise = run(text, params);
      if (callback) promise.then((r) => callback(null, r), (e: Error) => callback(e));
      return promise;
    }
  }
  const client = new Client();

  class Pool extends EventEmitter {
    // TypeORM passes pg's connection options; PGlite needs none.
    constructor(_options?: unknown) {
      super();
    }
    connect(callback: (err: Error | null, client: Client, done: () => void) => void): void {
      void acquire().then(() => {
        let released = false;
        callback(null, client, () => {
          if (released) return;
          released = true;
          release();
        });
      });
    }
    async query(sql: string, params?: unknown[]): Promise<PgShapedResult> {
      await acquire();
      try {
        return await run(sql, params);
      } finally {
        release();
      }
    }
    // The PGlite instance outlives the DataSource; whoever created it closes it.
    end(callback?: (err: Error | null) => void): void {
      callback?.(null);
    }
  }
  return { Pool };
}

function commandOf(sql: string): string {
  return /^\s*(\w+)/.exec(sql)?.[1]?.toUpperCase() ?? '';
}
