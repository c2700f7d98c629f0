import { backends } from './backends.js';
import { createApiKey, openWebSession, useGateway } from './harness.js';

describe.each(backends())('upstream failures (%s)', (backend) => {
  const suite = useGateway(backend, { env: { LLM_MAX_RETRIES: '3', LLM_TIMEOUT_MS: '300', LLM_ANSWER_TIMEOUT_MS: '300' } });

  const tooMany = { kind: 'error', status: 429, headers: { 'retry-after': '0' } } as const;

  it('429 twice then success gives one answer', async () => {
    suite.fake.enqueue(tooMany, tooMany);
    const { sessionId, auth } = await openWebSession(suite.gateway);
    const reply = await suite.gateway.request('POST', `/api/sessions/${sessionId}/messages`, { headers: auth, body: { message: 'hi' } });
    expect(reply.status).toBe(200);
    expect(reply.body.response).toBe('Echo: hi');
    expect(suite.fake.requests).toHaveLength(3);
    const history = await suite.gateway.request('GET', `/api/sessions/${sessionId}/messages`, { headers: auth });
    expect(history.body.messages.map((m: { role: string; status: string }) => `${m.role}:${m.status}`)).toEqual(['user:complete', 'assistant:complete']);
  });

  it('an upstream that keeps failing gives a clear error, and the user message is stored', async () => {
    suite.fake.respondWith(() => ({ kind: 'error', status: 500 }));
    const key = await createApiKey(suite.gateway);
    const headers = { authorization: `Bearer ${key}`, 'x-user-id': 'unlucky' };
    const reply = await suite.gateway.request('POST', '/api/chat', { headers, body: { message: 'are you there?' } });
    expect(reply.status).toBe(502);
    expect(reply.body).toEqual({ error: { code: 'upstream_error', message: expect.stringContaining('Your message was saved') } });
    expect(suite.fake.requests).toHaveLength(4); // 1 + LLM_MAX_RETRIES
    const history = await suite.gateway.request('GET', '/api/chat/history', { headers });
    expect(history.body.messages.map((m: { role: string; status: string; content: string }) => [m.role, m.status, m.content])).toEqual([
      ['user', 'complete', 'are you there?'],
      ['assistant', 'error', ''],
    ]);
    // the failed answer is kept out of the next window
    suite.fake.reset();
    await suite.gateway.request('POST', '/api/chat', { headers, body: { message: 'again' } });
    expect(suite.fake.requests[0]!.messages.slice(1).map((m) => m.content)).toEqual(['are you there?', 'again']);
  });

  // Cut: the connection drops. Stall: it stays open and goes quiet past LLM_TIMEOUT_MS (the SDK
  // ends an aborted stream quietly, so this one must not pass for the whole answer).
  it.each([
    ['cut', { kind: 'break', afterText: 'The answer is' }, 'upstream_error'],
    ['stalled', { kind: 'stall', afterText: 'The answer is' }, 'upstream_timeout'],
  ] as const)('a stream %s mid-answer is stored as partial and the SSE client gets an error then done', async (user, reply, code) => {
    suite.fake.enqueue(reply);
    const key = await createApiKey(suite.gateway);
    const headers = { authorization: `Bearer ${key}`, 'x-user-id': user };
    const streamed = await suite.gateway.request('POST', '/api/chat/stream', { headers, body: { message: 'tell me' } });
    const events = streamed.text.split('\n\n').filter(Boolean).map((b) => JSON.parse(b.split('\n').find((l) => l.startsWith('data: '))!.slice(6)));
    expect(events.filter((e) => e.type === 'token').map((e) => e.content).join('')).toBe('The answer is');
    expect(events.at(-2)).toMatchObject({ type: 'error', code });
    expect(events.at(-1)).toMatchObject({ type: 'done', status: 'partial' });
    expect(suite.fake.requests).toHaveLength(1); // streamed text is never retried into a duplicate
    const history = await suite.gateway.request('GET', '/api/chat/history', { headers });
    expect(history.body.messages.at(-1)).toMatchObject({ role: 'assistant', status: 'partial', content: 'The answer is' });
  });

  it('an upstream that never answers times out with a clear error', async () => {
    suite.fake.respondWith(() => ({ kind: 'hang' }));
    const { sessionId, auth } = await openWebSession(suite.gateway);
    const reply = await suite.gateway.request('POST', `/api/sessions/${sessionId}/messages`, { headers: auth, body: { message: 'hello?' } });
    expect(reply.status).toBe(504);
    expect(reply.body.error.code).toBe('upstream_timeout');
  });

  it('garbage from the upstream is an upstream error, not a crash', async () => {
    suite.fake.respondWith(() => ({ kind: 'garbage' }));
    const { sessionId, auth } = await openWebSession(suite.gateway);
    const reply = await suite.gateway.request('POST', `/api/sessions/${sessionId}/messages`, { headers: auth, body: { message: 'hello?' } });
    expect([502, 504]).toContain(reply.status);
    expect(reply.body.error.message).not.toMatch(/at \w+ \(/); // no stack trace
  });
});
