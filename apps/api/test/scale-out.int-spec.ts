import { io, type Socket } from 'socket.io-client';
import { FakeOpenAI } from '@threadline/testing';
import type { AdminClientToServer, AdminServerToClient, ChatClientToServer, ChatServerToClient, MessageDto } from '@threadline/contracts';
import { backends } from './backends.js';
import { TEST_MASTER_KEY, provisionStorage, type StorageHandle } from './harness.js';
import { startApiProcess, type ApiProcess } from './processes.js';

const withRealServers = backends().includes('real') ? describe : describe.skip;

/** Fails with a readable message (and the process log) instead of hanging until jest's timeout. */
function within<T>(promise: Promise<T>, what: string, proc?: ApiProcess, ms = 15_000): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`timed out waiting for ${what}${proc ? `\n--- process log ---\n${proc.output()}` : ''}`)), ms).unref()),
  ]);
}

withRealServers('two api processes on one Postgres and Redis', () => {
  let fake: FakeOpenAI;
  let storage: StorageHandle;
  let a: ApiProcess;
  let b: ApiProcess;

  beforeAll(async () => {
    fake = await FakeOpenAI.start({ latencyMs: 2 });
    storage = await provisionStorage('real');
    const env = { ...storage.env, OPENAI_API_KEY: 'test-key', OPENAI_BASE_URL: fake.baseURL, MASTER_KEY: TEST_MASTER_KEY, LLM_RETRY_BASE_MS: '5' };
    [a, b] = await Promise.all([startApiProcess({ ...env, DATA_DIR: `${storage.env.DATA_DIR}/a` }), startApiProcess({ ...env, DATA_DIR: `${storage.env.DATA_DIR}/b` })]);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await fake?.close();
    await storage?.dispose();
  });

  const openSession = async (via: ApiProcess) => {
    const response = await fetch(`${via.url}/api/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    const body = (await response.json()) as { sessionId: string; token: string };
    return { sessionId: body.sessionId, token: body.token };
  };
  const post = (via: ApiProcess, sessionId: string, token: string, message: string) =>
    fetch(`${via.url}/api/sessions/${sessionId}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ message }),
    });
  const history = async (via: ApiProcess, sessionId: string, token: string): Promise<MessageDto[]> =>
    ((await (await fetch(`${via.url}/api/sessions/${sessionId}/messages?limit=1000`, { headers: { authorization: `Bearer ${token}` } })).json()) as { messages: MessageDto[] }).messages;

  it('a dashboard client on one instance sees a widget conversation on the other, live', async () => {
    const admin: Socket<AdminServerToClient, AdminClientToServer> = io(`${b.url}/admin`, { auth: { token: TEST_MASTER_KEY }, transports: ['websocket'] });
    const adminConnected = new Promise<void>((resolve) => admin.once('connect', () => resolve()));
    const { sessionId, token } = await openSession(a);
    const widget: Socket<ChatServerToClient, ChatClientToServer> = io(`${a.url}/chat`, { auth: { sessionId, token }, transports: ['websocket'] });
    try {
      await within(adminConnected, 'the admin client connecting to instance B');
      const seen: string[] = [];
      const bothSeen = new Promise<void>((resolve) =>
        admin.on('message:created', ({ message }) => {
          if (message.content.includes('across instances')) seen.push(`${message.role}:${message.content}`);
          if (seen.length === 2) resolve();
        }),
      );
      const ack = await widget.emitWithAck('message:send', { text: 'hello across instances' });
      expect(ack.ok).toBe(true);
      await within(bothSeen, 'both messages reaching the admin client on the other instance');
      expect(seen).toEqual(['user:hello across instances', 'assistant:Echo: hello across instances']);
    } finally {
      widget.disconnect();
      admin.disconnect();
    }
  });

  it('50 concurrent turns on one session, split across both instances, land gapless and in order', async () => {
    const { sessionId, token } = await openSession(a);
    const replies = await Promise.all(Array.from({ length: 50 }, (_, i) => post(i % 2 ? b : a, sessionId, token, `turn ${i}`)));
    expect(replies.map((r) => r.status)).toEqual(Array(50).fill(200));
    const messages = await history(b, sessionId, token);
    expect(messages.map((m) => m.seq)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    for (let i = 0; i < 100; i += 2) {
      expect(messages[i]!.role).toBe('user');
      expect(messages[i + 1]!.content).toBe(`Echo: ${messages[i]!.content}`);
    }
    expect(new Set(messages.filter((m) => m.role === 'user').map((m) => m.content)).size).toBe(50);
  });

  it('a clear issued on one instance is honoured by the other at once', async () => {
    const { sessionId, token } = await openSession(a);
    await post(a, sessionId, token, 'remember the vault code 1234');
    await post(b, sessionId, token, 'and the door code 5678');
    const cleared = await fetch(`${a.url}/api/sessions/${sessionId}`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
    expect(await cleared.json()).toEqual({ sessionId, cleared: true });
    fake.reset();
    await post(b, sessionId, token, 'what were the codes?');
    expect(fake.requests[0]!.messages.slice(1).map((m) => m.content)).toEqual(['what were the codes?']);
  });

  it('SIGTERM finishes the answer in flight, then closes sockets with a reconnect hint', async () => {
    const { sessionId, token } = await openSession(b);
    const widget: Socket<ChatServerToClient, ChatClientToServer> = io(`${b.url}/chat`, { auth: { sessionId, token }, transports: ['websocket'], reconnection: false });
    await new Promise<void>((resolve) => widget.once('connect', () => resolve()));
    fake.enqueue({ kind: 'text', text: 'a slow answer that takes a while to stream', delayMsPerChunk: 60 });
    const done = new Promise((resolve) => widget.once('message:done', resolve));
    const disconnected = new Promise<string>((resolve) => widget.once('disconnect', (reason) => resolve(reason)));
    await widget.emitWithAck('message:send', { text: 'take your time' });
    await new Promise((r) => setTimeout(r, 120)); // mid-stream
    const exit = b.stop('SIGTERM');
    expect(await within(done, 'message:done after SIGTERM', b)).toMatchObject({ message: { status: 'complete', content: 'a slow answer that takes a while to stream' } });
    // "transport close": the client's own reconnection logic takes over (a namespace disconnect would not)
    expect(await within(disconnected, 'the socket being dropped', b)).toBe('transport close');
    expect(await within(exit, 'the process exiting', b)).toBe(0);
    const stored = await history(a, sessionId, token);
    expect(stored.map((m) => `${m.role}:${m.status}`)).toEqual(['user:complete', 'assistant:complete']);
  });
});
