import fc from 'fast-check';
import { messengerMessaging, messengerPayload, signMetaRequest, signSlackRequest, slackEventEnvelope, whatsappMessage, whatsappPayload } from '@threadline/testing';
import { WebhookWork } from '@api/channels/webhooks/webhook-work.js';
import { backends } from '../backends.js';
import { masterAuth, type Gateway } from '../harness.js';
import { MESSENGER_SECRET, SLACK_SECRET, useGatewayWithChannels, WHATSAPP_SECRET } from './channel-env.js';
import { createFixtures, type Fixtures } from './fixtures.js';
import { call, expectRefusal, type Answer } from './security-helpers.js';

/**
 * Property-based fuzzing of every REST body and the three webhook parsers through the
 * running app: thousands of generated requests, none may answer 5xx, every refusal is
 * in the route's error shape, and the app is healthy and answering afterwards.
 */
/** Runs per property (about 23 × RUNS requests in all); FUZZ_RUNS=2000 for a long soak. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 100);

const text = fc.oneof(fc.string({ unit: 'binary', maxLength: 60 }), fc.constantFrom('hi', '<script>alert(1)</script>', "' OR 1=1 --", '../../etc/passwd', '\u0000', '\ud800', 'x'.repeat(17 * 1024)));
const value = fc.oneof(text, fc.jsonValue({ maxDepth: 3 }));
/** A valid body with some fields replaced, removed or added: near misses find more than noise does. */
function mutated(valid: Record<string, unknown>): fc.Arbitrary<unknown> {
  const keys = Object.keys(valid);
  return fc.oneof(
    { weight: 5, arbitrary: fc.tuple(fc.subarray(keys), fc.dictionary(fc.oneof(fc.constantFrom(...keys, '__proto__', 'constructor'), fc.string({ maxLength: 8 })), value, { maxKeys: 3 })).map(([kept, extra]) => ({ ...Object.fromEntries(kept.map((k) => [k, valid[k]])), ...extra })) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
  );
}
/** A body as bytes: mostly JSON, sometimes not JSON at all. */
function raw(body: fc.Arbitrary<unknown>): fc.Arbitrary<string> {
  return fc.oneof({ weight: 9, arbitrary: body.map((b) => JSON.stringify(b) ?? 'null') }, { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 100 }) });
}

