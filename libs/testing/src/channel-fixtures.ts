// Webhook payloads in the shapes Slack and Meta document, and the signatures they send
// with them, for tests that play the provider's side of a webhook.
import { createHmac } from 'node:crypto';

let sequence = 0;
const nextId = (prefix: string) => `${prefix}${Date.now().toString(36).toUpperCase()}${(++sequence).toString(36).toUpperCase().padStart(4, '0')}`;

// ---------------------------------------------------------------------------- Slack

export interface SlackMessageInput {
  /** app_mention, or message (channel messages, thread replies, DMs) */
  type?: 'app_mention' | 'message';
  user: string;
  text: string;
  channel?: string;
  /** the message's own ts; a fresh one when omitted */
  ts?: string;
  /** the thread root, for a reply */
  threadTs?: string;
  /** channel, group, im or mpim (message events only) */
  channelType?: string;
  subtype?: string;
  botId?: string;
  team?: string;
}

/** A Slack message ts: seconds.micro, unique within the process. */
export function slackTs(): string {
  sequence += 1;
  return `${Math.floor(Date.now() / 1000)}.${String(sequence % 1_000_000).padStart(6, '0')}`;
}

/** The inner `event` of an app_mention or message event. */
export function slackMessageEvent(input: SlackMessageInput): Record<string, unknown> {
  const ts = input.ts ?? slackTs();
  const type = input.type ?? 'message';
  return {
    type,
    ...(input.subtype ? { subtype: input.subtype } : {}),
    user: input.user,
    text: input.text,
    ts,
    client_msg_id: nextId('msg-'),
    team: input.team ?? 'T0000001',
    channel: input.channel ?? 'C0000001',
    event_ts: ts,
    ...(input.threadTs ? { thread_ts: input.threadTs, parent_user_id: 'U00000000' } : {}),
    ...(type === 'message' ? { channel_type: input.channelType ?? 'channel' } : {}),
    ...(input.botId ? { bot_id: input.botId, bot_profile: { id: input.botId, name: 'some bot' } } : {}),
    blocks: [{ type: 'rich_text', block_id: 'b1', elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text: input.text }] }] }],
  };
}

export interface SlackEnvelopeInput {
  event: Record<string, unknown>;
  teamId?: string;
  eventId?: string;
  eventTime?: number;
  /** the app's bot user, listed in `authorizations` as Slack does */
  botUserId?: string;
}

/** An Events API `event_callback` envelope. */
export function slackEventEnvelope(input: SlackEnvelopeInput): Record<string, unknown> {
  const teamId = input.teamId ?? 'T0000001';
  return {
    token: 'legacy-verification-token',
    team_id: teamId,
    api_app_id: 'AFAKE0001',
    event: input.event,
    type: 'event_callback',
    event_id: input.eventId ?? nextId('Ev'),
    event_time: input.eventTime ?? Math.floor(Date.now() / 1000),
    authorizations: [{ enterprise_id: null, team_id: teamId, user_id: input.botUserId ?? 'UBOT0001', is_bot: true, is_enterprise_install: false }],
    is_ext_shared_channel: false,
    event_context: nextId('4-'),
  };
}

/** The `url_verification` request Slack sends when the Request URL is saved. */
export function slackUrlVerification(challenge: string): Record<string, unknown> {
  return { token: 'legacy-verification-token', challenge, type: 'url_verification' };
}

