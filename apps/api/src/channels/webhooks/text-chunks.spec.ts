import { splitText } from './text-chunks.js';

describe('splitting long answers', () => {
  it('leaves a short text whole', () => {
    expect(splitText('  hello  ', 10)).toEqual(['hello']);
    expect(splitText('', 10)).toEqual(['']);
  });

  it('prefers paragraph breaks, then line breaks, then spaces', () => {
    expect(splitText('aaaa bbbb\n\ncccc dddd', 15)).toEqual(['aaaa bbbb', 'cccc dddd']);
    expect(splitText('aaaa bbbb\ncccc dddd', 15)).toEqual(['aaaa bbbb', 'cccc dddd']);
    expect(splitText('aaaa bbbb cccc dddd', 15)).toEqual(['aaaa bbbb cccc', 'dddd']);
  });

  it('cuts a word longer than the limit, never inside a surrogate pair', () => {
    expect(splitText('abcdefghij', 4)).toEqual(['abcd', 'efgh', 'ij']);
    const chunks = splitText('aaa😀bbb', 4);
    expect(chunks).toEqual(['aaa', '😀bb', 'b']);
    expect(chunks.join('')).toBe('aaa😀bbb');
  });

  it('keeps every piece within the limit and loses no words', () => {
    const words = Array.from({ length: 2000 }, (_, i) => `w${i}${i % 7 === 0 ? '\n' : ''}`);
    const text = words.join(' ');
    const chunks = splitText(text, 2000);
    for (const chunk of chunks) expect(chunk.length).toBeLessThanOrEqual(2000);
    expect(chunks.join(' ').split(/\s+/)).toEqual(text.split(/\s+/));
  });
});
