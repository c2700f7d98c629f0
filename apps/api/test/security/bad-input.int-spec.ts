import { backends } from '../backends.js';
import { masterAuth, type Gateway } from '../harness.js';
import { useGatewayWithChannels } from './channel-env.js';
import { createFixtures, type Fixtures } from './fixtures.js';
import { call, expectRefusal, sql, tableCounts, type Answer } from './security-helpers.js';

/** A route that takes a body, with what its rightful caller sends. */
interface BodyRoute {
  route: string;
  method: string;
  url: (f: Fixtures) => string;
  headers: (f: Fixtures) => Record<string, string>;
  /** a body the route accepts, into which bad values are put */
  valid: (f: Fixtures) => Record<string, unknown>;
  /** the field that carries the user's text, if any */
  text?: (value: unknown, f: Fixtures) => Record<string, unknown>;
  /** wrong types, missing and unknown fields: each must be a 400 */
  wrong: (f: Fixtures) => unknown[];
}

const KB = 1024;
const web = (f: Fixtures) => ({ authorization: `Bearer ${f.web.token}` });
const keyA = (f: Fixtures) => ({ authorization: `Bearer ${f.keyA}` });
const integrator = (f: Fixtures) => ({ ...keyA(f), 'x-user-id': 'alice' });
const completion = (content: unknown) => ({ messages: [{ role: 'user', content }] });

const BODY_ROUTES: BodyRoute[] = [
  { route: 'POST /api/sessions', method: 'POST', url: () => '/api/sessions', headers: () => ({}), valid: () => ({}),
    wrong: () => [[], 'text', 5, { participant: 5 }, { participant: 'x'.repeat(129) }, { admin: true }] },
  { route: 'POST /api/sessions/:id/messages', method: 'POST', url: (f) => `/api/sessions/${f.web.sessionId}/messages`, headers: web, valid: () => ({ message: 'hi' }), text: (message) => ({ message }),
    wrong: () => [null, [], 'hi', {}, { message: 5 }, { message: ['hi'] }, { message: { text: 'hi' } }, { message: 'hi', admin: true }, { message: 'hi', participant: 7 }, { message: '' }] },
  { route: 'POST /api/voice-agent/chat', method: 'POST', url: () => '/api/voice-agent/chat', headers: web, valid: (f) => ({ question: 'hi', sessionId: f.web.sessionId }), text: (question, f) => ({ question, sessionId: f.web.sessionId }),
    wrong: (f) => [{ sessionId: f.web.sessionId }, { question: 5, sessionId: f.web.sessionId }, { question: 'hi', sessionId: f.web.sessionId, message: 'hi' }] },
  { route: 'POST /api/chat', method: 'POST', url: () => '/api/chat', headers: integrator, valid: () => ({ message: 'hi' }), text: (message) => ({ message }),
    wrong: () => [{}, { message: 5 }, { message: 'hi', thread_id: '../other' }, { message: 'hi', thread_id: 5 }, { message: 'hi', user: 'bob' }] },
  { route: 'POST /api/chat/stream', method: 'POST', url: () => '/api/chat/stream', headers: integrator, valid: () => ({ message: 'hi' }), text: (message) => ({ message }),
    wrong: () => [{}, { message: null }, { message: 'hi', thread_id: 'a b' }] },
  { route: 'POST /api/admin/login', method: 'POST', url: () => '/api/admin/login', headers: () => ({}), valid: (f) => ({ email: f.staff.admin.email, password: f.staff.admin.password }),
    wrong: () => [{}, { email: 'root' , password: 'x' }, { email: 'a@example.com' }, { email: 'a@example.com', password: 5 }, { email: 'a@example.com', password: 'x', role: 'admin' }, { email: 'a@example.com', password: 'x'.repeat(257) }] },
  { route: 'POST /api/admin/api-keys', method: 'POST', url: () => '/api/admin/api-keys', headers: () => masterAuth, valid: () => ({ name: 'k' }),
    wrong: () => [{}, { name: '' }, { name: 'x'.repeat(101) }, { name: 'k', tenant: '../t' }, { name: 'k', budget: { tokensPerDay: -1 } }, { name: 'k', budget: { tokensPerDay: '10' } }, { name: 'k', secret: 'tl_mine' }] },
  { route: 'PATCH /api/admin/api-keys/:id', method: 'PATCH', url: (f) => `/api/admin/api-keys/${f.keyAId}`, headers: () => masterAuth, valid: () => ({ name: 'renamed' }),
    wrong: () => [{}, { name: 5 }, { budget: { costMicrosPerDay: 1.5 } }, { tenant: 'other' }] },
  { route: 'POST /api/admin/staff', method: 'POST', url: () => '/api/admin/staff', headers: () => masterAuth, valid: () => ({ email: `ok-${Date.now()}@example.com`, role: 'viewer' }),
    wrong: () => [{}, { email: 'a@example.com', role: 'root' }, { email: 'not an email', role: 'viewer' }, { email: 'a@example.com', role: 'viewer', password: 'short' }, { email: 'a@example.com', role: 'viewer', id: 'x' }] },
  { route: 'PATCH /api/admin/staff/:id', method: 'PATCH', url: (f) => `/api/admin/staff/${f.staff.viewer.id}`, headers: () => masterAuth, valid: () => ({ role: 'viewer' }),
    wrong: () => [{}, { role: 'god' }, { password: 'short' }, { email: 'x@example.com' }] },
  { route: 'POST /v1/chat/completions', method: 'POST', url: () => '/v1/chat/completions', headers: (f) => ({ ...keyA(f), 'x-session-id': 'bad-input' }), valid: () => completion('hi'), text: completion,
    wrong: () => [{}, { messages: [] }, { messages: 'hi' }, { messages: [{ role: 'hacker', content: 'x' }] }, completion(5), { ...completion('hi'), n: 2 }, { ...completion('hi'), temperature: 'hot' }, { ...completion('hi'), metadata: { a: 5 } }] },
  { route: 'POST /v1/responses', method: 'POST', url: () => '/v1/responses', headers: keyA, valid: () => ({ input: 'hi' }), text: (input) => ({ input }),
    wrong: () => [{ input: 5 }, { input: [{ role: 'user' }] }, { input: [{ type: 'message', role: 'user', content: {} }] }, { input: [{ role: 'user', content: 5 }] }, { input: 'hi', previous_response_id: '' }, { input: 'hi', temperature: 5 }, { input: [{ type: 'function_call', name: 'x' }] }] },
  { route: 'POST /v1/conversations', method: 'POST', url: () => '/v1/conversations', headers: keyA, valid: () => ({}), text: (content) => ({ items: [{ role: 'user', content }] }),
    wrong: () => [{ items: 'x' }, { metadata: { a: 5 } }, { items: [{ type: 'message', role: 'user', content: {} }] }, { items: Array.from({ length: 21 }, () => ({ role: 'user', content: 'x' })) }] },
  { route: 'POST /v1/conversations/:id', method: 'POST', url: (f) => `/v1/conversations/${f.conversationId}`, headers: keyA, valid: () => ({ metadata: { a: 'b' } }),
    wrong: () => [{}, { metadata: 'x' }, { metadata: { a: 'x'.repeat(513) } }] },
  { route: 'POST /v1/conversations/:id/items', method: 'POST', url: (f) => `/v1/conversations/${f.conversationId}/items`, headers: keyA, valid: () => ({ items: [{ role: 'user', content: 'x' }] }), text: (content) => ({ items: [{ role: 'user', content }] }),
    wrong: () => [{}, { items: [] }, { items: [{ role: 'root', content: 'x' }] }, { items: [{ role: 'user', content: { text: 'x' } }] }] },
];

