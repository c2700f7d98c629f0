import { ManualClock } from '../src/common/clock.js';
import { SessionSweeper } from '../src/sessions/session-sweeper.js';
import { backends } from './backends.js';
import { createApiKey, masterAuth, openWebSession, upstreamContents, useGateway } from './harness.js';

describe.each(backends())('clear, expiry and restart (%s)', (backend) => {
  const clock = new ManualClock(Date.parse('2026-11-21T10:00:00Z'));
  const suite = useGateway(backend, { clock, env: { SESSION_TTL_WEB: '1h', SESSION_MAX_AGE_API: '2h' } });

  const transcriptOf = async (channel: string, search: string) => {
    const list = await suite.gateway.request('GET', `/api/admin/sessions?channel=${channel}&q=${encodeURIComponent(search)}`, { headers: masterAuth });
    return list.body.sessions as Array<{ id: string; status: string; messageCount: number }>;
  };

  it('after clear the upstream receives no old history, and staff still see the old transcript', async () => {
    const { sessionId, auth } = await openWebSession(suite.gateway);
    await suite.gateway.request('POST', `/api/sessions/${sessionId}/messages`, { headers: auth, body: { message: 'secret plan alpha' } });
    const cleared = await suite.gateway.request('DELETE', `/api/sessions/${sessionId}`, { headers: auth });
    expect(cleared.body).toEqual({ sessionId, cleared: true });
    const after = await suite.gateway.request('POST', `/api/sessions/${sessionId}/messages`, { headers: auth, body: { message: 'what was the plan?' } });
    expect(after.body.newThread).toBe(true);
    expect(upstreamContents(suite.fake).slice(1)).toEqual(['user: what was the plan?']);
    const old = await transcriptOf('web', 'secret plan alpha');
    expect(old).toHaveLength(1);
    expect(old[0]).toMatchObject({ status: 'cleared', messageCount: 2 });
    const history = await suite.gateway.request('GET', `/api/sessions/${sessionId}/messages`, { headers: auth });
    expect(history.body.messages.map((m: { content: string }) => m.content)).toEqual(['what was the plan?', 'Echo: what was the plan?']);
  });

  it('after the idle TTL the upstream receives no old history, even before the sweeper runs', async () => {
    const { sessionId, auth } = await openWebSession(suite.gateway);
    await suite.gateway.request('POST', `/api/sessions/${sessionId}/messages`, { headers: auth, body: { message: 'remember bravo' } });
    clock.advance(59 * 60_000);
    await suite.gateway.request('POST', `/api/sessions/${sessionId}/messages`, { headers: auth, body: { message: 'still here' } });
    expect(upstreamContents(suite.fake).slice(1)).toHaveLength(3); // sliding: the 59-minute gap kept the thread
    clock.advance(61 * 60_000);
    await suite.gateway.request('POST', `/api/sessions/${sessionId}/messages`, { headers: auth, body: { message: 'and now?' } });
    expect(upstreamContents(suite.fake).slice(1)).toEqual(['user: and now?']);
    const old = await transcriptOf('web', 'remember bravo');
    expect(old[0]).toMatchObject({ status: 'expired', messageCount: 4 });
  });

  it('the sweeper expires idle sessions on its own', async () => {
    const { sessionId, auth } = await openWebSession(suite.gateway);
    await suite.gateway.request('POST', `/api/sessions/${sessionId}/messages`, { headers: auth, body: { message: 'sweep me charlie' } });
    clock.advance(2 * 3600_000);
    await suite.gateway.app.get(SessionSweeper).sweepOnce();
    expect((await transcriptOf('web', 'sweep me charlie'))[0]).toMatchObject({ status: 'expired' });
    const history = await suite.gateway.request('GET', `/api/sessions/${sessionId}/messages`, { headers: auth });
    expect(history.body).toMatchObject({ status: 'expired', messages: [] });
  });

  it('the absolute max age ends a thread however active it is', async () => {
    const key = await createApiKey(suite.gateway);
    const headers = { authorization: `Bearer ${key}`, 'x-user-id': 'chatty' };
    await suite.gateway.request('POST', '/api/chat', { headers, body: { message: 'first of many' } });
    for (let i = 0; i < 5; i++) {
      clock.advance(25 * 60_000);
      await suite.gateway.request('POST', '/api/chat', { headers, body: { message: `keepalive ${i}` } });
    }
    // 125 minutes in, well inside the 24 h idle TTL but past the 2 h max age
    expect(upstreamContents(suite.fake).slice(1)).toEqual(['user: keepalive 4']);
  });

  it('clear over the integrator API starts a fresh thread', async () => {
    const key = await createApiKey(suite.gateway);
    const headers = { authorization: `Bearer ${key}`, 'x-user-id': 'delta' };
    await suite.gateway.request('POST', '/api/chat', { headers, body: { message: 'one' } });
    const cleared = await suite.gateway.request('DELETE', '/api/chat/history', { headers });
    expect(cleared.body).toEqual({ success: true, message: 'Chat history cleared successfully', thread_id: 'user-delta' });
    expect((await suite.gateway.request('GET', '/api/chat/history', { headers })).body).toMatchObject({ message_count: 0, messages: [] });
    await suite.gateway.request('POST', '/api/chat', { headers, body: { message: 'two' } });
    expect(upstreamContents(suite.fake).slice(1)).toEqual(['user: two']);
  });

  it('a restart keeps every thread', async () => {
    const { sessionId, auth } = await openWebSession(suite.gateway);
    await suite.gateway.request('POST', `/api/sessions/${sessionId}/messages`, { headers: auth, body: { message: 'My name is Mike' } });
    await suite.restart();
    const reply = await suite.gateway.request('POST', `/api/sessions/${sessionId}/messages`, { headers: auth, body: { message: "What's my name?" } });
    expect(reply.status).toBe(200);
    expect(upstreamContents(suite.fake).slice(1)).toEqual(['user: My name is Mike', 'assistant: Echo: My name is Mike', "user: What's my name?"]);
  });
});
