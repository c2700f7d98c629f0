import { backends } from '../backends.js';
import { masterAuth, openWebSession, TEST_MASTER_KEY, type Gateway } from '../harness.js';
import { useGatewayWithChannels } from './channel-env.js';
import { createFixtures, VICTIM_MARKER, type Fixtures } from './fixtures.js';
import { call, handshake, registeredRoutes, sql, staffCookie, type Answer } from './security-helpers.js';

/**
 * Who may call what. Each row is a route; each column a caller; each cell what that caller
 * must get. The victim is tenant A / web session A; the callers are:
 *   none        no credentials at all
 *   otherWeb    a valid web token, of another web session
 *   otherTenant a valid API key of tenant B (sent with the victim's X-User-Id and ids)
 *   viewer, operator, admin  a logged-in staff cookie of that role
 *   owner       the victim's own credential (web token, tenant A's key, or MASTER_KEY for staff routes)
 * Outcomes: 'ok' 2xx; 'mine' 2xx holding the victim's data; 'own' 2xx that holds none of the
 * victim's data and fed none of it to the model; 401/403/404 that error; 'any' not 401/403
 * and not 5xx (public pages that may or may not be built); '-' no such caller.
 */
type Outcome = 'ok' | 'mine' | 'own' | 'any' | 401 | 403 | 404 | '-';
type Row = [route: string, none: Outcome, otherWeb: Outcome, otherTenant: Outcome, viewer: Outcome, operator: Outcome, admin: Outcome, owner: Outcome];
const CALLERS = ['none', 'otherWeb', 'otherTenant', 'viewer', 'operator', 'admin', 'owner'] as const;
type Caller = (typeof CALLERS)[number];

