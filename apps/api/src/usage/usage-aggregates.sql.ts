/** The counters every aggregate table keeps, in the order the statements below list them. */
const COUNTERS = ['messages', 'prompt_tokens', 'completion_tokens', 'cached_tokens', 'cost_micros', 'unpriced_messages', 'estimated_messages'] as const;

const SUMS = `count(*), sum(u.prompt_tokens), sum(u.completion_tokens), sum(COALESCE(u.cached_tokens, 0)), sum(COALESCE(u.cost_micros, 0)),
  count(*) FILTER (WHERE u.cost_micros IS NULL), count(*) FILTER (WHERE u.usage_estimated)`;
/** The same counters for one row, when there is nothing to group. */
const VALUES = `1, u.prompt_tokens, u.completion_tokens, COALESCE(u.cached_tokens, 0), COALESCE(u.cost_micros, 0),
  (u.cost_micros IS NULL)::int, COALESCE(u.usage_estimated, false)::int`;
const ADD = COUNTERS.map((c) => `${c} = t.${c} + EXCLUDED.${c}`).join(', ');
const COLUMNS = COUNTERS.join(', ');

/**
 * CTEs that fold just-stored messages into the usage aggregates (per day and model, per
 * end user per day, per API key per day) inside the statement that stores them, so the
 * messages and their aggregates commit together and the write stays one round trip.
 *
 * `source`: a SELECT of the messages, with the columns at (timestamptz), channel, tenant,
 * end_user_id, api_key_id, model, prompt_tokens, completion_tokens, cached_tokens,
 * cost_micros, usage_estimated. Only messages that carry usage (assistant messages) count.
 * Several rows (`rows: 'many'`) are grouped, since one INSERT … ON CONFLICT may not touch a
 * row twice, and taken in key order, so concurrent statements queue on a hot row rather
 * than deadlock. One row has nothing to group, and grouping it anyway cost a lone append
 * measurably (c=1, alternating: +0.6–1.1 ms p50 embedded, where PGlite plans every
 * execution; +0.1 ms of Postgres CPU per turn).
 */
export function usageAggregateCtes(source: string, rows: 'one' | 'many'): string {
  const many = rows === 'many';
  const counters = many ? SUMS : VALUES;
  const by = (keys: string) => (many ? ` GROUP BY ${keys} ORDER BY ${keys}` : '');
  return `u AS (
    SELECT (r.at AT TIME ZONE 'UTC')::date AS day, r.channel, r.tenant, r.end_user_id, r.api_key_id, COALESCE(r.model, '') AS model,
           r.prompt_tokens, r.completion_tokens, r.cached_tokens, r.cost_micros, r.usage_estimated
    FROM (${source}) r WHERE r.prompt_tokens IS NOT NULL
  ),
  usage_by_day AS (
    INSERT INTO usage_daily AS t (day, channel, model, ${COLUMNS})
    SELECT u.day, u.channel, u.model, ${counters} FROM u${by('1, 2, 3')}
    ON CONFLICT (day, channel, model) DO UPDATE SET ${ADD}
  ),
  usage_by_user AS (
    INSERT INTO user_usage AS t (tenant, end_user_id, day, ${COLUMNS})
    SELECT COALESCE(u.tenant, ''), u.end_user_id, u.day, ${counters} FROM u WHERE u.end_user_id IS NOT NULL${by('1, 2, 3')}
    ON CONFLICT (tenant, end_user_id, day) DO UPDATE SET ${ADD}
  ),
  usage_by_key AS (
    INSERT INTO api_key_usage AS t (api_key_id, day, ${COLUMNS})
    SELECT u.api_key_id, u.day, ${counters} FROM u WHERE u.api_key_id IS NOT NULL${by('1, 2')}
    ON CONFLICT (api_key_id, day) DO UPDATE SET ${ADD}
  )`;
}