/** Headers Slack signs a request with: v0 HMAC-SHA256 of `v0:{timestamp}:{body}`. */
export function signSlackRequest(body: string, signingSecret: string, timestampSeconds = Math.floor(Date.now() / 1000)): Record<string, string> {
  const timestamp = String(timestampSeconds);
  const signature = `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  return { 'content-type': 'application/json', 'x-slack-request-timestamp': timestamp, 'x-slack-signature': signature };
}

// ------------------------------------------------------------------------ Messenger

export interface MessengerMessageInput {
  pageId: string;
  senderId: string;
  text?: string;
  mid?: string;
  /** attachments instead of text: image, audio, video, file, location, fallback */
  attachment?: 'image' | 'audio' | 'video' | 'file' | 'location' | 'fallback';
  sticker?: boolean;
  timestamp?: number;
}

/** One `messaging` item: a user's message to the page. */
export function messengerMessaging(input: MessengerMessageInput): Record<string, unknown> {
  const timestamp = input.timestamp ?? Date.now();
  const mid = input.mid ?? `m_${nextId('')}`;
  let message: Record<string, unknown>;
  if (input.sticker) message = { mid, sticker_id: 369239263222822, attachments: [{ type: 'image', payload: { url: 'https://scontent.example/sticker.png', sticker_id: 369239263222822 } }] };
  else if (input.attachment === 'location') message = { mid, attachments: [{ type: 'location', payload: { coordinates: { lat: 52.52, long: 13.405 } } }] };
  else if (input.attachment) message = { mid, attachments: [{ type: input.attachment, payload: { url: `https://scontent.example/${input.attachment}` } }] };
  else message = { mid, text: input.text ?? '' };
  return { sender: { id: input.senderId }, recipient: { id: input.pageId }, timestamp, message };
}

/** A Messenger webhook delivery: `{ object: 'page', entry: [{ id, time, messaging }] }`. */
export function messengerPayload(...messaging: Array<Record<string, unknown>>): Record<string, unknown> {
  const byPage = new Map<string, Array<Record<string, unknown>>>();
  for (const item of messaging) {
    const pageId = (item.recipient as { id: string }).id;
    byPage.set(pageId, [...(byPage.get(pageId) ?? []), item]);
  }
  return { object: 'page', entry: [...byPage].map(([id, items]) => ({ id, time: Date.now(), messaging: items })) };
}

// ------------------------------------------------------------------------- WhatsApp

export interface WhatsAppMessageInput {
  from: string;
  text?: string;
  /** wamid; a fresh one when omitted */
  id?: string;
  /** a non-text message: image, sticker, audio, video, document, location, contacts, reaction */
  type?: string;
  name?: string;
}

/** One item of `value.messages`. */
export function whatsappMessage(input: WhatsAppMessageInput): Record<string, unknown> {
  const id = input.id ?? `wamid.${Buffer.from(nextId('')).toString('base64')}`;
  const type = input.type ?? 'text';
  const base = { from: input.from, id, timestamp: String(Math.floor(Date.now() / 1000)), type };
  switch (type) {
    case 'text':
      return { ...base, text: { body: input.text ?? '' } };
    case 'location':
      return { ...base, location: { latitude: 52.52, longitude: 13.405, name: 'Somewhere' } };
    case 'reaction':
      return { ...base, reaction: { message_id: 'wamid.earlier', emoji: '👍' } };
    default:
      return { ...base, [type]: { id: nextId('media-'), mime_type: 'application/octet-stream', sha256: 'c2hh' } };
  }
}

/** A WhatsApp Cloud API delivery to one business number. */
export function whatsappPayload(phoneNumberId: string, ...messages: Array<Record<string, unknown>>): Record<string, unknown> {
  const senders = messages.map((m) => m.from).filter((from): from is string => typeof from === 'string');
  const contacts = [...new Set(senders)].map((waId) => ({ profile: { name: `User ${waId.slice(-4)}` }, wa_id: waId }));
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: 'WABA0000001',
        changes: [
          {
            field: 'messages',
            value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '15550001111', phone_number_id: phoneNumberId }, contacts, messages },
          },
        ],
      },
    ],
  };
}

/** The `X-Hub-Signature-256` Meta sends: HMAC-SHA256 of the body with the app secret. */
export function signMetaRequest(body: string, appSecret: string): Record<string, string> {
  return { 'content-type': 'application/json', 'x-hub-signature-256': `sha256=${createHmac('sha256', appSecret).update(body).digest('hex')}` };
}

// -------------------------------------------------------------------------- waiting

/**
 * Polls `check` until it returns something other than undefined/false, or throws after
 * `timeoutMs` with `what` in the message: for effects that happen after a webhook's 200.
 */
export async function waitUntil<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
