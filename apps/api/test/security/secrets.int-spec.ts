import { createHash } from 'node:crypto';
import { io } from 'socket.io-client';
import { FakeOpenAI, messengerMessaging, messengerPayload, signMetaRequest, signSlackRequest, slackEventEnvelope, slackMessageEvent, waitUntil } from '@threadline/testing';
import { verifyPassword } from '@api/admin/secrets.js';
import { AppConfig } from '@api/config/app-config.js';
import { createDatabase } from '@api/storage/database.factory.js';
import { backends } from '../backends.js';
import { provisionStorage, type Gateway, type StorageHandle } from '../harness.js';
import { startApiProcess, type ApiProcess } from '../processes.js';
import { GRAPH_TOKEN, MESSENGER_SECRET, SLACK_SECRET, SLACK_TOKEN, startChannelFakes, VERIFY_TOKENS, WHATSAPP_SECRET } from './channel-env.js';
import { call, type Answer } from './security-helpers.js';

/** Every secret the operator configures. Each is unique so a leak anywhere can be found by search. */
const CONFIGURED = {
  MASTER_KEY: 'master-SECRET-7f3a9c1e5b2d8f4a',
  OPENAI_API_KEY: 'sk-SECRET-openai-9e8d7c6b5a4f3e2d',
  SESSION_SECRET: 'session-SECRET-0a1b2c3d4e5f6a7b8c9d0e1f',
  ADMIN_PASSWORD: 'admin-SECRET-5c4b3a2d1e',
  GITHUB_TOKEN: 'ghp_SECRET_4d3c2b1a0f9e8d7c',
};
const ADMIN_EMAIL = 'root@example.com';
const STAFF_PASSWORD = 'staff-SECRET-password-1234';

