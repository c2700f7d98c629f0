import { classifySlackEvent, slackSessionKey, slackTextToPlain, SlackEnvelope } from './slack-events.js';
import { markdownToSlack } from './slack-format.js';

const BOT = 'UBOT0001';
const base = { user: 'U1', channel: 'C1', ts: '1700000000.000200' };

describe('which Slack events the bot answers', () => {
  it('answers a mention, at the root of a new thread, without the mention', () => {
    const decision = classifySlackEvent('T1', { type: 'app_mention', ...base, text: `<@${BOT}> what is Threadline?` }, BOT);
    expect(decision).toEqual({
      kind: 'answer',
      inbound: { team: 'T1', channel: 'C1', user: 'U1', text: 'what is Threadline?', ts: base.ts, root: base.ts, via: 'mention' },
    });
    if (decision.kind === 'answer') expect(slackSessionKey(decision.inbound)).toBe('T1:C1:1700000000.000200');
  });

  it('keys a mention inside a thread by the thread root', () => {
    const decision = classifySlackEvent('T1', { type: 'app_mention', ...base, thread_ts: '1700000000.000100', text: `hey <@${BOT}>` }, BOT);
    expect(decision).toMatchObject({ kind: 'answer', inbound: { root: '1700000000.000100', text: 'hey', via: 'mention' } });
  });

  it('answers direct messages, and thread replies subject to the session check', () => {
    expect(classifySlackEvent('T1', { type: 'message', channel_type: 'im', ...base, channel: 'D1', text: 'hi' }, BOT)).toMatchObject({ kind: 'answer', inbound: { via: 'dm', root: base.ts } });
    expect(classifySlackEvent('T1', { type: 'message', channel_type: 'channel', ...base, thread_ts: '1700000000.000100', text: 'and then?' }, BOT)).toMatchObject({
      kind: 'answer',
      inbound: { via: 'thread', root: '1700000000.000100' },
    });
    expect(classifySlackEvent('T1', { type: 'message', subtype: 'thread_broadcast', channel_type: 'channel', ...base, thread_ts: '1700000000.000100', text: 'also to channel' }, BOT)).toMatchObject({
      kind: 'answer',
    });
  });

  it.each([
    ['a top-level channel message', { type: 'message', channel_type: 'channel', ...base, text: 'chatter' }],
    ['a thread parent (thread_ts = ts)', { type: 'message', channel_type: 'channel', ...base, thread_ts: base.ts, text: 'parent' }],
    ['another bot', { type: 'message', channel_type: 'im', ...base, bot_id: 'B2', text: 'beep' }],
    ['the bot itself', { type: 'message', channel_type: 'im', ...base, user: BOT, text: 'my answer' }],
    ['an edit', { type: 'message', subtype: 'message_changed', channel_type: 'im', channel: 'D1', ts: base.ts, message: { text: 'edited' } }],
    ['a deletion', { type: 'message', subtype: 'message_deleted', channel_type: 'im', channel: 'D1', ts: base.ts }],
    ['a join', { type: 'message', subtype: 'channel_join', channel_type: 'channel', ...base, thread_ts: '1', text: 'joined' }],
    ['a reaction', { type: 'reaction_added', user: 'U1', reaction: 'thumbsup' }],
    ['an event without a user', { type: 'app_mention', channel: 'C1', ts: base.ts, text: 'hi' }],
    ['a file shared without text', { type: 'message', subtype: 'file_share', channel_type: 'im', ...base, text: '', files: [{ id: 'F1' }] }],
  ])('ignores %s', (_, event) => {
    expect(classifySlackEvent('T1', event, BOT).kind).toBe('ignore');
  });
});

describe('Slack text for the model', () => {
  it('drops the bot mention, keeps other mentions and undoes links and entities', () => {
    expect(slackTextToPlain(`<@${BOT}> ask <@U2> about <https://example.com|the site> &amp; <#C9|general> &lt;3`, BOT, true)).toBe(
      'ask <@U2> about the site (https://example.com) & #general <3',
    );
    expect(slackTextToPlain('<https://example.com> <mailto:a@b.c|a@b.c>', BOT, false)).toBe('https://example.com a@b.c (mailto:a@b.c)');
  });

  it('keeps indentation in pasted code', () => {
    expect(slackTextToPlain(`<@${BOT}> fix this:\n    if x:\n        return 1`, BOT, true)).toBe('fix this:\n    if x:\n        return 1');
  });

  it('without a known bot id, takes a leading mention in an app_mention to be the bot', () => {
    expect(slackTextToPlain('<@U0BOT> hello <@U2>', null, true)).toBe('hello <@U2>');
    expect(slackTextToPlain('<@U0BOT> hello', null, false)).toBe('<@U0BOT> hello');
  });
});

describe('Slack envelopes', () => {
  it('reads url_verification and event_callback, and lets other types through as such', () => {
    expect(SlackEnvelope.parse({ type: 'url_verification', challenge: 'abc', token: 'x' })).toEqual({ type: 'url_verification', challenge: 'abc' });
    const callback = SlackEnvelope.parse({ type: 'event_callback', team_id: 'T1', event_id: 'Ev1', event_time: 1, event: { type: 'app_mention', text: 'x' } });
    expect(callback).toMatchObject({ type: 'event_callback', team_id: 'T1', event_id: 'Ev1', event: { type: 'app_mention', text: 'x' } });
    expect(SlackEnvelope.parse({ type: 'app_rate_limited', minute_rate_limited: 1 })).toEqual({ type: 'app_rate_limited' });
    expect(SlackEnvelope.safeParse({ no: 'type' }).success).toBe(false);
  });
});

describe('Markdown to Slack mrkdwn', () => {
  it('converts bold, italics, headings and links, and escapes &, < and >', () => {
    expect(markdownToSlack('# Title\n**bold** and *italic* and [docs](https://x.dev/a?b=1&c=2) for a < b & c')).toBe(
      '*Title*\n*bold* and _italic_ and <https://x.dev/a?b=1&amp;c=2|docs> for a &lt; b &amp; c',
    );
  });

  it('leaves code alone (but escaped) and arithmetic unstyled', () => {
    expect(markdownToSlack('`**x**` then\n```\nconst a = b ** 2 * c;\nif (a < 1) {}\n```\n2 * 3 * 4')).toBe('`**x**` then\n```\nconst a = b ** 2 * c;\nif (a &lt; 1) {}\n```\n2 * 3 * 4');
  });
});
