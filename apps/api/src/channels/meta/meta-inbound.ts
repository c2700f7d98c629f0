import { z } from 'zod';
import { ID_CONTROL_CHARS } from '@api/common/validate.js';

/** One message from a Messenger or WhatsApp user, whatever its wire shape. */
export type MetaInbound = {
  /** the page id (Messenger) or phone number id (WhatsApp) that received it */
  accountId: string;
  senderId: string;
  /** mid / wamid: what duplicate deliveries share */
  messageId: string;
} & ({ kind: 'text'; text: string } | { kind: 'unsupported'; what: string });

/** The session key of DESIGN §3: `{pageOrPhoneId}:{senderId}`, one thread per sender. */
export function metaSessionKey(inbound: Pick<MetaInbound, 'accountId' | 'senderId'>): string {
  return `${inbound.accountId}:${inbound.senderId}`;
}

const NAMES: Record<string, string> = {
  image: 'images',
  sticker: 'stickers',
  audio: 'voice messages or audio',
  voice: 'voice messages or audio',
  video: 'videos',
  file: 'files',
  document: 'files',
  location: 'locations',
  contacts: 'contact cards',
  fallback: 'shared links or posts',
  template: 'cards',
};

/** The answer to something other than text: the bot cannot read it, and says so kindly. */
export function unsupportedNotice(what: string): string {
  // Own keys only: a type called "constructor" must not print Object's source to the user.
  const name = Object.hasOwn(NAMES, what) ? NAMES[what]! : 'that kind of message';
  return `Sorry, I can only read text messages, so I can't open ${name}. Could you tell me in words what you need?`;
}

/**
 * A page, sender, phone number or message id as Meta sends them. Anything with control
 * characters is not one: such an event is left out rather than carried into session
 * keys and the database (where a NUL would fail the whole delivery).
 */
export const MetaId = z
  .string()
  .min(1)
  .max(256)
  .refine((id) => !ID_CONTROL_CHARS.test(id), 'must not contain control characters');
