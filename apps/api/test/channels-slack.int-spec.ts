import {
  FakeOpenAI,
  FakeSlack,
  signSlackRequest,
  slackEventEnvelope,
  slackMessageEvent,
  slackTs,
  slackUrlVerification,
  waitUntil,
  type SlackMessageInput,
} from '@threadline/testing';
import type { SessionSummaryDto } from '@threadline/contracts';
import { WebhookEvents } from '../src/channels/webhooks/webhook-events.service.js';
import { WebhookWork } from '../src/channels/webhooks/webhook-work.js';
import { Database } from '../src/storage/database.js';
import { backends } from './backends.js';
import { masterAuth, provisionStorage, startGateway, upstreamContents, type Gateway, type StorageHandle } from './harness.js';

const SECRET = 'slack-signing-secret-for-tests';
const TOKEN = 'xoxb-test-token';
const TEAM = 'T0000001';
const CHANNEL = 'C0000001';
const BOT = 'UBOT0001';
const THINKING = '_Thinking…_';

describe.each(backends())('Slack channel (%s)', (backend) => {
  let fake: FakeOpenAI;
  let slack: FakeSlack;
  let storage: StorageHandle;
  let gateway: Gateway;

  beforeAll(async () => {
    fake = await FakeOpenAI.start();
    slack = await FakeSlack.start({ token: TOKEN, botUserId: BOT, teamId: TEAM });
    storage = await provisionStorage(backend);
    gateway = await startGateway({
      storage,
      fake,
      env: { SLACK_SIGNING_SECRET: SECRET, SLACK_BOT_TOKEN: TOKEN, SLACK_API_URL: slack.baseURL, SLACK_STAFF_USERS: 'UADMIN1,UADMIN2' },
    });
  });
  afterAll(async () => {
    await gateway?.close();
    await slack?.close();
    await fake?.close();
    await storage?.dispose();
  });
  beforeEach(async () => {
    await settled();
    fake.reset();
    slack.reset();
  });

  /** Every turn a webhook took on has finished (a sync point for asserting that nothing happened). */
  const settled = () => gateway.app.get(WebhookWork).settled();

  const deliver = (payload: unknown, options: { timestamp?: number; secret?: string; headers?: Record<string, string> } = {}) => {
    const raw = JSON.stringify(payload);
    return gateway.request('POST', '/webhooks/slack', { raw, headers: { ...signSlackRequest(raw, options.secret ?? SECRET, options.timestamp), ...options.headers } });
  };
  const event = (input: Partial<SlackMessageInput> & Pick<SlackMessageInput, 'user' | 'text'>) => slackEventEnvelope({ teamId: TEAM, botUserId: BOT, event: slackMessageEvent({ channel: CHANNEL, team: TEAM, ...input }) });
  const mention = (user: string, text: string, extra: Partial<SlackMessageInput> = {}) => event({ type: 'app_mention', user, text: `<@${BOT}> ${text}`, ...extra });
  const threadReply = (user: string, text: string, root: string, extra: Partial<SlackMessageInput> = {}) => event({ user, text, threadTs: root, ...extra });

  /** Waits until the bot's `index`-th message in the thread reads `text`. */
  const answerIn = (root: string, index: number, text: string | RegExp, channel = CHANNEL) =>
    waitUntil(`answer ${index} in thread ${root} to read ${String(text)}`, () => {
      const message = slack.thread(channel, root)[index];
      return message && (typeof text === 'string' ? message.text === text : text.test(message.text)) ? message : undefined;
    });

  const slackSessions = async (): Promise<SessionSummaryDto[]> => (await gateway.request('GET', '/api/admin/sessions?channel=slack&limit=200', { headers: masterAuth })).body.sessions;
  const webhookEventCount = async () => Number((await gateway.app.get(Database).query<{ n: string }>('SELECT count(*) AS n FROM webhook_events')).rows[0]!.n);
  const chatCalls = () => slack.calls.filter((c) => c.method.startsWith('chat.'));

  it('answers url_verification with the challenge', async () => {
    const reply = await deliver(slackUrlVerification('3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P'));
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P' });
  });

  it('keeps one session per thread with its memory, and records every participant', async () => {
    const root = slackTs();
    const first = await deliver(mention('U0000A', 'My name is Mike', { ts: root }));
    expect(first.status).toBe(200);
    await answerIn(root, 0, 'Echo: My name is Mike');

    await deliver(threadReply('U0000B', "What's my name?", root));
    await answerIn(root, 1, "Echo: What's my name?");
    expect(upstreamContents(fake, 1)).toEqual([expect.stringMatching(/^system: /), 'user: My name is Mike', 'assistant: Echo: My name is Mike', "user: What's my name?"]);

    const sessions = (await slackSessions()).filter((s) => s.key === `${TEAM}:${CHANNEL}:${root}`);
    expect(sessions).toHaveLength(1);
    expect(sessions[0]).toMatchObject({ status: 'active', participants: ['U0000A', 'U0000B'], messageCount: 4 });
    const transcript = await gateway.request('GET', `/api/admin/sessions/${sessions[0]!.id}`, { headers: masterAuth });
    expect(transcript.body.messages.map((m: { role: string; participant: string | null; content: string }) => [m.role, m.participant, m.content])).toEqual([
      ['user', 'U0000A', 'My name is Mike'],
      ['assistant', null, 'Echo: My name is Mike'],
      ['user', 'U0000B', "What's my name?"],
      ['assistant', null, "Echo: What's my name?"],
    ]);
  });

  it('posts the answer in the thread, then updates it with the whole text', async () => {
    const root = slackTs();
    await deliver(mention('U0000A', 'stream please', { ts: root }));
    const message = await answerIn(root, 0, 'Echo: stream please');
    const calls = chatCalls();
    expect(calls[0]).toMatchObject({ method: 'chat.postMessage', authorization: `Bearer ${TOKEN}`, body: { channel: CHANNEL, thread_ts: root, text: THINKING } });
    expect(calls.at(-1)).toMatchObject({ method: 'chat.update', body: { channel: CHANNEL, ts: message.ts, text: 'Echo: stream please' } });
    expect(calls.filter((c) => c.method === 'chat.postMessage')).toHaveLength(1);
    expect(message.history[0]).toBe(THINKING);
  });

  it('starts another session for a new top-level message', async () => {
    const firstRoot = slackTs();
    await deliver(mention('U0000A', 'Remember the word kiwi', { ts: firstRoot }));
    await answerIn(firstRoot, 0, 'Echo: Remember the word kiwi');
    const secondRoot = slackTs();
    await deliver(mention('U0000A', 'Which word?', { ts: secondRoot }));
    await answerIn(secondRoot, 0, 'Echo: Which word?');
    expect(upstreamContents(fake, 1)).toEqual([expect.stringMatching(/^system: /), 'user: Which word?']);
    const keys = (await slackSessions()).map((s) => s.key);
    expect(keys).toEqual(expect.arrayContaining([`${TEAM}:${CHANNEL}:${firstRoot}`, `${TEAM}:${CHANNEL}:${secondRoot}`]));
  });

  it('answers direct messages in a thread of the DM', async () => {
    const ts = slackTs();
    await deliver(event({ user: 'U0000C', text: 'hello in private', channel: 'D0000009', channelType: 'im', ts }));
    await answerIn(ts, 0, 'Echo: hello in private', 'D0000009');
    expect((await slackSessions()).some((s) => s.key === `${TEAM}:D0000009:${ts}`)).toBe(true);
  });

  it('ignores channel chatter, threads without a session, bots and edits', async () => {
    const root = slackTs();
    await deliver(mention('U0000A', 'open a thread', { ts: root }));
    await answerIn(root, 0, 'Echo: open a thread');
    fake.reset();
    slack.reset();
    const ignored = [
      event({ user: 'U0000A', text: 'just chatting in the channel' }),
      threadReply('U0000A', 'a reply in a thread the bot is not in', slackTs()),
      threadReply('U0000A', 'a bot talking', root, { botId: 'B0OTHER' }),
      threadReply(BOT, 'the bot itself', root),
      threadReply('U0000A', 'an edit', root, { subtype: 'message_changed' }),
      threadReply('U0000A', 'joined', root, { subtype: 'channel_join' }),
    ];
    for (const payload of ignored) expect((await deliver(payload)).status).toBe(200);
    await settled();
    expect(fake.requests).toHaveLength(0);
    expect(chatCalls()).toHaveLength(0);
  });

  it('answers a mention inside a session thread once, though Slack sends it as app_mention and as message', async () => {
    const root = slackTs();
    await deliver(mention('U0000A', 'first', { ts: root }));
    await answerIn(root, 0, 'Echo: first');
    const ts = slackTs();
    const text = `<@${BOT}> second`;
    await Promise.all([deliver(event({ type: 'app_mention', user: 'U0000B', text, ts, threadTs: root })), deliver(event({ user: 'U0000B', text, ts, threadTs: root }))]);
    await answerIn(root, 1, 'Echo: second');
    await settled();
    expect(slack.thread(CHANNEL, root)).toHaveLength(2);
    expect(fake.requests).toHaveLength(2);
  });

  it('answers a retried event once, whether the retry comes later or at the same time', async () => {
    const root = slackTs();
    const original = mention('U0000A', 'retry me', { ts: root });
    expect((await deliver(original)).status).toBe(200);
    await answerIn(root, 0, 'Echo: retry me');
    const retry = await deliver(original, { headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' } });
    expect(retry.status).toBe(200);
    await settled();
    expect(slack.thread(CHANNEL, root)).toHaveLength(1);
    expect(fake.requests).toHaveLength(1);

    const racingRoot = slackTs();
    const racing = mention('U0000A', 'race me', { ts: racingRoot });
    const replies = await Promise.all([deliver(racing), deliver(racing, { headers: { 'x-slack-retry-num': '1' } }), deliver(racing, { headers: { 'x-slack-retry-num': '2' } })]);
    expect(replies.map((r) => r.status)).toEqual([200, 200, 200]);
    await answerIn(racingRoot, 0, 'Echo: race me');
    await settled();
    expect(slack.thread(CHANNEL, racingRoot)).toHaveLength(1);
    expect(fake.requests).toHaveLength(2);
  });

  it('refuses forged, unsigned and stale requests and stores nothing', async () => {
    const sessionsBefore = (await slackSessions()).length;
    const eventsBefore = await webhookEventCount();
    const root = slackTs();
    const payload = mention('U0000A', 'let me in', { ts: root });
    const raw = JSON.stringify(payload);
    const now = Math.floor(Date.now() / 1000);

    const forged = await deliver(payload, { secret: 'not-the-secret' });
    const unsigned = await gateway.request('POST', '/webhooks/slack', { raw });
    const stale = await deliver(payload, { timestamp: now - 6 * 60 });
    const future = await deliver(payload, { timestamp: now + 6 * 60 });
    const tampered = await gateway.request('POST', '/webhooks/slack', { raw: raw.replace('let me in', 'let me in!'), headers: signSlackRequest(raw, SECRET) });
    for (const reply of [forged, unsigned, stale, future, tampered]) {
      expect(reply.status).toBe(401);
      expect(reply.body).toEqual({ error: { code: 'unauthorized', message: expect.stringMatching(/X-Slack-/) } });
    }
    expect(stale.body.error.message).toMatch(/5 minutes/);
    await settled();
    expect(fake.requests).toHaveLength(0);
    expect(chatCalls()).toHaveLength(0);
    expect((await slackSessions()).length).toBe(sessionsBefore);
    expect(await webhookEventCount()).toBe(eventsBefore);

    // the same event, signed properly, is then answered: nothing about it was recorded
    await deliver(payload);
    await answerIn(root, 0, 'Echo: let me in');
  });

  it('runs session info, clear session and all sessions (staff only) in a thread', async () => {
    const root = slackTs();
    await deliver(mention('U0000A', 'My name is Mike', { ts: root }));
    await answerIn(root, 0, 'Echo: My name is Mike');
    fake.reset();

    await deliver(threadReply('U0000B', 'session info', root));
    await answerIn(root, 1, /^Session \S+ \(slack\)/);
    expect(slack.thread(CHANNEL, root)[1]!.text).toContain('Participants: U0000A');

    await deliver(threadReply('U0000B', 'all sessions', root));
    await answerIn(root, 2, /staff only/);
    await deliver(threadReply('UADMIN2', 'all sessions', root));
    await answerIn(root, 3, /^Active sessions: \d+\n• slack: \d+ sessions/);

    await deliver(threadReply('U0000A', 'clear session', root));
    await answerIn(root, 4, /^Session cleared/);
    expect(fake.requests).toHaveLength(0);
    // commands are answered in one post, without the placeholder
    expect(slack.thread(CHANNEL, root).slice(1).every((m) => m.history.length === 1)).toBe(true);

    await deliver(threadReply('U0000A', "What's my name?", root));
    await answerIn(root, 5, "Echo: What's my name?");
    expect(upstreamContents(fake, 0)).toEqual([expect.stringMatching(/^system: /), "user: What's my name?"]);
    const sessions = (await slackSessions()).filter((s) => s.key === `${TEAM}:${CHANNEL}:${root}`);
    expect(sessions.map((s) => s.status).sort()).toEqual(['active', 'cleared']);
  });

  it('forgets recorded deliveries once no provider would resend them (a week)', async () => {
    const db = gateway.app.get(Database);
    const events = gateway.app.get(WebhookEvents);
    expect(await events.claim([{ provider: 'test', eventId: 'old' }, { provider: 'test', eventId: 'recent' }])).toBe(true);
    await db.query(`UPDATE webhook_events SET created_at = now() - interval '8 days' WHERE provider = 'test' AND event_id = 'old'`);
    await events.prune();
    const { rows } = await db.query<{ event_id: string }>(`SELECT event_id FROM webhook_events WHERE provider = 'test'`);
    expect(rows.map((r) => r.event_id)).toEqual(['recent']);
    // a forgotten id can be taken again; a remembered one cannot
    expect(await events.claim([{ provider: 'test', eventId: 'old' }])).toBe(true);
    expect(await events.claim([{ provider: 'test', eventId: 'recent' }])).toBe(false);
  });

  it('answers with the error when the model fails, in the same thread', async () => {
    fake.respondWith(() => ({ kind: 'error', status: 400, body: { error: { message: 'bad request', type: 'invalid_request_error' } } }));
    const root = slackTs();
    await deliver(mention('U0000A', 'this will fail', { ts: root }));
    await answerIn(root, 0, /^⚠️ .*Your message was saved/);
  });
});

describe.each(backends())('Slack channel shutdown (%s)', (backend) => {
  it('finishes and posts a turn it acknowledged before the app closes', async () => {
    const fake = await FakeOpenAI.start();
    const slack = await FakeSlack.start({ token: TOKEN, botUserId: BOT, teamId: TEAM });
    const storage = await provisionStorage(backend);
    const gateway = await startGateway({ storage, fake, env: { SLACK_SIGNING_SECRET: SECRET, SLACK_BOT_TOKEN: TOKEN, SLACK_API_URL: slack.baseURL } });
    let closed = false;
    try {
      fake.enqueue({ kind: 'text', text: 'an answer that takes a while to stream', delayMsPerChunk: 40 });
      const root = slackTs();
      const raw = JSON.stringify(slackEventEnvelope({ teamId: TEAM, botUserId: BOT, event: slackMessageEvent({ type: 'app_mention', user: 'U0000A', text: `<@${BOT}> take your time`, ts: root, channel: CHANNEL, team: TEAM }) }));
      expect((await gateway.request('POST', '/webhooks/slack', { raw, headers: signSlackRequest(raw, SECRET) })).status).toBe(200);
      await waitUntil('the turn to reach the model', () => fake.requests.length === 1);
      await gateway.close();
      closed = true;
      expect(slack.thread(CHANNEL, root).map((m) => m.text)).toEqual(['an answer that takes a while to stream']);
    } finally {
      if (!closed) await gateway.close();
      await slack.close();
      await fake.close();
      await storage.dispose();
    }
  });
});
