import { messengerMessaging, messengerPayload } from '@threadline/testing';
import { parseMessengerPayload } from './messenger-events.js';

describe('Messenger webhook payloads', () => {
  it('reads text messages, with the page and sender that make the session key', () => {
    const payload = messengerPayload(messengerMessaging({ pageId: 'P1', senderId: 'S1', text: 'hello', mid: 'm_1' }), messengerMessaging({ pageId: 'P1', senderId: 'S2', text: 'hi', mid: 'm_2' }));
    expect(parseMessengerPayload(payload)).toEqual([
      { accountId: 'P1', senderId: 'S1', messageId: 'm_1', kind: 'text', text: 'hello' },
      { accountId: 'P1', senderId: 'S2', messageId: 'm_2', kind: 'text', text: 'hi' },
    ]);
  });

  it('names what it cannot read: attachments and stickers', () => {
    const items = [
      messengerMessaging({ pageId: 'P1', senderId: 'S1', attachment: 'image', mid: 'm_i' }),
      messengerMessaging({ pageId: 'P1', senderId: 'S1', attachment: 'audio', mid: 'm_a' }),
      messengerMessaging({ pageId: 'P1', senderId: 'S1', attachment: 'location', mid: 'm_l' }),
      messengerMessaging({ pageId: 'P1', senderId: 'S1', sticker: true, mid: 'm_s' }),
    ];
    expect(parseMessengerPayload(messengerPayload(...items)).map((m) => (m.kind === 'unsupported' ? m.what : m.kind))).toEqual(['image', 'audio', 'location', 'sticker']);
  });

  it('takes a tapped button as its title', () => {
    const payload = { object: 'page', entry: [{ id: 'P1', time: 1, messaging: [{ sender: { id: 'S1' }, recipient: { id: 'P1' }, timestamp: 5, postback: { mid: 'm_p', title: 'Get started', payload: 'START' } }] }] };
    expect(parseMessengerPayload(payload)).toEqual([{ accountId: 'P1', senderId: 'S1', messageId: 'm_p', kind: 'text', text: 'Get started' }]);
  });

  it('leaves out echoes, receipts, reactions, malformed items and other objects', () => {
    const messaging = [
      { sender: { id: 'P1' }, recipient: { id: 'S1' }, timestamp: 1, message: { mid: 'm_e', is_echo: true, text: 'mine' } },
      { sender: { id: 'S1' }, recipient: { id: 'P1' }, timestamp: 1, delivery: { mids: ['m_e'], watermark: 1 } },
      { sender: { id: 'S1' }, recipient: { id: 'P1' }, timestamp: 1, read: { watermark: 1 } },
      { sender: { id: 'S1' }, recipient: { id: 'P1' }, timestamp: 1, reaction: { mid: 'm_e', action: 'react', emoji: '❤' } },
      { sender: {}, recipient: { id: 'P1' }, message: { mid: 'm_bad', text: 'no sender id' } },
      'nonsense',
    ];
    expect(parseMessengerPayload({ object: 'page', entry: [{ id: 'P1', time: 1, messaging }] })).toEqual([]);
    expect(parseMessengerPayload({ object: 'instagram', entry: [{ id: 'P1', messaging: [messengerMessaging({ pageId: 'P1', senderId: 'S1', text: 'x' })] }] })).toEqual([]);
    expect(parseMessengerPayload({ object: 'page' })).toEqual([]);
    expect(parseMessengerPayload(null)).toEqual([]);
  });
});
