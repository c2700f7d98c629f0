import { storableText, unstorableText } from './validate.js';

describe('text Postgres cannot store', () => {
  it('unstorableText names where a client input holds it, and why', () => {
    expect(unstorableText({ a: ['fine', { b: 'x\u0000y' }] })).toEqual({ path: 'a.1.b', reason: 'must not contain NUL characters' });
    expect(unstorableText({ ['k\ud800']: 1 })).toEqual({ path: '', reason: 'has a key that is not well-formed Unicode' });
    expect(unstorableText({ text: 'tab\tand emoji 🙂' })).toBeNull();
  });

  it('storableText keeps what it can of text nobody validated', () => {
    expect(storableText('a\u0000b\u0000')).toBe('ab');
    expect(storableText('lone \ud800 and \udc00')).toBe('lone \ufffd and \ufffd');
    const clean = 'already fine 🙂';
    expect(storableText(clean)).toBe(clean);
    expect(unstorableText(storableText('x\u0000\ud83d'))).toBeNull();
  });
});
