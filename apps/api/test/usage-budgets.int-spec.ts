import { io, type Socket } from 'socket.io-client';
import { FakeOpenAI, type FakeUsage } from '@threadline/testing';
import type { ChatClientToServer, ChatServerToClient } from '@threadline/contracts';
import { ManualClock } from '../src/common/clock.js';
import { backends } from './backends.js';
import { masterAuth, openWebSession, provisionStorage, startGateway, type Gateway, type StorageHandle } from './harness.js';
import { createKey, sql } from './usage-helpers.js';

type ChatSocket = Socket<ChatServerToClient, ChatClientToServer>;

describe.each(backends())('budgets (%s)', (backend) => {
  let fake: FakeOpenAI;
  let storage: StorageHandle;
  let gateway: Gateway;
  // Two hours before a day ends, which is also a month end: resets can be reached by moving the clock.
  const clock = new ManualClock(new Date('2030-05-31T22:00:00Z'));
  const answerWith = (usage: FakeUsage) => fake.respondWith(() => ({ kind: 'text', text: 'fine', usage }));
  const as = (secret: string, user: string) => ({ authorization: `Bearer ${secret}`, 'x-user-id': user });

  beforeAll(async () => {
    fake = await FakeOpenAI.start();
    storage = await provisionStorage(backend);
    gateway = await startGateway({ storage, fake, clock, env: { BUDGET_USER_TOKENS_PER_DAY: '1000' } });
  });
  afterAll(async () => {
    await gateway?.close();
    await fake?.close();
    await storage?.dispose();
  });
  beforeEach(() => fake.reset());

  it('an end user over the daily token budget gets 429 with Retry-After before any upstream call, until the day ends', async () => {
    const { secret } = await createKey(gateway);
    answerWith({ prompt_tokens: 600, completion_tokens: 10 });
    expect((await gateway.request('POST', '/api/chat', { headers: as(secret, 'heavy'), body: { message: 'one' } })).status).toBe(200);
    // 610 < 1000: let through, and this turn takes the user to 1220
    expect((await gateway.request('POST', '/api/chat', { headers: as(secret, 'heavy'), body: { message: 'two' } })).status).toBe(200);
    expect(fake.requests).toHaveLength(2);

    const refused = await gateway.request('POST', '/api/chat', { headers: as(secret, 'heavy'), body: { message: 'three' } });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('7200');
    expect(refused.body).toEqual({
      error: {
        code: 'rate_limited',
        message: 'The daily token budget of end user "heavy" is used up (1,220 tokens of 1,000 tokens); it resets at 2030-06-01T00:00:00.000Z, in 7200 s.',
      },
    });
    expect(fake.requests).toHaveLength(2);

    // SSE is refused as a plain HTTP error: the stream never opens.
    const stream = await gateway.request('POST', '/api/chat/stream', { headers: as(secret, 'heavy'), body: { message: 'stream it' } });
    expect(stream.status).toBe(429);
    expect(stream.headers.get('content-type')).toMatch(/^application\/json/);
    expect(stream.headers.get('retry-after')).toBe('7200');
    expect(stream.body.error.code).toBe('rate_limited');
    expect(fake.requests).toHaveLength(2);

    // A refused message is not stored; other users of the same key are unaffected.
    const history = await gateway.request('GET', '/api/chat/history', { headers: as(secret, 'heavy') });
    expect(history.body.messages.map((m: { content: string }) => m.content)).toEqual(['one', 'fine', 'two', 'fine']);
    expect((await gateway.request('POST', '/api/chat', { headers: as(secret, 'light'), body: { message: 'hi' } })).status).toBe(200);

    clock.advance(2 * 3600_000);
    expect((await gateway.request('POST', '/api/chat', { headers: as(secret, 'heavy'), body: { message: 'new day' } })).status).toBe(200);
  });

  it("an API key's own budget, set and changed through the admin API, applies to all its users at once", async () => {
    const key = await createKey(gateway, { budget: { costMicrosPerDay: 500 } });
    expect(key.body.budget).toEqual({ tokensPerDay: null, tokensPerMonth: null, costMicrosPerDay: 500, costMicrosPerMonth: null });
    answerWith({ prompt_tokens: 0, completion_tokens: 1000 }); // 400 µ$ a turn
    expect((await gateway.request('POST', '/api/chat', { headers: as(key.secret, 'k1'), body: { message: 'a' } })).body.cost).toBe(400);
    expect((await gateway.request('POST', '/api/chat', { headers: as(key.secret, 'k2'), body: { message: 'b' } })).status).toBe(200);
    const refused = await gateway.request('POST', '/api/chat', { headers: as(key.secret, 'k3'), body: { message: 'c' } });
    expect(refused.status).toBe(429);
    expect(refused.body.error.message).toMatch(/^The daily spending budget of this API key is used up \(\$0\.000800 of \$0\.000500\); it resets at 2030-06-02T00:00:00\.000Z/);
    expect(Number(refused.headers.get('retry-after'))).toBe((Date.parse('2030-06-02T00:00:00Z') - clock.now().getTime()) / 1000);
    expect(fake.requests).toHaveLength(2);

    const raised = await gateway.request('PATCH', `/api/admin/api-keys/${key.id}`, { headers: masterAuth, body: { budget: { costMicrosPerDay: 5000 } } });
    expect(raised.status).toBe(200);
    expect(raised.body.budget.costMicrosPerDay).toBe(5000);
    expect((await gateway.request('POST', '/api/chat', { headers: as(key.secret, 'k3'), body: { message: 'c' } })).status).toBe(200);

    const lowered = await gateway.request('PATCH', `/api/admin/api-keys/${key.id}`, { headers: masterAuth, body: { budget: { tokensPerDay: 100 } } });
    expect(lowered.body.budget).toEqual({ tokensPerDay: 100, tokensPerMonth: null, costMicrosPerDay: 5000, costMicrosPerMonth: null });
    expect((await gateway.request('POST', '/api/chat', { headers: as(key.secret, 'k4'), body: { message: 'd' } })).body.error.message).toMatch(/daily token budget of this API key/);

    const cleared = await gateway.request('PATCH', `/api/admin/api-keys/${key.id}`, { headers: masterAuth, body: { name: 'renamed', budget: { tokensPerDay: null } } });
    expect(cleared.body).toMatchObject({ name: 'renamed', budget: { tokensPerDay: null, costMicrosPerDay: 5000 } });
    expect((await gateway.request('POST', '/api/chat', { headers: as(key.secret, 'k4'), body: { message: 'd' } })).status).toBe(200);
    const listed = await gateway.request('GET', '/api/admin/api-keys', { headers: masterAuth });
    expect(listed.body.find((k: { id: string }) => k.id === key.id).budget.costMicrosPerDay).toBe(5000);
    const audits = await sql<{ details: unknown }>(gateway, `SELECT details FROM audit_log WHERE action = 'api-key.update' AND target = $1`, [key.id]);
    expect(audits.map((a) => a.details)).toContainEqual({ name: 'renamed', budget: { tokensPerDay: null } });
    expect(audits).toHaveLength(3);
  });

  it('a monthly budget outlasts the day and says so in Retry-After', async () => {
    const key = await createKey(gateway, { budget: { tokensPerMonth: 3000 } });
    answerWith({ prompt_tokens: 2000, completion_tokens: 500 });
    // different end users, so only the key's budget is in play
    expect((await gateway.request('POST', '/api/chat', { headers: as(key.secret, 'm1'), body: { message: 'a' } })).status).toBe(200);
    expect((await gateway.request('POST', '/api/chat', { headers: as(key.secret, 'm2'), body: { message: 'b' } })).status).toBe(200);
    const refused = await gateway.request('POST', '/api/chat', { headers: as(key.secret, 'm3'), body: { message: 'c' } });
    expect(refused.status).toBe(429);
    expect(refused.body.error.message).toMatch(/monthly token budget of this API key is used up \(5,000 tokens of 3,000 tokens\); it resets at 2030-07-01T00:00:00\.000Z/);
    const now = clock.now().getTime();
    expect(Number(refused.headers.get('retry-after'))).toBe((Date.parse('2030-07-01T00:00:00Z') - now) / 1000);
    clock.advance(86_400_000);
    expect((await gateway.request('POST', '/api/chat', { headers: as(key.secret, 'm3'), body: { message: 'c' } })).status).toBe(429);
  });

  it('refuses bad budgets and unknown keys', async () => {
    const key = await createKey(gateway);
    const cases: Array<[string, unknown, number]> = [
      [`/api/admin/api-keys/${key.id}`, { budget: { tokensPerDay: -5 } }, 400],
      [`/api/admin/api-keys/${key.id}`, { budget: { tokensPerDay: 1.5 } }, 400],
      [`/api/admin/api-keys/${key.id}`, { budget: { dollarsPerDay: 5 } }, 400],
      [`/api/admin/api-keys/${key.id}`, {}, 400],
      ['/api/admin/api-keys/0190b6a8-0000-7000-8000-000000000000', { name: 'x' }, 404],
      ['/api/admin/api-keys/not-a-uuid', { name: 'x' }, 404],
    ];
    for (const [path, body, status] of cases) {
      expect([path, body, (await gateway.request('PATCH', path, { headers: masterAuth, body })).status]).toEqual([path, body, status]);
    }
    expect((await gateway.request('PATCH', `/api/admin/api-keys/${key.id}`, { body: { name: 'x' } })).status).toBe(401);
    expect((await gateway.request('POST', '/api/admin/api-keys', { headers: masterAuth, body: { name: 'x', budget: { costMicrosPerDay: 0 } } })).status).toBe(400);
  });

  it('an anonymous web visitor counts as one end user: socket acks and REST get the refusal', async () => {
    answerWith({ prompt_tokens: 990, completion_tokens: 20 });
    const { sessionId, token, auth } = await openWebSession(gateway);
    expect((await gateway.request('POST', `/api/sessions/${sessionId}/messages`, { headers: auth, body: { message: 'hi' } })).status).toBe(200);
    const rest = await gateway.request('POST', `/api/sessions/${sessionId}/messages`, { headers: auth, body: { message: 'again' } });
    expect(rest.status).toBe(429);
    expect(rest.body.error.message).toMatch(/^The daily token budget of this chat session is used up/);
    expect(Number(rest.headers.get('retry-after'))).toBeGreaterThan(0);

    const socket: ChatSocket = io(`${gateway.url}/chat`, { auth: { sessionId, token }, transports: ['websocket'], reconnection: false });
    try {
      await new Promise<void>((resolve, reject) => (socket.once('connect', () => resolve()), socket.once('connect_error', reject)));
      const ack = await new Promise<any>((resolve) => socket.emit('message:send', { text: 'over socket' }, resolve));
      expect(ack).toEqual({ ok: false, error: { code: 'rate_limited', message: rest.body.error.message } });
    } finally {
      socket.disconnect();
    }
    expect(fake.requests).toHaveLength(1);
    // another visitor has a budget of their own
    const other = await openWebSession(gateway);
    expect((await gateway.request('POST', `/api/sessions/${other.sessionId}/messages`, { headers: other.auth, body: { message: 'hi' } })).status).toBe(200);
  });
});
