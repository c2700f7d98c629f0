import { jest } from '@jest/globals';
import type { MessageRow, NewMessage } from '../src/sessions/session.types.js';
import { SessionRepository } from '../src/sessions/session.repository.js';
import { SessionsService } from '../src/sessions/sessions.service.js';
import { Database, WRITE_LANE_CONNECTIONS, isUniqueViolation } from '../src/storage/database.js';
import { backends } from './backends.js';
import { useGateway } from './harness.js';

const SESSIONS = 12;
const ROUNDS = 4;

const question = (text: string, clientMessageId: string | null = null): NewMessage => ({ role: 'user', content: text, tokenCount: 2, clientMessageId });
const answer = (text: string, apiKeyId: string | null): NewMessage => ({
  role: 'assistant',
  content: text,
  model: 'batch-model',
  tokenCount: 2,
  usage: { promptTokens: 10, completionTokens: 3, cachedTokens: 1, estimated: false },
  costMicros: 7,
  apiKeyId,
});

/**
 * Appends from many conversations at once share statements (SessionRepository's
 * WriteBatcher): what each conversation stores, and what the aggregates count, must be
 * exactly what one statement per message would have stored.
 */
describe.each(backends())('message appends under load (%s)', (backend) => {
  const suite = useGateway(backend);
  const repo = () => suite.gateway.app.get(SessionRepository);
  const db = () => suite.gateway.app.get(Database);
  const append = (sessionId: string, message: NewMessage, options: { evenIfEnded?: boolean; durable?: boolean } = {}) => {
    const now = new Date();
    return repo().appendMessage(sessionId, message, now, new Date(now.getTime() + 600_000), 1000, options);
  };
  const openSessions = async (prefix: string) => {
    const sessions = suite.gateway.app.get(SessionsService);
    const opened = [];
    for (let i = 0; i < SESSIONS; i++) opened.push((await sessions.getOrCreate({ channel: 'api', key: `${prefix}-${i}`, tenant: 't', endUserId: `${prefix}-user-${i}` })).session);
    return opened;
  };

  it('many conversations appending at once: gapless seqs, right counters and aggregates, fewer statements than messages', async () => {
    const sessions = await openSessions(`load-${backend}`);
    const apiKeyId = '0190f1a2-0000-7000-8000-00000000b47c';
    const statements = jest.spyOn(db(), 'queryOnWriteLane');
    try {
      await Promise.all(
        sessions.map(async (session, i) => {
          for (let round = 0; round < ROUNDS; round++) {
            expect(await append(session.id, question(`q${round} of ${i}`))).not.toBeNull();
            expect(await append(session.id, answer(`a${round} of ${i}`, apiKeyId), { durable: false })).not.toBeNull();
          }
        }),
      );
      const appendStatements = statements.mock.calls.filter(([sql]) => sql.includes('INSERT INTO messages')).length;
      expect(appendStatements).toBeGreaterThan(0);
      expect(appendStatements).toBeLessThan(SESSIONS * ROUNDS * 2);
    } finally {
      statements.mockRestore();
    }

    for (const [i, session] of sessions.entries()) {
      const { rows } = await db().query<{ seq: number; role: string; content: string }>(`SELECT seq, role, content FROM messages WHERE session_id = $1 ORDER BY seq`, [session.id]);
      expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: ROUNDS * 2 }, (_, n) => n + 1));
      expect(rows.map((r) => r.content)).toEqual(Array.from({ length: ROUNDS }, (_, round) => [`q${round} of ${i}`, `a${round} of ${i}`]).flat());
      const stored = (await repo().findById(session.id))!;
      expect([stored.message_count, Number(stored.prompt_tokens), Number(stored.completion_tokens), Number(stored.cost_micros)]).toEqual([ROUNDS * 2, ROUNDS * 10, ROUNDS * 3, ROUNDS * 7]);
    }
    const perUser = await db().query<{ end_user_id: string; messages: string; prompt_tokens: string; cost_micros: string }>(
      `SELECT end_user_id, messages, prompt_tokens, cost_micros FROM user_usage WHERE end_user_id LIKE $1 ORDER BY end_user_id`,
      [`load-${backend}-user-%`],
    );
    expect(perUser.rows).toHaveLength(SESSIONS);
    for (const row of perUser.rows) expect([Number(row.messages), Number(row.prompt_tokens), Number(row.cost_micros)]).toEqual([ROUNDS, ROUNDS * 10, ROUNDS * 7]);
    const perKey = await db().query<{ messages: string; cached_tokens: string }>(`SELECT messages, cached_tokens FROM api_key_usage WHERE api_key_id = $1`, [apiKeyId]);
    expect(perKey.rows.map((r) => [Number(r.messages), Number(r.cached_tokens)])).toEqual([[SESSIONS * ROUNDS, SESSIONS * ROUNDS]]);
    const perModel = await db().query<{ messages: string; completion_tokens: string }>(`SELECT messages, completion_tokens FROM usage_daily WHERE model = 'batch-model'`);
    expect(perModel.rows.map((r) => [Number(r.messages), Number(r.completion_tokens)])).toEqual([[SESSIONS * ROUNDS, SESSIONS * ROUNDS * 3]]);
  });

  it('in a shared statement, an ended conversation and a duplicate message fail alone', async () => {
    const sessions = await openSessions(`mixed-${backend}`);
    const [ended, resent, ...others] = sessions;
    await repo().end(ended!.id, 'cleared', 'staff', new Date());
    expect(await append(resent!.id, question('first', 'client-1'))).not.toBeNull();

    // Hold the durable lane busy so the next appends queue and leave as one statement.
    const results = await Promise.allSettled([
      ...others.map((s) => append(s.id, question('busy'))),
      append(ended!.id, question('too late')),
      append(ended!.id, answer('tail of a turn in flight', null), { evenIfEnded: true }),
      append(resent!.id, question('first again', 'client-1')),
      ...others.map((s) => append(s.id, question('after'))),
    ]);
    const [tooLate, tail, duplicate] = results.slice(others.length, others.length + 3);
    expect(tooLate).toEqual({ status: 'fulfilled', value: null });
    expect(tail).toMatchObject({ status: 'fulfilled', value: { content: 'tail of a turn in flight', seq: 1 } });
    expect(duplicate!.status).toBe('rejected');
    expect(isUniqueViolation((duplicate as PromiseRejectedResult).reason)).toBe(true);
    for (const result of [...results.slice(0, others.length), ...results.slice(others.length + 3)]) expect(result).toMatchObject({ status: 'fulfilled', value: { session_id: expect.any(String) } });
    for (const session of others) {
      const { rows } = await db().query<{ seq: number; content: string }>(`SELECT seq, content FROM messages WHERE session_id = $1 ORDER BY seq`, [session.id]);
      expect(rows).toEqual([{ seq: 1, content: 'busy' }, { seq: 2, content: 'after' }]);
    }
    const { rows } = await db().query<{ content: string }>(`SELECT content FROM messages WHERE session_id = $1 ORDER BY seq`, [resent!.id]);
    expect(rows.map((r) => r.content)).toEqual(['first']);
  });

  it('a message for a session that does not exist is not stored, alone or in a shared statement, with no per-row check doing it', async () => {
    const missing = '0190f1a2-0000-7000-8000-0000000dead0';
    const [session, ...others] = await openSessions(`orphan-${backend}`);
    expect(await append(missing, question('alone'))).toBeNull();
    const shared = await Promise.all([
      ...others.map((s) => append(s.id, question('busy'))),
      append(missing, question('in company')),
      append(missing, answer('even if ended', null), { evenIfEnded: true, durable: false }),
      append(session!.id, question('next to it')),
    ]);
    expect(shared.slice(others.length)).toEqual([null, null, expect.objectContaining({ session_id: session!.id, seq: 1 })]);
    const { rows } = await db().query<{ count: number }>(`SELECT count(*)::int AS count FROM messages WHERE session_id = $1`, [missing]);
    expect(rows[0]!.count).toBe(0);
    // What keeps it so is the statement's shape (messages come from the session rows it
    // updated), not a foreign key's trigger and query per stored message.
    const INSERT_TRIGGER = 4; // pg_trigger.tgtype's TRIGGER_TYPE_INSERT bit
    const triggers = await db().query<{ count: number }>(`SELECT count(*)::int AS count FROM pg_trigger WHERE tgrelid = 'messages'::regclass AND tgtype & $1 <> 0`, [INSERT_TRIGGER]);
    expect(triggers.rows[0]!.count).toBe(0);
  });

  it('only statements that carry usage touch the aggregates, and a batch mixing questions and answers counts its answers', async () => {
    const sessions = await openSessions(`counted-${backend}`);
    const apiKeyId = '0190f1a2-0000-7000-8000-0000000c0de1';
    const statements = jest.spyOn(db(), 'queryOnWriteLane');
    try {
      expect(await append(sessions[0]!.id, question('alone'))).not.toBeNull();
      // Both in one lane (durable), so they can share a statement.
      const mixed = await Promise.all(sessions.map((s, i) => append(s.id, i % 2 ? answer(`a${i}`, apiKeyId) : question(`q${i}`))));
      expect(mixed.every((row) => row !== null)).toBe(true);
      const sqls = statements.mock.calls.map(([sql]) => sql).filter((sql) => sql.includes('INSERT INTO messages'));
      expect(sqls[0]).not.toContain('usage_daily');
      expect(sqls.slice(1).some((sql) => sql.includes('usage_daily'))).toBe(true);
    } finally {
      statements.mockRestore();
    }
    const { rows } = await db().query<{ messages: number; completion_tokens: number }>(
      `SELECT messages::int, completion_tokens::int FROM api_key_usage WHERE api_key_id = $1`,
      [apiKeyId],
    );
    expect(rows).toEqual([{ messages: SESSIONS / 2, completion_tokens: 3 * (SESSIONS / 2) }]);
  });

  it('stores what a model may send back that Postgres text cannot hold', async () => {
    const [session] = await openSessions(`text-${backend}`);
    const stored = await append(session!.id, answer('nul\u0000 and a lone \ud800 surrogate', null), { durable: false });
    expect(stored!.content).toBe('nul and a lone \ufffd surrogate');
    const call = { ...answer('', null), toolCalls: [{ id: 'call_1', name: 'lookup', arguments: '{"q":"a\u0000b \udc00"}' }] };
    const withCall = await append(session!.id, call);
    expect(withCall!.tool_calls).toEqual([{ id: 'call_1', name: 'lookup', arguments: '{"q":"ab \ufffd"}' }]);
  });

  it('what an append returns is the row as stored, alone and in a shared statement', async () => {
    // The statement returns only the seq and the session's fields; the rest of the
    // returned row is built from what was sent. Every column set, odd text included.
    const price = { model: 'batch-model', input: 0.1, cachedInput: 0.025, output: 0.4, source: 'default' as const, version: 'abc123def456' };
    const full = (n: number): NewMessage => ({
      role: 'assistant',
      content: `answer ${n} with nul\u0000`,
      status: 'partial',
      participant: `agent-${n}`,
      toolCalls: [{ id: `call_${n}`, name: 'lookup', arguments: '{"q":"x\u0000"}' }],
      model: 'batch-model',
      tokenCount: 5,
      usage: { promptTokens: 11, completionTokens: 4, cachedTokens: 2, estimated: true },
      costMicros: 9_007_199_254,
      clientMessageId: `client-${n}`,
      apiKeyId: '0190f1a2-0000-7000-8000-00000000e0a1',
      price,
    });
    const tool: NewMessage = { role: 'tool', content: 'tool result', toolCallId: 'call_0', tokenCount: 2 };
    const sessions = await openSessions(`same-${backend}`);
    const appended = [
      await append(sessions[0]!.id, full(0)),
      ...(await Promise.all(sessions.slice(1).map((session, i) => append(session.id, i % 2 ? tool : full(i + 1), { durable: i % 3 !== 0 })))),
    ];
    for (const row of appended) {
      expect(row).not.toBeNull();
      const { rows } = await db().query<MessageRow>(`SELECT * FROM messages WHERE id = $1`, [row!.id]);
      const session = (await repo().findById(row!.session_id))!;
      const { session_status, session_summary, session_summary_through_seq, session_expires_at, session_last_activity_at, ...message } = row!;
      expect({ ...message, cost_micros: message.cost_micros === null ? null : Number(message.cost_micros) }).toEqual({ ...rows[0]!, cost_micros: rows[0]!.cost_micros === null ? null : Number(rows[0]!.cost_micros) });
      expect({ session_status, session_summary, session_summary_through_seq, session_expires_at, session_last_activity_at }).toEqual({
        session_status: session.status,
        session_summary: session.summary,
        session_summary_through_seq: session.summary_through_seq,
        session_expires_at: session.expires_at,
        session_last_activity_at: session.last_activity_at,
      });
    }
  });
});

