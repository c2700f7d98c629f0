import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every message updates its session row (seq counter, token and cost totals). Such an
 * update skips all ten of the table's indexes only when it is HOT: no indexed column
 * changes (the append moves the activity timestamps in steps, see SessionRepository)
 * and the new row version fits on the same page. The free third of each page is that room.
 */
export class SessionHotUpdates1764400000000 implements MigrationInterface {
  name = 'SessionHotUpdates1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE sessions SET (fillfactor = 70)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE sessions RESET (fillfactor)`);
  }
}
