import { FakeOpenAI, FakeSlack, messengerMessaging, messengerPayload, signMetaRequest, signSlackRequest, slackEventEnvelope, slackMessageEvent, whatsappMessage, whatsappPayload } from '@threadline/testing';
import { backends } from './backends.js';
import { masterAuth, provisionStorage, startGateway, type Gateway, type StorageHandle } from './harness.js';

/** A channel without its secrets is off, says why, and its webhook refuses rather than run unchecked. */
describe.each(backends())('channels without their secrets (%s)', (backend) => {
  let fake: FakeOpenAI;
  let slack: FakeSlack;
  let storage: StorageHandle;
  let gateway: Gateway;

  beforeAll(async () => {
    fake = await FakeOpenAI.start();
    slack = await FakeSlack.start();
    storage = await provisionStorage(backend);
    // Slack has its signing secret but no bot token; Messenger has only a verify token; WhatsApp nothing.
    gateway = await startGateway({ storage, fake, env: { SLACK_SIGNING_SECRET: 'a-secret', SLACK_API_URL: slack.baseURL, MESSENGER_VERIFY_TOKEN: 'verify' } });
  });
  afterAll(async () => {
    await gateway?.close();
    await slack?.close();
    await fake?.close();
    await storage?.dispose();
  });

  it('lists them as off in /api/health, with the missing settings', async () => {
    const health = await gateway.request('GET', '/api/health');
    expect(health.body.channels).toMatchObject({
      web: { enabled: true },
      slack: { enabled: false, reason: 'SLACK_BOT_TOKEN is not set' },
      messenger: { enabled: false, reason: 'MESSENGER_APP_SECRET and MESSENGER_PAGE_TOKEN are not set' },
      whatsapp: { enabled: false, reason: 'WHATSAPP_APP_SECRET, WHATSAPP_VERIFY_TOKEN and WHATSAPP_TOKEN are not set' },
    });
  });

  it('refuses their webhooks with a clear 404, even for correctly signed requests', async () => {
    const slackRaw = JSON.stringify(slackEventEnvelope({ event: slackMessageEvent({ type: 'app_mention', user: 'U1', text: '<@UBOT0001> hi' }) }));
    const slackReply = await gateway.request('POST', '/webhooks/slack', { raw: slackRaw, headers: signSlackRequest(slackRaw, 'a-secret') });
    expect(slackReply.status).toBe(404);
    expect(slackReply.body).toEqual({ error: { code: 'not_found', message: 'the Slack channel is off: SLACK_BOT_TOKEN is not set (see README "Channels")' } });

    const handshake = await gateway.request('GET', '/webhooks/messenger?hub.mode=subscribe&hub.verify_token=verify&hub.challenge=42');
    expect(handshake.status).toBe(404);
    expect(handshake.body.error.message).toMatch(/^the Messenger channel is off: MESSENGER_APP_SECRET and MESSENGER_PAGE_TOKEN are not set/);

    const messengerRaw = JSON.stringify(messengerPayload(messengerMessaging({ pageId: 'P1', senderId: 'S1', text: 'hi' })));
    expect((await gateway.request('POST', '/webhooks/messenger', { raw: messengerRaw, headers: signMetaRequest(messengerRaw, 'anything') })).status).toBe(404);
    const whatsappRaw = JSON.stringify(whatsappPayload('PH1', whatsappMessage({ from: '15550002222', text: 'hi' })));
    const whatsappReply = await gateway.request('POST', '/webhooks/whatsapp', { raw: whatsappRaw, headers: signMetaRequest(whatsappRaw, 'anything') });
    expect(whatsappReply.status).toBe(404);
    expect(whatsappReply.body.error.message).toMatch(/^the WhatsApp channel is off/);

    expect(fake.requests).toHaveLength(0);
    expect(slack.calls).toHaveLength(0);
    const sessions = await gateway.request('GET', '/api/admin/sessions?limit=200', { headers: masterAuth });
    expect(sessions.body.sessions).toHaveLength(0);
  });
});
