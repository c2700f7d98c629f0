import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/** Removes this run's PGlite template and drops the Postgres databases it cloned. */
export default async function globalTeardown() {
  const runId = process.env.TL_TEST_RUN_ID;
  if (!runId) return;
  await rm(join(tmpdir(), `tl-template-${runId}`), { recursive: true, force: true });
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
