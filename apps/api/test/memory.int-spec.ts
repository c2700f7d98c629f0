import { io, type Socket } from 'socket.io-client';
import type { ChatClientToServer, ChatServerToClient, MessageDone } from '@threadline/contracts';
import { backends } from './backends.js';
import { createApiKey, openWebSession, upstreamContents, useGateway } from './harness.js';

describe.each(backends())('memory across turns (%s)', (backend) => {
  const suite = useGateway(backend);

  it('over web REST, the second upstream request holds the first exchange', async () => {
    const { sessionId, auth } = await openWebSession(suite.gateway);
    const first = await suite.gateway.request('POST', `/api/sessions/${sessionId}/messages`, { headers: auth, body: { message: 'My name is Mike' } });
    expect(first.status).toBe(200);
    expect(first.body.response).toBe('Echo: My name is Mike');
    const second = await suite.gateway.request('POST', `/api/sessions/${sessionId}/messages`, { headers: auth, body: { question: "What's my name?", sessionId } });
    expect(second.status).toBe(200);
    expect(upstreamContents(suite.fake, 1)).toEqual([
      expect.stringMatching(/^system: /),
      'user: My name is Mike',
      'assistant: Echo: My name is Mike',
      "user: What's my name?",
    ]);
    // Streamed or asked for whole (upstream-streaming.int-spec.ts says which), it carries its usage.
    expect(suite.fake.requests[1]!.body).toMatchObject({ model: 'gpt-4.1-nano' });
    expect(second.body.message).toMatchObject({ role: 'assistant', seq: 4, status: 'complete', model: 'gpt-4.1-nano' });
    expect(second.body.usage).toMatchObject({ estimated: false });
    expect(second.body.costMicros).toBeGreaterThan(0);
  });

  it('over SSE, tokens stream and the second request holds the first exchange', async () => {
    const key = await createApiKey(suite.gateway);
    const headers = { authorization: `Bearer ${key}`, 'x-user-id': 'mike-1' };
    const first = await suite.gateway.request('POST', '/api/chat/stream', { headers, body: { message: 'My name is Mike' } });
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toContain('text/event-stream');
    const events = first.text
      .split('\n\n')
      .filter((block) => block.startsWith('event:'))
      .map((block) => JSON.parse(block.split('\n').find((l) => l.startsWith('data: '))!.slice(6)));
    expect(events.filter((e) => e.type === 'token').map((e) => e.content).join('')).toBe('Echo: My name is Mike');
    expect(events.at(-1)).toMatchObject({ type: 'done', thread_id: 'user-mike-1', status: 'complete' });
    await suite.gateway.request('POST', '/api/chat/stream', { headers, body: { message: "What's my name?" } });
    expect(upstreamContents(suite.fake, 1).slice(1)).toEqual(['user: My name is Mike', 'assistant: Echo: My name is Mike', "user: What's my name?"]);
    // seed 002's history and stats
    const history = await suite.gateway.request('GET', '/api/chat/history?limit=50', { headers });
    expect(history.body).toMatchObject({ thread_id: 'user-mike-1', message_count: 4 });
    expect(history.body.messages.map((m: { role: string }) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
    const stats = await suite.gateway.request('GET', '/api/chat/sessions', { headers });
    expect(stats.body).toMatchObject({ user_id: 'mike-1', thread_id: 'user-mike-1', total_messages: 4 });
    expect(stats.body.total_tokens_used).toBeGreaterThan(0);
  });

  it('over socket.io /chat, deltas stream and the second request holds the first exchange', async () => {
    const { sessionId, token } = await openWebSession(suite.gateway);
    const socket: Socket<ChatServerToClient, ChatClientToServer> = io(`${suite.gateway.url}/chat`, { auth: { sessionId, token }, transports: ['websocket'] });
    try {
      const ask = async (text: string) => {
        const deltas: string[] = [];
        const onDelta = ({ text: t }: { text: string }) => deltas.push(t);
        socket.on('message:delta', onDelta);
        const done = new Promise<MessageDone>((resolve) => socket.once('message:done', resolve));
        const ack = await socket.emitWithAck('message:send', { text });
        expect(ack).toMatchObject({ ok: true, data: { userMessage: { role: 'user', content: text } } });
        const result = await done;
        socket.off('message:delta', onDelta);
        return { deltas, result };
      };
      const first = await ask('My name is Mike');
      expect(first.deltas.join('')).toBe('Echo: My name is Mike');
      expect(first.result.message.content).toBe('Echo: My name is Mike');
      await ask("What's my name?");
      expect(upstreamContents(suite.fake, 1).slice(1)).toEqual(['user: My name is Mike', 'assistant: Echo: My name is Mike', "user: What's my name?"]);
    } finally {
      socket.disconnect();
    }
  });
});
