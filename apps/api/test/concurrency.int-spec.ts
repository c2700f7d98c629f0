import { backends } from './backends.js';
import { createApiKey, openWebSession, useGateway } from './harness.js';

describe.each(backends())('concurrency (%s)', (backend) => {
  const suite = useGateway(backend, { fake: { latencyMs: 5 } });
  beforeAll(() => {
    // A little upstream latency so turns really overlap.
  });

  it('20 parallel first messages on one key make one session', async () => {
    const key = await createApiKey(suite.gateway);
    const headers = { authorization: `Bearer ${key}`, 'x-user-id': 'racer' };
    const replies = await Promise.all(Array.from({ length: 20 }, (_, i) => suite.gateway.request('POST', '/api/chat', { headers, body: { message: `hello ${i}` } })));
    expect(replies.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(new Set(replies.map((r) => r.body.thread_id))).toEqual(new Set(['user-racer']));
    const sessions = await suite.gateway.request('GET', '/api/admin/sessions?channel=api&endUserId=racer', { headers: { authorization: 'Bearer test-master-key-0123456789' } });
    expect(sessions.body.sessions).toHaveLength(1);
    expect(sessions.body.sessions[0].messageCount).toBe(40);
  });

  it('20 parallel messages on one session are stored gapless in arrival order', async () => {
    const { sessionId, auth } = await openWebSession(suite.gateway);
    // Sent one after another without waiting, so arrival order is the send order.
    const pending: Array<Promise<unknown>> = [];
    for (let i = 0; i < 20; i++) {
      pending.push(suite.gateway.request('POST', `/api/sessions/${sessionId}/messages`, { headers: auth, body: { message: `m${i}` } }));
      await new Promise((r) => setTimeout(r, 2));
    }
    await Promise.all(pending);
    const { body } = await suite.gateway.request('GET', `/api/sessions/${sessionId}/messages`, { headers: auth });
    const messages = body.messages as Array<{ seq: number; role: string; content: string }>;
    expect(messages.map((m) => m.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    // each user message is followed by its own answer
    for (let i = 0; i < 40; i += 2) expect(messages[i + 1]!.content).toBe(`Echo: ${messages[i]!.content}`);
    expect(messages.filter((m) => m.role === 'user').map((m) => m.content)).toEqual(Array.from({ length: 20 }, (_, i) => `m${i}`));
  });
});
