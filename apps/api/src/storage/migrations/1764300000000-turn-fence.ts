import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The newest turn-lock fence that wrote to a session. A holder whose lease lapsed (a
 * long pause, a partition from Redis) carries an older fence than the holder after it,
 * and its writes are refused once that newer holder has written (DESIGN §2).
 */
export class TurnFence1764300000000 implements MigrationInterface {
  name = 'TurnFence1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE sessions ADD COLUMN turn_fence bigint NOT NULL DEFAULT 0`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE sessions DROP COLUMN turn_fence`);
  }
}
