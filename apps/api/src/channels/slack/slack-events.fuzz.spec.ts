import fc from 'fast-check';
import { classifySlackEvent, slackSessionKey, slackTextToPlain, SlackEnvelope } from './slack-events.js';

// Property-based checks of the Slack envelope and event parsing: whatever a (signed) request
// holds, parsing never throws, and what it decides to answer is well formed.

const text = fc.string({ unit: 'binary', maxLength: 200 });
const id = fc.oneof(fc.constantFrom('U1', 'UBOT0001', 'C1', 'T1', '1700000000.000100'), text);
const slackish = fc.record(
  {
    type: fc.oneof(fc.constantFrom('app_mention', 'message'), text, fc.jsonValue()),
    subtype: fc.oneof(fc.constantFrom('thread_broadcast', 'file_share', 'message_changed', 'bot_message'), fc.jsonValue()),
    user: fc.oneof(id, fc.jsonValue()),
    bot_id: fc.oneof(id, fc.jsonValue()),
    text: fc.oneof(text, fc.constantFrom('<@UBOT0001> hi', '<https://x.example|label> &lt;b&gt;', '<#C1|general>'), fc.jsonValue()),
    channel: fc.oneof(id, fc.jsonValue()),
    channel_type: fc.oneof(fc.constantFrom('im', 'channel', 'group'), fc.jsonValue()),
    ts: fc.oneof(id, fc.jsonValue()),
    thread_ts: fc.oneof(id, fc.jsonValue()),
  },
  { requiredKeys: [] },
);
const anyEvent = fc.oneof(slackish, fc.anything());

/** Thousands of cases: room for a busy machine (jest's default is 5 s). */
const FUZZ_TIMEOUT_MS = 30_000;

describe('Slack event parsing under fuzzing', () => {
  it('the envelope schema never throws, whatever the body', () => {
    fc.assert(
      fc.property(fc.oneof(fc.anything(), fc.record({ type: fc.oneof(text, fc.constantFrom('event_callback', 'url_verification')), challenge: fc.jsonValue(), team_id: fc.jsonValue(), event_id: fc.jsonValue(), event: anyEvent }, { requiredKeys: [] })), (body) => {
        expect(typeof SlackEnvelope.safeParse(body).success).toBe('boolean');
      }),
      { numRuns: 1000 },
    );
  }, FUZZ_TIMEOUT_MS);

  it('classifying never throws; an answer is from a person, with a session key of three strings and no bot mention', () => {
    fc.assert(
      fc.property(text, anyEvent, fc.option(fc.constantFrom('UBOT0001', 'U1', '.*', '(a+)+$'), { nil: null }), (team, event, bot) => {
        const decision = classifySlackEvent(team, event, bot);
        if (decision.kind === 'ignore') return;
        const { inbound } = decision;
        for (const field of [inbound.channel, inbound.user, inbound.ts, inbound.root]) expect(typeof field).toBe('string');
        expect(inbound.user).not.toBe(bot);
        expect(slackSessionKey(inbound)).toBe(`${team}:${inbound.channel}:${inbound.root}`);
        if (bot) expect(inbound.text).not.toContain(`<@${bot}>`);
      }),
      { numRuns: 2000 },
    );
  }, FUZZ_TIMEOUT_MS);

  it('turning Slack markup into text never throws and never grows a mention of the bot', () => {
    fc.assert(
      fc.property(text, fc.option(fc.constantFrom('UBOT0001', 'U[A-Z]+', '\\', '$&'), { nil: null }), fc.boolean(), (input, bot, isMention) => {
        const plain = slackTextToPlain(input, bot, isMention);
        expect(typeof plain).toBe('string');
        if (bot && !input.includes(`<@${bot}`)) expect(plain.includes(`<@${bot}>`)).toBe(input.replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&').includes(`<@${bot}>`));
      }),
      { numRuns: 1000 },
    );
  }, FUZZ_TIMEOUT_MS);
});
