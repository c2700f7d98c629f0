import fc from 'fast-check';
import { whatsappMessage, whatsappPayload } from '@threadline/testing';
import { MetaId, unsupportedNotice } from '@api/channels/meta/meta-inbound.js';
import { parseWhatsAppPayload } from './whatsapp-events.js';

// Property-based checks of the WhatsApp Cloud API parser and the notice for what it cannot read.

const text = fc.string({ unit: 'binary', maxLength: 120 });
const message = fc.oneof(
  fc.record(
    {
      from: fc.oneof(text, fc.jsonValue()),
      id: fc.oneof(text, fc.jsonValue()),
      type: fc.oneof(fc.constantFrom('text', 'button', 'interactive', 'image', 'reaction', 'constructor', '__proto__'), text, fc.jsonValue()),
      text: fc.oneof(fc.record({ body: fc.oneof(text, fc.jsonValue()) }), fc.jsonValue()),
      button: fc.oneof(fc.record({ text: text, payload: text }, { requiredKeys: [] }), fc.jsonValue()),
      interactive: fc.oneof(fc.record({ button_reply: fc.record({ title: text }), list_reply: fc.record({ title: text }) }, { requiredKeys: [] }), fc.jsonValue()),
    },
    { requiredKeys: [] },
  ),
  fc.anything(),
);
const change = fc.record(
  { field: fc.oneof(fc.constant('messages'), text), value: fc.oneof(fc.record({ metadata: fc.oneof(fc.record({ phone_number_id: fc.oneof(text, fc.jsonValue()) }), fc.jsonValue()), messages: fc.oneof(fc.array(message, { maxLength: 5 }), fc.jsonValue()) }, { requiredKeys: [] }), fc.jsonValue()) },
  { requiredKeys: [] },
);
const payload = fc.oneof(
  fc.record({ object: fc.oneof(fc.constant('whatsapp_business_account'), text), entry: fc.oneof(fc.array(fc.record({ changes: fc.oneof(fc.array(change, { maxLength: 3 }), fc.jsonValue()) }, { requiredKeys: [] }), { maxLength: 3 }), fc.jsonValue()) }, { requiredKeys: [] }),
  fc.anything(),
);

/** Thousands of cases: room for a busy machine (jest's default is 5 s). */
const FUZZ_TIMEOUT_MS = 30_000;

describe('WhatsApp payload parsing under fuzzing', () => {
  it('never throws; every message has well-formed ids, and text has content', () => {
    fc.assert(
      fc.property(payload, (body) => {
        for (const inbound of parseWhatsAppPayload(body)) {
          for (const value of [inbound.accountId, inbound.senderId, inbound.messageId]) expect(MetaId.safeParse(value).success).toBe(true);
          if (inbound.kind === 'text') expect(inbound.text.trim()).not.toBe('');
        }
      }),
      { numRuns: 2000 },
    );
  }, FUZZ_TIMEOUT_MS);

  it('real deliveries with any text come through whole', () => {
    fc.assert(
      fc.property(fc.array(text.filter((t) => t.trim() !== ''), { minLength: 1, maxLength: 5 }), (texts) => {
        const body = whatsappPayload('106000000000001', ...texts.map((t, i) => whatsappMessage({ from: '15550001', text: t, id: `wamid.${i}` })));
        expect(parseWhatsAppPayload(body).map((m) => (m.kind === 'text' ? m.text : null))).toEqual(texts);
      }),
      { numRuns: 300 },
    );
  }, FUZZ_TIMEOUT_MS);

  it('the notice for an unreadable message is always a fixed sentence, whatever the type is called', () => {
    const sentences = new Set<string>();
    fc.assert(
      fc.property(fc.oneof(text, fc.constantFrom('constructor', '__proto__', 'toString', 'hasOwnProperty', 'image', 'sticker')), (what) => {
        const notice = unsupportedNotice(what);
        expect(notice).toMatch(/^Sorry, I can only read text messages, so I can't open [a-z ]+\. Could you tell me in words what you need\?$/);
        sentences.add(notice);
      }),
      { numRuns: 500 },
    );
    expect(sentences.size).toBeGreaterThan(1);
  });
});
