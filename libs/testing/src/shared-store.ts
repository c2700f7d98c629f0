import pg from 'pg';
import { createClient } from 'redis';

/** A database and a Redis key prefix of one tool run on the machine's shared servers. */
export interface SharedStore {
  database: string;
  databaseUrl: string;
  redisUrl: string;
  prefix: string;
  /** Drops the database and deletes the prefix's keys (both attempted even if one fails). */
  drop(): Promise<void>;
}

/**
 * A fresh database `tl_<tool>_<stamp>` and prefix `tl:<tool>:<stamp>:` for a run of the
 * bench or the soak, on servers other work uses too, so the run leaves nothing behind.
 * The Postgres role behind `adminUrl` must be allowed to create databases.
 */
export async function provisionSharedStore(adminUrl: string, redisUrl: string, tool: string, stamp: string): Promise<SharedStore> {
  const database = `tl_${tool}_${stamp}`;
  const prefix = `tl:${tool}:${stamp}:`;
  await withPostgres(adminUrl, (client) => client.query(`CREATE DATABASE ${database}`));
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  const drop = async () => {
    const results = await Promise.allSettled([
      withPostgres(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`)),
      deleteKeys(redisUrl, `${prefix}*`),
    ]);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  };
  return { database, databaseUrl: url.toString(), redisUrl, prefix, drop };
}

async function withPostgres<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Deletes every key matching `match` (SCAN, then DEL in batches): what a run on a shared Redis leaves. */
export async function deleteKeys(url: string, match: string): Promise<void> {
  const redis = createClient({ url });
  await redis.connect();
  try {
    const keys: string[] = [];
    for await (const batch of redis.scanIterator({ MATCH: match, COUNT: 1000 })) keys.push(...(Array.isArray(batch) ? batch : [batch]));
    for (let i = 0; i < keys.length; i += 500) await redis.del(keys.slice(i, i + 500));
  } finally {
    await redis.quit();
  }
}