describe.each(backends())('fuzzing REST bodies and webhook parsers through the app (%s)', (backend) => {
  const suite = useGatewayWithChannels(backend);
  let gateway: Gateway;
  let f: Fixtures;
  let cases = 0;
  beforeAll(async () => {
    gateway = suite.gateway;
    f = await createFixtures(gateway);
  });
  afterAll(() => {
    // The issue asks for thousands of cases in all; with the parsers' unit fuzzing this suite adds its share.
    expect(cases).toBeGreaterThanOrEqual(RUNS * 20);
  });

  function expectSafe(label: string, answer: Answer, url: string): void {
    cases += 1;
    const where = `${label}: ${answer.status} ${answer.text.slice(0, 200)}`;
    expect([where, answer.status < 500]).toEqual([where, true]);
    if (answer.status >= 400) expectRefusal(url, answer, answer.status);
  }

  const ROUTES: Array<[route: string, method: string, url: (f: Fixtures) => string, headers: (f: Fixtures) => Record<string, string>, valid: (f: Fixtures) => Record<string, unknown>]> = [
    ['POST /api/sessions', 'POST', () => '/api/sessions', () => ({}), () => ({ participant: 'p' })],
    ['POST /api/sessions/:id/messages', 'POST', (f) => `/api/sessions/${f.web.sessionId}/messages`, (f) => ({ authorization: `Bearer ${f.web.token}` }), () => ({ message: 'hi', participant: 'p' })],
    ['POST /api/voice-agent/chat', 'POST', () => '/api/voice-agent/chat', (f) => ({ authorization: `Bearer ${f.web.token}` }), (f) => ({ question: 'hi', sessionId: f.web.sessionId })],
    ['POST /api/chat', 'POST', () => '/api/chat', (f) => ({ authorization: `Bearer ${f.keyA}`, 'x-user-id': 'fuzz' }), () => ({ message: 'hi', thread_id: 't1' })],
    ['POST /api/chat/stream', 'POST', () => '/api/chat/stream', (f) => ({ authorization: `Bearer ${f.keyA}`, 'x-user-id': 'fuzz' }), () => ({ message: 'hi', thread_id: 't1' })],
    ['POST /api/admin/login', 'POST', () => '/api/admin/login', () => ({}), () => ({ email: 'nobody@example.com', password: 'wrong password' })],
    ['POST /api/admin/api-keys', 'POST', () => '/api/admin/api-keys', () => masterAuth, () => ({ name: 'fuzz', tenant: 'fuzz-tenant', budget: { tokensPerDay: 1000 } })],
    ['PATCH /api/admin/api-keys/:id', 'PATCH', (f) => `/api/admin/api-keys/${f.keyAId}`, () => masterAuth, () => ({ name: 'fuzzed', budget: { costMicrosPerDay: null } })],
    ['POST /api/admin/staff', 'POST', () => '/api/admin/staff', () => masterAuth, () => ({ email: 'fuzz@example.com', role: 'viewer', password: 'long enough password' })],
    ['PATCH /api/admin/staff/:id', 'PATCH', (f) => `/api/admin/staff/${f.staff.viewer.id}`, () => masterAuth, () => ({ role: 'viewer' })],
    ['POST /v1/chat/completions', 'POST', () => '/v1/chat/completions', (f) => ({ authorization: `Bearer ${f.keyA}`, 'x-session-id': 'fuzz' }), () => ({ model: 'gpt-4.1-nano', messages: [{ role: 'user', content: 'hi' }], temperature: 1, metadata: { a: 'b' } })],
    ['POST /v1/responses', 'POST', () => '/v1/responses', (f) => ({ authorization: `Bearer ${f.keyA}` }), () => ({ input: 'hi', instructions: 'be brief', store: true })],
    ['POST /v1/conversations', 'POST', () => '/v1/conversations', (f) => ({ authorization: `Bearer ${f.keyA}` }), () => ({ items: [{ role: 'user', content: 'hi' }], metadata: { a: 'b' } })],
    ['POST /v1/conversations/:id', 'POST', (f) => `/v1/conversations/${f.conversationId}`, (f) => ({ authorization: `Bearer ${f.keyA}` }), () => ({ metadata: { topic: 'x' } })],
    ['POST /v1/conversations/:id/items', 'POST', (f) => `/v1/conversations/${f.conversationId}/items`, (f) => ({ authorization: `Bearer ${f.keyA}` }), () => ({ items: [{ role: 'user', content: 'hi' }] })],
  ];

  it.each(ROUTES)('%s: generated bodies never get a 5xx', async (route, method, url, headers, valid) => {
    await fc.assert(
      fc.asyncProperty(raw(mutated(valid(f))), async (payload) => {
        const target = url(f);
        expectSafe(`${route} ${payload.slice(0, 120)}`, await call(gateway, { method, url: target, headers: headers(f), payload }), target);
      }),
      { numRuns: RUNS },
    );
  });

  it('query strings of the list routes never get a 5xx', async () => {
    const param = fc.tuple(fc.constantFrom('q', 'endUserId', 'channel', 'status', 'from', 'to', 'cursor', 'limit', 'apiKeyId', 'action', 'actor', 'top', 'afterSeq', 'thread_id', 'order', 'after'), fc.string({ unit: 'binary', maxLength: 40 }));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('/api/admin/sessions', '/api/admin/audit', '/api/admin/usage', '/api/chat/history', '/v1/conversations/CONV/items'), fc.array(param, { maxLength: 4 }), async (path, params) => {
        const url = `${path.replace('CONV', f.conversationId)}?${new URLSearchParams(params).toString()}`;
        const headers = path.startsWith('/api/admin') ? masterAuth : { authorization: `Bearer ${f.keyA}`, 'x-user-id': 'fuzz' };
        expectSafe(url, await call(gateway, { method: 'GET', url, headers }), url);
      }),
      { numRuns: RUNS * 3 },
    );
  });

  const slackEvent = fc.record(
    {
      type: fc.oneof(fc.constantFrom('app_mention', 'message'), text),
      subtype: fc.oneof(fc.constantFrom('thread_broadcast', 'bot_message'), value),
      user: fc.oneof(fc.constantFrom('U1', 'UBOT0001'), value),
      text: fc.oneof(fc.constantFrom('<@UBOT0001> hello'), text, value),
      channel: fc.oneof(fc.constant('C1'), value),
      channel_type: fc.oneof(fc.constant('im'), value),
      ts: fc.oneof(fc.constantFrom('1700000000.000100', '1700000000.000200'), value),
      thread_ts: value,
      bot_id: value,
    },
    { requiredKeys: [] },
  );

  it('signed Slack deliveries with generated envelopes and events never get a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          { weight: 4, arbitrary: fc.tuple(slackEvent, fc.oneof(fc.constant(undefined), value), fc.oneof(fc.constant(undefined), value)).map(([event, teamId, eventId]) => ({ ...slackEventEnvelope({ event }), ...(teamId === undefined ? {} : { team_id: teamId }), ...(eventId === undefined ? {} : { event_id: eventId }) })) },
          { weight: 1, arbitrary: mutated({ type: 'url_verification', challenge: 'c' }) },
        ),
        async (body) => {
          const payload = JSON.stringify(body) ?? 'null';
          expectSafe(`slack ${payload.slice(0, 120)}`, await call(gateway, { method: 'POST', url: '/webhooks/slack', payload, headers: signSlackRequest(payload, SLACK_SECRET) }), '/webhooks/slack');
        },
      ),
      { numRuns: RUNS * 2 },
    );
    await gateway.app.get(WebhookWork).settled();
  });

  it('signed Messenger and WhatsApp deliveries with generated payloads never get a 5xx', async () => {
    const messenger = fc.oneof(
      fc.tuple(fc.oneof(fc.constant('S1'), text), fc.oneof(text, fc.constant('hello'))).map(([sender, t]) => messengerPayload(messengerMessaging({ pageId: 'P1', senderId: sender || 'S1', text: t }))),
      mutated({ object: 'page', entry: [{ id: 'P1', messaging: [{ sender: { id: 'S1' }, recipient: { id: 'P1' }, message: { mid: 'm1', text: 'hi' } }] }] }),
    );
    const whatsapp = fc.oneof(
      fc.tuple(fc.oneof(fc.constantFrom('text', 'image', 'reaction', 'constructor'), text), text).map(([type, t]) => whatsappPayload('106000000000001', whatsappMessage({ from: '15550001', type, text: t }))),
      mutated({ object: 'whatsapp_business_account', entry: [{ changes: [{ field: 'messages', value: { metadata: { phone_number_id: 'P' }, messages: [] } }] }] }),
    );
    await fc.assert(
      fc.asyncProperty(fc.oneof(messenger.map((b) => ['messenger', b] as const), whatsapp.map((b) => ['whatsapp', b] as const)), async ([path, body]) => {
        const payload = JSON.stringify(body) ?? 'null';
        const secret = path === 'messenger' ? MESSENGER_SECRET : WHATSAPP_SECRET;
        expectSafe(`${path} ${payload.slice(0, 120)}`, await call(gateway, { method: 'POST', url: `/webhooks/${path}`, payload, headers: signMetaRequest(payload, secret) }), `/webhooks/${path}`);
      }),
      { numRuns: RUNS * 3 },
    );
    await gateway.app.get(WebhookWork).settled();
  });

  it('afterwards the app is healthy and answers as before', async () => {
    expect((await call(gateway, { method: 'GET', url: '/api/health' })).body).toMatchObject({ status: 'healthy' });
    const turn = await call(gateway, { method: 'POST', url: `/api/sessions/${f.web.sessionId}/messages`, headers: { authorization: `Bearer ${f.web.token}` }, payload: { message: 'still there?' } });
    expect(turn.body.response).toBe('Echo: still there?');
  });
});
