import { io, type Socket } from 'socket.io-client';
import type { ChatClientToServer, ChatServerToClient, ChatStatus, MessageDone, SessionEnded } from '@threadline/contracts';
import { backends } from './backends.js';
import { masterAuth, openWebSession, useGateway } from './harness.js';

type ChatSocket = Socket<ChatServerToClient, ChatClientToServer>;

describe.each(backends())('socket.io /chat events (%s)', (backend) => {
  const suite = useGateway(backend);
  const sockets: ChatSocket[] = [];

  const connect = (auth: Record<string, unknown>): ChatSocket => {
    const socket: ChatSocket = io(`${suite.gateway.url}/chat`, { auth, transports: ['websocket'], reconnection: false });
    sockets.push(socket);
    return socket;
  };
  const connected = (socket: ChatSocket) => new Promise<void>((resolve, reject) => (socket.once('connect', () => resolve()), socket.once('connect_error', reject)));
  const next = <E extends keyof ChatServerToClient>(socket: ChatSocket, event: E) =>
    new Promise<Parameters<ChatServerToClient[E]>[0]>((resolve) => socket.once(event, ((payload: never) => resolve(payload)) as never));
  afterEach(() => {
    for (const s of sockets.splice(0)) s.disconnect();
  });

  it('refuses a handshake without a valid token, and a token of another session', async () => {
    const mine = await openWebSession(suite.gateway);
    const theirs = await openWebSession(suite.gateway);
    await expect(connected(connect({ sessionId: mine.sessionId }))).rejects.toMatchObject({ message: 'unauthorized' });
    await expect(connected(connect({ sessionId: mine.sessionId, token: theirs.token }))).rejects.toMatchObject({ message: 'unauthorized' });
    await expect(connected(connect({ sessionId: mine.sessionId, token: mine.token }))).resolves.toBeUndefined();
  });

  it('message:send streams message:user, message:delta and message:done to every tab of the session', async () => {
    const { sessionId, token } = await openWebSession(suite.gateway);
    const tabA = connect({ sessionId, token });
    const tabB = connect({ sessionId, token });
    await Promise.all([connected(tabA), connected(tabB)]);
    const userSeenByB = next(tabB, 'message:user');
    const doneSeenByB = next(tabB, 'message:done');
    const deltasB: string[] = [];
    tabB.on('message:delta', ({ text }) => deltasB.push(text));
    const ack = await tabA.emitWithAck('message:send', { text: 'two tabs' });
    expect(ack.ok).toBe(true);
    expect((await userSeenByB).userMessage).toMatchObject({ content: 'two tabs', seq: 1 });
    const done = (await doneSeenByB) as MessageDone;
    expect(done.message).toMatchObject({ content: 'Echo: two tabs', seq: 2 });
    expect(done.costMicros).toBeGreaterThan(0);
    expect(deltasB.join('')).toBe('Echo: two tabs');
  });

  it('status events tell the client what is happening (a retry here)', async () => {
    suite.fake.enqueue({ kind: 'error', status: 429, headers: { 'retry-after': '0' } });
    const { sessionId, token } = await openWebSession(suite.gateway);
    const socket = connect({ sessionId, token });
    await connected(socket);
    const status = next(socket, 'status');
    await socket.emitWithAck('message:send', { text: 'busy?' });
    expect(((await status) as ChatStatus).text).toBe('The model is busy; retrying…');
  });

  it('error: an upstream that keeps failing sends an error event after message:done with status error', async () => {
    suite.fake.respondWith(() => ({ kind: 'error', status: 503 }));
    const { sessionId, token } = await openWebSession(suite.gateway);
    const socket = connect({ sessionId, token });
    await connected(socket);
    const done = next(socket, 'message:done');
    const error = next(socket, 'error');
    await socket.emitWithAck('message:send', { text: 'anyone?' });
    expect(((await done) as MessageDone).message.status).toBe('error');
    expect(await error).toMatchObject({ code: 'upstream_error' });
  });

  it('message:send with bad input is refused in the ack and stores nothing', async () => {
    const { sessionId, token, auth } = await openWebSession(suite.gateway);
    const socket = connect({ sessionId, token });
    await connected(socket);
    expect(await socket.emitWithAck('message:send', { text: '' })).toMatchObject({ ok: false, error: { code: 'validation_failed' } });
    expect(await socket.emitWithAck('message:send', { text: 'x'.repeat(17 * 1024) })).toMatchObject({ ok: false, error: { code: 'payload_too_large' } });
    expect(await socket.emitWithAck('message:send', { nope: 1 } as never)).toMatchObject({ ok: false, error: { code: 'validation_failed' } });
    const history = await suite.gateway.request('GET', `/api/sessions/${sessionId}/messages`, { headers: auth });
    expect(history.body.messages).toEqual([]);
  });

  it('session:clear ends the thread and every tab hears session:expired', async () => {
    const { sessionId, token } = await openWebSession(suite.gateway);
    const tabA = connect({ sessionId, token });
    const tabB = connect({ sessionId, token });
    await Promise.all([connected(tabA), connected(tabB)]);
    await tabA.emitWithAck('message:send', { text: 'before clear' });
    const ended = next(tabB, 'session:expired');
    expect(await tabA.emitWithAck('session:clear')).toEqual({ ok: true, data: { cleared: true } });
    expect(await ended).toEqual({ sessionId, reason: 'cleared', by: 'user' } satisfies SessionEnded);
  });

  it('a staff clear reaches the widget as session:expired by staff', async () => {
    const { sessionId, token } = await openWebSession(suite.gateway);
    const socket = connect({ sessionId, token });
    await connected(socket);
    await socket.emitWithAck('message:send', { text: 'staff will end this' });
    await next(socket, 'message:done');
    const list = await suite.gateway.request('GET', `/api/admin/sessions?q=${encodeURIComponent('staff will end this')}`, { headers: masterAuth });
    const ended = next(socket, 'session:expired');
    const cleared = await suite.gateway.request('POST', `/api/admin/sessions/${list.body.sessions[0].id}/clear`, { headers: masterAuth });
    expect(cleared.status).toBe(200);
    expect(await ended).toEqual({ sessionId, reason: 'cleared', by: 'staff' });
  });

  it('session:resync returns the messages after a seq, and commands answer only the asker', async () => {
    const { sessionId, token } = await openWebSession(suite.gateway);
    const socket = connect({ sessionId, token });
    await connected(socket);
    await socket.emitWithAck('message:send', { text: 'one' });
    await next(socket, 'message:done');
    await socket.emitWithAck('message:send', { text: 'two' });
    await next(socket, 'message:done');
    const resync = await socket.emitWithAck('session:resync', { afterSeq: 2 });
    expect(resync.ok && resync.data.messages.map((m) => m.content)).toEqual(['two', 'Echo: two']);
    expect(resync.ok && resync.data.inFlight).toBeNull();
    const help = next(socket, 'message:done');
    await socket.emitWithAck('message:send', { text: 'help' });
    expect(((await help) as MessageDone).message.content).toContain('clear session');
    expect(suite.fake.requests).toHaveLength(2); // the command never reached the model
  });
});
