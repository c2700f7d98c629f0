import type { MigrationInterface, QueryRunner } from 'typeorm';

export class OpenAICompat1764200000000 implements MigrationInterface {
  name = 'OpenAICompat1764200000000';

  async up(q: QueryRunner): Promise<void> {
    // A conversation (conv_…) names one thread: its messages live in sessions/messages
    // under the key in session_key; this row only holds what OpenAI's API shows of it.
    await q.query(`CREATE TABLE openai_conversations (
      id text PRIMARY KEY,
      tenant text NOT NULL,
      api_key_id uuid NULL,
      session_key text NOT NULL,
      metadata jsonb NOT NULL DEFAULT '{}',
      created_at timestamptz NOT NULL
    )`);
    // A stored response (resp_…): the object GET /v1/responses/{id} returns, and the thread
    // a previous_response_id continues. The answer's text lives in `body` as well as in
    // messages, so deleting the message (a session's GDPR delete, retention) deletes the row.
    await q.query(`CREATE TABLE openai_responses (
      id text PRIMARY KEY,
      tenant text NOT NULL,
      api_key_id uuid NULL,
      session_key text NULL,
      conversation_id text NULL,
      assistant_message_id uuid NULL REFERENCES messages (id) ON DELETE CASCADE,
      output_item_id text NULL,
      body jsonb NOT NULL,
      created_at timestamptz NOT NULL
    )`);
    // Also what the cascade from messages looks up.
    await q.query(`CREATE INDEX openai_responses_message ON openai_responses (assistant_message_id) WHERE assistant_message_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS openai_responses`);
    await q.query(`DROP TABLE IF EXISTS openai_conversations`);
  }
}
