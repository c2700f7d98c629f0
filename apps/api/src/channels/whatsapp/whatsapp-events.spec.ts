import { whatsappMessage, whatsappPayload } from '@threadline/testing';
import { parseWhatsAppPayload } from './whatsapp-events.js';

describe('WhatsApp Cloud API webhook payloads', () => {
  it('reads text messages with the phone number id and sender that make the session key', () => {
    const payload = whatsappPayload('PH1', whatsappMessage({ from: '15551234567', text: 'hello', id: 'wamid.A' }));
    expect(parseWhatsAppPayload(payload)).toEqual([{ accountId: 'PH1', senderId: '15551234567', messageId: 'wamid.A', kind: 'text', text: 'hello' }]);
  });

  it('takes reply buttons and list rows as their titles', () => {
    const button = { from: '1', id: 'wamid.B', timestamp: '1', type: 'button', button: { text: 'Yes please', payload: 'YES' } };
    const reply = { from: '1', id: 'wamid.R', timestamp: '1', type: 'interactive', interactive: { type: 'button_reply', button_reply: { id: 'b1', title: 'Option one' } } };
    const row = { from: '1', id: 'wamid.L', timestamp: '1', type: 'interactive', interactive: { type: 'list_reply', list_reply: { id: 'r1', title: 'Row one', description: 'x' } } };
    expect(parseWhatsAppPayload(whatsappPayload('PH1', button, reply, row)).map((m) => (m.kind === 'text' ? m.text : m.what))).toEqual(['Yes please', 'Option one', 'Row one']);
  });

  it('names what it cannot read, and stays silent on reactions and system notices', () => {
    const messages = ['image', 'sticker', 'audio', 'video', 'document', 'location', 'contacts', 'reaction', 'system', 'unsupported'].map((type) => whatsappMessage({ from: '1', type }));
    expect(parseWhatsAppPayload(whatsappPayload('PH1', ...messages)).map((m) => (m.kind === 'unsupported' ? m.what : m.kind))).toEqual([
      'image',
      'sticker',
      'audio',
      'video',
      'document',
      'location',
      'contacts',
      'unsupported',
    ]);
  });

  it('leaves out status updates, other fields, other objects and malformed entries', () => {
    const statuses = { field: 'messages', value: { messaging_product: 'whatsapp', metadata: { phone_number_id: 'PH1' }, statuses: [{ id: 'wamid.S', status: 'read' }] } };
    const otherField = { field: 'account_update', value: { phone_number: '1' } };
    const noMetadata = { field: 'messages', value: { messages: [whatsappMessage({ from: '1', text: 'x' })] } };
    expect(parseWhatsAppPayload({ object: 'whatsapp_business_account', entry: [{ id: 'W', changes: [statuses, otherField, noMetadata] }] })).toEqual([]);
    expect(parseWhatsAppPayload({ ...whatsappPayload('PH1', whatsappMessage({ from: '1', text: 'x' })), object: 'page' })).toEqual([]);
    expect(parseWhatsAppPayload(whatsappPayload('PH1', { id: 'wamid.X', type: 'text', text: { body: 'no sender' } }))).toEqual([]);
    expect(parseWhatsAppPayload('nope')).toEqual([]);
  });
});
