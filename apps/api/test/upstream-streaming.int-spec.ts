import type { AdminClientToServer, AdminServerToClient, ChatClientToServer, ChatServerToClient } from '@threadline/contracts';
import { waitUntil } from '@threadline/testing';
import { io, type Socket } from 'socket.io-client';
import { SummaryService } from '@api/chat/summary.service.js';
import { backends } from './backends.js';
import { TEST_MASTER_KEY, createApiKey, openWebSession, startGateway, untilNoWatchersAssumed, useGateway, type Gateway } from './harness.js';

/**
 * LLM_STREAM=auto: an answer is streamed from the upstream only when someone sees it
 * stream (the caller's channel, or staff watching /admin); otherwise it is asked for whole.
 */
describe.each(backends())('which answers stream from the upstream (%s)', (backend) => {
  const suite = useGateway(backend, { env: { CONTEXT_SUMMARY: 'on', CONTEXT_MAX_MESSAGES: '4' } });
  let key: string;
  const asStreamed = () => suite.fake.requests.map((r) => r.body.stream === true);

  beforeAll(async () => {
    key = await createApiKey(suite.gateway);
    await untilNoWatchersAssumed();
  });

  const chat = (user: string, message: string, path = '/api/chat') =>
    suite.gateway.request('POST', path, { headers: { authorization: `Bearer ${key}`, 'x-user-id': user }, body: { message } });

  it('a plain REST reply is asked for whole; the SSE reply of the same API streams; both answer alike', async () => {
    const plain = await chat('rest-user', 'one');
    expect(plain.body).toMatchObject({ response: 'Echo: one', status: 'complete', usage: { promptTokens: expect.any(Number) } });
    const sse = await chat('sse-user', 'two', '/api/chat/stream');
    const tokens = sse.text.split('\n\n').filter((b) => b.includes('"type":"token"')).map((b) => JSON.parse(b.slice(b.indexOf('data: ') + 6)).content);
    expect(tokens.join('')).toBe('Echo: two');
    expect(asStreamed()).toEqual([false, true]);
    expect(suite.fake.requests[0]!.body).not.toHaveProperty('stream_options');
  });

  it("a web session's REST message is asked for whole; its widget socket's message streams", async () => {
    const { sessionId, token, auth } = await openWebSession(suite.gateway);
    const reply = await suite.gateway.request('POST', `/api/sessions/${sessionId}/messages`, { headers: auth, body: { message: 'by voice' } });
    expect(reply.body.response).toBe('Echo: by voice');
    const widget: Socket<ChatServerToClient, ChatClientToServer> = io(`${suite.gateway.url}/chat`, { auth: { sessionId, token }, transports: ['websocket'] });
    try {
      const deltas: string[] = [];
      widget.on('message:delta', ({ text }) => deltas.push(text));
      const done = new Promise<string>((resolve) => widget.on('message:done', ({ message }) => resolve(message.content)));
      widget.emit('message:send', { text: 'by widget' });
      expect(await done).toBe('Echo: by widget');
      expect(deltas.join('')).toBe('Echo: by widget');
    } finally {
      widget.close();
    }
    expect(asStreamed()).toEqual([false, true]);
  });

  it('while staff watch /admin a REST reply streams, so they see it live; after they leave it is asked for whole again', async () => {
    const admin: Socket<AdminServerToClient, AdminClientToServer> = io(`${suite.gateway.url}/admin`, { auth: { token: TEST_MASTER_KEY }, transports: ['websocket'] });
    const live: string[] = [];
    try {
      await new Promise<void>((resolve) => admin.once('connect', () => resolve()));
      admin.on('message:delta', ({ text }) => live.push(text));
      const created = new Promise<void>((resolve) => admin.on('message:created', ({ message }) => message.content === 'Echo: watched' && resolve()));
      expect((await chat('watched-user', 'watched')).body.response).toBe('Echo: watched');
      await created;
      expect(live.join('')).toBe('Echo: watched');
    } finally {
      admin.close();
    }
    expect(asStreamed()).toEqual([true]);
    // The instance hears the disconnect on its own time: soon, an unwatched reply is asked for whole.
    await waitUntil('a reply asked for whole after staff left', async () => {
      await chat('watched-user', 'unwatched');
      return suite.fake.requests.at(-1)?.body.stream === false;
    });
  });

  it('the OpenAI-compatible endpoint streams from the upstream exactly when its caller streams, in a thread or not', async () => {
    const call = (stream: boolean, session?: string) =>
      fetch(`${suite.gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, ...(session ? { 'x-session-id': session } : {}) },
        body: JSON.stringify({ model: 'gpt-4.1-nano', messages: [{ role: 'user', content: 'compat' }], stream }),
      }).then((r) => r.text());
    expect(JSON.parse(await call(false)).choices[0].message.content).toBe('Echo: compat');
    expect(await call(true)).toContain('data: [DONE]');
    expect(JSON.parse(await call(false, 'compat-thread')).choices[0].message.content).toBe('Echo: compat');
    expect(await call(true, 'compat-thread')).toContain('data: [DONE]');
    expect(asStreamed()).toEqual([false, true, false, true]);
  });

  it('a running summary is asked for whole, and the next window carries it', async () => {
    for (const message of ['my name is Ada', 'I like tea', 'and biscuits']) await chat('summarised-user', message);
    await suite.gateway.app.get(SummaryService).settle();
    const summaryCall = suite.fake.requests.find((r) => String(r.messages[0]?.content).startsWith('Summarise'));
    expect(summaryCall?.body.stream).toBe(false);
    expect(String(summaryCall?.messages[1]?.content)).toContain('user: my name is Ada');
    await chat('summarised-user', 'what do I like?');
    const window = suite.fake.requests.at(-1)!.messages;
    // That turn folds further messages: not into the next test's requests.
    await suite.gateway.app.get(SummaryService).settle();
    expect(window.slice(0, 2).map((m) => m.role)).toEqual(['system', 'system']);
    expect(window[1]!.content).toMatch(/^Summary of the earlier conversation:\nEcho: New messages:\nuser: my name is Ada/);
  });

  it('LLM_STREAM=always streams every answer', async () => {
    const always: Gateway = await startGateway({ storage: suite.storage, fake: suite.fake, env: { LLM_STREAM: 'always' } });
    try {
      const alwaysKey = await createApiKey(always);
      const reply = await always.request('POST', '/api/chat', { headers: { authorization: `Bearer ${alwaysKey}`, 'x-user-id': 'always-user' }, body: { message: 'stream it' } });
      expect(reply.body.response).toBe('Echo: stream it');
      expect(asStreamed()).toEqual([true]);
    } finally {
      await always.close();
    }
  });
});
