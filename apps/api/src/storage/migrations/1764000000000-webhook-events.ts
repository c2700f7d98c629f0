import type { MigrationInterface, QueryRunner } from 'typeorm';

export class WebhookEvents1764000000000 implements MigrationInterface {
  name = 'WebhookEvents1764000000000';

  async up(q: QueryRunner): Promise<void> {
    // Providers redeliver (Slack retries, Meta duplicates): the first instance to insert a
    // delivery's id answers it, every other instance and every later copy sees the conflict.
    await q.query(`CREATE TABLE webhook_events (
      provider text NOT NULL,
      event_id text NOT NULL,
      created_at timestamptz NOT NULL,
      PRIMARY KEY (provider, event_id)
    )`);
    // Rows are only needed while a provider may still redeliver; the pruner deletes by age.
    await q.query(`CREATE INDEX webhook_events_created ON webhook_events (created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS webhook_events`);
  }
}
