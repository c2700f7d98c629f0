import type { DataSource, QueryRunner } from 'typeorm';

export interface Queryable {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: T[]; rowCount: number }>;
}

/**
 * Raw SQL over the TypeORM DataSource, for the hot paths (turns, window loads) where
 * a hand-written statement beats the ORM; entities and migrations stay TypeORM's.
 */
export class Database implements Queryable {
  constructor(
    readonly dataSource: DataSource,
    readonly kind: 'postgres' | 'pglite',
    private readonly onClose: () => Promise<void> = async () => {},
  ) {}

  async query<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<{ rows: T[]; rowCount: number }> {
    const runner = this.dataSource.createQueryRunner();
    try {
      return await runQuery<T>(runner, sql, params);
    } finally {
      await runner.release();
    }
  }

  /** Runs `work` in one transaction; everything inside must use the given handle. */
  async transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
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
