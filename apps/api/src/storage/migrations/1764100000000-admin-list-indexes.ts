import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Keeps the staff sessions list fast at 100,000+ sessions (plans checked with EXPLAIN
 * ANALYZE on Postgres 15, 100k sessions / 600k messages; see docs/dashboard.md).
 *
 * Text search (`q`) is an ILIKE substring match, so it needs trigram GIN indexes. pg_trgm
 * ships with Postgres (trusted since 13, so a database owner may create it) but the embedded
 * PGlite only has it when loaded at startup; where the extension cannot be created the
 * search still works, by scanning. The attempt runs in a PL/pgSQL block because a failed
 * CREATE EXTENSION would otherwise abort this migration's transaction.
 */
export class AdminListIndexes1764100000000 implements MigrationInterface {
  name = 'AdminListIndexes1764100000000';

  async up(q: QueryRunner): Promise<void> {
    // `end_user_id` alone (the dashboard filter); the existing index leads with tenant.
    await q.query(`CREATE INDEX sessions_end_user_recent ON sessions (end_user_id, last_activity_at DESC, id DESC)`);
    // A rare channel no longer walks every newer session of the others.
    await q.query(`CREATE INDEX sessions_channel_recent ON sessions (channel, last_activity_at DESC, id DESC)`);
    // "Sessions of this API key": messages record the key that paid for them.
    await q.query(`CREATE INDEX messages_api_key ON messages (api_key_id, session_id) WHERE api_key_id IS NOT NULL`);
    await q.query(`DO $$
      BEGIN
        CREATE EXTENSION IF NOT EXISTS pg_trgm;
      EXCEPTION WHEN OTHERS THEN
        RAISE NOTICE 'pg_trgm unavailable (%): session search will scan', SQLERRM;
      END $$`);
    await q.query(`DO $$
      BEGIN
        IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
          EXECUTE 'CREATE INDEX messages_content_trgm ON messages USING gin (content gin_trgm_ops)';
          EXECUTE 'CREATE INDEX sessions_key_trgm ON sessions USING gin (key gin_trgm_ops)';
        END IF;
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const index of ['sessions_key_trgm', 'messages_content_trgm', 'messages_api_key', 'sessions_channel_recent', 'sessions_end_user_recent']) {
      await q.query(`DROP INDEX IF EXISTS ${index}`);
    }
  }
}
