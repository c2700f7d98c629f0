import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The counters each usage aggregate keeps (assistant messages only; money in micro-dollars). */
const COUNTERS = `
      messages integer NOT NULL DEFAULT 0,
      prompt_tokens bigint NOT NULL DEFAULT 0,
      completion_tokens bigint NOT NULL DEFAULT 0,
      cached_tokens bigint NOT NULL DEFAULT 0,
      cost_micros bigint NOT NULL DEFAULT 0,
      unpriced_messages integer NOT NULL DEFAULT 0,
      estimated_messages integer NOT NULL DEFAULT 0`;

export class UsageAggregates1763900000000 implements MigrationInterface {
  name = 'UsageAggregates1763900000000';

  async up(q: QueryRunner): Promise<void> {
    // Which key paid for a turn, and the price that applied, travel with the message.
    await q.query(`ALTER TABLE messages ADD COLUMN api_key_id uuid NULL`);
    await q.query(`ALTER TABLE messages ADD COLUMN price jsonb NULL`);
    // A session's cost_micros sums priced messages only; this says how many were not priced.
    await q.query(`ALTER TABLE sessions ADD COLUMN unpriced_messages integer NOT NULL DEFAULT 0`);

    // A key's own limits; NULL falls back to the BUDGET_KEY_* defaults.
    await q.query(`ALTER TABLE api_keys ADD COLUMN budget_tokens_per_day bigint NULL`);
    await q.query(`ALTER TABLE api_keys ADD COLUMN budget_tokens_per_month bigint NULL`);
    await q.query(`ALTER TABLE api_keys ADD COLUMN budget_micros_per_day bigint NULL`);
    await q.query(`ALTER TABLE api_keys ADD COLUMN budget_micros_per_month bigint NULL`);

    await q.query(`CREATE TABLE usage_daily (
      day date NOT NULL,
      channel text NOT NULL,
      model text NOT NULL,${COUNTERS},
      PRIMARY KEY (day, channel, model)
    )`);
    // Seed 002's user_usage, by day so a dashboard can rank users over any range.
    await q.query(`CREATE TABLE user_usage (
      tenant text NOT NULL,
      end_user_id text NOT NULL,
      day date NOT NULL,${COUNTERS},
      PRIMARY KEY (tenant, end_user_id, day)
    )`);
    await q.query(`CREATE INDEX user_usage_day ON user_usage (day)`);
    await q.query(`CREATE TABLE api_key_usage (
      api_key_id uuid NOT NULL,
      day date NOT NULL,${COUNTERS},
      PRIMARY KEY (api_key_id, day)
    )`);
    await q.query(`CREATE INDEX api_key_usage_day ON api_key_usage (day)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['api_key_usage', 'user_usage', 'usage_daily']) await q.query(`DROP TABLE IF EXISTS ${table}`);
    for (const column of ['budget_micros_per_month', 'budget_micros_per_day', 'budget_tokens_per_month', 'budget_tokens_per_day']) {
      await q.query(`ALTER TABLE api_keys DROP COLUMN IF EXISTS ${column}`);
    }
    await q.query(`ALTER TABLE sessions DROP COLUMN IF EXISTS unpriced_messages`);
    await q.query(`ALTER TABLE messages DROP COLUMN IF EXISTS price`);
    await q.query(`ALTER TABLE messages DROP COLUMN IF EXISTS api_key_id`);
  }
}
