/** The counters every aggregate table keeps, in the order the statements below list them. */
const COUNTERS = ['messages', 'prompt_tokens', 'completion_tokens', 'cached_tokens', 'cost_micros', 'unpriced_messages', 'estimated_messages'] as const;

const VALUES = `1, u.prompt_tokens, u.completion_tokens, COALESCE(u.cached_tokens, 0), COALESCE(u.cost_micros, 0),
  (u.cost_micros IS NULL)::int, COALESCE(u.usage_estimated, false)::int`;
const ADD = COUNTERS.map((c) => `${c} = t.${c} + EXCLUDED.${c}`).join(', ');
const COLUMNS = COUNTERS.join(', ');

/**
 * CTEs that fold one just-inserted message into the usage aggregates (per day and model,
 * per end user per day, per API key per day) inside the statement that inserts it, so a
 * message and its aggregates commit together and the append stays one round trip.
 *
 * Expects the statement to define `s` (the updated session: channel, tenant, end_user_id)
 * and `m` (the inserted message row). Only messages that carry usage (assistant
 * messages) count; user and tool messages pass through untouched. `at` is the SQL of the
 * message's timestamp, `apiKeyId` that of the calling key's id (NULL for other channels).
 * Every statement takes the aggregate rows in the same order, so concurrent appends queue
 * on a hot row rather than deadlock.
 */
export function usageAggregateCtes(at: string, apiKeyId: string): string {
  return `u AS (
    SELECT (${at}::timestamptz AT TIME ZONE 'UTC')::date AS day, s.channel, s.tenant, s.end_user_id,
           m.model, m.prompt_tokens, m.completion_tokens, m.cached_tokens, m.cost_micros, m.usage_estimated
    FROM m, s WHERE m.prompt_tokens IS NOT NULL
  ),
  usage_by_day AS (
    INSERT INTO usage_daily AS t (day, channel, model, ${COLUMNS})
    SELECT u.day, u.channel, COALESCE(u.model, ''), ${VALUES} FROM u
    ON CONFLICT (day, channel, model) DO UPDATE SET ${ADD}
  ),
  usage_by_user AS (
    INSERT INTO user_usage AS t (tenant, end_user_id, day, ${COLUMNS})
    SELECT COALESCE(u.tenant, ''), u.end_user_id, u.day, ${VALUES} FROM u WHERE u.end_user_id IS NOT NULL
    ON CONFLICT (tenant, end_user_id, day) DO UPDATE SET ${ADD}
  ),
  usage_by_key AS (
    INSERT INTO api_key_usage AS t (api_key_id, day, ${COLUMNS})
    SELECT ${apiKeyId}::uuid, u.day, ${VALUES} FROM u WHERE ${apiKeyId}::uuid IS NOT NULL
    ON CONFLICT (api_key_id, day) DO UPDATE SET ${ADD}
  )`;
}
