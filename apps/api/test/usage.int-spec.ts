import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeOpenAI } from '@threadline/testing';
import { UsageReport } from '@threadline/contracts';
import { estimateTextTokens } from '../src/usage/token-counter.js';
import { backends } from './backends.js';
import { masterAuth, openWebSession, provisionStorage, startGateway, type Gateway, type StorageHandle } from './harness.js';
import { createKey, doneOf, numeric, sql, transcriptOf } from './usage-helpers.js';

const NANO = { model: 'gpt-4.1-nano', input: 0.1, cachedInput: 0.025, output: 0.4, source: 'default' };

describe.each(backends())('usage and cost per message (%s)', (backend) => {
  let fake: FakeOpenAI;
  let storage: StorageHandle;
  let gateway: Gateway;
  let key: { id: string; secret: string };
  const as = (user: string) => ({ authorization: `Bearer ${key.secret}`, 'x-user-id': user });

  beforeAll(async () => {
    fake = await FakeOpenAI.start();
    storage = await provisionStorage(backend);
    gateway = await startGateway({ storage, fake });
    key = await createKey(gateway, { name: 'usage-key' });
  });
  afterAll(async () => {
    await gateway?.close();
    await fake?.close();
    await storage?.dispose();
  });
  beforeEach(() => fake.reset());

  it('non-streamed: the upstream usage is the record, and cached prompt tokens are priced at the cached rate', async () => {
    fake.enqueue({ kind: 'text', text: 'Cached answer', usage: { prompt_tokens: 1200, completion_tokens: 30, cached_tokens: 1000 } });
    const reply = await gateway.request('POST', '/api/chat', { headers: as('cache-user'), body: { message: 'hello' } });
    expect(reply.status).toBe(200);
    expect(reply.body.usage).toEqual({ promptTokens: 1200, completionTokens: 30, cachedTokens: 1000, totalTokens: 1230, estimated: false });
    // 200 × $0.10 + 1000 × $0.025 + 30 × $0.40 per million = 57 µ$; pricing the cache as input would give 132
    expect(reply.body.cost).toBe(57);

    const [, answer] = await transcriptOf(gateway, 'cache-user');
    expect(answer).toMatchObject({ role: 'assistant', model: 'gpt-4.1-nano', costMicros: 57, usage: reply.body.usage, price: { ...NANO, version: expect.any(String) } });
    const [row] = await sql(gateway, `SELECT api_key_id, prompt_tokens, completion_tokens, cached_tokens, usage_estimated, cost_micros FROM messages WHERE id = $1`, [answer.id]);
    expect(numeric([row!])[0]).toEqual({ api_key_id: key.id, prompt_tokens: 1200, completion_tokens: 30, cached_tokens: 1000, usage_estimated: false, cost_micros: 57 });
  });

  it('streamed: the done event carries the usage from the final usage chunk, never zero', async () => {
    fake.enqueue({ kind: 'text', text: 'A streamed answer in several words', usage: { prompt_tokens: 2000, completion_tokens: 500, cached_tokens: 1000 } });
    const reply = await gateway.request('POST', '/api/chat/stream', { headers: as('stream-user'), body: { message: 'stream please' } });
    expect(reply.status).toBe(200);
    expect(fake.requests[0]!.body.stream_options).toEqual({ include_usage: true });
    const done = doneOf(reply.text);
    expect(done.usage).toEqual({ promptTokens: 2000, completionTokens: 500, cachedTokens: 1000, totalTokens: 2500, estimated: false });
    expect(done.cost).toBe(1000 * 0.1 + 1000 * 0.025 + 500 * 0.4); // 325
    const [, answer] = await transcriptOf(gateway, 'stream-user');
    expect(answer).toMatchObject({ costMicros: 325, usage: done.usage, price: NANO });
  });

  it('without upstream usage, counts locally with gpt-tokenizer and marks the figures as an estimate', async () => {
    const text = 'Nobody told me how many tokens this was.';
    fake.enqueue({ kind: 'text', text, usage: null });
    const reply = await gateway.request('POST', '/api/chat/stream', { headers: as('estimate-user'), body: { message: 'count yourself' } });
    const done = doneOf(reply.text);
    expect(done.usage).toMatchObject({ completionTokens: estimateTextTokens(text), cachedTokens: 0, estimated: true });
    expect(done.usage!.promptTokens).toBeGreaterThan(estimateTextTokens('count yourself'));
    expect(done.cost).toBe(Math.round(done.usage!.promptTokens * 0.1 + done.usage!.completionTokens * 0.4));
    expect(done.cost).toBeGreaterThan(0);

    fake.enqueue({ kind: 'text', text, usage: null });
    const rest = await gateway.request('POST', '/api/chat', { headers: as('estimate-user'), body: { message: 'again' } });
    expect(rest.body.usage).toMatchObject({ estimated: true, completionTokens: estimateTextTokens(text) });
    const rows = await sql<{ usage_estimated: boolean }>(gateway, `SELECT usage_estimated FROM messages WHERE api_key_id = $1 AND role = 'assistant' AND prompt_tokens = $2`, [key.id, rest.body.usage.promptTokens]);
    expect(rows.map((r) => r.usage_estimated)).toContain(true);
  });

  it('web REST replies carry the cost and the price that applied', async () => {
    fake.enqueue({ kind: 'text', text: 'web answer', usage: { prompt_tokens: 10_000, completion_tokens: 1000, cached_tokens: 0 } });
    const { sessionId, auth } = await openWebSession(gateway);
    const reply = await gateway.request('POST', `/api/sessions/${sessionId}/messages`, { headers: auth, body: { message: 'hi' } });
    expect(reply.body.costMicros).toBe(1400);
    expect(reply.body.message).toMatchObject({ costMicros: 1400, price: NANO });
  });

  it('aggregates per end user, API key and day/model match the messages; GET /api/chat/sessions reports seed 002 totals', async () => {
    fake.enqueue(
      { kind: 'text', text: 'one', usage: { prompt_tokens: 300, completion_tokens: 20, cached_tokens: 100 } },
      { kind: 'text', text: 'two', usage: { prompt_tokens: 500, completion_tokens: 40, cached_tokens: 0 } },
    );
    await gateway.request('POST', '/api/chat', { headers: as('agg-user'), body: { message: 'first' } });
    await gateway.request('POST', '/api/chat/stream', { headers: as('agg-user'), body: { message: 'second', thread_id: 'other-thread' } });

    const [perUser] = await sql(gateway, `SELECT sum(messages) AS messages, sum(prompt_tokens) AS p, sum(completion_tokens) AS c, sum(cached_tokens) AS ca, sum(cost_micros) AS cost FROM user_usage WHERE end_user_id = 'agg-user'`);
    expect(numeric([perUser!])[0]).toEqual({ messages: 2, p: 800, c: 60, ca: 100, cost: Math.round(200 * 0.1 + 100 * 0.025 + 20 * 0.4) + Math.round(500 * 0.1 + 40 * 0.4) });

    const stats = await gateway.request('GET', '/api/chat/sessions', { headers: as('agg-user') });
    expect(stats.body).toMatchObject({ user_id: 'agg-user', thread_id: 'user-agg-user', total_messages: 4, total_tokens_used: 860 });
    expect(Date.parse(stats.body.session_start)).toBeLessThanOrEqual(Date.parse(stats.body.last_activity));

    const keyRows = numeric(await sql(gateway, `SELECT sum(messages) AS messages, sum(cost_micros) AS cost FROM api_key_usage WHERE api_key_id = $1`, [key.id]));
    const keyMessages = numeric(await sql(gateway, `SELECT count(*) AS messages, sum(cost_micros) AS cost FROM messages WHERE api_key_id = $1 AND prompt_tokens IS NOT NULL`, [key.id]));
    expect(keyRows).toEqual(keyMessages);
  });

  it('GET /api/admin/usage reports totals, series, models, channels, top users and keys from the aggregates', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const reply = await gateway.request('GET', `/api/admin/usage?from=${today}&to=${today}&top=3`, { headers: masterAuth });
    expect(reply.status).toBe(200);
    const report = UsageReport.parse(reply.body);
    const [all] = numeric(await sql(gateway, `SELECT count(*) AS messages, sum(cost_micros) AS cost, sum(prompt_tokens + completion_tokens) AS tokens FROM messages WHERE prompt_tokens IS NOT NULL`));
    expect(report.totals).toMatchObject({ messages: all!.messages, costMicros: all!.cost, totalTokens: all!.tokens, unpricedMessages: 0 });
    expect(report.totals.estimatedMessages).toBe(2);
    expect(report.daily).toEqual([{ day: today, ...report.totals }]);
    expect(report.models).toEqual([{ model: 'gpt-4.1-nano', ...report.totals, price: expect.objectContaining(NANO) }]);
    expect(report.channels.map((c) => c.channel).sort()).toEqual(['api', 'web']);
    expect(report.topEndUsers).toHaveLength(3);
    expect(report.topEndUsers[0]!.costMicros).toBeGreaterThanOrEqual(report.topEndUsers[1]!.costMicros);
    expect(report.topApiKeys).toEqual([expect.objectContaining({ apiKeyId: key.id, name: 'usage-key', prefix: expect.stringMatching(/^tl_/) })]);

    const series = await gateway.request('GET', `/api/admin/usage?to=${today}`, { headers: masterAuth });
    expect(series.body.daily).toHaveLength(30);
    expect(series.body.daily.at(-1)).toEqual(report.daily[0]);
    expect(series.body.daily[0].messages).toBe(0);
  });

  it('refuses bad usage queries and callers without a staff login', async () => {
    expect((await gateway.request('GET', '/api/admin/usage')).status).toBe(401);
    const bad = ['from=2030-02-30', 'from=2030-05-02&to=2030-05-01', 'from=2020-01-01&to=2030-01-01', 'from=yesterday', 'top=0', 'extra=1'];
    for (const query of bad) {
      const reply = await gateway.request('GET', `/api/admin/usage?${query}`, { headers: masterAuth });
      expect([query, reply.status, reply.body.error.code]).toEqual([query, 400, 'validation_failed']);
    }
    const prices = await gateway.request('GET', '/api/admin/usage/prices', { headers: masterAuth });
    expect(prices.body).toMatchObject({ source: 'default', version: expect.stringMatching(/^[0-9a-f]{12}$/) });
    expect(prices.body.prices).toContainEqual(expect.objectContaining(NANO));
  });
});

