import { z } from 'zod';
import { MetaId, type MetaInbound } from '@api/channels/meta/meta-inbound.js';

const MessagingEvent = z.object({
  sender: z.object({ id: MetaId }),
  recipient: z.object({ id: MetaId }),
  timestamp: z.number().optional(),
  message: z
    .object({
      mid: MetaId,
      text: z.string().optional(),
      is_echo: z.boolean().optional(),
      sticker_id: z.union([z.number(), z.string()]).optional(),
      attachments: z.array(z.object({ type: z.string() })).optional(),
    })
    .optional(),
  postback: z.object({ mid: MetaId.optional(), title: z.string().optional(), payload: z.string().optional() }).optional(),
});

const MessengerPayload = z.object({
  object: z.string(),
  entry: z.array(z.object({ id: z.string(), messaging: z.array(z.unknown()).optional() })),
});

/**
 * The user messages in a Messenger webhook delivery (`object: 'page'`): text, a tapped
 * button (its title), or something the bot cannot read. Echoes of the page's own
 * messages, delivery and read receipts, reactions and malformed events are left out.
 */
export function parseMessengerPayload(body: unknown): MetaInbound[] {
  const payload = MessengerPayload.safeParse(body);
  if (!payload.success || payload.data.object !== 'page') return [];
  const inbound: MetaInbound[] = [];
  for (const entry of payload.data.entry) {
    for (const raw of entry.messaging ?? []) {
      const parsed = MessagingEvent.safeParse(raw);
      if (!parsed.success) continue;
      const { sender, recipient, message, postback, timestamp } = parsed.data;
      const base = { accountId: recipient.id, senderId: sender.id };
      if (message) {
        if (message.is_echo) continue;
        if (message.text?.trim()) inbound.push({ ...base, messageId: message.mid, kind: 'text', text: message.text });
        else inbound.push({ ...base, messageId: message.mid, kind: 'unsupported', what: message.sticker_id !== undefined ? 'sticker' : (message.attachments?.[0]?.type ?? 'message') });
      } else if (postback) {
        const text = postback.title ?? postback.payload;
        if (text) inbound.push({ ...base, messageId: postback.mid ?? `postback:${sender.id}:${timestamp ?? text}`, kind: 'text', text });
      }
    }
  }
  return inbound;
}
