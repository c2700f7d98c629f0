import { z } from 'zod';
import { MetaId, type MetaInbound } from '@api/channels/meta/meta-inbound.js';

const WhatsAppMessage = z.object({
  from: MetaId,
  id: MetaId,
  type: z.string(),
  text: z.object({ body: z.string() }).optional(),
  button: z.object({ text: z.string().optional(), payload: z.string().optional() }).optional(),
  interactive: z
    .object({
      button_reply: z.object({ title: z.string() }).optional(),
      list_reply: z.object({ title: z.string() }).optional(),
    })
    .optional(),
});

const WhatsAppPayload = z.object({
  object: z.string(),
  entry: z.array(
    z.object({
      changes: z.array(
        z.object({
          field: z.string(),
          value: z
            .object({
              metadata: z.object({ phone_number_id: MetaId }).optional(),
              messages: z.array(z.unknown()).optional(),
            })
            .optional(),
        }),
      ),
    }),
  ),
});

/** Not messages to answer: a reaction to an earlier message, a number change notice. */
const SILENT_TYPES = new Set(['reaction', 'system', 'ephemeral', 'request_welcome']);

/**
 * The user messages in a WhatsApp Cloud API delivery (`object: 'whatsapp_business_account'`):
 * text, a tapped reply button or list row (its title), or something the bot cannot read.
 * Status updates (sent, delivered, read) and malformed entries are left out.
 */
export function parseWhatsAppPayload(body: unknown): MetaInbound[] {
  const payload = WhatsAppPayload.safeParse(body);
  if (!payload.success || payload.data.object !== 'whatsapp_business_account') return [];
  const inbound: MetaInbound[] = [];
  for (const change of payload.data.entry.flatMap((entry) => entry.changes)) {
    const phoneNumberId = change.value?.metadata?.phone_number_id;
    if (change.field !== 'messages' || !phoneNumberId) continue;
    for (const raw of change.value?.messages ?? []) {
      const parsed = WhatsAppMessage.safeParse(raw);
      if (!parsed.success || SILENT_TYPES.has(parsed.data.type)) continue;
      const message = parsed.data;
      const base = { accountId: phoneNumberId, senderId: message.from, messageId: message.id };
      const text = textOf(message);
      inbound.push(text ? { ...base, kind: 'text', text } : { ...base, kind: 'unsupported', what: message.type });
    }
  }
  return inbound;
}

function textOf(message: z.infer<typeof WhatsAppMessage>): string | null {
  const text =
    message.type === 'text' ? message.text?.body
    : message.type === 'button' ? (message.button?.text ?? message.button?.payload)
    : message.type === 'interactive' ? (message.interactive?.button_reply?.title ?? message.interactive?.list_reply?.title)
    : undefined;
  return text?.trim() ? text : null;
}