describe.each(backends())('unknown models and PRICE_BOOK_FILE (%s)', (backend) => {
  let fake: FakeOpenAI;
  let storage: StorageHandle;
  let dir: string;
  let gateway: Gateway | undefined;
  const as = (secret: string, user: string) => ({ authorization: `Bearer ${secret}`, 'x-user-id': user });
  const usage = { prompt_tokens: 100, completion_tokens: 10, cached_tokens: 50 };

  beforeAll(async () => {
    fake = await FakeOpenAI.start();
    storage = await provisionStorage(backend);
    dir = await mkdtemp(join(tmpdir(), 'tl-prices-'));
  });
  afterEach(async () => {
    await gateway?.close();
    gateway = undefined;
    fake.reset();
  });
  afterAll(async () => {
    await fake?.close();
    await storage?.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('a model missing from the price book is unpriced (null), never $0, in replies, messages and aggregates', async () => {
    gateway = await startGateway({ storage, fake, env: { OPENAI_MODEL: 'llama3:8b' } });
    const { secret } = await createKey(gateway, { tenant: 'local' });
    fake.enqueue({ kind: 'text', text: 'local answer', usage }, { kind: 'text', text: 'streamed local answer', usage });
    const rest = await gateway.request('POST', '/api/chat', { headers: as(secret, 'local-user'), body: { message: 'hi' } });
    expect(rest.status).toBe(200);
    expect(fake.requests[0]!.body.model).toBe('llama3:8b');
    expect(rest.body.usage).toMatchObject({ promptTokens: 100, completionTokens: 10, cachedTokens: 50 });
    expect(rest.body.cost).toBeNull();
    const done = doneOf((await gateway.request('POST', '/api/chat/stream', { headers: as(secret, 'local-user'), body: { message: 'again' } })).text);
    expect(done.cost).toBeNull();

    const messages = await transcriptOf(gateway, 'local-user');
    expect(messages.filter((m) => m.role === 'assistant').map((m) => [m.model, m.costMicros, m.price])).toEqual([
      ['llama3:8b', null, null],
      ['llama3:8b', null, null],
    ]);
    const list = await gateway.request('GET', '/api/admin/sessions?endUserId=local-user', { headers: masterAuth });
    expect(list.body.sessions[0]).toMatchObject({ costMicros: 0, unpricedMessages: 2 });
    const report = await gateway.request('GET', '/api/admin/usage', { headers: masterAuth });
    expect(report.body.models).toEqual([expect.objectContaining({ model: 'llama3:8b', messages: 2, unpricedMessages: 2, costMicros: 0, price: null })]);
    expect(report.body.totals).toMatchObject({ messages: 2, unpricedMessages: 2 });
  });

  it('PRICE_BOOK_FILE prices it, each message keeps the price that applied when it was stored', async () => {
    const file = join(dir, 'prices.json');
    await writeFile(file, JSON.stringify({ 'llama3:8b': { input: 1, output: 2 } }));
    gateway = await startGateway({ storage, fake, env: { OPENAI_MODEL: 'llama3:8b', PRICE_BOOK_FILE: file } });
    const { secret } = await createKey(gateway, { tenant: 'local' });
    fake.enqueue({ kind: 'text', text: 'now priced', usage });
    const rest = await gateway.request('POST', '/api/chat', { headers: as(secret, 'local-user'), body: { message: 'priced now?' } });
    // no cached price in the file: cached tokens cost plain input, 100 × $1 + 10 × $2 per million
    expect(rest.body.cost).toBe(120);

    const prices = await gateway.request('GET', '/api/admin/usage/prices', { headers: masterAuth });
    expect(prices.body.source).toBe('file');
    const messages = (await transcriptOf(gateway, 'local-user')).filter((m) => m.role === 'assistant');
    expect(messages.map((m) => [m.costMicros, m.price])).toEqual([
      [null, null],
      [null, null],
      [120, { model: 'llama3:8b', input: 1, cachedInput: 1, output: 2, source: 'file', version: prices.body.version }],
    ]);
    const report = await gateway.request('GET', '/api/admin/usage', { headers: masterAuth });
    expect(report.body.models).toEqual([expect.objectContaining({ model: 'llama3:8b', messages: 3, unpricedMessages: 2, costMicros: 120, price: messages[2].price })]);
  });
});
