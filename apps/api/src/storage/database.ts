import type { DataSource, QueryRunner } from 'typeorm';

export interface Queryable {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: T[]; rowCount: number }>;
}

/** The part of node-postgres' Pool the hot path uses. */
export interface PgPool {
  query(config: { text: string; values: unknown[]; name?: string }): Promise<{ rows: unknown[]; rowCount: number | null }>;
  connect(): Promise<{ query(text: string, values?: unknown[]): Promise<{ rows: unknown[]; rowCount: number | null }>; release(destroy?: boolean | Error): void }>;
}

/** Distinct statements prepared per connection; past this, statements run unnamed. */
const MAX_PREPARED = 256;

/** Statements one write lane (SessionRepository's appends, durable or not) keeps in flight on Postgres. */
export const STATEMENTS_PER_WRITE_LANE = 2;
/** Connections of the write lanes: both lanes' statements in flight at once. */
export const WRITE_LANE_CONNECTIONS = 2 * STATEMENTS_PER_WRITE_LANE;

/**
 * Raw SQL for the hot paths (turns, window loads) where a hand-written statement beats
 * the ORM; entities and migrations stay TypeORM's. On Postgres it goes straight to the
 * driver's pool: a TypeORM query runner per statement cost more CPU than the statement,
 * and named statements let Postgres parse and plan each one once per connection.
 */
export class Database implements Queryable {
  private readonly statementNames = new Map<string, string>();

  constructor(
    readonly dataSource: DataSource,
    readonly kind: 'postgres' | 'pglite',
    private readonly onClose: () => Promise<void> = async () => {},
    private readonly pool: PgPool | null = null,
    private readonly writeLanePool: PgPool | null = null,
  ) {}

  async query<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<{ rows: T[]; rowCount: number }> {
    if (this.pool) return this.poolQuery(this.pool, sql, params);
    const runner = this.dataSource.createQueryRunner();
    try {
      return await runQuery<T>(runner, sql, params);
    } finally {
      await runner.release();
    }
  }

  /**
   * The write lanes' group-committed statements. On Postgres they have connections of
   * their own, set to always use the generic plan: their plan is the same whatever the
   * parameters, and Postgres would otherwise plan each of them afresh five times per
   * connection and batch size, and again after every ANALYZE of the growing tables
   * (11% of its CPU at 50 connections; a quarter less per turn without, bench/README.md).
   */
  async queryOnWriteLane<T = Record<string, unknown>>(sql: string, params: unknown[]): Promise<{ rows: T[]; rowCount: number }> {
    return this.writeLanePool ? this.poolQuery(this.writeLanePool, sql, params) : this.query<T>(sql, params);
  }

  private async poolQuery<T>(pool: PgPool, sql: string, params: unknown[]): Promise<{ rows: T[]; rowCount: number }> {
    const result = await pool.query({ text: sql, values: params, name: params.length ? this.statementName(sql) : undefined });
    return { rows: result.rows as T[], rowCount: result.rowCount ?? result.rows.length };
  }

  /** Runs `work` in one transaction; everything inside must use the given handle. */
  async transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    if (this.pool) return this.poolTransaction(work);
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    try {
      const result = await work({ query: (sql, params = []) => runQuery(runner, sql, params) });
      await runner.commitTransaction();
      return result;
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw error;
    } finally {
      await runner.release();
    }
  }

  private async poolTransaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    const client = await this.pool!.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await work({
        query: async <R>(sql: string, params: unknown[] = []) => {
          const r = await client.query(sql, params);
          return { rows: r.rows as R[], rowCount: r.rowCount ?? r.rows.length };
        },
      });
      await client.query('COMMIT');
      return result;
    } catch (error) {
      // A connection that cannot even roll back is dropped rather than returned to the pool.
      await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
      throw error;
    } finally {
      client.release(broken);
    }
  }

  private statementName(sql: string): string | undefined {
    let name = this.statementNames.get(sql);
    if (!name && this.statementNames.size < MAX_PREPARED) this.statementNames.set(sql, (name = `tl${this.statementNames.size}`));
    return name;
  }

  async ping(): Promise<boolean> {
    try {
      await this.query('SELECT 1');
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
    await this.onClose();
  }
}

async function runQuery<T>(runner: QueryRunner, sql: string, params: unknown[]): Promise<{ rows: T[]; rowCount: number }> {
  const result = await runner.query(sql, params, true);
  return { rows: (result.records ?? []) as T[], rowCount: result.affected ?? result.records?.length ?? 0 };
}

export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; driverError?: { code?: string } };
  return e?.code === '23505' || e?.driverError?.code === '23505';
}
