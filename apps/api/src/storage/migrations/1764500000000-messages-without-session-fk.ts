import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `messages.session_id` no longer carries a foreign key. Its check ran a trigger and a
 * query per stored message, on the one statement every turn makes twice, and proved
 * nothing the statement does not already: a message is only ever inserted from the
 * session row that statement has just updated and still holds locked (appendMessagesSql),
 * and session rows are never deleted (a GDPR delete empties one and keeps it, see
 * SessionRepository.purge), so the cascade it declared had nothing to do either. Dropping
 * it took 8% of Postgres's CPU per turn off at 50 connections (bench/README.md).
 */
export class MessagesWithoutSessionFk1764500000000 implements MigrationInterface {
  name = 'MessagesWithoutSessionFk1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE messages DROP CONSTRAINT IF EXISTS messages_session_id_fkey`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE messages ADD CONSTRAINT messages_session_id_fkey FOREIGN KEY (session_id) REFERENCES sessions (id) ON DELETE CASCADE`);
  }
}