/** The backends that ran `count` statements held open at once, so each one needed a connection to itself if the pool had it. */
async function pidsOf(run: (sql: string, params: unknown[]) => Promise<{ rows: Array<{ pid: number }> }>, count: number): Promise<number[]> {
  const results = await Promise.all(Array.from({ length: count }, () => run(`SELECT pg_backend_pid() AS pid, pg_sleep(0.2) WHERE $1::int = 1`, [1])));
  return [...new Set(results.map((result) => result.rows[0]!.pid))];
}

(backends().includes('real') ? describe : describe.skip)('the write lanes on Postgres', () => {
  const suite = useGateway('real');
  const db = () => suite.gateway.app.get(Database);

  it('run on connections of their own that always use the generic plan, and only they do', async () => {
    const settingOf = async (run: (sql: string, params: unknown[]) => Promise<{ rows: Array<{ setting: string; pid: number }> }>) =>
      (await run(`SELECT current_setting('plan_cache_mode') AS setting, pg_backend_pid() AS pid WHERE $1::int = 1`, [1])).rows[0]!;
    const lane = await settingOf((sql, params) => db().queryOnWriteLane(sql, params));
    const ordinary = await settingOf((sql, params) => db().query(sql, params));
    expect(lane.setting).toBe('force_generic_plan');
    expect(ordinary.setting).toBe('auto');
    expect(lane.pid).not.toBe(ordinary.pid);
  });

  it('stay open while the gateway is quiet, with two of the main pool; the main pool closes the rest', async () => {
    const lanes = await pidsOf((sql, params) => db().queryOnWriteLane(sql, params), WRITE_LANE_CONNECTIONS);
    const main = await pidsOf((sql, params) => db().query(sql, params), 6);
    expect(lanes).toHaveLength(WRITE_LANE_CONNECTIONS);
    expect(main).toHaveLength(6);
    // node-postgres closes a connection idle for 10 s unless the pool's minimum keeps it.
    await new Promise((done) => setTimeout(done, 11_000));
    const { rows } = await db().query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE pid = ANY($1::int[])`, [[...lanes, ...main]]);
    const open = new Set(rows.map((row) => row.pid));
    expect(lanes.filter((pid) => open.has(pid))).toHaveLength(WRITE_LANE_CONNECTIONS);
    expect(main.filter((pid) => open.has(pid))).toHaveLength(2);
  });
});

(backends().includes('real') ? describe : describe.skip)('DATABASE_POOL_SIZE on Postgres', () => {
  const suite = useGateway('real', { env: { DATABASE_POOL_SIZE: '3' } });

  it('bounds the main pool: six statements at once share three connections, and messages still have their lanes', async () => {
    const db = suite.gateway.app.get(Database);
    const pids = new Set(await pidsOf((sql, params) => db.query(sql, params), 6));
    expect(pids.size).toBeLessThanOrEqual(3);
    const lane = await db.queryOnWriteLane<{ pid: number }>(`SELECT pg_backend_pid() AS pid WHERE $1::int = 1`, [1]);
    expect(pids.has(lane.rows[0]!.pid)).toBe(false);
  });
});
