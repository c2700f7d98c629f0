import {
  FakeGraph,
  FakeOpenAI,
  messengerMessaging,
  messengerPayload,
  signMetaRequest,
  waitUntil,
  whatsappMessage,
  whatsappPayload,
} from '@threadline/testing';
import type { SessionSummaryDto } from '@threadline/contracts';
import { WebhookWork } from '../src/channels/webhooks/webhook-work.js';
import { Database } from '../src/storage/database.js';
import { backends } from './backends.js';
import { masterAuth, provisionStorage, startGateway, upstreamContents, type Gateway, type StorageHandle } from './harness.js';

const MESSENGER_SECRET = 'messenger-app-secret-for-tests';
const WHATSAPP_SECRET = 'whatsapp-app-secret-for-tests';
const GRAPH_TOKEN = 'EAAG-test-token';
const PAGE = '104000000000001';
const PHONE = '106000000000001';

describe.each(backends())('Messenger and WhatsApp channels (%s)', (backend) => {
  let fake: FakeOpenAI;
  let graph: FakeGraph;
  let storage: StorageHandle;
  let gateway: Gateway;
  let senders = 0;

  beforeAll(async () => {
    fake = await FakeOpenAI.start();
    graph = await FakeGraph.start({ token: GRAPH_TOKEN });
    storage = await provisionStorage(backend);
    gateway = await startGateway({
      storage,
      fake,
      env: {
        MESSENGER_APP_SECRET: MESSENGER_SECRET,
        MESSENGER_VERIFY_TOKEN: 'messenger-verify',
        MESSENGER_PAGE_TOKEN: GRAPH_TOKEN,
        WHATSAPP_APP_SECRET: WHATSAPP_SECRET,
        WHATSAPP_VERIFY_TOKEN: 'whatsapp-verify',
        WHATSAPP_TOKEN: GRAPH_TOKEN,
        GRAPH_API_URL: graph.baseURL,
      },
    });
  });
  afterAll(async () => {
    await gateway?.close();
    await graph?.close();
    await fake?.close();
    await storage?.dispose();
  });
  beforeEach(async () => {
    await settled();
    fake.reset();
    graph.reset();
  });

  const settled = () => gateway.app.get(WebhookWork).settled();
  const newSender = () => `${2_400_000_000_000 + ++senders}`;
  const deliver = (path: 'messenger' | 'whatsapp', payload: unknown, secret = path === 'messenger' ? MESSENGER_SECRET : WHATSAPP_SECRET) => {
    const raw = JSON.stringify(payload);
    return gateway.request('POST', `/webhooks/${path}`, { raw, headers: signMetaRequest(raw, secret) });
  };
  const repliesTo = (product: 'messenger' | 'whatsapp', sender: string, count: number) =>
    waitUntil(`${count} ${product} replies to ${sender}`, () => {
      const texts = graph.texts(product, sender);
      return texts.length >= count ? texts : undefined;
    });
  const sessionsOf = async (channel: string, key: string): Promise<SessionSummaryDto[]> =>
    ((await gateway.request('GET', `/api/admin/sessions?channel=${channel}&limit=200`, { headers: masterAuth })).body.sessions as SessionSummaryDto[]).filter((s) => s.key === key);
  const webhookEventCount = async () => Number((await gateway.app.get(Database).query<{ n: string }>('SELECT count(*) AS n FROM webhook_events')).rows[0]!.n);

  describe('Messenger', () => {
    const text = (sender: string, body: string, mid?: string) => messengerPayload(messengerMessaging({ pageId: PAGE, senderId: sender, text: body, mid }));

    it('answers the verify-token handshake, and refuses a wrong token with 403', async () => {
      const ok = await gateway.request('GET', '/webhooks/messenger?hub.mode=subscribe&hub.verify_token=messenger-verify&hub.challenge=1158201444');
      expect(ok.status).toBe(200);
      expect(ok.text).toBe('1158201444');
      expect(ok.headers.get('content-type')).toContain('text/plain');
      const wrong = await gateway.request('GET', '/webhooks/messenger?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1158201444');
      expect(wrong.status).toBe(403);
      expect(wrong.body.error.code).toBe('forbidden');
      // the other channel's token is not this one's
      expect((await gateway.request('GET', '/webhooks/messenger?hub.mode=subscribe&hub.verify_token=whatsapp-verify&hub.challenge=1')).status).toBe(403);
      expect((await gateway.request('GET', '/webhooks/messenger?hub.mode=unsubscribe&hub.verify_token=messenger-verify&hub.challenge=1')).status).toBe(403);
    });

    it("reuses the sender's session: the second message is answered with the first in memory", async () => {
      const sender = newSender();
      const first = await deliver('messenger', text(sender, 'My name is Mike'));
      expect(first.status).toBe(200);
      expect(first.text).toBe('EVENT_RECEIVED');
      expect(await repliesTo('messenger', sender, 1)).toEqual(['Echo: My name is Mike']);
      await deliver('messenger', text(sender, "What's my name?"));
      expect(await repliesTo('messenger', sender, 2)).toEqual(['Echo: My name is Mike', "Echo: What's my name?"]);
      expect(upstreamContents(fake, 1)).toEqual([expect.stringMatching(/^system: /), 'user: My name is Mike', 'assistant: Echo: My name is Mike', "user: What's my name?"]);

      const sessions = await sessionsOf('messenger', `${PAGE}:${sender}`);
      expect(sessions).toHaveLength(1);
      expect(sessions[0]).toMatchObject({ status: 'active', messageCount: 4, participants: [sender], endUserId: sender });
      const send = graph.calls.find((c) => c.text === "Echo: What's my name?")!;
      expect(send).toMatchObject({ accountId: PAGE, authorization: `Bearer ${GRAPH_TOKEN}`, body: { recipient: { id: sender }, messaging_type: 'RESPONSE', message: { text: "Echo: What's my name?" } } });
      // "typing" goes out before each answer
      expect(graph.calls.filter((c) => c.body.sender_action === 'typing_on' && c.recipient === sender)).toHaveLength(2);
    });

    it('answers a duplicate delivery (same mid) once', async () => {
      const sender = newSender();
      const payload = text(sender, 'only once please', `m_dup_${sender}`);
      await deliver('messenger', payload);
      await repliesTo('messenger', sender, 1);
      const again = await deliver('messenger', payload);
      expect(again.status).toBe(200);
      await Promise.all([deliver('messenger', payload), deliver('messenger', payload)]);
      await settled();
      expect(graph.texts('messenger', sender)).toEqual(['Echo: only once please']);
      expect(fake.requests).toHaveLength(1);
    });

    it('answers images, stickers and locations with a polite notice, without the model', async () => {
      const sender = newSender();
      await deliver('messenger', messengerPayload(messengerMessaging({ pageId: PAGE, senderId: sender, attachment: 'image' })));
      await deliver('messenger', messengerPayload(messengerMessaging({ pageId: PAGE, senderId: sender, sticker: true })));
      await deliver('messenger', messengerPayload(messengerMessaging({ pageId: PAGE, senderId: sender, attachment: 'location' })));
      // three deliveries are answered concurrently: their order is not fixed
      const notices = [...(await repliesTo('messenger', sender, 3))].sort();
      expect(notices).toEqual([
        "Sorry, I can only read text messages, so I can't open images. Could you tell me in words what you need?",
        expect.stringContaining("can't open locations."),
        expect.stringContaining("can't open stickers."),
      ]);
      expect(fake.requests).toHaveLength(0);
    });

    it("ignores the page's own echoes and delivery receipts", async () => {
      const sender = newSender();
      const echo = { sender: { id: PAGE }, recipient: { id: sender }, timestamp: Date.now(), message: { mid: 'm_echo', is_echo: true, text: 'an echo' } };
      const receipt = { sender: { id: sender }, recipient: { id: PAGE }, timestamp: Date.now(), delivery: { mids: ['m_x'], watermark: Date.now() } };
      const raw = JSON.stringify({ object: 'page', entry: [{ id: PAGE, time: Date.now(), messaging: [echo, receipt] }] });
      expect((await gateway.request('POST', '/webhooks/messenger', { raw, headers: signMetaRequest(raw, MESSENGER_SECRET) })).status).toBe(200);
      await settled();
      expect(graph.calls).toHaveLength(0);
      expect(fake.requests).toHaveLength(0);
    });

    it('splits a long answer into messages of at most 2000 characters', async () => {
      const long = Array.from({ length: 900 }, (_, i) => `word${i}`).join(' ');
      fake.enqueue({ kind: 'text', text: long, chunkSize: 50 });
      const sender = newSender();
      await deliver('messenger', text(sender, 'tell me a lot'));
      await waitUntil('the whole long answer', () => graph.texts('messenger', sender).join(' ') === long);
      const pieces = graph.texts('messenger', sender);
      expect(pieces.length).toBeGreaterThan(2);
      for (const piece of pieces) expect(piece.length).toBeLessThanOrEqual(2000);
    });

    it('refuses a forged or missing signature and stores nothing', async () => {
      const sender = newSender();
      const eventsBefore = await webhookEventCount();
      const payload = text(sender, 'forged');
      const raw = JSON.stringify(payload);
      const forged = await deliver('messenger', payload, 'not-the-secret');
      const otherApp = await deliver('messenger', payload, WHATSAPP_SECRET);
      const missing = await gateway.request('POST', '/webhooks/messenger', { raw });
      const tampered = await gateway.request('POST', '/webhooks/messenger', { raw: raw.replace('forged', 'forgeD'), headers: signMetaRequest(raw, MESSENGER_SECRET) });
      expect([forged.status, otherApp.status, missing.status, tampered.status]).toEqual([403, 403, 401, 403]);
      expect(forged.body).toEqual({ error: { code: 'forbidden', message: 'X-Hub-Signature-256 does not match the request' } });
      expect(missing.body.error.code).toBe('unauthorized');
      await settled();
      expect(fake.requests).toHaveLength(0);
      expect(graph.calls).toHaveLength(0);
      expect(await sessionsOf('messenger', `${PAGE}:${sender}`)).toHaveLength(0);
      expect(await webhookEventCount()).toBe(eventsBefore);
    });

    it('answers several messages from one sender in one delivery in order', async () => {
      const sender = newSender();
      const payload = messengerPayload(
        messengerMessaging({ pageId: PAGE, senderId: sender, text: 'one' }),
        messengerMessaging({ pageId: PAGE, senderId: sender, text: 'two' }),
        messengerMessaging({ pageId: PAGE, senderId: sender, text: 'three' }),
      );
      await deliver('messenger', payload);
      expect(await repliesTo('messenger', sender, 3)).toEqual(['Echo: one', 'Echo: two', 'Echo: three']);
      expect(upstreamContents(fake, 2).slice(1)).toEqual(['user: one', 'assistant: Echo: one', 'user: two', 'assistant: Echo: two', 'user: three']);
    });
  });

  describe('WhatsApp', () => {
    const text = (sender: string, body: string, id?: string) => whatsappPayload(PHONE, whatsappMessage({ from: sender, text: body, id }));

    it('answers the verify-token handshake, and refuses a wrong token with 403', async () => {
      const ok = await gateway.request('GET', '/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=whatsapp-verify&hub.challenge=abc123');
      expect([ok.status, ok.text]).toEqual([200, 'abc123']);
      const wrong = await gateway.request('GET', '/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=messenger-verify&hub.challenge=abc123');
      expect(wrong.status).toBe(403);
      expect((await gateway.request('GET', '/webhooks/whatsapp')).status).toBe(403);
    });

    it("reuses the sender's session: the second message is answered with the first in memory", async () => {
      const sender = newSender();
      await deliver('whatsapp', text(sender, 'My name is Mike'));
      await repliesTo('whatsapp', sender, 1);
      await deliver('whatsapp', text(sender, "What's my name?"));
      expect(await repliesTo('whatsapp', sender, 2)).toEqual(['Echo: My name is Mike', "Echo: What's my name?"]);
      expect(upstreamContents(fake, 1)).toEqual([expect.stringMatching(/^system: /), 'user: My name is Mike', 'assistant: Echo: My name is Mike', "user: What's my name?"]);
      const sessions = await sessionsOf('whatsapp', `${PHONE}:${sender}`);
      expect(sessions).toHaveLength(1);
      expect(sessions[0]).toMatchObject({ status: 'active', messageCount: 4, participants: [sender] });
      expect(graph.calls.at(-1)).toMatchObject({
        accountId: PHONE,
        authorization: `Bearer ${GRAPH_TOKEN}`,
        body: { messaging_product: 'whatsapp', to: sender, type: 'text', text: { body: "Echo: What's my name?" } },
      });
    });

    it('answers a duplicate delivery (same wamid) once', async () => {
      const sender = newSender();
      const payload = text(sender, 'once', `wamid.dup${sender}`);
      await Promise.all([deliver('whatsapp', payload), deliver('whatsapp', payload)]);
      await repliesTo('whatsapp', sender, 1);
      await deliver('whatsapp', payload);
      await settled();
      expect(graph.texts('whatsapp', sender)).toEqual(['Echo: once']);
      expect(fake.requests).toHaveLength(1);
    });

    it('answers an image or a voice note with a polite notice and ignores reactions and status updates', async () => {
      const sender = newSender();
      await deliver('whatsapp', whatsappPayload(PHONE, whatsappMessage({ from: sender, type: 'image' }), whatsappMessage({ from: sender, type: 'reaction' })));
      await deliver('whatsapp', whatsappPayload(PHONE, whatsappMessage({ from: sender, type: 'audio' })));
      const statuses = {
        object: 'whatsapp_business_account',
        entry: [{ id: 'WABA', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { phone_number_id: PHONE }, statuses: [{ id: 'wamid.s', status: 'delivered', recipient_id: sender }] } }] }],
      };
      expect((await deliver('whatsapp', statuses)).status).toBe(200);
      await repliesTo('whatsapp', sender, 2);
      await settled();
      const notices = [...graph.texts('whatsapp', sender)].sort();
      expect(notices).toEqual([expect.stringContaining("can't open images."), expect.stringContaining("can't open voice messages or audio.")]);
      expect(fake.requests).toHaveLength(0);
    });

    it('splits a long answer into messages of at most 4096 characters', async () => {
      const long = Array.from({ length: 1200 }, (_, i) => `word${i}`).join(' ');
      fake.enqueue({ kind: 'text', text: long, chunkSize: 50 });
      const sender = newSender();
      await deliver('whatsapp', text(sender, 'tell me a lot'));
      await waitUntil('the whole long answer', () => graph.texts('whatsapp', sender).join(' ') === long);
      const pieces = graph.texts('whatsapp', sender);
      expect(pieces.length).toBe(3);
      for (const piece of pieces) expect(piece.length).toBeLessThanOrEqual(4096);
    });

    it('refuses a forged or missing signature and stores nothing', async () => {
      const sender = newSender();
      const eventsBefore = await webhookEventCount();
      const payload = text(sender, 'forged');
      const forged = await deliver('whatsapp', payload, MESSENGER_SECRET);
      const missing = await gateway.request('POST', '/webhooks/whatsapp', { raw: JSON.stringify(payload) });
      expect([forged.status, missing.status]).toEqual([403, 401]);
      await settled();
      expect(fake.requests).toHaveLength(0);
      expect(graph.calls).toHaveLength(0);
      expect(await sessionsOf('whatsapp', `${PHONE}:${sender}`)).toHaveLength(0);
      expect(await webhookEventCount()).toBe(eventsBefore);
    });
  });
});
