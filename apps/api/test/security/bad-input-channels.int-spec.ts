import { FakeGitHub, signMetaRequest, signSlackRequest, slackEventEnvelope, slackMessageEvent, type FakeChatRequest } from '@threadline/testing';
import { WebhookWork } from '@api/channels/webhooks/webhook-work.js';
import { backends } from '../backends.js';
import { createApiKey, openWebSession, useGateway, type Gateway } from '../harness.js';
import { MESSENGER_SECRET, SLACK_SECRET, startChannelFakes, VERIFY_TOKENS, WHATSAPP_SECRET } from './channel-env.js';
import { call, connectSocket, expectError, handshake, tableCounts, type AnySocket, type Answer } from './security-helpers.js';

const STACK = /\bat \S+ \(|node_modules|\.ts:\d+/;
const toolResults = (request: FakeChatRequest) => request.messages.filter((m) => m.role === 'tool').map((m) => JSON.parse(m.content as string) as { error?: string });

describe.each(backends())('bad input on socket events, webhooks and tool arguments (%s)', (backend) => {
  const env: Record<string, string> = { TRUST_PROXY: 'true', TOOLS: 'github', GITHUB_TOKEN: 'ghp_security', GITHUB_WRITE_REPOS: 'octo/demo' };
  let github: FakeGitHub;
  let closeFakes: () => Promise<void> = async () => undefined;
  beforeAll(async () => {
    const fakes = await startChannelFakes();
    github = await FakeGitHub.start({ token: 'ghp_security', repos: [{ owner: 'octo', name: 'demo', files: { 'README.md': '# demo\n', 'docs/a.md': 'a\n' } }] });
    Object.assign(env, fakes.env, { GITHUB_API_URL: github.baseURL });
    closeFakes = async () => {
      await fakes.close();
      await github.close();
    };
  });
  const suite = useGateway(backend, { env });
  afterAll(() => closeFakes());
  let gateway: Gateway;
  const sockets: AnySocket[] = [];
  beforeAll(() => {
    gateway = suite.gateway;
  });
  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.disconnect();
  });
  const settled = () => gateway.app.get(WebhookWork).settled();

  describe('socket.io /chat events', () => {
    it('message:send and session:resync with bad payloads are refused in the ack, store nothing, and the socket stays usable', async () => {
      const { sessionId, token } = await openWebSession(gateway);
      const socket = await connectSocket(gateway, '/chat', { auth: { sessionId, token } });
      sockets.push(socket);
      const before = await tableCounts(gateway);
      const sends: Array<[payload: unknown, code: string]> = [
        [null, 'validation_failed'],
        ['hello', 'validation_failed'],
        [42, 'validation_failed'],
        [['hello'], 'validation_failed'],
        [{}, 'validation_failed'],
        [{ text: 5 }, 'validation_failed'],
        [{ text: '' }, 'validation_failed'],
        [{ text: '   ' }, 'validation_failed'],
        [{ text: 'nul \u0000' }, 'validation_failed'],
        [{ text: 'csi \u009b31m' }, 'validation_failed'],
        [{ text: 'lone \ud800' }, 'validation_failed'],
        [{ text: 'hi', clientMessageId: 'x'.repeat(65) }, 'validation_failed'],
        [{ text: 'hi', clientMessageId: 7 }, 'validation_failed'],
        [{ text: 'x'.repeat(17 * 1024) }, 'payload_too_large'],
        [{ text: { toString: 'x' } }, 'validation_failed'],
      ];
      for (const [payload, code] of sends) {
        const ack = await socket.timeout(5000).emitWithAck('message:send', payload);
        expect([payload, ack]).toEqual([payload, { ok: false, error: { code, message: expect.any(String) } }]);
        expect(JSON.stringify(ack)).not.toMatch(STACK);
      }
      for (const payload of [{ afterSeq: -1 }, { afterSeq: 'x' }, { afterSeq: 1.5 }, 'str', 5, [1]]) {
        const ack = await socket.timeout(5000).emitWithAck('session:resync', payload);
        expect([payload, ack]).toEqual([payload, { ok: false, error: { code: 'validation_failed', message: expect.any(String) } }]);
      }
      // No ack at all: the refusal arrives as an error event instead of crashing anything.
      const error = new Promise((resolve) => socket.once('error' as never, resolve as never));
      socket.emit('message:send', { text: '' });
      expect(await error).toMatchObject({ code: 'validation_failed' });
      // Events the server does not know are ignored.
      socket.emit('admin:delete' as never, { sessionId } as never);
      socket.emit('message:done' as never, { message: { content: 'forged' } } as never);
      expect(await tableCounts(gateway)).toEqual(before);
      const ok = await socket.timeout(5000).emitWithAck('message:send', { text: 'still here' });
      expect(ok).toMatchObject({ ok: true, data: { userMessage: { content: 'still here' } } });
    });

    it('a frame over the socket size limit drops only that socket; the server stays healthy', async () => {
      const { sessionId, token } = await openWebSession(gateway);
      const socket = await connectSocket(gateway, '/chat', { auth: { sessionId, token } });
      sockets.push(socket);
      const closed = new Promise<string>((resolve) => socket.once('disconnect', resolve));
      socket.emit('message:send', { text: 'x'.repeat(2_000_000) });
      expect(await closed).toMatch(/transport close|transport error/);
      expect((await call(gateway, { method: 'GET', url: '/api/health' })).status).toBe(200);
      const again = await connectSocket(gateway, '/chat', { auth: { sessionId, token } });
      sockets.push(again);
      const done = new Promise((resolve) => again.once('message:done', resolve));
      expect(await again.timeout(5000).emitWithAck('message:send', { text: 'after the big one' })).toMatchObject({ ok: true });
      await done;
    });

    it('malformed handshakes are refused as unauthorized and leave the server healthy', async () => {
      const tries: Array<[namespace: '/chat' | '/admin', options: Parameters<typeof handshake>[2]]> = [
        ['/chat', { auth: { sessionId: 5, token: {} } }],
        ['/chat', { auth: { sessionId: 'x'.repeat(65), token: 'y' } }],
        ['/chat', { auth: { sessionId: '../../etc/passwd', token: 'y' } }],
        ['/chat', { auth: { sessionId: 'abcdefghijklmnopq\u0000', token: 'y' } }],
        ['/admin', { cookie: 'tl_staff=%E0%A4%A' }],
        ['/admin', { cookie: 'tl_staff=%' }],
        ['/admin', { auth: { token: ['a', 'b'] } }],
        ['/admin', { auth: { token: 'x'.repeat(10_000) } }],
      ];
      const answers = [];
      for (const [namespace, options] of tries) answers.push(await handshake(gateway, namespace, options));
      expect(answers).toEqual(tries.map(() => 'unauthorized'));
      expect((await call(gateway, { method: 'GET', url: '/api/health' })).status).toBe(200);
    });

    it('the /admin namespace takes no commands from clients: anything sent is ignored', async () => {
      const socket = await connectSocket(gateway, '/admin', { auth: { token: 'test-master-key-0123456789' } });
      sockets.push(socket);
      const before = await tableCounts(gateway);
      for (const event of ['session:clear', 'session:delete', 'api-key:create', 'staff:create']) socket.emit(event, { id: '00000000-0000-7000-8000-000000000000', role: 'admin' });
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(socket.connected).toBe(true);
      expect(await tableCounts(gateway)).toEqual(before);
    });
  });

  describe('webhooks', () => {
    const slack = (raw: string, headers: Record<string, string> = signSlackRequest(raw, SLACK_SECRET)) => call(gateway, { method: 'POST', url: '/webhooks/slack', payload: raw, headers });
    const meta = (path: 'messenger' | 'whatsapp', raw: string, secret = path === 'messenger' ? MESSENGER_SECRET : WHATSAPP_SECRET) =>
      call(gateway, { method: 'POST', url: `/webhooks/${path}`, payload: raw, headers: signMetaRequest(raw, secret) });

    async function nothingStored(work: () => Promise<Answer[]>, expected: Array<number | [number, string]>): Promise<void> {
      const before = await tableCounts(gateway);
      const answers = await work();
      await settled();
      expect(answers.map((a) => a.status)).toEqual(expected.map((e) => (Array.isArray(e) ? e[0] : e)));
      answers.forEach((answer, i) => {
        const e = expected[i]!;
        if (Array.isArray(e)) expectError(answer, e[0], e[1]);
        expect(answer.text).not.toMatch(STACK);
      });
      expect(await tableCounts(gateway)).toEqual(before);
      expect(suite.fake.requests).toHaveLength(0);
    }

    it('Slack: unsigned, stale, mis-signed, malformed, mistyped and oversized deliveries are refused; odd envelopes are ignored', async () => {
      const event = JSON.stringify(slackEventEnvelope({ event: slackMessageEvent({ type: 'app_mention', user: 'U1', text: '<@UBOT0001> hi' }) }));
      const old = Math.floor(Date.now() / 1000) - 3600;
      await nothingStored(
        async () => [
          await slack(event, { 'content-type': 'application/json' }),
          await slack(event, signSlackRequest(event, SLACK_SECRET, old)),
          await slack(event, signSlackRequest(event, 'not-the-secret')),
          await slack(event, { ...signSlackRequest(event, SLACK_SECRET), 'x-slack-request-timestamp': 'soon' }),
          await slack('{"type": '),
          await slack(JSON.stringify({ type: 5 })),
          // An over-long challenge is no url_verification: acknowledged, not echoed.
          await slack(JSON.stringify({ type: 'url_verification', challenge: 'x'.repeat(513) })),
          await slack(JSON.stringify({ type: 'event_callback', team_id: 'T1', event_id: 'Ev\u0000', event: { type: 'app_mention', user: 'U1', text: 'hi', channel: 'C1', ts: '1.1' } })),
          await slack(JSON.stringify({ type: 'event_callback', pad: 'x'.repeat(80 * 1024) })),
          await slack(JSON.stringify({ type: 'event_callback', team_id: 'T1' })),
          await slack(JSON.stringify({ type: 'event_callback', team_id: 'T1', event_id: 'Ev1', event: { type: 'app_mention', user: ['U1'], text: { a: 1 } } })),
        ],
        [[401, 'unauthorized'], [401, 'unauthorized'], [401, 'unauthorized'], [401, 'unauthorized'], [400, 'bad_request'], [400, 'validation_failed'], 200, [400, 'validation_failed'], [413, 'payload_too_large'], 200, 200],
      );
    });

    it('Messenger and WhatsApp: unsigned, mis-signed and malformed deliveries are refused; well-signed nonsense is acknowledged and ignored', async () => {
      const nonsense = [
        { object: 5 },
        { object: 'page', entry: 'x' },
        { object: 'page', entry: [{ id: 'P1', messaging: [{ sender: {}, recipient: { id: 'P1' }, message: { mid: 'm1', text: 'hi' } }] }] },
        { object: 'page', entry: [{ id: 'P1', messaging: [{ sender: { id: 'S\u0000' }, recipient: { id: 'P1' }, message: { mid: 'm\u0000', text: 'hi' } }] }] },
        { object: 'whatsapp_business_account', entry: [{ changes: [{ field: 'messages', value: { metadata: { phone_number_id: 'P\u0000' }, messages: [{ from: '1', id: 'w\u0000', type: 'text', text: { body: 'hi' } }] } }] }] },
        { object: 'whatsapp_business_account', entry: [{ changes: [{ field: 'messages', value: { messages: [{ from: 1, id: {}, type: [] }] } }] }] },
      ];
      await nothingStored(
        async () => [
          await call(gateway, { method: 'POST', url: '/webhooks/messenger', payload: { object: 'page', entry: [] } }),
          await meta('messenger', JSON.stringify({ object: 'page', entry: [] }), 'not-the-secret'),
          await call(gateway, { method: 'POST', url: '/webhooks/whatsapp', payload: '{}', headers: { 'x-hub-signature-256': 'sha256=zz' } }),
          await meta('whatsapp', '{"object": '),
          ...(await Promise.all(nonsense.map((body, i) => meta(i < 4 ? 'messenger' : 'whatsapp', JSON.stringify(body))))),
        ],
        [[401, 'unauthorized'], [403, 'forbidden'], [403, 'forbidden'], [400, 'bad_request'], 200, 200, 200, 200, 200, 200],
      );
    });

    it('the Meta subscription handshake answers only the right verify token with a short string challenge', async () => {
      const ask = (path: string, query: string) => call(gateway, { method: 'GET', url: `/webhooks/${path}?${query}` });
      const token = VERIFY_TOKENS.messenger;
      for (const query of [
        `hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=abc`,
        `hub.mode=unsubscribe&hub.verify_token=${token}&hub.challenge=abc`,
        `hub.mode=subscribe&hub.verify_token=${token}&hub.challenge=${'x'.repeat(257)}`,
        `hub.mode=subscribe&hub.verify_token=${token}&hub.challenge=a&hub.challenge=b`,
        `hub.mode=subscribe&hub.verify_token=${token}&hub.verify_token=${token}&hub.challenge=a`,
      ]) expectError(await ask('messenger', query), 403, 'forbidden');
      const ok = await ask('messenger', `hub.mode=subscribe&hub.verify_token=${token}&hub.challenge=${encodeURIComponent('<script>x</script>')}`);
      expect(ok.status).toBe(200);
      // The challenge goes back as plain text, never as a page a browser would run.
      expect(ok.headers.get('content-type')).toMatch(/^text\/plain/);
    });
  });

  describe('tool arguments from the model', () => {
    const TRAVERSALS: Array<[name: string, args: Record<string, unknown>]> = [
      ['get_file', { owner: 'octo', repo: 'demo', path: '../../etc/passwd' }],
      ['get_file', { owner: 'octo', repo: 'demo', path: 'docs/../../../etc/passwd' }],
      ['get_file', { owner: 'octo', repo: 'demo', path: '/etc/passwd' }],
      ['get_file', { owner: 'octo', repo: 'demo', path: '..\\..\\etc\\passwd' }],
      ['get_file', { owner: 'octo', repo: 'demo', path: 'docs/./a.md' }],
      ['get_file', { owner: 'octo', repo: 'demo', path: 'docs//a.md' }],
      ['get_file', { owner: 'octo', repo: 'demo', path: 'README.md\u0000.png' }],
      ['get_file', { owner: 'octo', repo: 'demo', path: 'a/..' }],
      ['get_file', { owner: 'octo', repo: 'demo', ref: '../../heads/main' }],
      ['get_file', { owner: 'octo', repo: 'demo', ref: 'main%2f..%2f..' }],
      ['get_file', { owner: '..', repo: 'demo' }],
      ['get_file', { owner: 'octo', repo: '..' }],
      ['get_file', { owner: 'octo/../..', repo: 'demo' }],
      ['get_file', { owner: 'octo', repo: '../../users/octo' }],
      ['create_issue', { owner: 'octo', repo: '../demo', title: 'x' }],
      ['create_issue', { owner: '../octo', repo: 'demo', title: 'x' }],
    ];
    /** Accepted by validation (they are names, not dots), so they must reach GitHub as literal names. */
    const ENCODED: Array<Record<string, unknown>> = [
      { owner: 'octo', repo: 'demo', path: '%2e%2e/%2e%2e/etc/passwd' },
      { owner: 'octo', repo: 'demo', path: 'docs/%2E%2E/%2E%2E/x' },
      { owner: 'octo', repo: 'demo', path: '.%2e/x' },
      { owner: 'octo', repo: 'demo', path: 'docs/%252e%252e/x' },
    ];

    async function askWithTools(calls: Array<{ id: string; name: string; arguments: string }>): Promise<{ error?: string }[]> {
      suite.fake.reset();
      suite.fake.enqueue({ kind: 'tool_calls', calls });
      const key = await createApiKey(gateway);
      const reply = await call(gateway, { method: 'POST', url: '/api/chat', headers: { authorization: `Bearer ${key}`, 'x-user-id': 'tools' }, payload: { message: 'read it' } });
      expect(reply.status).toBe(200);
      return toolResults(suite.fake.requests[1]!);
    }

    it('path traversal in any argument is refused by validation and never reaches GitHub', async () => {
      github.reset();
      const results: { error?: string }[] = [];
      for (let i = 0; i < TRAVERSALS.length; i += 8) {
        const batch = TRAVERSALS.slice(i, i + 8).map(([name, args], j) => ({ id: `call_${i + j}`, name, arguments: JSON.stringify(args) }));
        results.push(...(await askWithTools(batch)));
      }
      expect(results.map((r, i) => [TRAVERSALS[i]![1], r.error?.replace(/:.*/, '')])).toEqual(TRAVERSALS.map(([name, args]) => [args, `invalid arguments for ${name}`]));
      expect(github.calls).toEqual([]);
    });

    it('percent-encoded dots pass validation as names and reach GitHub as literal names, never as ..', async () => {
      github.reset();
      await askWithTools(ENCODED.map((args, i) => ({ id: `call_${i}`, name: 'get_file', arguments: JSON.stringify(args) })));
      expect(github.calls).toHaveLength(ENCODED.length);
      for (const { path } of github.calls) {
        const segments = path.split('/');
        expect([path, segments.includes('..') || segments.includes('.')]).toEqual([path, false]);
        expect(path).toMatch(/^\/repos\/octo\/demo\/contents\//);
      }
    });
  });
});
