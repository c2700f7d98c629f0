import { z } from 'zod';

/** The envelope fields Threadline reads; Slack sends more, and adds fields over time. */
export const SlackEnvelope = z.union([
  z.object({ type: z.literal('url_verification'), challenge: z.string().min(1).max(512) }),
  z.object({
    type: z.literal('event_callback'),
    team_id: z.string().min(1),
    event_id: z.string().min(1),
    event_time: z.number().optional(),
    authorizations: z.array(z.object({ user_id: z.string().optional() })).optional(),
    event: z.object({ type: z.string() }).passthrough(),
  }),
  z.object({ type: z.string() }),
]);
export type SlackEnvelope = z.infer<typeof SlackEnvelope>;

const SlackMessageEvent = z.object({
  type: z.enum(['app_mention', 'message']),
  subtype: z.string().optional(),
  user: z.string().optional(),
  bot_id: z.string().optional(),
  text: z.string().optional(),
  channel: z.string().optional(),
  channel_type: z.string().optional(),
  ts: z.string().optional(),
  thread_ts: z.string().optional(),
});

/** A user's text the bot should answer, once the thread check (if any) passes. */
export interface SlackInbound {
  team: string;
  channel: string;
  user: string;
  text: string;
  ts: string;
  /** the thread's root: where the answer goes, and the session key's last part */
  root: string;
  via: 'mention' | 'dm' | 'thread';
}

export type SlackClassification = { kind: 'answer'; inbound: SlackInbound } | { kind: 'ignore'; reason: string };

/** Message subtypes that are still a person's new text (anything else is an edit, a join, a bot...). */
const USER_TEXT_SUBTYPES = new Set(['thread_broadcast', 'file_share']);

/**
 * Which events are for the bot (DESIGN §3, seed 004): a mention, a direct message, or a
 * reply in a thread; a thread reply counts only where the bot already holds a session
 * (`via: 'thread'`, checked by the caller). Bots (the bot itself included), edits and
 * other subtypes are ignored.
 */
export function classifySlackEvent(team: string, rawEvent: unknown, botUserId: string | null): SlackClassification {
  const parsed = SlackMessageEvent.safeParse(rawEvent);
  if (!parsed.success) return { kind: 'ignore', reason: 'not a message event' };
  const event = parsed.data;
  if (event.bot_id || (botUserId && event.user === botUserId)) return { kind: 'ignore', reason: 'sent by a bot' };
  if (event.subtype && !USER_TEXT_SUBTYPES.has(event.subtype)) return { kind: 'ignore', reason: `subtype ${event.subtype}` };
  if (!event.user || !event.channel || !event.ts) return { kind: 'ignore', reason: 'no user, channel or ts' };
  const isReply = event.thread_ts !== undefined && event.thread_ts !== event.ts;
  let via: SlackInbound['via'];
  if (event.type === 'app_mention') via = 'mention';
  else if (event.channel_type === 'im') via = 'dm';
  else if (isReply) via = 'thread';
  else return { kind: 'ignore', reason: 'a channel message not addressed to the bot' };
  const text = slackTextToPlain(event.text ?? '', botUserId, via === 'mention');
  // A bare mention gets a hint; a file shared without words is not addressed to the bot.
  if (!text && via !== 'mention') return { kind: 'ignore', reason: 'no text' };
  return { kind: 'answer', inbound: { team, channel: event.channel, user: event.user, text, ts: event.ts, root: event.thread_ts ?? event.ts, via } };
}

/**
 * What the model should read: the bot's own mention removed, Slack's link syntax and
 * its three HTML entities undone. Without a known bot id, a leading mention in an
 * `app_mention` is taken to be the bot's.
 */
export function slackTextToPlain(text: string, botUserId: string | null, isMention: boolean): string {
  let plain = text;
  if (botUserId) plain = plain.replaceAll(new RegExp(`<@${escapeRegExp(botUserId)}(\\|[^>]*)?> ?`, 'g'), '');
  else if (isMention) plain = plain.replace(/^\s*<@[UW][A-Z0-9]+(\|[^>]*)?> ?/, '');
  plain = plain.replace(/<((?:https?|mailto):[^|>]+)(?:\|([^>]+))?>/g, (_, url: string, label?: string) => (label && label !== url ? `${label} (${url})` : url));
  plain = plain.replace(/<#[CG][A-Z0-9]+\|([^>]+)>/g, '#$1');
  return plain.replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&').trim();
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The session key of DESIGN §3: `{team}:{channel}:{thread_ts or ts}`. */
export function slackSessionKey(inbound: Pick<SlackInbound, 'team' | 'channel' | 'root'>): string {
  return `${inbound.team}:${inbound.channel}:${inbound.root}`;
}