/** Text that has no business in a message: C0 and C1 controls, DEL, NUL, lone surrogates (as JSON escapes). */
const CONTROL_TEXTS = ['nul \\u0000 byte', 'bell \\u0007', 'escape \\u001b[31mred', 'delete \\u007f', 'csi \\u009b31m', 'next line \\u0085', 'lone \\ud800 surrogate', 'low \\udc00 first'];
/** Odd but valid text: stored and shown exactly as sent. */
const ODD_TEXTS = ['right-to-left \u202Eevil.exe', 'zero\u200Bwidth \u2028 line separator', 'family 👨‍👩‍👧 and combining é', '\uFEFFbyte order mark', '𝕳𝖊𝖑𝖑𝖔 astral', '<img src=x onerror=alert(1)><script>alert(2)</script>', '"><svg/onload=alert(1)> javascript:alert(1) {{7*7}} ${7*7}', "' OR 1=1; DROP TABLE sessions; --"];

describe.each(backends())('bad input on every route: 4xx in the route\'s error shape, nothing stored, no stack (%s)', (backend) => {
  const suite = useGatewayWithChannels(backend);
  let gateway: Gateway;
  let f: Fixtures;
  beforeAll(async () => {
    gateway = suite.gateway;
    f = await createFixtures(gateway);
  });

  /** Sends each request and expects a refusal with `status`, and that no table changed. */
  async function refusedAll(route: string, requests: Array<{ method: string; url: string; headers?: Record<string, string>; payload?: unknown }>, status: number | ((answer: Answer) => boolean)): Promise<void> {
    const before = await tableCounts(gateway);
    for (const request of requests) {
      const answer = await call(gateway, request);
      const what = `${route} ${request.url} ${String(request.payload ?? '').slice(0, 80)} → ${answer.status} ${answer.text.slice(0, 160)}`;
      if (typeof status === 'number') {
        expect([what, answer.status]).toEqual([what, status]);
        expectRefusal(request.url, answer, status);
      } else {
        expect([what, status(answer)]).toEqual([what, true]);
        expectRefusal(request.url, answer, answer.status);
      }
    }
    expect(await tableCounts(gateway)).toEqual(before);
  }

  it.each(BODY_ROUTES.map((r) => [r.route, r]))('%s: oversize body → 413', async (route, r) => {
    const size = r.route.includes('/v1/') ? 1100 * KB : 80 * KB;
    const big = JSON.stringify({ ...r.valid(f), padding: 'x'.repeat(size) });
    await refusedAll(route, [{ method: r.method, url: r.url(f), headers: r.headers(f), payload: big }, { method: r.method, url: r.url(f), payload: big }], 413);
  });

  it.each(BODY_ROUTES.map((r) => [r.route, r]))('%s: malformed JSON, a prototype-poisoning key, a non-JSON type → 4xx', async (route, r) => {
    const bodies = ['{"message": ', '{]', 'null x', '{"__proto__": {"admin": true}, "message": "hi"}', '{"constructor": {"prototype": {"admin": true}}}'];
    await refusedAll(route, bodies.map((payload) => ({ method: r.method, url: r.url(f), headers: r.headers(f), payload })), (a) => a.status === 400);
    await refusedAll(route, [{ method: r.method, url: r.url(f), headers: { ...r.headers(f), 'content-type': 'text/plain' }, payload: 'hello' }], (a) => a.status === 415 || a.status === 400);
  });

  it.each(BODY_ROUTES.map((r) => [r.route, r]))('%s: wrong types, missing and unknown fields → 400', async (route, r) => {
    await refusedAll(route, r.wrong(f).map((payload) => ({ method: r.method, url: r.url(f), headers: r.headers(f), payload: JSON.stringify(payload) })), 400);
  });

  it.each(BODY_ROUTES.filter((r) => r.text).map((r) => [r.route, r]))('%s: control characters and ill-formed Unicode → 400; odd but valid text is kept exactly', async (route, r) => {
    const withText = (text: string) => JSON.stringify(r.text!('\u0001', f)).replace('\\u0001', text);
    await refusedAll(route, CONTROL_TEXTS.map((text) => ({ method: r.method, url: r.url(f), headers: r.headers(f), payload: withText(text) })), 400);
    for (const text of ODD_TEXTS) {
      const answer = await call(gateway, { method: r.method, url: r.url(f), headers: r.headers(f), payload: r.text!(text, f) });
      expect([text, answer.status < 300]).toEqual([text, true]);
      expect((answer.headers.get('content-type') ?? '').split(';')[0]).toMatch(/^(application\/json|text\/event-stream)$/);
      const stored = await sql<{ content: string }>(gateway, `SELECT content FROM messages WHERE role = 'user' AND content = $1`, [text]);
      expect(stored.length).toBeGreaterThan(0);
    }
  });

  it('invalid ids in every path → 400/404, never 5xx, nothing stored', async () => {
    const ids = ['not-an-id', '%2e%2e%2f%2e%2e%2fetc%2fpasswd', "'%20OR%201%3D1%20--", '%00', '%C3%A9t%C3%A9', 'x'.repeat(90), '00000000-0000-7000-8000-000000000000', '%ff%fe'];
    const templates: Array<[method: string, template: string, headers: (f: Fixtures) => Record<string, string>, payload?: unknown]> = [
      ['POST', '/api/sessions/ID/messages', web, { message: 'hi' }],
      ['GET', '/api/sessions/ID/messages', web],
      ['DELETE', '/api/sessions/ID', web],
      ['GET', '/api/admin/sessions/ID', () => masterAuth],
      ['POST', '/api/admin/sessions/ID/clear', () => masterAuth],
      ['POST', '/api/admin/sessions/ID/expire', () => masterAuth],
      ['DELETE', '/api/admin/sessions/ID', () => masterAuth],
      ['PATCH', '/api/admin/api-keys/ID', () => masterAuth, { name: 'x' }],
      ['DELETE', '/api/admin/api-keys/ID', () => masterAuth],
      ['PATCH', '/api/admin/staff/ID', () => masterAuth, { role: 'viewer' }],
      ['DELETE', '/api/admin/staff/ID', () => masterAuth],
      ['GET', '/v1/models/ID', keyA],
      ['GET', '/v1/responses/ID', keyA],
      ['DELETE', '/v1/responses/ID', keyA],
      ['GET', '/v1/conversations/ID', keyA],
      ['POST', '/v1/conversations/ID', keyA, { metadata: {} }],
      ['DELETE', '/v1/conversations/ID', keyA],
      ['GET', '/v1/conversations/ID/items', keyA],
      ['POST', '/v1/conversations/ID/items', keyA, { items: [{ role: 'user', content: 'x' }] }],
    ];
    for (const [method, template, headers, payload] of templates) {
      await refusedAll(
        template,
        ids.map((id) => ({ method, url: template.replace('ID', id), headers: headers(f), ...(payload ? { payload } : {}) })),
        (a) => a.status === 400 || a.status === 401 || a.status === 404,
      );
    }
  });

  it('query strings: wrong types and SQL metacharacters in staff search and filters → 200 with nothing, or 400; never 5xx', async () => {
    const sqlish = ["' OR '1'='1", "'; DROP TABLE sessions; --", '\\', "\\'", '$1', "%' OR 1=1 --", ') UNION SELECT * FROM staff_users --', '_%_', '%00abc', 'abc%00', '%E0%A4%A', "1' AND pg_sleep(5) --"];
    const answers: Answer[] = [];
    const before = await tableCounts(gateway);
    const started = Date.now();
    for (const q of sqlish) {
      for (const param of ['q', 'endUserId']) answers.push(await call(gateway, { method: 'GET', url: `/api/admin/sessions?${param}=${q.includes('%') ? q : encodeURIComponent(q)}`, headers: masterAuth }));
      for (const param of ['actor', 'action']) answers.push(await call(gateway, { method: 'GET', url: `/api/admin/audit?${param}=${q.includes('%') ? q : encodeURIComponent(q)}`, headers: masterAuth }));
      answers.push(await call(gateway, { method: 'GET', url: `/api/chat/history?thread_id=${encodeURIComponent(q)}`, headers: integrator(f) }));
    }
    expect(Date.now() - started).toBeLessThan(5000); // pg_sleep never ran
    for (const answer of answers) {
      expect([answer.text.slice(0, 120), answer.status === 200 || answer.status === 400]).toEqual([answer.text.slice(0, 120), true]);
      if (answer.status === 200) expect(answer.body.sessions ?? answer.body.entries ?? answer.body.messages).toEqual([]);
      else expectRefusal('/api', answer, 400);
    }
    const wrongTypes = ['limit=abc', 'limit=-1', 'limit=1e9', 'channel=ftp', 'status=1', 'from=tomorrow', 'to=2025-13-45', 'cursor=%27%20OR%201', 'apiKeyId=1', 'q=ab', `q=${'x'.repeat(201)}`];
    for (const query of wrongTypes) expectRefusal('/api', await call(gateway, { method: 'GET', url: `/api/admin/sessions?${query}`, headers: masterAuth }), 400);
    for (const query of ['from=2025-1-1', 'top=0', 'top=x', 'days=3']) expectRefusal('/api', await call(gateway, { method: 'GET', url: `/api/admin/usage?${query}`, headers: masterAuth }), 400);
    for (const query of ['afterSeq=-1', 'limit=0', 'limit=x']) expectRefusal('/api', await call(gateway, { method: 'GET', url: `/api/sessions/${f.web.sessionId}/messages?${query}`, headers: web(f) }), 400);
    for (const query of ['limit=0', 'order=up', `after=${'x'.repeat(129)}`]) expectRefusal('/v1/', await call(gateway, { method: 'GET', url: `/v1/conversations/${f.conversationId}/items?${query}`, headers: keyA(f) }), 400);
    expect(await tableCounts(gateway)).toEqual(before);
    // The search still finds what is there: the metacharacters were data, not SQL.
    const hit = await call(gateway, { method: 'GET', url: `/api/admin/sessions?q=${encodeURIComponent(f.web.sessionId)}`, headers: masterAuth });
    expect(hit.body.sessions.map((s: { key: string }) => s.key)).toEqual([f.web.sessionId]);
  });

  it('headers: bad X-User-Id and X-Session-Id → 400, malformed staff cookies → 401; every answer is JSON', async () => {
    for (const user of ['', '../alice', 'alice bob', 'a'.repeat(129), 'ali\u00e9ce', 'x;DROP']) {
      expectRefusal('/api', await call(gateway, { method: 'GET', url: '/api/chat/history', headers: { ...keyA(f), 'x-user-id': encodeURIComponent(user) === user ? user : user.replace(/[^\x20-\x7e]/g, '?') } }), 400);
    }
    for (const cookie of ['tl_staff=%', 'tl_staff=%E0%A4%A', `tl_staff=${'x'.repeat(5000)}`]) expectRefusal('/api', await call(gateway, { method: 'GET', url: '/api/admin/me', headers: { cookie } }), 401);
    for (const session of [' ', 'x'.repeat(257)]) {
      expectRefusal('/v1/', await call(gateway, { method: 'POST', url: '/v1/chat/completions', headers: { ...keyA(f), 'x-session-id': session }, payload: completion('hi') }), 400);
    }
  });
});
