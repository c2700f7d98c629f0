import type { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialSchema1763700000000 implements MigrationInterface {
  name = 'InitialSchema1763700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE sessions (
      id uuid PRIMARY KEY,
      channel text NOT NULL,
      key text NOT NULL,
      status text NOT NULL CHECK (status IN ('active', 'expired', 'cleared', 'deleted')),
      tenant text NULL,
      end_user_id text NULL,
      participants text[] NOT NULL DEFAULT '{}',
      message_count integer NOT NULL DEFAULT 0,
      prompt_tokens bigint NOT NULL DEFAULT 0,
      completion_tokens bigint NOT NULL DEFAULT 0,
      cached_tokens bigint NOT NULL DEFAULT 0,
      cost_micros bigint NOT NULL DEFAULT 0,
      summary text NULL,
      summary_through_seq integer NOT NULL DEFAULT 0,
      created_at timestamptz NOT NULL,
      last_activity_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      max_expires_at timestamptz NOT NULL,
      ended_at timestamptz NULL,
      ended_by text NULL
    )`);
    // One live thread per (channel, key): concurrent first messages race on this index.
    await q.query(`CREATE UNIQUE INDEX sessions_active_key ON sessions (channel, key) WHERE status = 'active'`);
    await q.query(`CREATE INDEX sessions_by_key ON sessions (channel, key, created_at DESC)`);
    await q.query(`CREATE INDEX sessions_expiry ON sessions (expires_at) WHERE status = 'active'`);
    await q.query(`CREATE INDEX sessions_recent ON sessions (last_activity_at DESC, id DESC)`);
    await q.query(`CREATE INDEX sessions_end_user ON sessions (tenant, end_user_id, created_at)`);
    await q.query(`CREATE INDEX sessions_ended ON sessions (ended_at) WHERE ended_at IS NOT NULL`);

    await q.query(`CREATE TABLE messages (
      id uuid PRIMARY KEY,
      session_id uuid NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
      seq integer NOT NULL,
      role text NOT NULL CHECK (role IN ('user', 'assistant', 'tool')),
      content text NOT NULL,
      status text NOT NULL DEFAULT 'complete' CHECK (status IN ('complete', 'partial', 'error')),
      participant text NULL,
      tool_calls jsonb NULL,
      tool_call_id text NULL,
      model text NULL,
      token_count integer NOT NULL DEFAULT 0,
      prompt_tokens integer NULL,
      completion_tokens integer NULL,
      cached_tokens integer NULL,
      usage_estimated boolean NULL,
      cost_micros bigint NULL,
      client_message_id text NULL,
      created_at timestamptz NOT NULL
    )`);
    await q.query(`CREATE UNIQUE INDEX messages_session_seq ON messages (session_id, seq)`);
    await q.query(`CREATE UNIQUE INDEX messages_client_id ON messages (session_id, client_message_id) WHERE client_message_id IS NOT NULL`);

    await q.query(`CREATE TABLE api_keys (
      id uuid PRIMARY KEY,
      name text NOT NULL,
      tenant text NOT NULL,
      prefix text NOT NULL,
      secret_hash text NOT NULL UNIQUE,
      created_at timestamptz NOT NULL,
      last_used_at timestamptz NULL,
      revoked_at timestamptz NULL
    )`);
    await q.query(`CREATE TABLE staff_users (
      id uuid PRIMARY KEY,
      email text NOT NULL UNIQUE,
      password_hash text NOT NULL,
      role text NOT NULL CHECK (role IN ('admin', 'operator', 'viewer')),
      created_at timestamptz NOT NULL
    )`);
    await q.query(`CREATE TABLE staff_sessions (
      id uuid PRIMARY KEY,
      staff_id uuid NOT NULL REFERENCES staff_users (id) ON DELETE CASCADE,
      token_hash text NOT NULL UNIQUE,
      created_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL
    )`);
    await q.query(`CREATE TABLE audit_log (
      id uuid PRIMARY KEY,
      at timestamptz NOT NULL,
      actor text NOT NULL,
      action text NOT NULL,
      target text NULL,
      details jsonb NULL
    )`);
    await q.query(`CREATE INDEX audit_log_at ON audit_log (at DESC)`);
    await q.query(`CREATE TABLE settings (key text PRIMARY KEY, value text NOT NULL)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['settings', 'audit_log', 'staff_sessions', 'staff_users', 'api_keys', 'messages', 'sessions']) {
      await q.query(`DROP TABLE IF EXISTS ${table}`);
    }
  }
}