// prettier-ignore
const MATRIX: Row[] = [
  //  route                                    none   otherWeb otherTenant viewer operator admin  owner
  ['GET /api/health',                          'ok',  'ok',    'ok',       'ok',  'ok',    'ok',  '-'],
  ['GET /metrics',                             'ok',  'ok',    'ok',       'ok',  'ok',    'ok',  '-'],
  ['GET /*',                                   'any', 'any',   'any',      'any', 'any',   'any', '-'],
  ['GET /widget.js',                           'any', 'any',   'any',      'any', 'any',   'any', '-'],
  ['GET /demo',                                'ok',  'ok',    'ok',       'ok',  'ok',    'ok',  '-'],
  ['POST /api/admin/login',                    'ok',  'ok',    'ok',       'ok',  'ok',    'ok',  '-'],
  // web sessions: only the session's own token opens it
  ['POST /api/sessions',                       'ok',  'ok',    'ok',       'ok',  'ok',    'ok',  '-'],
  ['POST /api/sessions/:id/messages',          401,   401,     401,        401,   401,     401,   'ok'],
  ['POST /api/voice-agent/chat',               401,   401,     401,        401,   401,     401,   'ok'],
  ['GET /api/sessions/:id/messages',           401,   401,     401,        401,   401,     401,   'mine'],
  ['DELETE /api/sessions/:id',                 401,   401,     401,        401,   401,     401,   'ok'],
  // integrator API: any valid key, but only ever its own tenant's threads
  ['POST /api/chat',                           401,   401,     'own',      401,   401,     401,   'ok'],
  ['POST /api/chat/stream',                    401,   401,     'own',      401,   401,     401,   'ok'],
  ['GET /api/chat/history',                    401,   401,     'own',      401,   401,     401,   'mine'],
  ['DELETE /api/chat/history',                 401,   401,     'own',      401,   401,     401,   'ok'],
  ['GET /api/chat/sessions',                   401,   401,     'own',      401,   401,     401,   'ok'],
  // OpenAI-compatible API: another tenant's ids are unknown ids
  ['POST /v1/chat/completions',                401,   401,     'own',      401,   401,     401,   'ok'],
  ['GET /v1/models',                           401,   401,     'ok',       401,   401,     401,   'ok'],
  ['GET /v1/models/:id',                       401,   401,     'ok',       401,   401,     401,   'ok'],
  ['POST /v1/responses',                       401,   401,     404,        401,   401,     401,   'ok'],
  ['GET /v1/responses/:id',                    401,   401,     404,        401,   401,     401,   'mine'],
  ['DELETE /v1/responses/:id',                 401,   401,     404,        401,   401,     401,   'ok'],
  ['POST /v1/conversations',                   401,   401,     'own',      401,   401,     401,   'ok'],
  ['GET /v1/conversations/:id',                401,   401,     404,        401,   401,     401,   'ok'],
  ['POST /v1/conversations/:id',               401,   401,     404,        401,   401,     401,   'ok'],
  ['DELETE /v1/conversations/:id',             401,   401,     404,        401,   401,     401,   'ok'],
  ['GET /v1/conversations/:id/items',          401,   401,     404,        401,   401,     401,   'mine'],
  ['POST /v1/conversations/:id/items',         401,   401,     404,        401,   401,     401,   'ok'],
  ['ALL /v1/*',                                404,   404,     404,        404,   404,     404,   404],
  // staff: the role decides; API keys and web tokens are never staff
  ['GET /api/admin/me',                        401,   401,     401,        'ok',  'ok',    'ok',  'ok'],
  ['GET /api/admin/sessions',                  401,   401,     401,        'ok',  'ok',    'ok',  'ok'],
  ['GET /api/admin/sessions/:id',              401,   401,     401,        'mine','mine',  'mine','mine'],
  ['GET /api/admin/usage',                     401,   401,     401,        'ok',  'ok',    'ok',  'ok'],
  ['GET /api/admin/usage/prices',              401,   401,     401,        'ok',  'ok',    'ok',  'ok'],
  ['POST /api/admin/sessions/:id/clear',       401,   401,     401,        403,   'ok',    'ok',  'ok'],
  ['POST /api/admin/sessions/:id/expire',      401,   401,     401,        403,   'ok',    'ok',  'ok'],
  ['DELETE /api/admin/sessions/:id',           401,   401,     401,        403,   403,     'ok',  'ok'],
  ['GET /api/admin/api-keys',                  401,   401,     401,        403,   403,     'ok',  'ok'],
  ['POST /api/admin/api-keys',                 401,   401,     401,        403,   403,     'ok',  'ok'],
  ['PATCH /api/admin/api-keys/:id',            401,   401,     401,        403,   403,     'ok',  'ok'],
  ['DELETE /api/admin/api-keys/:id',           401,   401,     401,        403,   403,     'ok',  'ok'],
  ['GET /api/admin/audit',                     401,   401,     401,        403,   403,     'ok',  'ok'],
  ['GET /api/admin/staff',                     401,   401,     401,        403,   403,     'ok',  'ok'],
  ['POST /api/admin/staff',                    401,   401,     401,        403,   403,     'ok',  'ok'],
  ['PATCH /api/admin/staff/:id',               401,   401,     401,        403,   403,     'ok',  'ok'],
  ['DELETE /api/admin/staff/:id',              401,   401,     401,        403,   403,     'ok',  'ok'],
  // webhooks: only the provider's signature counts; no credential of ours opens them
  ['POST /webhooks/slack',                     401,   401,     401,        401,   401,     401,   '-'],
  ['POST /webhooks/messenger',                 401,   401,     401,        401,   401,     401,   '-'],
  ['POST /webhooks/whatsapp',                  401,   401,     401,        401,   401,     401,   '-'],
  ['GET /webhooks/messenger',                  403,   403,     403,        403,   403,     403,   '-'],
  ['GET /webhooks/whatsapp',                   403,   403,     403,        403,   403,     403,   '-'],
  // last: logging out ends the staff sessions the rows above used
  ['POST /api/admin/logout',                   'ok',  'ok',    'ok',       'ok',  'ok',    'ok',  '-'],
];

interface Built {
  method: string;
  url: string;
  payload?: unknown;
  headers?: Record<string, string>;
  /** the owner's credential for a resource made just for this request */
  owner?: Record<string, string>;
}