describe.each(backends())('secrets never reach logs, answers, transcripts or the database in clear (%s)', (backend) => {
  let fake: FakeOpenAI;
  let channels: Awaited<ReturnType<typeof startChannelFakes>>;
  let storage: StorageHandle;
  let proc: ApiProcess;
  let gateway: Gateway;
  /** secrets made while the app runs: an API key, a generated password, the staff cookie, a web token */
  const minted: string[] = [];
  /** every answer except the one that hands a secret out once */
  const answers: Array<{ what: string; answer: Answer }> = [];

  const secrets = () => [...Object.values(CONFIGURED), SLACK_SECRET, SLACK_TOKEN, MESSENGER_SECRET, WHATSAPP_SECRET, GRAPH_TOKEN, VERIFY_TOKENS.messenger, VERIFY_TOKENS.whatsapp, STAFF_PASSWORD, ...minted];
  const record = async (what: string, answer: Promise<Answer>): Promise<Answer> => {
    const a = await answer;
    answers.push({ what, answer: a });
    return a;
  };

  beforeAll(async () => {
    fake = await FakeOpenAI.start();
    channels = await startChannelFakes();
    storage = await provisionStorage(backend);
    proc = await startApiProcess({
      // The test runner's own DATABASE_URL / REDIS_URL must not leak into an embedded run.
      DATABASE_URL: '',
      REDIS_URL: '',
      ...storage.env,
      ...channels.env,
      ...CONFIGURED,
      ADMIN_EMAIL,
      OPENAI_BASE_URL: fake.baseURL,
      GITHUB_API_URL: 'http://127.0.0.1:9',
      LLM_RETRY_BASE_MS: '5',
      LLM_MAX_RETRIES: '1',
      LOG_LEVEL: 'debug',
      LOG_FORMAT: 'json',
      TRUST_PROXY: 'true',
    });
    gateway = { url: proc.url } as Gateway;
  });
  afterAll(async () => {
    await proc?.stop();
    await channels?.close();
    await fake?.close();
    await storage?.dispose();
  });

  it('exercises every credential: login, staff, API keys, web tokens, sockets, webhooks and failing upstream calls', async () => {
    const json = (body: unknown) => ({ payload: body });
    // Staff: a wrong password, the right one, a member with a chosen and one with a generated password.
    expect((await record('wrong login', call(gateway, { method: 'POST', url: '/api/admin/login', ...json({ email: ADMIN_EMAIL, password: `${CONFIGURED.ADMIN_PASSWORD}x` }) }))).status).toBe(401);
    const login = await call(gateway, { method: 'POST', url: '/api/admin/login', ...json({ email: ADMIN_EMAIL, password: CONFIGURED.ADMIN_PASSWORD }) });
    expect(login.status).toBe(200);
    const cookie = /tl_staff=[^;]+/.exec(login.headers.get('set-cookie') ?? '')![0];
    minted.push(cookie.slice('tl_staff='.length));
    answers.push({ what: 'login body', answer: { ...login, headers: new Headers() } });
    const asStaff = { cookie };
    await record('staff with a chosen password', call(gateway, { method: 'POST', url: '/api/admin/staff', headers: asStaff, ...json({ email: 'ops@example.com', role: 'operator', password: STAFF_PASSWORD }) }));
    const generated = await call(gateway, { method: 'POST', url: '/api/admin/staff', headers: asStaff, ...json({ email: 'gen@example.com', role: 'viewer' }) });
    minted.push(generated.body.password);
    expect((await record('staff login', call(gateway, { method: 'POST', url: '/api/admin/login', ...json({ email: 'ops@example.com', password: STAFF_PASSWORD }) }))).status).toBe(200);

    // API keys: made once (the only answer that shows it), then used on both APIs; wrong keys too.
    const created = await call(gateway, { method: 'POST', url: '/api/admin/api-keys', headers: asStaff, ...json({ name: 'integration' }) });
    const key = created.body.secret as string;
    minted.push(key);
    const asKey = { authorization: `Bearer ${key}` };
    expect((await record('api chat', call(gateway, { method: 'POST', url: '/api/chat', headers: { ...asKey, 'x-user-id': 'u1' }, ...json({ message: 'hello' }) }))).status).toBe(200);
    await record('v1 completions', call(gateway, { method: 'POST', url: '/v1/chat/completions', headers: { ...asKey, 'x-session-id': 's1' }, ...json({ messages: [{ role: 'user', content: 'hi' }] }) }));
    await record('v1 models', call(gateway, { method: 'GET', url: '/v1/models', headers: asKey }));
    await record('wrong key', call(gateway, { method: 'POST', url: '/api/chat', headers: { authorization: `Bearer ${key}x`, 'x-user-id': 'u1' }, ...json({ message: 'hello' }) }));
    await record('wrong master key', call(gateway, { method: 'GET', url: '/api/admin/sessions', headers: { authorization: `Bearer ${CONFIGURED.MASTER_KEY}x` } }));
    await record('master key', call(gateway, { method: 'GET', url: '/api/admin/sessions', headers: { authorization: `Bearer ${CONFIGURED.MASTER_KEY}` } }));

    // Web: a session token over REST and the socket.
    const session = await call(gateway, { method: 'POST', url: '/api/sessions', ...json({}) });
    minted.push(session.body.token);
    const asWeb = { authorization: `Bearer ${session.body.token}` };
    await record('web message', call(gateway, { method: 'POST', url: `/api/sessions/${session.body.sessionId}/messages`, headers: asWeb, ...json({ message: 'from the web' }) }));
    const socket = io(`${proc.url}/chat`, { auth: { sessionId: session.body.sessionId, token: session.body.token }, transports: ['websocket'], reconnection: false });
    const ack = await socket.timeout(5000).emitWithAck('message:send', { text: 'over the socket' });
    socket.disconnect();
    expect(JSON.stringify(ack)).toContain('over the socket');
    const staffSocket = io(`${proc.url}/admin`, { auth: { token: CONFIGURED.MASTER_KEY }, transports: ['websocket'], reconnection: false });
    await new Promise((resolve, reject) => (staffSocket.once('connect', () => resolve(null)), staffSocket.once('connect_error', reject)));
    staffSocket.disconnect();

    // Failing upstream calls whose error bodies quote the operator's key back.
    const quoting = { error: { message: `Incorrect API key provided: ${CONFIGURED.OPENAI_API_KEY}`, type: 'invalid_request_error' } };
    fake.enqueue({ kind: 'error', status: 401, body: quoting });
    expect((await record('upstream 401', call(gateway, { method: 'POST', url: '/api/chat', headers: { ...asKey, 'x-user-id': 'u2' }, ...json({ message: 'fails' }) }))).status).toBeGreaterThanOrEqual(500);
    fake.enqueue({ kind: 'error', status: 400, body: quoting });
    expect((await record('upstream 400', call(gateway, { method: 'POST', url: '/v1/chat/completions', headers: { ...asKey, 'x-session-id': 's2' }, ...json({ messages: [{ role: 'user', content: 'fails' }] }) }))).status).toBe(400);
    fake.respondWith(() => ({ kind: 'error', status: 500, body: quoting }));
    await record('upstream 500 (web)', call(gateway, { method: 'POST', url: `/api/sessions/${session.body.sessionId}/messages`, headers: asWeb, ...json({ message: 'fails again' }) }));
    fake.reset();
    expect(fake.requests).toHaveLength(0);

    // Webhooks: signed deliveries that run turns and reply with the bot and page tokens; the handshake.
    const slackBody = JSON.stringify(slackEventEnvelope({ event: slackMessageEvent({ type: 'app_mention', user: 'U1', text: '<@UBOT0001> hello' }) }));
    await record('slack', call(gateway, { method: 'POST', url: '/webhooks/slack', payload: slackBody, headers: signSlackRequest(slackBody, SLACK_SECRET) }));
    const messengerBody = JSON.stringify(messengerPayload(messengerMessaging({ pageId: 'P1', senderId: 'S1', text: 'hello page' })));
    await record('messenger', call(gateway, { method: 'POST', url: '/webhooks/messenger', payload: messengerBody, headers: signMetaRequest(messengerBody, MESSENGER_SECRET) }));
    await record('handshake', call(gateway, { method: 'GET', url: `/webhooks/messenger?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKENS.messenger}&hub.challenge=c123` }));
    await record('bad handshake', call(gateway, { method: 'GET', url: `/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKENS.messenger}&hub.challenge=c123` }));
    await waitUntil('the Slack and Messenger replies', () => channels.slack.calls.some((c) => c.method === 'chat.postMessage') && channels.graph.calls.length > 0);

    // What staff see: every dashboard view.
    const list = await record('sessions', call(gateway, { method: 'GET', url: '/api/admin/sessions?limit=200', headers: asStaff }));
    for (const s of list.body.sessions as Array<{ id: string }>) await record(`transcript ${s.id}`, call(gateway, { method: 'GET', url: `/api/admin/sessions/${s.id}`, headers: asStaff }));
    for (const url of ['/api/admin/me', '/api/admin/api-keys', '/api/admin/staff', '/api/admin/audit', '/api/admin/usage', '/api/admin/usage/prices', '/api/health', '/metrics', '/api/docs/openapi.json', '/v1/nope']) {
      await record(url, call(gateway, { method: 'GET', url, headers: asStaff }));
    }
    expect(minted.every((s) => typeof s === 'string' && s.length >= 16)).toBe(true);
  });

  it('no answer but the one that hands it out carries a secret, in its body or its headers', () => {
    expect(answers.length).toBeGreaterThan(30);
    const leaks = answers.flatMap(({ what, answer }) => {
      const seen = `${answer.text}\n${[...answer.headers.entries()].map(([k, v]) => `${k}: ${v}`).join('\n')}`;
      return secrets().filter((s) => seen.includes(s)).map((s) => `${what} shows ${s.slice(0, 12)}…`);
    });
    expect(leaks).toEqual([]);
  });

  it('no log line carries a secret, at LOG_LEVEL=debug in JSON (the production format)', async () => {
    await proc.stop();
    const log = proc.output();
    // The capture holds everything the app said: info lines, and the errors of the failed upstream calls.
    expect(log).toMatch(/"level":30,.*"msg":"Mapped \{\/api\/admin\/login, POST\} route"/);
    expect(log).toMatch(/"level":50,.*the model provider refused the request \(HTTP 401\)/);
    expect(secrets().filter((s) => log.includes(s)).map((s) => s.slice(0, 12))).toEqual([]);
  });

  it('the database holds API keys and passwords as hashes only, and no secret in clear anywhere', async () => {
    const database = await createDatabase(AppConfig.fromEnv({ DATABASE_URL: '', REDIS_URL: '', ...storage.env, LOG_LEVEL: 'silent' }));
    try {
      const query = async <T>(text: string, params: unknown[] = []) => (await database.query<T>(text, params)).rows;
      const key = minted[2]!;
      expect(await query(`SELECT secret_hash, prefix FROM api_keys`)).toEqual([{ secret_hash: createHash('sha256').update(key).digest('base64url'), prefix: key.slice(0, 10) }]);
      const staff = await query<{ email: string; password_hash: string }>(`SELECT email, password_hash FROM staff_users ORDER BY email`);
      expect(staff.map((s) => s.email)).toEqual(['gen@example.com', 'ops@example.com', ADMIN_EMAIL]);
      for (const row of staff) expect(row.password_hash).toMatch(/^scrypt\$16384\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
      expect(await verifyPassword(STAFF_PASSWORD, staff[1]!.password_hash)).toBe(true);
      expect(await verifyPassword(CONFIGURED.ADMIN_PASSWORD, staff[2]!.password_hash)).toBe(true);
      const cookieToken = minted[0]!;
      expect((await query<{ token_hash: string }>(`SELECT token_hash FROM staff_sessions`)).map((r) => r.token_hash)).toContain(createHash('sha256').update(cookieToken).digest('base64url'));
      const tables = (await query<{ table_name: string }>(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`)).map((r) => r.table_name);
      expect(tables).toEqual(expect.arrayContaining(['api_keys', 'staff_users', 'staff_sessions', 'messages', 'sessions', 'settings', 'audit_log']));
      let dump = '';
      for (const table of tables) dump += (await query<{ j: string }>(`SELECT row_to_json(t)::text AS j FROM "${table}" t`)).map((r) => r.j).join('\n');
      expect(dump).toContain('over the socket'); // the dump really holds the transcripts
      expect(secrets().filter((s) => dump.includes(s)).map((s) => s.slice(0, 12))).toEqual([]);
    } finally {
      await database.close();
    }
  });
});
