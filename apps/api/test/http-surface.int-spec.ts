import { backends } from './backends.js';
import { createApiKey, masterAuth, openWebSession, useGateway } from './harness.js';

describe.each(backends())('HTTP surface: auth, validation, errors, docs (%s)', (backend) => {
  const suite = useGateway(backend);

  const expectError = (response: { status: number; body: unknown; text: string }, status: number, code: string) => {
    expect(response.status).toBe(status);
    expect(response.body).toEqual({ error: { code, message: expect.any(String) } });
    expect(response.text).not.toMatch(/\bat \S+ \(|node_modules|\.ts:\d+/);
  };

  it('GET /api/health reports model, mode, suite.storage and coordination', async () => {
    const { status, body } = await suite.gateway.request('GET', '/api/health');
    expect(status).toBe(200);
    expect(body).toMatchObject({
      status: 'healthy',
      mode: 'openai',
      storage: { kind: backend === 'real' ? 'postgres' : 'pglite', ok: true },
      coordination: { kind: backend === 'real' ? 'redis' : 'in-process', ok: true },
    });
    expect(body.features).toEqual(expect.arrayContaining(['session_threading', 'conversation_persistence']));
  });

  it('serves OpenAPI at /api/docs', async () => {
    const doc = await suite.gateway.request('GET', '/api/docs/openapi.json');
    expect(doc.status).toBe(200);
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/api/sessions', '/api/chat', '/api/chat/stream', '/api/health']));
    expect((await suite.gateway.request('GET', '/api/docs')).text).toContain('swagger');
  });

  it('web messages: missing session token 401, wrong token 401, bad session id 400, seed 001 body without sessionId 400', async () => {
    const { sessionId, auth } = await openWebSession(suite.gateway);
    const other = await openWebSession(suite.gateway);
    expectError(await suite.gateway.request('POST', `/api/sessions/${sessionId}/messages`, { body: { message: 'hi' } }), 401, 'unauthorized');
    expectError(await suite.gateway.request('POST', `/api/sessions/${sessionId}/messages`, { headers: other.auth, body: { message: 'hi' } }), 401, 'unauthorized');
    expectError(await suite.gateway.request('POST', `/api/sessions/bad!/messages`, { headers: auth, body: { message: 'hi' } }), 400, 'bad_request');
    const noId = await suite.gateway.request('POST', '/api/voice-agent/chat', { headers: auth, body: { question: 'hi' } });
    expectError(noId, 400, 'bad_request');
    expect(noId.body.error.message).toBe('Session ID required: create one with POST /api/sessions');
    const voice = await suite.gateway.request('POST', '/api/voice-agent/chat', { headers: auth, body: { question: 'hi', sessionId } });
    expect(voice.status).toBe(200);
    expect(voice.body.response).toBe('Echo: hi');
    expectError(await suite.gateway.request('POST', `/api/sessions/${sessionId}/messages`, { headers: auth, body: { question: 'hi', sessionId: other.sessionId } }), 400, 'bad_request');
    expectError(await suite.gateway.request('GET', `/api/sessions/${sessionId}/messages`, { headers: other.auth }), 401, 'unauthorized');
  });

  it('bad bodies: malformed JSON, wrong types, unknown fields, blank text, control characters, 16 KB → 413; nothing stored', async () => {
    const { sessionId, auth } = await openWebSession(suite.gateway);
    const path = `/api/sessions/${sessionId}/messages`;
    expectError(await suite.gateway.request('POST', path, { headers: auth, raw: '{"message": ' }), 400, 'bad_request');
    expectError(await suite.gateway.request('POST', path, { headers: auth, body: { message: 42 } }), 400, 'validation_failed');
    expectError(await suite.gateway.request('POST', path, { headers: auth, body: { message: 'hi', admin: true } }), 400, 'validation_failed');
    expectError(await suite.gateway.request('POST', path, { headers: auth, body: { message: '   ' } }), 400, 'validation_failed');
    expectError(await suite.gateway.request('POST', path, { headers: auth, body: { message: 'bell\u0007' } }), 400, 'validation_failed');
    expectError(await suite.gateway.request('POST', path, { headers: auth, body: { message: 'é'.repeat(8193) } }), 413, 'payload_too_large');
    expectError(await suite.gateway.request('POST', path, { headers: auth, raw: JSON.stringify({ message: 'x'.repeat(300_000) }) }), 413, 'payload_too_large');
    const history = await suite.gateway.request('GET', `${path}`, { headers: auth });
    expect(history.body.messages).toEqual([]);
    expect(suite.fake.requests).toHaveLength(0); // nothing reached the model
  });

  it('integrator API: no key 401, revoked key 401, missing or bad X-User-Id 400', async () => {
    const key = await createApiKey(suite.gateway);
    expectError(await suite.gateway.request('POST', '/api/chat', { headers: { 'x-user-id': 'u1' }, body: { message: 'hi' } }), 401, 'unauthorized');
    expectError(await suite.gateway.request('POST', '/api/chat', { headers: { authorization: 'Bearer tl_nope', 'x-user-id': 'u1' }, body: { message: 'hi' } }), 401, 'unauthorized');
    expectError(await suite.gateway.request('POST', '/api/chat', { headers: { authorization: `Bearer ${key}` }, body: { message: 'hi' } }), 400, 'bad_request');
    expectError(await suite.gateway.request('POST', '/api/chat', { headers: { authorization: `Bearer ${key}`, 'x-user-id': '../etc' }, body: { message: 'hi' } }), 400, 'validation_failed');
    expectError(await suite.gateway.request('POST', '/api/chat/stream', { headers: { authorization: `Bearer ${key}` }, body: { message: 'hi' } }), 400, 'bad_request');
    const keys = await suite.gateway.request('GET', '/api/admin/api-keys', { headers: masterAuth });
    const id = keys.body.find((k: { prefix: string }) => key.startsWith(k.prefix)).id;
    expect((await suite.gateway.request('DELETE', `/api/admin/api-keys/${id}`, { headers: masterAuth })).status).toBe(200);
    // revocation is honoured at once on this instance (the cache is dropped)
    expectError(await suite.gateway.request('POST', '/api/chat', { headers: { authorization: `Bearer ${key}`, 'x-user-id': 'u1' }, body: { message: 'hi' } }), 401, 'unauthorized');
  });

  it('integrator threads: a user only ever sees their own; other tenants never meet', async () => {
    const keyA = await createApiKey(suite.gateway, 'tenant-a');
    const keyA2 = await createApiKey(suite.gateway, 'tenant-a');
    const keyB = await createApiKey(suite.gateway, 'tenant-b');
    const as = (key: string, user: string) => ({ authorization: `Bearer ${key}`, 'x-user-id': user });
    await suite.gateway.request('POST', '/api/chat', { headers: as(keyA, 'alice'), body: { message: 'alice secret' } });
    expect((await suite.gateway.request('GET', '/api/chat/history', { headers: as(keyA, 'bob') })).body.messages).toEqual([]);
    expect((await suite.gateway.request('GET', '/api/chat/history', { headers: as(keyB, 'alice') })).body.messages).toEqual([]);
    // another key of the same tenant (a rotated key) keeps the thread
    expect((await suite.gateway.request('GET', '/api/chat/history', { headers: as(keyA2, 'alice') })).body.messages[0].content).toBe('alice secret');
    // explicit thread ids are scoped to the user too
    await suite.gateway.request('POST', '/api/chat', { headers: as(keyA, 'alice'), body: { message: 'in project x', thread_id: 'project-x' } });
    expect((await suite.gateway.request('GET', '/api/chat/history?thread_id=project-x', { headers: as(keyA, 'bob') })).body.messages).toEqual([]);
    expect((await suite.gateway.request('GET', '/api/chat/history?thread_id=project-x', { headers: as(keyA, 'alice') })).body.messages).toHaveLength(2);
  });

  it('admin routes need a login or the master key; unknown routes are JSON 404s', async () => {
    expectError(await suite.gateway.request('GET', '/api/admin/sessions'), 401, 'unauthorized');
    expectError(await suite.gateway.request('GET', '/api/admin/sessions', { headers: { authorization: 'Bearer wrong' } }), 401, 'unauthorized');
    expect((await suite.gateway.request('GET', '/api/admin/sessions', { headers: masterAuth })).status).toBe(200);
    expectError(await suite.gateway.request('GET', '/api/admin/sessions/not-a-uuid', { headers: masterAuth }), 404, 'not_found');
    expectError(await suite.gateway.request('GET', '/api/admin/sessions?limit=9999', { headers: masterAuth }), 400, 'validation_failed');
    expectError(await suite.gateway.request('GET', '/api/admin/sessions?cursor=garbage', { headers: masterAuth }), 400, 'validation_failed');
    expectError(await suite.gateway.request('GET', '/api/nope'), 404, 'not_found');
  });

  it('staff login sets an httpOnly cookie; wrong passwords are refused, then rate limited', async () => {
    const email = 'admin@threadline.local';
    const wrong = await suite.gateway.request('POST', '/api/admin/login', { body: { email, password: 'wrong-password' } });
    expectError(wrong, 401, 'unauthorized');
    let last = wrong;
    for (let i = 0; i < 10; i++) last = await suite.gateway.request('POST', '/api/admin/login', { body: { email, password: 'wrong-password' } });
    expectError(last, 429, 'rate_limited');
    expect(last.headers.get('retry-after')).toBe('900');
  });
});
