import fc from 'fast-check';
import { messengerMessaging, messengerPayload } from '@threadline/testing';
import { MetaId } from '@api/channels/meta/meta-inbound.js';
import { parseMessengerPayload } from './messenger-events.js';

// Property-based checks of the Messenger webhook parser: any body parses without throwing,
// and every message it returns has ids a session key and the database can hold.

const text = fc.string({ unit: 'binary', maxLength: 120 });
const messaging = fc.oneof(
  fc.record(
    {
      sender: fc.oneof(fc.record({ id: fc.oneof(text, fc.jsonValue()) }), fc.jsonValue()),
      recipient: fc.oneof(fc.record({ id: fc.oneof(text, fc.jsonValue()) }), fc.jsonValue()),
      timestamp: fc.oneof(fc.integer(), fc.jsonValue()),
      message: fc.oneof(
        fc.record({ mid: fc.oneof(text, fc.jsonValue()), text: fc.oneof(text, fc.jsonValue()), is_echo: fc.oneof(fc.boolean(), fc.jsonValue()), sticker_id: fc.jsonValue(), attachments: fc.oneof(fc.array(fc.record({ type: text })), fc.jsonValue()) }, { requiredKeys: [] }),
        fc.jsonValue(),
      ),
      postback: fc.oneof(fc.record({ mid: fc.oneof(text, fc.jsonValue()), title: fc.oneof(text, fc.jsonValue()), payload: fc.oneof(text, fc.jsonValue()) }, { requiredKeys: [] }), fc.jsonValue()),
    },
    { requiredKeys: [] },
  ),
  fc.anything(),
);
const payload = fc.oneof(
  fc.record({ object: fc.oneof(fc.constant('page'), text), entry: fc.oneof(fc.array(fc.record({ id: fc.oneof(text, fc.jsonValue()), messaging: fc.oneof(fc.array(messaging, { maxLength: 5 }), fc.jsonValue()) }, { requiredKeys: [] }), { maxLength: 3 }), fc.jsonValue()) }, { requiredKeys: [] }),
  fc.anything(),
);

/** Thousands of cases: room for a busy machine (jest's default is 5 s). */
const FUZZ_TIMEOUT_MS = 30_000;

describe('Messenger payload parsing under fuzzing', () => {
  it('never throws; every message has well-formed ids and is text with content or a named unsupported kind', () => {
    fc.assert(
      fc.property(payload, (body) => {
        for (const inbound of parseMessengerPayload(body)) {
          for (const value of [inbound.accountId, inbound.senderId]) expect(MetaId.safeParse(value).success).toBe(true);
          expect(typeof inbound.messageId).toBe('string');
          expect(inbound.messageId).not.toContain('\u0000');
          if (inbound.kind === 'text') expect(inbound.text.trim()).not.toBe('');
          else expect(typeof inbound.what).toBe('string');
        }
      }),
      { numRuns: 2000 },
    );
  }, FUZZ_TIMEOUT_MS);

  it('real deliveries with any text come through whole, in order', () => {
    fc.assert(
      fc.property(fc.array(text.filter((t) => t.trim() !== ''), { minLength: 1, maxLength: 5 }), (texts) => {
        const body = messengerPayload(...texts.map((t, i) => messengerMessaging({ pageId: 'P1', senderId: 'S1', text: t, mid: `m_${i}` })));
        expect(parseMessengerPayload(body).map((m) => (m.kind === 'text' ? m.text : null))).toEqual(texts);
      }),
      { numRuns: 300 },
    );
  }, FUZZ_TIMEOUT_MS);
});
