import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { AppConfig } from '../src/config/app-config.js';
import { createDatabase } from '../src/storage/database.factory.js';

const runId = () => process.env.TL_TEST_RUN_ID ?? `solo${process.pid}`;
export const templateDatabaseName = () => `tl_tpl_${runId()}`;

/**
 * One migrated PGlite directory per test run (initdb costs seconds); the first suite
 * to get here makes it while the others wait on an atomic mkdir.
 */
export async function pgliteTemplate(): Promise<string> {
  const base = join(tmpdir(), `tl-template-${runId()}`);
  const ready = join(base, 'ready');
  if (existsSync(ready)) return join(base, 'pglite');
  try {
    await mkdir(`${base}.lock`);
  } catch {
    const deadline = Date.now() + 120_000;
    while (!existsSync(ready)) {
      if (Date.now() > deadline) throw new Error('timed out waiting for the PGlite template');
      await new Promise((r) => setTimeout(r, 100));
    }
    return join(base, 'pglite');
  }
  try {
    const database = await createDatabase(AppConfig.fromEnv({ DATA_DIR: base, LOG_LEVEL: 'silent' }));
    await database.close();
    await writeFile(ready, 'ok');
  } finally {
    await rm(`${base}.lock`, { recursive: true, force: true });
  }
  return join(base, 'pglite');
}

/** One migrated template database per run; suites clone it with CREATE DATABASE ... TEMPLATE. */
export async function postgresTemplate(url: string): Promise<string> {
  const name = templateDatabaseName();
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query('SELECT pg_advisory_lock(7402012)');
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) {
      await admin.query(`CREATE DATABASE ${name}`);
      const migrated = await createDatabase(AppConfig.fromEnv({ DATABASE_URL: withDatabase(url, name), LOG_LEVEL: 'silent' }));
      await migrated.close();
    }
    return name;
  } finally {
    await admin.query('SELECT pg_advisory_unlock(7402012)').catch(() => undefined);
    await admin.end();
  }
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}
