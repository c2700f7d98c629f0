import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Logger } from '@nestjs/common';
import pg from 'pg';
import { DataSource, type DataSourceOptions } from 'typeorm';
import type { AppConfig } from '@api/config/app-config.js';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver.js';
import { Database, WRITE_LANE_CONNECTIONS, type PgPool } from './database.js';
import { ENTITIES } from './entities/index.js';
import { MIGRATIONS } from './migrations/index.js';
import { pgliteDriver } from './pglite-driver.js';

const MIGRATION_LOCK_ID = 740_201_1;

/**
 * Connections of the main pool kept open while the gateway is quiet (the pool closes the
 * rest after 10 s idle). A turn on reopened connections waits for the connects and for
 * fresh backends to load their catalog caches: after 12 s of quiet a turn took 24 ms with
 * every connection reopened and 11 ms with these kept (9 ms after 1 s). The write lanes
 * are kept open whole: every turn's appends run on them.
 */
const MAIN_POOL_KEPT_OPEN = 2;

/** Postgres when DATABASE_URL is set, embedded PGlite under DATA_DIR otherwise; migrated either way. */
export async function createDatabase(config: AppConfig): Promise<Database> {
  const common = { entities: ENTITIES, migrations: MIGRATIONS, synchronize: false, logging: false } as const;
  let database: Database;
  if (config.env.DATABASE_URL) {
    // TCP keep-alive on both pools: a connection idle for hours is not dropped unseen by a NAT or firewall on the way.
    const poolSize = config.env.DATABASE_POOL_SIZE;
    const options: DataSourceOptions = { type: 'postgres', url: config.env.DATABASE_URL, poolSize, extra: { keepAlive: true, min: Math.min(MAIN_POOL_KEPT_OPEN, poolSize) }, ...common };
    const dataSource = await new DataSource(options).initialize();
    const writeLanes = new pg.Pool({
      connectionString: config.env.DATABASE_URL,
      max: WRITE_LANE_CONNECTIONS,
      min: WRITE_LANE_CONNECTIONS,
      keepAlive: true,
      options: '-c plan_cache_mode=force_generic_plan',
    });
    // A connection that fails while idle reports here; the pool replaces it on next use.
    writeLanes.on('error', (error) => new Logger('storage').warn(`write-lane connection failed: ${error.message}`));
    database = new Database(dataSource, 'postgres', () => writeLanes.end(), (dataSource.driver as PostgresDriver).master as PgPool, writeLanes);
  } else {
    const directory = resolve(config.env.DATA_DIR, 'pglite');
    await mkdir(directory, { recursive: true });
    const { PGlite } = await import('@electric-sql/pglite');
    // pg_trgm backs the staff search indexes; PGlite only has extensions loaded at startup.
    const { pg_trgm } = await import('@electric-sql/pglite/contrib/pg_trgm');
    const pglite = await PGlite.create(directory, { extensions: { pg_trgm } });
    const options = { type: 'postgres', driver: pgliteDriver(pglite), ...common } as DataSourceOptions;
    const dataSource = await new DataSource(options).initialize();
    database = new Database(dataSource, 'pglite', () => pglite.close());
  }
  await migrate(database, config.env.LOG_LEVEL !== 'silent');
  return database;
}

/** Several instances may boot at once against one Postgres: only one migrates. */
async function migrate(database: Database, verbose: boolean): Promise<void> {
  // PGlite has one connection and one process: no lock, and holding one here would deadlock.
  const runner = database.kind === 'postgres' ? database.dataSource.createQueryRunner() : null;
  await runner?.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
  try {
    const applied = await database.dataSource.runMigrations({ transaction: 'each' });
    if (applied.length && verbose) new Logger('storage').log(`applied migrations: ${applied.map((m) => m.name).join(', ')}`);
  } finally {
    await runner?.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]).catch(() => undefined);
    await runner?.release();
  }
}
