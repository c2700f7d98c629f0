import { getEventListeners } from 'node:events';
import { ChatModel, UpstreamError, type ChatModelEvent, type ChatModelRequest } from '@api/llm/chat-model.port.js';
import { roundUsage, runModelRound, type RoundOutcome } from './model-round.js';

class ScriptedModel extends ChatModel {
  readonly model = 'scripted';
  readonly mode = 'openai' as const;
  calls = 0;
  constructor(private readonly script: Array<ChatModelEvent[] | UpstreamError | { events: ChatModelEvent[]; then: UpstreamError }>) {
    super();
  }
  async *stream(_request: ChatModelRequest): AsyncIterable<ChatModelEvent> {
    const step = this.script[Math.min(this.calls++, this.script.length - 1)]!;
    if (step instanceof UpstreamError) throw step;
    const events = Array.isArray(step) ? step : step.events;
    for (const event of events) yield event;
    if (!Array.isArray(step)) throw step.then;
  }
}

const policy = { maxRetries: 3, baseDelayMs: 1, maxDelayMs: 5 };
const sink = () => {
  const seen = { deltas: [] as string[], statuses: [] as string[] };
  return { seen, sink: { delta: (t: string) => seen.deltas.push(t), status: (t: string) => seen.statuses.push(t) } };
};
const rateLimited = () => new UpstreamError('rate_limited', 'slow down', 429, 0);

describe('runModelRound', () => {
  it('retries 429s before anything streamed and returns one answer', async () => {
    const model = new ScriptedModel([rateLimited(), rateLimited(), [{ type: 'text', text: 'Hi ' }, { type: 'text', text: 'Mike' }]]);
    const { seen, sink: s } = sink();
    const outcome = await runModelRound(model, { messages: [] }, s, policy);
    expect(model.calls).toBe(3);
    expect(outcome).toMatchObject({ text: 'Hi Mike', error: null });
    expect(seen.deltas.join('')).toBe('Hi Mike');
    expect(seen.statuses).toEqual(['The model is busy; retrying…', 'The model is busy; retrying…']);
  });

  it('gives up after maxRetries with the last error', async () => {
    const model = new ScriptedModel([new UpstreamError('server', 'boom', 500)]);
    const outcome = await runModelRound(model, { messages: [] }, sink().sink, policy);
    expect(model.calls).toBe(4);
    expect(outcome.error?.kind).toBe('server');
    expect(outcome.text).toBe('');
  });

  it('does not retry a refusal', async () => {
    const model = new ScriptedModel([new UpstreamError('rejected', 'bad key', 401)]);
    const outcome = await runModelRound(model, { messages: [] }, sink().sink, policy);
    expect(model.calls).toBe(1);
    expect(outcome.error?.status).toBe(401);
  });

  it('keeps a partial answer instead of repeating streamed text', async () => {
    const model = new ScriptedModel([{ events: [{ type: 'text', text: 'Half an ' }], then: new UpstreamError('network', 'reset') }]);
    const outcome = await runModelRound(model, { messages: [] }, sink().sink, policy);
    expect(model.calls).toBe(1);
    expect(outcome.text).toBe('Half an ');
    expect(outcome.error?.kind).toBe('network');
  });

  it('assembles streamed tool calls by index', async () => {
    const model = new ScriptedModel([
      [
        { type: 'tool_call', index: 1, id: 'b', name: 'get_file', argumentsDelta: '{"repo":' },
        { type: 'tool_call', index: 0, id: 'a', name: 'search_repositories', argumentsDelta: '{"q":"ai"}' },
        { type: 'tool_call', index: 1, argumentsDelta: '"x/y"}' },
        { type: 'finish', reason: 'tool_calls' },
        { type: 'usage', usage: { promptTokens: 10, completionTokens: 5, cachedTokens: 2 } },
      ],
    ]);
    const outcome = await runModelRound(model, { messages: [] }, sink().sink, policy);
    expect(outcome.toolCalls).toEqual([
      { id: 'a', name: 'search_repositories', arguments: '{"q":"ai"}' },
      { id: 'b', name: 'get_file', arguments: '{"repo":"x/y"}' },
    ]);
    expect(outcome.finishReason).toBe('tool_calls');
    expect(outcome.usage).toEqual({ promptTokens: 10, completionTokens: 5, cachedTokens: 2 });
  });

  it('a retry wait leaves no listener on the caller\'s signal, and an abort during it ends the round', async () => {
    const longLived = new AbortController();
    const retried = new ScriptedModel([rateLimited(), [{ type: 'text', text: 'ok' }]]);
    expect(await runModelRound(retried, { messages: [], signal: longLived.signal }, sink().sink, policy)).toMatchObject({ text: 'ok' });
    expect(getEventListeners(longLived.signal, 'abort')).toHaveLength(0);

    const waiting = runModelRound(new ScriptedModel([rateLimited()]), { messages: [], signal: longLived.signal }, sink().sink, { ...policy, baseDelayMs: 60_000, maxDelayMs: 60_000 });
    await new Promise((resolve) => setImmediate(resolve));
    longLived.abort();
    await expect(waiting).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('roundUsage', () => {
  const outcome = (fields: Partial<RoundOutcome>): RoundOutcome => ({ text: '', toolCalls: [], usage: null, finishReason: 'stop', error: null, calls: [], ...fields });
  const messages = [{ role: 'user' as const, content: 'hello there' }];

  it("takes the upstream's usage as the record", () => {
    expect(roundUsage(outcome({ text: 'hi', usage: { promptTokens: 12, completionTokens: 3, cachedTokens: 2 } }), messages)).toEqual({ promptTokens: 12, completionTokens: 3, cachedTokens: 2, estimated: false });
  });

  it('estimates locally without it, and says so', () => {
    const usage = roundUsage(outcome({ text: 'general kenobi' }), messages);
    expect(usage.estimated).toBe(true);
    expect(usage.promptTokens).toBeGreaterThan(4);
    expect(usage.completionTokens).toBeGreaterThan(0);
  });

  it('counts nothing for a round that failed before any text', () => {
    expect(roundUsage(outcome({ error: new UpstreamError('server', 'boom', 500) }), messages)).toEqual({ promptTokens: 0, completionTokens: 0, cachedTokens: 0, estimated: true });
  });
});
