import { newId } from '@api/common/ids.js';
import { storableText } from '@api/common/validate.js';
import { usageAggregateCtes } from '@api/usage/usage-aggregates.sql.js';
import type { MessageRow, NewMessage, SessionRow } from './session.types.js';

/** One message to store (SessionRepository.appendMessage). */
export interface AppendRequest {
  sessionId: string;
  message: NewMessage;
  now: Date;
  idleExpiresAt: Date;
  activityStepMs: number;
  evenIfEnded: boolean;
  fence: number | null;
}

/** The columns of one message in the statement's VALUES list, with their types. */
const COLUMNS = [
  ['session_id', 'uuid'], ['id', 'uuid'], ['role', 'text'], ['participant', 'text'], ['content', 'text'], ['status', 'text'],
  ['tool_calls', 'jsonb'], ['tool_call_id', 'text'], ['prompt_tokens', 'int'], ['completion_tokens', 'int'], ['cached_tokens', 'int'],
  ['model', 'text'], ['cost_micros', 'bigint'], ['usage_estimated', 'boolean'], ['even_if_ended', 'boolean'], ['token_count', 'int'],
  ['client_message_id', 'text'], ['api_key_id', 'uuid'], ['price', 'jsonb'], ['fence', 'bigint'], ['at', 'timestamptz'],
  ['idle_expires_at', 'timestamptz'], ['step', 'int'],
] as const;

/** Statement texts by batch size, with and without the usage aggregates. */
const statements = { counted: new Map<number, string>(), uncounted: new Map<number, string>() };

/**
 * Stores `count` messages, each in its own session, in one statement (so one
 * transaction): per message the session's counter moves and the row is inserted at the
 * new seq, so seq stays gapless; a message whose session is no longer active (unless
 * `even_if_ended`) or whose fence is stale is left out, and only its row is missing from
 * the result. Messages are inserted from the session rows the statement has just updated
 * (and holds locked), never from the input: that is what keeps every message's session in
 * existence, without a foreign key checked per row (migration 1764500000000). A result
 * row is what the caller cannot know (`AppendResultRow`): the rest of the stored row is
 * what it sent (`appendMessagesParams`' `stored`), so Postgres does not format it and the
 * api does not parse it back. `$1`: durable; when false the commit does not wait for the
 * WAL flush.
 *
 * `counted`: the batch has messages with usage (answers), which are folded into the usage
 * aggregates in the same statement. A batch without (questions, tool results) gets a text
 * without those three upserts: Postgres would still open and lock their tables and indexes
 * at every execution, only to find no row to write.
 *
 * One statement text per count, with a VALUES row per message: Postgres then knows how
 * many rows come and finds each session by its primary key, with a plan it keeps. A
 * JSON record set or arrays as parameters looked like 10 or 100 rows to it: it either
 * planned every execution afresh (1.4 ms of its CPU per lone append, measured) or scanned
 * the whole sessions table for a generic plan.
 *
 * The activity timestamps (`last_activity_at`, `expires_at`) only move when they would
 * move by at least the step: they are indexed, and an update that leaves every indexed
 * column alone is HOT (no index entries written).
 */
