import { ChunkReader, completionEvents } from './openai-chunks.js';
import type { ServerSentEvent } from './sse-decoder.js';

const data = (payload: unknown): ServerSentEvent => ({ event: null, data: typeof payload === 'string' ? payload : JSON.stringify(payload) });
const text = (content: string) => data({ choices: [{ index: 0, delta: { content }, finish_reason: null }] });

describe('ChunkReader', () => {
  it('joins the text of one read into one event, in order with the tool calls, the finish and the usage', () => {
    const reader = new ChunkReader(new Headers());
    const { events, failure } = reader.read([
      text('Hel'),
      text('lo'),
      data({ choices: [{ index: 0, delta: { tool_calls: [{ index: 0, id: 'call_1', function: { name: 'search', arguments: '{"q"' } }] } }] }),
      text(' again'),
      data({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }),
      data({ choices: [], usage: { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8, prompt_tokens_details: { cached_tokens: 2 } } }),
    ]);
    expect(failure).toBeUndefined();
    expect(events).toEqual([
      { type: 'text', text: 'Hello' },
      { type: 'tool_call', index: 0, id: 'call_1', name: 'search', argumentsDelta: '{"q"' },
      { type: 'text', text: ' again' },
      { type: 'finish', reason: 'stop' },
      { type: 'usage', usage: { promptTokens: 5, completionTokens: 3, cachedTokens: 2 } },
    ]);
  });

  it('keeps separate reads separate', () => {
    const reader = new ChunkReader(new Headers());
    expect(reader.read([text('one')]).events).toEqual([{ type: 'text', text: 'one' }]);
    expect(reader.read([text('two')]).events).toEqual([{ type: 'text', text: 'two' }]);
  });

  it('reads nothing after [DONE], in the same read or a later one', () => {
    const reader = new ChunkReader(new Headers());
    expect(reader.read([text('end'), data('[DONE]'), text('stray')]).events).toEqual([{ type: 'text', text: 'end' }]);
    expect(reader.read([text('later')]).events).toEqual([]);
  });

  it('returns the text before an error in the stream together with that error', () => {
    const reader = new ChunkReader(new Headers({ 'x-request-id': 'req_1' }));
    const { events, failure } = reader.read([text('So far'), data({ error: { message: 'overloaded', type: 'server_error' } }), text('never')]);
    expect(events).toEqual([{ type: 'text', text: 'So far' }]);
    expect(failure).toMatchObject({ message: 'overloaded', status: undefined });
  });

  it('returns the text before an unreadable message together with the parse error', () => {
    const { events, failure } = new ChunkReader(new Headers()).read([text('Part'), data('{"choices": [')]);
    expect(events).toEqual([{ type: 'text', text: 'Part' }]);
    expect(failure).toBeInstanceOf(SyntaxError);
  });
});

describe('completionEvents', () => {
  const completion = (message: object, extra: object = {}) =>
    ({ id: 'c', object: 'chat.completion', created: 0, model: 'm', choices: [{ index: 0, message: { role: 'assistant', refusal: null, ...message }, finish_reason: 'stop', logprobs: null }], ...extra }) as never;

  it('gives a whole answer as the events its stream would: the text in one, each call whole, the finish, the usage', () => {
    const calls = [{ id: 'call_1', type: 'function', function: { name: 'search', arguments: '{"q":"x"}' } }];
    const usage = { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8, prompt_tokens_details: { cached_tokens: 2 } };
    expect(completionEvents(completion({ content: 'Looking', tool_calls: calls }, { usage }), new Headers())).toEqual([
      { type: 'text', text: 'Looking' },
      { type: 'tool_call', index: 0, id: 'call_1', name: 'search', argumentsDelta: '{"q":"x"}' },
      { type: 'finish', reason: 'stop' },
      { type: 'usage', usage: { promptTokens: 5, completionTokens: 3, cachedTokens: 2 } },
    ]);
  });

  it('an empty answer is no text event', () => {
    expect(completionEvents(completion({ content: null }), new Headers())).toEqual([{ type: 'finish', reason: 'stop' }]);
  });

  it('an error in the body, or a body without choices, fails', () => {
    expect(() => completionEvents({ error: { message: 'overloaded', type: 'server_error' } } as never, new Headers())).toThrow('overloaded');
    expect(() => completionEvents({ object: 'list' } as never, new Headers())).toThrow(expect.objectContaining({ kind: 'bad_response' }));
  });
});