describe.each(backends())('access matrix: every route and namespace against every kind of caller (%s)', (backend) => {
  const suite = useGatewayWithChannels(backend);
  let gateway: Gateway;
  let f: Fixtures;
  let counter = 0;

  beforeAll(async () => {
    gateway = suite.gateway;
    f = await createFixtures(gateway);
  });

  const bearer = (secret: string) => ({ authorization: `Bearer ${secret}` });
  const asA = () => bearer(f.keyA);

  /** A web session of its own with a message in it: for routes that end or delete what they touch. */
  async function freshWeb(): Promise<{ sessionId: string; token: string; adminId: string }> {
    const web = await openWebSession(gateway);
    await gateway.request('POST', `/api/sessions/${web.sessionId}/messages`, { headers: web.auth, body: { message: `fresh ${VICTIM_MARKER}` } });
    const adminId = (await sql<{ id: string }>(gateway, `SELECT id FROM sessions WHERE channel = 'web' AND key = $1`, [web.sessionId]))[0]!.id;
    return { ...web, adminId };
  }
  async function freshStaffId(): Promise<string> {
    const reply = await gateway.request('POST', '/api/admin/staff', { headers: masterAuth, body: { email: `fresh-${++counter}@example.com`, role: 'viewer' } });
    return reply.body.staff.id;
  }

  const BUILD: Record<string, () => Promise<Built>> = {
    'GET /api/health': async () => ({ method: 'GET', url: '/api/health' }),
    'GET /metrics': async () => ({ method: 'GET', url: '/metrics' }),
    'GET /*': async () => ({ method: 'GET', url: '/sessions' }),
    'GET /widget.js': async () => ({ method: 'GET', url: '/widget.js' }),
    'GET /demo': async () => ({ method: 'GET', url: '/demo' }),
    'POST /api/admin/login': async () => {
      const member = await staffCookie(gateway, 'viewer');
      return { method: 'POST', url: '/api/admin/login', payload: { email: member.email, password: member.password } };
    },
    'POST /api/admin/logout': async () => ({ method: 'POST', url: '/api/admin/logout' }),
    'POST /api/sessions': async () => ({ method: 'POST', url: '/api/sessions', payload: {} }),
    'POST /api/sessions/:id/messages': async () => ({ method: 'POST', url: `/api/sessions/${f.web.sessionId}/messages`, payload: { message: 'hi' } }),
    'POST /api/voice-agent/chat': async () => ({ method: 'POST', url: '/api/voice-agent/chat', payload: { question: 'hi', sessionId: f.web.sessionId } }),
    'GET /api/sessions/:id/messages': async () => ({ method: 'GET', url: `/api/sessions/${f.web.sessionId}/messages` }),
    'DELETE /api/sessions/:id': async () => {
      const web = await freshWeb();
      return { method: 'DELETE', url: `/api/sessions/${web.sessionId}`, owner: bearer(web.token) };
    },
    'POST /api/chat': async () => ({ method: 'POST', url: '/api/chat', payload: { message: 'what did I say?' }, headers: { 'x-user-id': 'alice' } }),
    'POST /api/chat/stream': async () => ({ method: 'POST', url: '/api/chat/stream', payload: { message: 'what did I say?' }, headers: { 'x-user-id': 'alice' } }),
    'GET /api/chat/history': async () => ({ method: 'GET', url: '/api/chat/history', headers: { 'x-user-id': 'alice' } }),
    'DELETE /api/chat/history': async () => {
      const user = `user-${++counter}`;
      await gateway.request('POST', '/api/chat', { headers: { ...asA(), 'x-user-id': user }, body: { message: `chat ${VICTIM_MARKER}` } });
      return { method: 'DELETE', url: '/api/chat/history', headers: { 'x-user-id': user } };
    },
    'GET /api/chat/sessions': async () => ({ method: 'GET', url: '/api/chat/sessions', headers: { 'x-user-id': 'alice' } }),
    'POST /v1/chat/completions': async () => ({ method: 'POST', url: '/v1/chat/completions', headers: { 'x-session-id': 'shared-name' }, payload: { messages: [{ role: 'user', content: 'what did I say?' }] } }),
    'GET /v1/models': async () => ({ method: 'GET', url: '/v1/models' }),
    'GET /v1/models/:id': async () => ({ method: 'GET', url: `/v1/models/${encodeURIComponent(f.model)}` }),
    'POST /v1/responses': async () => ({ method: 'POST', url: '/v1/responses', payload: { input: 'and now?', previous_response_id: f.responseId } }),
    'GET /v1/responses/:id': async () => ({ method: 'GET', url: `/v1/responses/${f.responseId}` }),
    'DELETE /v1/responses/:id': async () => {
      const created = await gateway.request('POST', '/v1/responses', { headers: asA(), body: { input: `doomed ${VICTIM_MARKER}` } });
      return { method: 'DELETE', url: `/v1/responses/${created.body.id}` };
    },
    'POST /v1/conversations': async () => ({ method: 'POST', url: '/v1/conversations', payload: {} }),
    'GET /v1/conversations/:id': async () => ({ method: 'GET', url: `/v1/conversations/${f.conversationId}` }),
    'POST /v1/conversations/:id': async () => ({ method: 'POST', url: `/v1/conversations/${f.conversationId}`, payload: { metadata: { topic: 'x' } } }),
    'DELETE /v1/conversations/:id': async () => {
      const created = await gateway.request('POST', '/v1/conversations', { headers: asA(), body: {} });
      return { method: 'DELETE', url: `/v1/conversations/${created.body.id}` };
    },
    'GET /v1/conversations/:id/items': async () => ({ method: 'GET', url: `/v1/conversations/${f.conversationId}/items` }),
    'POST /v1/conversations/:id/items': async () => ({ method: 'POST', url: `/v1/conversations/${f.conversationId}/items`, payload: { items: [{ role: 'user', content: 'more' }] } }),
    'ALL /v1/*': async () => ({ method: 'GET', url: '/v1/embeddings' }),
    'GET /api/admin/me': async () => ({ method: 'GET', url: '/api/admin/me' }),
    'GET /api/admin/sessions': async () => ({ method: 'GET', url: '/api/admin/sessions' }),
    'GET /api/admin/sessions/:id': async () => ({ method: 'GET', url: `/api/admin/sessions/${f.web.adminId}` }),
    'GET /api/admin/usage': async () => ({ method: 'GET', url: '/api/admin/usage' }),
    'GET /api/admin/usage/prices': async () => ({ method: 'GET', url: '/api/admin/usage/prices' }),
    'POST /api/admin/sessions/:id/clear': async () => ({ method: 'POST', url: `/api/admin/sessions/${(await freshWeb()).adminId}/clear` }),
    'POST /api/admin/sessions/:id/expire': async () => ({ method: 'POST', url: `/api/admin/sessions/${(await freshWeb()).adminId}/expire` }),
    'DELETE /api/admin/sessions/:id': async () => ({ method: 'DELETE', url: `/api/admin/sessions/${(await freshWeb()).adminId}` }),
    'GET /api/admin/api-keys': async () => ({ method: 'GET', url: '/api/admin/api-keys' }),
    'POST /api/admin/api-keys': async () => ({ method: 'POST', url: '/api/admin/api-keys', payload: { name: 'matrix' } }),
    'PATCH /api/admin/api-keys/:id': async () => ({ method: 'PATCH', url: `/api/admin/api-keys/${f.keyAId}`, payload: { name: `renamed ${++counter}` } }),
    'DELETE /api/admin/api-keys/:id': async () => {
      const created = await gateway.request('POST', '/api/admin/api-keys', { headers: masterAuth, body: { name: 'doomed' } });
      return { method: 'DELETE', url: `/api/admin/api-keys/${created.body.id}` };
    },
    'GET /api/admin/audit': async () => ({ method: 'GET', url: '/api/admin/audit' }),
    'GET /api/admin/staff': async () => ({ method: 'GET', url: '/api/admin/staff' }),
    'POST /api/admin/staff': async () => ({ method: 'POST', url: '/api/admin/staff', payload: { email: `new-${++counter}@example.com`, role: 'viewer' } }),
    'PATCH /api/admin/staff/:id': async () => ({ method: 'PATCH', url: `/api/admin/staff/${await freshStaffId()}`, payload: { role: 'operator' } }),
    'DELETE /api/admin/staff/:id': async () => ({ method: 'DELETE', url: `/api/admin/staff/${await freshStaffId()}` }),
    'POST /webhooks/slack': async () => ({ method: 'POST', url: '/webhooks/slack', payload: { type: 'url_verification', challenge: 'c' } }),
    'POST /webhooks/messenger': async () => ({ method: 'POST', url: '/webhooks/messenger', payload: { object: 'page', entry: [] } }),
    'POST /webhooks/whatsapp': async () => ({ method: 'POST', url: '/webhooks/whatsapp', payload: { object: 'whatsapp_business_account', entry: [] } }),
    'GET /webhooks/messenger': async () => ({ method: 'GET', url: '/webhooks/messenger?hub.mode=subscribe&hub.challenge=x' }),
    'GET /webhooks/whatsapp': async () => ({ method: 'GET', url: '/webhooks/whatsapp?hub.mode=subscribe&hub.challenge=x' }),
  };

  function credentials(caller: Caller, route: string, built: Built): Record<string, string> | null {
    switch (caller) {
      case 'none':
        return {};
      case 'otherWeb':
        return bearer(f.otherWeb.token);
      case 'otherTenant':
        return bearer(f.keyB);
      case 'viewer':
      case 'operator':
      case 'admin':
        return { cookie: f.staff[caller].cookie };
      case 'owner':
        if (built.owner) return built.owner;
        if (/^\w+ \/api\/(sessions\/|voice-agent)/.test(route)) return bearer(f.web.token);
        if (/^\w+ \/(api\/chat|v1\/)/.test(route)) return asA();
        return masterAuth;
    }
  }

  function check(outcome: Outcome, answer: Answer, requestsBefore: number): void {
    const where = `${answer.status} ${answer.text.slice(0, 200)}`;
    if (outcome === 'any') {
      expect([where, answer.status < 500 && answer.status !== 401 && answer.status !== 403]).toEqual([where, true]);
      return;
    }
    if (typeof outcome === 'number') {
      expect([where, answer.status]).toEqual([where, outcome]);
      expect(answer.text).not.toContain(VICTIM_MARKER);
      return;
    }
    expect([where, answer.status >= 200 && answer.status < 300]).toEqual([where, true]);
    if (outcome === 'mine') expect(answer.text).toContain(VICTIM_MARKER);
    if (outcome === 'own') {
      expect(answer.text).not.toContain(VICTIM_MARKER);
      const fed = suite.fake.requests.slice(requestsBefore).flatMap((r) => r.messages.map((m) => JSON.stringify(m.content)));
      expect(fed.join('\n')).not.toContain(VICTIM_MARKER);
    }
  }

  it('the matrix lists every route the app serves', () => {
    expect(MATRIX.map(([route]) => route).sort()).toEqual(registeredRoutes(gateway));
  });

  it.each(MATRIX)('%s', async (route, ...expected) => {
    for (const [index, caller] of CALLERS.entries()) {
      const outcome = expected[index]!;
      if (outcome === '-') continue;
      const built = await BUILD[route]!();
      const requestsBefore = suite.fake.requests.length;
      const answer = await call(gateway, { method: built.method, url: built.url, headers: { ...built.headers, ...credentials(caller, route, built) }, payload: built.payload });
      try {
        check(outcome, answer, requestsBefore);
      } catch (error) {
        throw new Error(`${route} as ${caller}: expected ${outcome}\n${(error as Error).message}`, { cause: error });
      }
    }
  });

  it('socket.io /chat opens only with the session id and its own token', async () => {
    const viewer = await staffCookie(gateway, 'viewer');
    const id = f.web.sessionId;
    const cells: Array<[caller: string, options: Parameters<typeof handshake>[2], expected: string]> = [
      ['none', {}, 'unauthorized'],
      ['session id alone', { auth: { sessionId: id } }, 'unauthorized'],
      ['another session token', { auth: { sessionId: id, token: f.otherWeb.token } }, 'unauthorized'],
      ['another tenant key', { auth: { sessionId: id, token: f.keyB } }, 'unauthorized'],
      ['master key', { auth: { sessionId: id, token: TEST_MASTER_KEY } }, 'unauthorized'],
      ['staff cookie', { auth: { sessionId: id }, cookie: viewer.cookie }, 'unauthorized'],
      ['staff row id as session id', { auth: { sessionId: f.web.adminId, token: f.web.token } }, 'unauthorized'],
      ['owner', { auth: { sessionId: id, token: f.web.token } }, 'connected'],
    ];
    const answers = [];
    for (const [caller, options] of cells) answers.push([caller, await handshake(gateway, '/chat', options)]);
    expect(answers).toEqual(cells.map(([caller, , expected]) => [caller, expected]));
  });

  it('socket.io /admin opens for every staff role and the master key, and for nobody else', async () => {
    const roles = { viewer: await staffCookie(gateway, 'viewer'), operator: await staffCookie(gateway, 'operator'), admin: await staffCookie(gateway, 'admin') };
    const cells: Array<[caller: string, options: Parameters<typeof handshake>[2], expected: string]> = [
      ['none', {}, 'unauthorized'],
      ['web token', { auth: { token: f.web.token } }, 'unauthorized'],
      ['another tenant key', { auth: { token: f.keyB } }, 'unauthorized'],
      ['forged cookie', { cookie: 'tl_staff=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }, 'unauthorized'],
      ['viewer', { cookie: roles.viewer.cookie }, 'connected'],
      ['operator', { cookie: roles.operator.cookie }, 'connected'],
      ['admin', { cookie: roles.admin.cookie }, 'connected'],
      ['master key', { auth: { token: TEST_MASTER_KEY } }, 'connected'],
    ];
    const answers = [];
    for (const [caller, options] of cells) answers.push([caller, await handshake(gateway, '/admin', options)]);
    expect(answers).toEqual(cells.map(([caller, , expected]) => [caller, expected]));
  });

  it('a session id alone opens no transcript, on any route', async () => {
    const { sessionId, adminId } = f.web;
    const tries: Answer[] = [
      await call(gateway, { method: 'GET', url: `/api/sessions/${sessionId}/messages` }),
      await call(gateway, { method: 'GET', url: `/api/sessions/${sessionId}/messages`, headers: bearer(sessionId) }),
      await call(gateway, { method: 'GET', url: `/api/sessions/${adminId}/messages`, headers: bearer(f.web.token) }),
      await call(gateway, { method: 'GET', url: `/api/sessions/${adminId}/messages`, headers: bearer(adminId) }),
      await call(gateway, { method: 'GET', url: `/api/admin/sessions/${adminId}` }),
      await call(gateway, { method: 'GET', url: `/api/admin/sessions/${adminId}`, headers: bearer(sessionId) }),
      await call(gateway, { method: 'GET', url: `/api/admin/sessions?q=${sessionId}`, headers: bearer(f.web.token) }),
      await call(gateway, { method: 'GET', url: `/v1/responses/${f.responseId}` }),
      await call(gateway, { method: 'GET', url: `/v1/conversations/${f.conversationId}/items`, headers: bearer(f.conversationId) }),
    ];
    expect(tries.map((t) => t.status)).toEqual([401, 401, 401, 401, 401, 401, 401, 401, 401]);
    for (const t of tries) expect(t.text).not.toContain(VICTIM_MARKER);
  });

  it('web session ids and tokens are unguessable: 128 random bits, not time-ordered; the token is a 256-bit MAC', async () => {
    const sessions: Array<{ sessionId: string; token: string }> = [];
    for (let i = 0; i < 40; i++) sessions.push(await openWebSession(gateway));
    const bits = (text: string) => [...Buffer.from(text, 'base64url')].map((b) => b.toString(2).padStart(8, '0')).join('');
    const hamming = (a: string, b: string) => [...a].filter((bit, i) => bit !== b[i]).length;
    for (const { sessionId, token } of sessions) {
      expect(sessionId).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(Buffer.from(sessionId, 'base64url')).toHaveLength(16);
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    }
    // Ids made one after another share no more bits than random ones (a UUIDv7 shares its
    // whole 48-bit timestamp prefix): about half of 128 bits differ, and no common prefix.
    const distances = sessions.slice(1).map((s, i) => hamming(bits(s.sessionId), bits(sessions[i]!.sessionId)));
    const mean = distances.reduce((a, b) => a + b, 0) / distances.length;
    expect(mean).toBeGreaterThan(56);
    expect(mean).toBeLessThan(72);
    const sharedPrefixes = sessions.slice(1).map((s, i) => [...s.sessionId].findIndex((c, j) => c !== sessions[i]!.sessionId[j]));
    expect(Math.max(...sharedPrefixes)).toBeLessThan(4);
    // The secret the tokens are a MAC under: 256 random bits, generated once and kept in the database.
    const [secret] = await sql<{ value: string }>(gateway, `SELECT value FROM settings WHERE key = 'web_session_secret'`);
    expect(Buffer.from(secret!.value, 'base64url')).toHaveLength(32);
    // Knowing a session id (and every other session's token) does not give its token.
    const known = new Set(sessions.map((s) => s.token));
    const last = sessions.at(-1)!;
    for (const guess of [last.sessionId, Buffer.from(last.sessionId).toString('base64url'), sessions[0]!.token]) {
      expect(known.has(guess) && guess === last.token).toBe(false);
      expect((await call(gateway, { method: 'GET', url: `/api/sessions/${last.sessionId}/messages`, headers: bearer(guess) })).status).toBe(401);
    }
  });
});
