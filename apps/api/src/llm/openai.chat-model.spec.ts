import { createServer, type ServerResponse } from 'node:http';
import { FakeOpenAI, listenOnFreePort } from '@threadline/testing';
import type { ChatModelEvent, ChatModelRequest } from './chat-model.port.js';
import { OpenAIChatModel } from './openai.chat-model.js';

async function collect(model: OpenAIChatModel, request: ChatModelRequest): Promise<ChatModelEvent[]> {
  const events: ChatModelEvent[] = [];
  for await (const event of model.stream(request)) events.push(event);
  return events;
}

async function failure(model: OpenAIChatModel, request: ChatModelRequest): Promise<{ events: ChatModelEvent[]; error: unknown }> {
  const events: ChatModelEvent[] = [];
  try {
    for await (const event of model.stream(request)) events.push(event);
  } catch (error) {
    return { events, error };
  }
  throw new Error('the stream ended without an error');
}

/** An upstream that answers every request with what `reply` writes: wire shapes the fake does not make. */
async function rawUpstream(reply: (res: ServerResponse) => void): Promise<{ baseURL: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    req.resume();
    req.once('end', () => reply(res));
  });
  const port = await listenOnFreePort(server);
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

const hello: ChatModelRequest = { messages: [{ role: 'user', content: 'hello there' }] };

/** The text events' texts, in order. */
const texts = (events: ChatModelEvent[]) => events.filter((e) => e.type === 'text').map((e) => (e as { text: string }).text);

