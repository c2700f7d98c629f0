import { MAX_EVENT_CHARS, SseDecoder, type ServerSentEvent } from './sse-decoder.js';

/** Feeds the text cut into the given pieces and returns every message decoded. */
function decode(pieces: Array<string | Buffer>): ServerSentEvent[] {
  const decoder = new SseDecoder();
  return pieces.flatMap((piece) => decoder.write(typeof piece === 'string' ? Buffer.from(piece) : piece));
}

/** Every way of cutting the text in two, so no boundary is special. */
function everySplit(text: string): ServerSentEvent[][] {
  const bytes = Buffer.from(text);
  const results: ServerSentEvent[][] = [];
  for (let at = 0; at <= bytes.length; at++) results.push(decode([bytes.subarray(0, at), bytes.subarray(at)]));
  return results;
}

describe('SseDecoder', () => {
  it('decodes data messages ended by a blank line, with or without the space after the colon', () => {
    expect(decode(['data: {"a":1}\n\ndata:{"b":2}\n\n'])).toEqual([
      { event: null, data: '{"a":1}' },
      { event: null, data: '{"b":2}' },
    ]);
  });

  it('reads CRLF, CR and LF line endings alike, wherever the chunks are cut', () => {
    const expected = [
      { event: null, data: 'one' },
      { event: 'update', data: 'two' },
      { event: null, data: 'three' },
    ];
    for (const result of everySplit('data: one\r\n\r\nevent: update\rdata: two\r\rdata: three\n\n')) expect(result).toEqual(expected);
  });

  it('joins multi-line data with newlines and keeps a character split across chunks whole', () => {
    for (const result of everySplit('data: first line — é\r\ndata: second 🙂\r\n\r\n')) expect(result).toEqual([{ event: null, data: 'first line — é\nsecond 🙂' }]);
  });

  it('skips comments and unknown fields, and drops a message without data', () => {
    expect(decode([': keep-alive\n\nid: 7\nretry: 100\nevent: ping\n\nnot a field\ndata: kept\n\n'])).toEqual([{ event: null, data: 'kept' }]);
  });

  it('holds a message until its blank line, and never dispatches one the stream ended inside', () => {
    const decoder = new SseDecoder();
    expect(decoder.write(Buffer.from('data: [DONE]\n'))).toEqual([]);
    expect(decoder.write(Buffer.from('\ndata: cut off'))).toEqual([{ event: null, data: '[DONE]' }]);
  });

  it('keeps an empty data line as an empty message', () => {
    expect(decode(['data\n\ndata:\ndata:\n\n'])).toEqual([
      { event: null, data: '' },
      { event: null, data: '\n' },
    ]);
  });

  it('refuses a message that grows past the limit, whether one endless line or endless data lines', () => {
    const line = new SseDecoder();
    expect(() => line.write(Buffer.from(`data: ${'x'.repeat(MAX_EVENT_CHARS)}`))).toThrow(SyntaxError);
    const lines = new SseDecoder();
    const piece = Buffer.from(`data: ${'y'.repeat(1000)}\n`);
    expect(() => {
      for (let i = 0; i <= MAX_EVENT_CHARS / 1000; i++) lines.write(piece);
    }).toThrow(SyntaxError);
    // Under the limit, and once dispatched, nothing is left counting against the next message.
    const fine = new SseDecoder();
    for (let i = 0; i < 3; i++) expect(fine.write(Buffer.from(`data: ${'z'.repeat(MAX_EVENT_CHARS / 2)}\n\n`))).toHaveLength(1);
  });
});
