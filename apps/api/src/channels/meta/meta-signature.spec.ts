import { createHmac } from 'node:crypto';
import { answerHandshake, metaSignature, verifyMetaSignature } from './meta-signature.js';

describe('Meta X-Hub-Signature-256', () => {
  const secret = 'app-secret';
  const body = Buffer.from('{"object":"page","entry":[{"id":"1","messaging":[]}]}', 'utf8');
  const expected = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

  it('is sha256= and the HMAC-SHA256 of the raw body in hex', () => {
    expect(metaSignature(secret, body)).toBe(expected);
    expect(verifyMetaSignature(body, expected, secret)).toBe('ok');
    expect(verifyMetaSignature(body, `sha256=${expected.slice('sha256='.length).toUpperCase()}`, secret)).toBe('ok');
  });

  it('refuses another secret, another body, SHA-1 and garbage', () => {
    expect(verifyMetaSignature(body, expected, 'other-secret')).toBe('mismatch');
    expect(verifyMetaSignature(Buffer.concat([body, Buffer.from(' ')]), expected, secret)).toBe('mismatch');
    expect(verifyMetaSignature(body, `sha1=${createHmac('sha1', secret).update(body).digest('hex')}`, secret)).toBe('mismatch');
    expect(verifyMetaSignature(body, expected.slice(0, -1), secret)).toBe('mismatch');
    expect(verifyMetaSignature(body, 'sha256=', secret)).toBe('mismatch');
  });

  it('says when the header is missing', () => {
    expect(verifyMetaSignature(body, undefined, secret)).toBe('missing');
    expect(verifyMetaSignature(body, '', secret)).toBe('missing');
  });
});

describe('the verify-token handshake', () => {
  const query = (mode: unknown, token: unknown, challenge: unknown) => ({ 'hub.mode': mode, 'hub.verify_token': token, 'hub.challenge': challenge });

  it('echoes the challenge for subscribe with the right token', () => {
    expect(answerHandshake(query('subscribe', 'tok', '1158201444'), 'tok')).toBe('1158201444');
  });

  it('refuses a wrong token, another mode, or missing and repeated parameters', () => {
    expect(answerHandshake(query('subscribe', 'tok2', '1'), 'tok')).toBeNull();
    expect(answerHandshake(query('subscribe', 'to', '1'), 'tok')).toBeNull();
    expect(answerHandshake(query('unsubscribe', 'tok', '1'), 'tok')).toBeNull();
    expect(answerHandshake(query('subscribe', undefined, '1'), 'tok')).toBeNull();
    expect(answerHandshake(query('subscribe', 'tok', undefined), 'tok')).toBeNull();
    expect(answerHandshake(query('subscribe', 'tok', ''), 'tok')).toBeNull();
    expect(answerHandshake(query('subscribe', ['tok', 'tok'], '1'), 'tok')).toBeNull();
    expect(answerHandshake({}, 'tok')).toBeNull();
  });
});
