import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/**
 * Removes this run's PGlite template, drops the Postgres databases it cloned and deletes
 * its Redis keys (`tl:test:<database>:`, `tl:test:coord:<run>:`): the servers are shared,
 * and some keys (lock fences) would otherwise stay for a day.
 */
export default async function globalTeardown() {
  const runId = process.env.TL_TEST_RUN_ID;
  if (!runId) return;
  await rm(join(tmpdir(), `tl-template-${runId}`), { recursive: true, force: true });
  await Promise.all([dropDatabases(runId), deleteRunKeys(runId)]);
}

async function dropDatabases(runId) {
  const url = process.env.DATABASE_URL;
  if (!url) return;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    const { rows } = await admin.query(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [`tl_%${runId}%`]);
    // clones before the template they were made from
    rows.sort((a, b) => Number(a.datname.startsWith('tl_tpl_')) - Number(b.datname.startsWith('tl_tpl_')));
    for (const { datname } of rows) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`).catch(() => undefined);
  } finally {
    await admin.end();
  }
}

async function deleteRunKeys(runId) {
  const url = process.env.REDIS_URL;
  if (!url) return;
  // The built library: the int and e2e tiers build every project before jest starts.
  const { deleteKeys } = await import('@threadline/testing');
  for (const match of [`tl:test:tl_*${runId}*`, `tl:test:coord:${runId}:*`]) await deleteKeys(url, match);
}