// Both HTTP clients behind the SDK must read the same wire the same way.
describe.each(['node', 'fetch'] as const)('OpenAIChatModel over %s', (httpClient) => {
  let fake: FakeOpenAI;
  let model: OpenAIChatModel;

  beforeAll(async () => {
    fake = await FakeOpenAI.start();
    model = new OpenAIChatModel({ apiKey: 'sk-test', baseURL: fake.baseURL, model: 'gpt-test', idleTimeoutMs: 300, answerTimeoutMs: 300, httpClient });
  });
  afterEach(() => fake.reset());
  afterAll(async () => {
    model.onApplicationShutdown();
    await fake.close();
  });

  /** `use` gets a model in front of an upstream that answers with what `reply` writes; both are closed after. */
  async function viaRawUpstream(reply: (res: ServerResponse) => void, timeoutMs: number, use: (model: OpenAIChatModel) => Promise<void>): Promise<void> {
    const raw = await rawUpstream(reply);
    const viaRaw = new OpenAIChatModel({ apiKey: 'sk-test', baseURL: raw.baseURL, model: 'gpt-test', idleTimeoutMs: timeoutMs, answerTimeoutMs: timeoutMs, httpClient });
    try {
      await use(viaRaw);
    } finally {
      viaRaw.onApplicationShutdown();
      await raw.close();
    }
  }

  it('streams text, a finish and the usage, asking for usage on the stream', async () => {
    fake.enqueue({ kind: 'text', text: 'Hi there friend', usage: { prompt_tokens: 7, completion_tokens: 3, cached_tokens: 2 } });
    const events = await collect(model, { ...hello, maxOutputTokens: 50, params: { temperature: 0.2 } });
    expect(texts(events).join('')).toBe('Hi there friend');
    expect(events.filter((e) => e.type !== 'text')).toEqual([
      { type: 'finish', reason: 'stop' },
      { type: 'usage', usage: { promptTokens: 7, completionTokens: 3, cachedTokens: 2 } },
    ]);
    expect(fake.requests[0]!.body).toMatchObject({ model: 'gpt-test', stream: true, stream_options: { include_usage: true }, max_completion_tokens: 50, temperature: 0.2 });
  });

  it('streams tool calls piece by piece', async () => {
    fake.enqueue({ kind: 'tool_calls', calls: [{ id: 'call_1', name: 'get_time', arguments: '{"zone":"UTC"}' }] });
    const events = await collect(model, { ...hello, tools: [{ name: 'get_time', description: 'time', parameters: { type: 'object' } }] });
    const calls = events.filter((e) => e.type === 'tool_call') as Array<Extract<ChatModelEvent, { type: 'tool_call' }>>;
    expect(calls[0]).toMatchObject({ index: 0, id: 'call_1', name: 'get_time' });
    expect(calls.map((c) => c.argumentsDelta ?? '').join('')).toBe('{"zone":"UTC"}');
    expect(events).toContainEqual({ type: 'finish', reason: 'tool_calls' });
  });

  it('classifies a 429 with its Retry-After, and a 400 with the provider words minus the key', async () => {
    fake.enqueue({ kind: 'error', status: 429, headers: { 'retry-after': '3' } });
    expect((await failure(model, hello)).error).toMatchObject({ kind: 'rate_limited', status: 429, retryAfterMs: 3000 });
    fake.enqueue({ kind: 'error', status: 400, body: { error: { message: 'bad key sk-test in request', type: 'invalid_request_error' } } });
    expect((await failure(model, hello)).error).toMatchObject({ kind: 'rejected', status: 400, detail: 'bad key [redacted] in request' });
    fake.enqueue({ kind: 'error', status: 503 });
    expect((await failure(model, hello)).error).toMatchObject({ kind: 'server', status: 503 });
  });

  it('a stream cut mid-answer is a network failure after the text so far', async () => {
    fake.enqueue({ kind: 'break', afterText: 'The answer is' });
    const { events, error } = await failure(model, hello);
    expect(texts(events).join('')).toBe('The answer is');
    expect(error).toMatchObject({ kind: 'network' });
  });

  it('silence before the head or in the middle of the body is a timeout', async () => {
    fake.enqueue({ kind: 'hang' });
    expect((await failure(model, hello)).error).toMatchObject({ kind: 'timeout' });
    fake.enqueue({ kind: 'stall', afterText: 'Half an' });
    const { events, error } = await failure(model, hello);
    expect(texts(events).join('')).toBe('Half an');
    expect(error).toMatchObject({ kind: 'timeout' });
  });

  it("stops when the caller aborts, with the caller's abort rather than an upstream error", async () => {
    fake.enqueue({ kind: 'stall', afterText: 'Going' });
    const controller = new AbortController();
    const events: ChatModelEvent[] = [];
    const run = (async () => {
      for await (const event of model.stream({ ...hello, signal: controller.signal })) {
        events.push(event);
        if (event.type === 'text' && event.text.includes('Going')) controller.abort();
      }
    })();
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(texts(events).join('')).toBe('Going');
  });

  it('asks the upstream only once sendAfter resolves, and the wait is not counted as the upstream’s silence', async () => {
    fake.enqueue({ kind: 'text', text: 'After the commit' });
    // Its own model: an idle timeout that a loaded CI machine cannot overrun by accident, and a wait longer than it.
    const patient = new OpenAIChatModel({ apiKey: 'sk-test', baseURL: fake.baseURL, model: 'gpt-test', idleTimeoutMs: 1500, answerTimeoutMs: 1500, httpClient });
    try {
      let open!: () => void;
      const sendAfter = new Promise<void>((resolve) => (open = resolve));
      const events = collect(patient, { ...hello, sendAfter });
      await new Promise((resolve) => setTimeout(resolve, 1800));
      expect(fake.requests).toHaveLength(0);
      open();
      expect(texts(await events).join('')).toBe('After the commit');
      expect(fake.requests).toHaveLength(1);
    } finally {
      patient.onApplicationShutdown();
    }
  });

  it('an abort while waiting for sendAfter ends the call without asking the upstream', async () => {
    const controller = new AbortController();
    const run = collect(model, { ...hello, signal: controller.signal, sendAfter: new Promise<void>(() => undefined) });
    await new Promise((resolve) => setTimeout(resolve, 50));
    controller.abort();
    await expect(run).rejects.toBeDefined();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(fake.requests).toHaveLength(0);
  });

  it('an unreadable stream is a bad response', async () => {
    fake.enqueue({ kind: 'garbage' });
    expect((await failure(model, hello)).error).toMatchObject({ kind: 'bad_response' });
  });

  it('an error sent inside a stream ends it after the text so far; keep-alive comments and CRLF are read as the format says', async () => {
    const reply = (res: ServerResponse) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(': keep-alive\r\n\r\n');
      res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: 'So far' } }] })}\r\n\r\n`);
      res.end(`data: ${JSON.stringify({ error: { message: 'overloaded mid-answer', type: 'server_error' } })}\n\n`);
    };
    await viaRawUpstream(reply, 1000, async (viaRaw) => {
      const { events, error } = await failure(viaRaw, hello);
      expect(events).toEqual([{ type: 'text', text: 'So far' }]);
      expect(error).toMatchObject({ kind: 'network' });
    });
  });

  it('a caller that stops reading early ends the request instead of leaving it open', async () => {
    let closed!: () => void;
    const requestClosed = new Promise<void>((resolve) => (closed = resolve));
    const reply = (res: ServerResponse) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: 'First' } }] })}\n\n`);
      res.once('close', closed);
    };
    await viaRawUpstream(reply, 5000, async (viaRaw) => {
      for await (const event of viaRaw.stream(hello)) if (event.type === 'text') break;
      await requestClosed;
    });
  });

  describe('an answer nobody watches stream (streamed: false)', () => {
    const whole: ChatModelRequest = { ...hello, streamed: false };

    it('is asked for whole and gives the same events, the text in one', async () => {
      fake.enqueue({ kind: 'text', text: 'Hi there friend', usage: { prompt_tokens: 7, completion_tokens: 3, cached_tokens: 2 } });
      const events = await collect(model, { ...whole, maxOutputTokens: 50, params: { temperature: 0.2 } });
      expect(events).toEqual([
        { type: 'text', text: 'Hi there friend' },
        { type: 'finish', reason: 'stop' },
        { type: 'usage', usage: { promptTokens: 7, completionTokens: 3, cachedTokens: 2 } },
      ]);
      expect(fake.requests[0]!.body).toMatchObject({ model: 'gpt-test', stream: false, max_completion_tokens: 50, temperature: 0.2 });
      expect(fake.requests[0]!.body).not.toHaveProperty('stream_options');
    });

    it('gives each tool call whole, in order', async () => {
      fake.enqueue({ kind: 'tool_calls', calls: [{ id: 'call_1', name: 'get_time', arguments: '{"zone":"UTC"}' }, { id: 'call_2', name: 'get_date', arguments: '{}' }] });
      const events = await collect(model, { ...whole, tools: [{ name: 'get_time', description: 'time', parameters: { type: 'object' } }] });
      expect(events.filter((e) => e.type !== 'usage')).toEqual([
        { type: 'tool_call', index: 0, id: 'call_1', name: 'get_time', argumentsDelta: '{"zone":"UTC"}' },
        { type: 'tool_call', index: 1, id: 'call_2', name: 'get_date', argumentsDelta: '{}' },
        { type: 'finish', reason: 'tool_calls' },
      ]);
      expect(fake.requests[0]!.body.tools).toEqual([{ type: 'function', function: { name: 'get_time', description: 'time', parameters: { type: 'object' } } }]);
    });

    it('fails as a stream does: refused, rate limited, cut, unreadable', async () => {
      fake.enqueue({ kind: 'error', status: 429, headers: { 'retry-after': '2' } });
      expect((await failure(model, whole)).error).toMatchObject({ kind: 'rate_limited', retryAfterMs: 2000 });
      fake.enqueue({ kind: 'break', afterText: 'The answer is' });
      const cut = await failure(model, whole);
      expect(cut.events).toEqual([]);
      expect(cut.error).toMatchObject({ kind: 'network' });
      fake.enqueue({ kind: 'garbage' });
      expect((await failure(model, whole)).error).toMatchObject({ kind: 'bad_response' });
    });

    it('a 200 that is not a completion is a bad response', async () => {
      const notACompletion = (res: ServerResponse) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"object":"list","data":[]}');
      };
      await viaRawUpstream(notACompletion, 1000, async (viaRaw) => {
        expect((await failure(viaRaw, whole)).error).toMatchObject({ kind: 'bad_response' });
      });
    });

    it('is bounded by the answer timeout, not the silence between chunks', async () => {
      // Silence longer than a stream may keep, shorter than a whole answer may take.
      const slow = await FakeOpenAI.start({ latencyMs: 400 });
      const patient = new OpenAIChatModel({ apiKey: 'sk-test', baseURL: slow.baseURL, model: 'gpt-test', idleTimeoutMs: 200, answerTimeoutMs: 3000, httpClient });
      const impatient = new OpenAIChatModel({ apiKey: 'sk-test', baseURL: slow.baseURL, model: 'gpt-test', idleTimeoutMs: 200, answerTimeoutMs: 700, httpClient });
      try {
        expect(texts(await collect(patient, whole))).toEqual(['Echo: hello there']);
        expect((await failure(patient, hello)).error).toMatchObject({ kind: 'timeout' });
        slow.enqueue({ kind: 'stall', afterText: 'Half an answer' });
        expect(await failure(impatient, whole)).toMatchObject({ events: [], error: { kind: 'timeout', message: 'the model did not answer within 700 ms' } });
      } finally {
        patient.onApplicationShutdown();
        impatient.onApplicationShutdown();
        await slow.close();
      }
    });

    it('streams anyway when the gateway is set to always stream', async () => {
      const streaming = new OpenAIChatModel({ apiKey: 'sk-test', baseURL: fake.baseURL, model: 'gpt-test', idleTimeoutMs: 300, answerTimeoutMs: 300, stream: 'always', httpClient });
      try {
        fake.enqueue({ kind: 'text', text: 'word by word' });
        expect(texts(await collect(streaming, whole)).join('')).toBe('word by word');
        expect(fake.requests[0]!.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
      } finally {
        streaming.onApplicationShutdown();
      }
    });
  });

  it('lists the upstream models', async () => {
    const models = await model.listModels();
    expect(models.length).toBeGreaterThan(0);
    expect(models[0]).toMatchObject({ object: 'model', id: expect.any(String) });
  });
});
