import { FakeOpenAI } from '@threadline/testing';
import { backends } from './backends.js';
import { openWebSession, provisionStorage, startGateway, type Gateway, type StorageHandle } from './harness.js';
import { createKey, doneOf, numeric, sql } from './usage-helpers.js';

const COUNTER_SUMS = `count(*) AS messages, sum(m.prompt_tokens) AS prompt_tokens, sum(m.completion_tokens) AS completion_tokens,
  sum(COALESCE(m.cached_tokens, 0)) AS cached_tokens, sum(COALESCE(m.cost_micros, 0)) AS cost_micros,
  count(*) FILTER (WHERE m.cost_micros IS NULL) AS unpriced_messages, count(*) FILTER (WHERE m.usage_estimated) AS estimated_messages`;
const COUNTERS = 'messages, prompt_tokens, completion_tokens, cached_tokens, cost_micros, unpriced_messages, estimated_messages';
const DAY = `(m.created_at AT TIME ZONE 'UTC')::date::text`;

describe.each(backends())('usage aggregates under concurrency (%s)', (backend) => {
  let fake: FakeOpenAI;
  let storage: StorageHandle;
  let gateway: Gateway;

  beforeAll(async () => {
    fake = await FakeOpenAI.start();
    storage = await provisionStorage(backend);
    gateway = await startGateway({ storage, fake });
  });
  afterAll(async () => {
    await gateway?.close();
    await fake?.close();
    await storage?.dispose();
  });

  it('100 parallel turns over many users, keys and sessions leave every aggregate equal to the sum of its messages', async () => {
    // Every request gets different usage; some with cached tokens, some with none at all (estimated).
    fake.respondWith((_request, index) => ({
      kind: 'text',
      text: `answer ${index}`,
      usage: index % 10 === 7 ? null : { prompt_tokens: 100 + index * 3, completion_tokens: 5 + (index % 13), cached_tokens: index % 3 === 0 ? 64 : 0 },
    }));
    const keys = [await createKey(gateway, { tenant: 'acme' }), await createKey(gateway, { tenant: 'acme' }), await createKey(gateway, { tenant: 'globex' })];
    const webSessions = await Promise.all(Array.from({ length: 4 }, () => openWebSession(gateway)));

    const turns: Array<() => Promise<number | null>> = [];
    for (let i = 0; i < 80; i++) {
      // 8 users; a user's turns alternate between keys of their tenant, streamed and not
      const user = `user-${i % 8}`;
      const key = user === 'user-7' ? keys[2]! : keys[i % 2]!;
      const headers = { authorization: `Bearer ${key.secret}`, 'x-user-id': user };
      const thread = i % 5 === 0 ? { thread_id: 'side' } : {};
      turns.push(async () => {
        if (i % 2) {
          const reply = await gateway.request('POST', '/api/chat/stream', { headers, body: { message: `turn ${i}`, ...thread } });
          expect(reply.status).toBe(200);
          return doneOf(reply.text).cost;
        }
        const reply = await gateway.request('POST', '/api/chat', { headers, body: { message: `turn ${i}`, ...thread } });
        expect(reply.status).toBe(200);
        return reply.body.cost;
      });
    }
    for (let i = 0; i < 20; i++) {
      const { sessionId, auth } = webSessions[i % 4]!;
      turns.push(async () => {
        const reply = await gateway.request('POST', `/api/sessions/${sessionId}/messages`, { headers: auth, body: { message: `web ${i}` } });
        expect(reply.status).toBe(200);
        return reply.body.costMicros;
      });
    }
    const costs = await Promise.all(turns.map((turn) => turn()));
    expect(fake.requests).toHaveLength(100);

    const answers = `FROM messages m JOIN sessions s ON s.id = m.session_id WHERE m.prompt_tokens IS NOT NULL`;
    const [all] = numeric(await sql(gateway, `SELECT ${COUNTER_SUMS} ${answers}`));
    expect(all).toMatchObject({ messages: 100, estimated_messages: 10, unpriced_messages: 0 });
    expect(all!.cost_micros).toBe(costs.reduce((sum: number, c) => sum + (c ?? 0), 0));

    // per day and model (and channel)
    expect(numeric(await sql(gateway, `SELECT day::text AS day, channel, model, ${COUNTERS} FROM usage_daily ORDER BY 1, 2, 3`))).toEqual(
      numeric(await sql(gateway, `SELECT ${DAY} AS day, s.channel, m.model, ${COUNTER_SUMS} ${answers} GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`)),
    );
    // per end user (seed 002's user_usage)
    const perUser = numeric(await sql(gateway, `SELECT tenant, end_user_id, day::text AS day, ${COUNTERS} FROM user_usage ORDER BY 1, 2, 3`));
    expect(perUser).toEqual(
      numeric(await sql(gateway, `SELECT COALESCE(s.tenant, '') AS tenant, s.end_user_id, ${DAY} AS day, ${COUNTER_SUMS} ${answers} AND s.end_user_id IS NOT NULL GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`)),
    );
    expect(perUser.map((r) => [r.tenant, r.end_user_id, r.messages])).toEqual([
      ...Array.from({ length: 7 }, (_, u) => ['acme', `user-${u}`, 10]),
      ['globex', 'user-7', 10],
    ]);
    // per API key
    const perKey = numeric(await sql(gateway, `SELECT api_key_id::text AS api_key_id, day::text AS day, ${COUNTERS} FROM api_key_usage ORDER BY 1, 2`));
    expect(perKey).toEqual(
      numeric(await sql(gateway, `SELECT m.api_key_id::text AS api_key_id, ${DAY} AS day, ${COUNTER_SUMS} ${answers} AND m.api_key_id IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2`)),
    );
    expect(perKey.map((r) => r.messages).sort()).toEqual([10, 30, 40]);
    // per session
    expect(
      numeric(await sql(gateway, `SELECT id, message_count, prompt_tokens, completion_tokens, cached_tokens, cost_micros, unpriced_messages FROM sessions ORDER BY id`)),
    ).toEqual(
      numeric(
        await sql(
          gateway,
          `SELECT s.id, count(m.id)::int AS message_count, COALESCE(sum(m.prompt_tokens), 0) AS prompt_tokens, COALESCE(sum(m.completion_tokens), 0) AS completion_tokens,
                  COALESCE(sum(m.cached_tokens), 0) AS cached_tokens, COALESCE(sum(m.cost_micros), 0) AS cost_micros,
                  (count(*) FILTER (WHERE m.prompt_tokens IS NOT NULL AND m.cost_micros IS NULL))::int AS unpriced_messages
           FROM sessions s LEFT JOIN messages m ON m.session_id = s.id GROUP BY s.id ORDER BY s.id`,
        ),
      ),
    );
  });
});