export function appendMessagesSql(count: number, counted: boolean): string {
  const texts = counted ? statements.counted : statements.uncounted;
  let sql = texts.get(count);
  if (sql) return sql;
  // A lone message reads its parameters where they are used, without the VALUES list and
  // its join: the statement then plans as fast as a plain single-row one, which matters on
  // PGlite, where every execution is planned (2 ms a turn slower there otherwise, measured).
  const one = count === 1;
  const param = (row: number, column: number) => `$${2 + row * COLUMNS.length + column}::${COLUMNS[column]![1]}`;
  // Where the statement reads message column `name`: the VALUES row, or the lone message's parameter.
  const i = Object.fromEntries(COLUMNS.map(([name], index) => [name, one ? param(0, index) : `i.${name}`])) as Record<(typeof COLUMNS)[number][0], string>;
  const input = one
    ? ''
    : `i (${COLUMNS.map(([name]) => name).join(', ')}) AS (
  VALUES ${Array.from({ length: count }, (_, row) => `(${COLUMNS.map((_, index) => param(row, index)).join(', ')})`).join(',\n         ')}
),
`;
  sql = `WITH ${input}s AS (
  UPDATE sessions SET
    message_count = sessions.message_count + 1,
    last_activity_at = CASE WHEN ${i.at} >= sessions.last_activity_at + ${i.step} * interval '1 millisecond' THEN ${i.at} ELSE sessions.last_activity_at END,
    expires_at = CASE WHEN sessions.status = 'active'
                       AND abs(extract(epoch FROM LEAST(${i.idle_expires_at}, sessions.max_expires_at) - sessions.expires_at)) * 1000 >= ${i.step}
                      THEN LEAST(${i.idle_expires_at}, sessions.max_expires_at) ELSE sessions.expires_at END,
    participants = CASE WHEN ${i.participant} IS NULL OR ${i.participant} = ANY(sessions.participants) THEN sessions.participants
                        ELSE array_append(sessions.participants, ${i.participant}) END,
    prompt_tokens = sessions.prompt_tokens + COALESCE(${i.prompt_tokens}, 0),
    completion_tokens = sessions.completion_tokens + COALESCE(${i.completion_tokens}, 0),
    cached_tokens = sessions.cached_tokens + COALESCE(${i.cached_tokens}, 0),
    cost_micros = sessions.cost_micros + COALESCE(${i.cost_micros}, 0),
    unpriced_messages = sessions.unpriced_messages + CASE WHEN ${i.prompt_tokens} IS NOT NULL AND ${i.cost_micros} IS NULL THEN 1 ELSE 0 END,
    turn_fence = GREATEST(sessions.turn_fence, COALESCE(${i.fence}, 0))
  ${one ? '' : 'FROM i\n  '}WHERE sessions.id = ${i.session_id}
    AND ((sessions.status = 'active' AND sessions.expires_at > ${i.at}) OR ${i.even_if_ended})
    AND (${i.fence} IS NULL OR sessions.turn_fence <= ${i.fence})
    AND ($1::boolean OR set_config('synchronous_commit', 'off', true) = 'off')
  RETURNING ${one ? COLUMNS.map(([name]) => `${i[name]} AS ${name}`).join(', ') : 'i.*'},
            sessions.message_count AS seq, sessions.channel, sessions.tenant, sessions.end_user_id, sessions.status AS session_status,
            sessions.summary AS session_summary, sessions.summary_through_seq AS session_summary_through_seq,
            sessions.expires_at AS session_expires_at, sessions.last_activity_at AS session_last_activity_at
),
m AS (
  INSERT INTO messages (id, session_id, seq, role, content, status, participant, tool_calls, tool_call_id, model, token_count,
                        prompt_tokens, completion_tokens, cached_tokens, usage_estimated, cost_micros, client_message_id, created_at,
                        api_key_id, price)
  SELECT s.id, s.session_id, s.seq, s.role, s.content, s.status, s.participant, s.tool_calls, s.tool_call_id, s.model, s.token_count,
         s.prompt_tokens, s.completion_tokens, s.cached_tokens, s.usage_estimated, s.cost_micros, s.client_message_id, s.at, s.api_key_id, s.price
  FROM s
  RETURNING id, seq
)${
    counted
      ? `,
${usageAggregateCtes(`SELECT at, channel, tenant, end_user_id, api_key_id, model, prompt_tokens, completion_tokens, cached_tokens, cost_micros,
                             usage_estimated FROM s`, one ? 'one' : 'many')}`
      : ''
  }
SELECT m.id, m.seq, s.session_status, s.session_summary, s.session_summary_through_seq, s.session_expires_at, s.session_last_activity_at
FROM m JOIN s ON s.id = m.id`;
  texts.set(count, sql);
  return sql;
}

/** What appendMessagesSql returns per stored message: the seq it got and its session's fields. */
export interface AppendResultRow {
  id: string;
  seq: number;
  session_status: SessionRow['status'];
  session_summary: string | null;
  session_summary_through_seq: number;
  session_expires_at: Date;
  session_last_activity_at: Date;
}

/**
 * appendMessagesSql's parameters, in its order, and per message the row as it will be
 * stored, but for its seq (which only the statement knows). `counted`: some message carries
 * usage, the statement's own test for what the aggregates take (`prompt_tokens` set).
 */
export function appendMessagesParams(requests: AppendRequest[], durable: boolean): { stored: Array<Omit<MessageRow, 'seq'>>; params: unknown[]; counted: boolean } {
  const stored: Array<Omit<MessageRow, 'seq'>> = [];
  const params: unknown[] = [durable];
  let counted = false;
  for (const { sessionId, message, now, idleExpiresAt, activityStepMs, evenIfEnded, fence } of requests) {
    // Tool calls are the model's too; jsonb refuses the same characters text does.
    const toolCalls = message.toolCalls?.map((call) => ({ id: storableText(call.id), name: storableText(call.name), arguments: storableText(call.arguments) })) ?? null;
    const row: Omit<MessageRow, 'seq'> = {
      id: newId(),
      session_id: sessionId,
      role: message.role,
      content: storableText(message.content),
      status: message.status ?? 'complete',
      participant: message.participant ?? null,
      tool_calls: toolCalls,
      tool_call_id: message.toolCallId ?? null,
      model: message.model ?? null,
      token_count: message.tokenCount,
      prompt_tokens: message.usage?.promptTokens ?? null,
      completion_tokens: message.usage?.completionTokens ?? null,
      cached_tokens: message.usage?.cachedTokens ?? null,
      usage_estimated: message.usage ? message.usage.estimated : null,
      cost_micros: message.costMicros ?? null,
      client_message_id: message.clientMessageId ?? null,
      api_key_id: message.apiKeyId ?? null,
      price: message.price ?? null,
      created_at: new Date(now.getTime()),
    };
    stored.push(row);
    counted ||= row.prompt_tokens !== null;
    params.push(
      sessionId,
      row.id,
      row.role,
      row.participant,
      row.content,
      row.status,
      toolCalls === null ? null : JSON.stringify(toolCalls),
      row.tool_call_id,
      row.prompt_tokens,
      row.completion_tokens,
      row.cached_tokens,
      row.model,
      row.cost_micros,
      row.usage_estimated,
      evenIfEnded,
      row.token_count,
      row.client_message_id,
      row.api_key_id,
      message.price ? JSON.stringify(message.price) : null,
      fence,
      now,
      idleExpiresAt,
      activityStepMs,
    );
  }
  return { stored, params, counted };
}
