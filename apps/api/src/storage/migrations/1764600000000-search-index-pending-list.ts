import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The trigram index on `messages.content` collects new entries in a pending list (GIN
 * `fastupdate`) and folds them into the index once the list passes
 * `gin_pending_list_limit` (4 MB by default). The insert that passes it does the folding
 * itself, inside its own statement: at 50 connections that was a group-committed batch of
 * appends held for tens of milliseconds every one to two seconds, turns that came back
 * together past the p99 (bench/README.md). The api now folds the list in the background
 * every second (SearchIndexUpkeep); this limit is only the backstop for when it cannot, so
 * an insert folds 64 MB at most and a search scans no more than that unfolded.
 */
export class SearchIndexPendingList1764600000000 implements MigrationInterface {
  name = 'SearchIndexPendingList1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(onSearchIndex('SET (gin_pending_list_limit = 65536)'));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(onSearchIndex('RESET (gin_pending_list_limit)'));
  }
}

/** The index exists only where pg_trgm could be created (AdminListIndexes1764100000000). */
function onSearchIndex(change: string): string {
  return `DO $$
    BEGIN
      IF to_regclass('messages_content_trgm') IS NOT NULL THEN
        EXECUTE 'ALTER INDEX messages_content_trgm ${change}';
      END IF;
    END $$`;
}
