import { request, Agent } from 'node:http';
import OpenAI from 'openai';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import { FakeOpenAI } from './fake-openai.js';

const model = 'gpt-4.1-nano';
const user = (content: string) => ({ role: 'user' as const, content });

async function collect(stream: AsyncIterable<ChatCompletionChunk>): Promise<ChatCompletionChunk[]> {
  const chunks: ChatCompletionChunk[] = [];
  for await (const c of stream) chunks.push(c);
  return chunks;
}

// Jest runs specs in a vm context whose Error is not the one undici's DOMException extends,
// so the SDK's `instanceof Error` misses fetch's AbortError and reports a timeout as a plain
// APIConnectionError. Re-raising it from this realm restores what production code sees.
const realmSafeFetch: typeof fetch = (input, init) =>
  fetch(input, init).catch((err: unknown) => {
    if (typeof err === 'object' && err !== null && (err as Error).name === 'AbortError') {
      throw Object.assign(new Error((err as Error).message), { name: 'AbortError' });
    }
    throw err;
  });

const text = (chunks: ChatCompletionChunk[]) => chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');

describe('FakeOpenAI', () => {
  let fake: FakeOpenAI;
  let client: OpenAI;

  beforeAll(async () => {
    fake = await FakeOpenAI.start();
    client = new OpenAI({ apiKey: 'test', baseURL: fake.baseURL, maxRetries: 0 });
  });
  afterEach(() => fake.reset());
  afterAll(() => fake.close());

  it('exposes a loopback /v1 base URL', () => {
    expect(fake.baseURL).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
  });

  it('answers a non-streamed text completion with usage including cached tokens', async () => {
    fake.enqueue({ kind: 'text', text: 'Hello there', usage: { prompt_tokens: 12, completion_tokens: 2, cached_tokens: 8 } });
    const res = await client.chat.completions.create({ model: 'gpt-4.1-mini', messages: [user('hi')] });
    expect(res.id).toMatch(/^chatcmpl-/);
    expect(res.object).toBe('chat.completion');
    expect(res.model).toBe('gpt-4.1-mini');
    expect(res.choices).toEqual([
      { index: 0, message: { role: 'assistant', content: 'Hello there', refusal: null }, finish_reason: 'stop', logprobs: null },
    ]);
    expect(res.usage).toEqual({ prompt_tokens: 12, completion_tokens: 2, total_tokens: 14, prompt_tokens_details: { cached_tokens: 8 } });
  });

  it('echoes the last user message by default with estimated usage', async () => {
    const messages = [
      { role: 'system' as const, content: 'Be brief.' }, // 9 chars
      user('first'), // 5
      { role: 'assistant' as const, content: 'ok' }, // 2
      user('second one'), // 10 -> 26 chars -> ceil(26 / 4) = 7
    ];
    const res = await client.chat.completions.create({ model, messages });
    expect(res.choices[0]?.message.content).toBe('Echo: second one');
    expect(res.usage).toEqual({ prompt_tokens: 7, completion_tokens: 3, total_tokens: 10, prompt_tokens_details: { cached_tokens: 0 } });
  });

  it('omits usage when the reply says usage: null', async () => {
    fake.enqueue({ kind: 'text', text: 'no usage', usage: null });
    const res = await client.chat.completions.create({ model, messages: [user('x')] });
    expect(res.choices[0]?.message.content).toBe('no usage');
    expect(res).not.toHaveProperty('usage');
  });

  it('streams text that reassembles exactly and carries usage in a final choiceless chunk', async () => {
    const reply = '  Hello,  world!\nHow are\tyou? ';
    fake.enqueue({ kind: 'text', text: reply, chunkSize: 2, usage: { prompt_tokens: 5, completion_tokens: 4, cached_tokens: 3 } });
    const stream = await client.chat.completions.create({
      model,
      messages: [user('hi')],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = await collect(stream);

    expect(text(chunks)).toBe(reply);
    expect(chunks[0]?.choices[0]?.delta).toEqual({ role: 'assistant', content: '' });
    // 5 words in pieces of 2 -> 3 content chunks, between the role chunk and the finish chunk.
    expect(chunks).toHaveLength(1 + 3 + 1 + 1);
    expect(chunks.every((c) => c.object === 'chat.completion.chunk' && c.model === model && c.id === chunks[0]?.id)).toBe(true);
    const finish = chunks[chunks.length - 2];
    expect(finish?.choices).toEqual([{ index: 0, delta: {}, finish_reason: 'stop', logprobs: null }]);
    const last = chunks[chunks.length - 1];
    expect(last?.choices).toEqual([]);
    expect(last?.usage).toEqual({ prompt_tokens: 5, completion_tokens: 4, total_tokens: 9, prompt_tokens_details: { cached_tokens: 3 } });
    expect(chunks.slice(0, -1).every((c) => c.usage === null)).toBe(true);
  });

  it('sends no usage chunk unless the client asks for it', async () => {
    fake.enqueue({ kind: 'text', text: 'one two' });
    const chunks = await collect(await client.chat.completions.create({ model, messages: [user('hi')], stream: true }));
    expect(text(chunks)).toBe('one two');
    expect(chunks.map((c) => c.choices.length)).toEqual([1, 1, 1, 1]);
    expect(chunks.some((c) => 'usage' in c)).toBe(false);
  });

  it('streams tool calls whose fragments assemble by index', async () => {
    const weather = JSON.stringify({ city: 'Oslo', unit: 'celsius' });
    const time = JSON.stringify({ tz: 'Europe/Oslo' });
    fake.enqueue({
      kind: 'tool_calls',
      calls: [
        { id: 'call_weather', name: 'get_weather', arguments: weather },
        { name: 'get_time', arguments: time },
      ],
    });
    const chunks = await collect(await client.chat.completions.create({ model, messages: [user('weather?')], stream: true }));

    const calls: Array<{ id?: string; name: string; arguments: string; fragments: number }> = [];
    for (const chunk of chunks) {
      for (const tc of chunk.choices[0]?.delta.tool_calls ?? []) {
        const call = (calls[tc.index] ??= { name: '', arguments: '', fragments: 0 });
        if (tc.id) call.id = tc.id;
        if (tc.function?.name) call.name = tc.function.name;
        if (tc.function?.arguments) {
          call.arguments += tc.function.arguments;
          call.fragments += 1;
        }
      }
    }
    expect(calls).toHaveLength(2);
    expect(calls[0]).toMatchObject({ id: 'call_weather', name: 'get_weather', arguments: weather });
    expect(calls[1]).toMatchObject({ id: expect.stringMatching(/^call_/), name: 'get_time', arguments: time });
    expect(JSON.parse(calls[1]!.arguments)).toEqual({ tz: 'Europe/Oslo' });
    expect(calls.every((c) => c.fragments >= 2 && c.fragments <= 3)).toBe(true);
    expect(chunks[chunks.length - 1]?.choices[0]?.finish_reason).toBe('tool_calls');
  });

  it('returns non-streamed tool calls with null content', async () => {
    fake.enqueue({ kind: 'tool_calls', calls: [{ id: 'call_1', name: 'lookup', arguments: '{"q":"x"}' }], usage: null });
    const res = await client.chat.completions.create({ model, messages: [user('look it up')] });
    expect(res.choices[0]?.finish_reason).toBe('tool_calls');
    expect(res.choices[0]?.message).toEqual({
      role: 'assistant',
      content: null,
      refusal: null,
      tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{"q":"x"}' } }],
    });
  });

  it('frames the stream as SSE data lines ending with [DONE]', async () => {
    fake.enqueue({ kind: 'text', text: 'a b' });
    const res = await fetch(`${fake.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model, messages: [user('hi')], stream: true }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const body = await res.text();
    const frames = body.split('\n\n');
    expect(frames.pop()).toBe('');
    expect(frames.pop()).toBe('data: [DONE]');
    expect(frames.map((f) => JSON.parse(f.replace(/^data: /, '')).choices[0].delta)).toEqual([
      { role: 'assistant', content: '' },
      { content: 'a' },
      { content: ' b' },
      {},
    ]);
  });

  it('surfaces a 429 as RateLimitError with the OpenAI error shape and headers', async () => {
    fake.enqueue({ kind: 'error', status: 429, headers: { 'retry-after': '0' } });
    const err = await client.chat.completions.create({ model, messages: [user('hi')] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    const apiErr = err as InstanceType<typeof OpenAI.RateLimitError>;
    expect(apiErr.status).toBe(429);
    expect(apiErr.headers?.get('retry-after')).toBe('0');
    expect(apiErr.error).toEqual({
      message: 'Rate limit reached for requests. Please try again later.',
      type: 'requests',
      param: null,
      code: 'rate_limit_exceeded',
    });
  });

  it('passes a custom error body through', async () => {
    fake.enqueue({ kind: 'error', status: 500, body: { error: { message: 'boom', type: 'server_error', param: null, code: null } } });
    const err = await client.chat.completions.create({ model, messages: [user('hi')] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.InternalServerError);
    expect((err as Error).message).toBe('500 boom');
  });

  it('hangs until the client times out', async () => {
    fake.enqueue({ kind: 'hang' });
    const timingClient = new OpenAI({ apiKey: 'test', baseURL: fake.baseURL, maxRetries: 0, fetch: realmSafeFetch });
    const started = Date.now();
    const err = await timingClient.chat.completions.create({ model, messages: [user('hi')] }, { timeout: 200 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(fake.requests).toHaveLength(1);
  });

  it('breaks the stream after the partial text', async () => {
    fake.enqueue({ kind: 'break', afterText: 'partial answer so' });
    const stream = await client.chat.completions.create({ model, messages: [user('hi')], stream: true });
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const c of stream) seen.push(c.choices[0]?.delta.content ?? '');
      })(),
    ).rejects.toThrow();
    expect(seen.join('')).toBe('partial answer so');
  });

  it('cuts or stalls a whole answer half way through its promised body', async () => {
    fake.enqueue({ kind: 'break', afterText: 'cut short' });
    await expect(client.chat.completions.create({ model, messages: [user('hi')] })).rejects.toThrow();
    fake.enqueue({ kind: 'stall', afterText: 'never finished' });
    const response = await client.chat.completions.create({ model, messages: [user('hi')] }).asResponse();
    expect(response.headers.get('content-type')).toBe('application/json');
    const reader = response.body!.getReader();
    const first = await reader.read();
    const length = Number(response.headers.get('content-length'));
    expect(first.value!.byteLength).toBeLessThan(length);
    // Nothing more arrives while the connection stays open.
    const more = await Promise.race([reader.read().then(() => 'more'), new Promise((resolve) => setTimeout(() => resolve('silent'), 300))]);
    expect(more).toBe('silent');
    await reader.cancel();
  });

  it('answers garbage that neither JSON nor SSE parsing accepts', async () => {
    fake.enqueue({ kind: 'garbage' }, { kind: 'garbage' });
    await expect(client.chat.completions.create({ model, messages: [user('hi')] })).rejects.toThrow(/not valid JSON/);
    // The SDK logs the unparsable event before throwing; capture it instead of printing it.
    const logged: unknown[][] = [];
    const quiet = () => undefined;
    const logger = { error: (...args: unknown[]) => void logged.push(args), warn: quiet, info: quiet, debug: quiet };
    const quietClient = new OpenAI({ apiKey: 'test', baseURL: fake.baseURL, maxRetries: 0, logger });
    const stream = await quietClient.chat.completions.create({ model, messages: [user('hi')], stream: true });
    await expect(collect(stream)).rejects.toThrow(/JSON/);
    expect(logged[0]?.[0]).toBe('Could not parse message into JSON:');
  });

  it('records every request with its body, messages and headers', async () => {
    const tools = [{ type: 'function' as const, function: { name: 'lookup', parameters: { type: 'object', properties: {} } } }];
    const before = Date.now();
    await client.chat.completions.create({ model, messages: [{ role: 'system', content: 'sys' }, user('one')], tools });
    await collect(
      await client.chat.completions.create({ model, messages: [user('two')], stream: true, stream_options: { include_usage: true } }),
    );

    expect(fake.requests).toHaveLength(2);
    const [first, second] = fake.requests;
    expect(first?.messages).toEqual([
      { role: 'system', content: 'sys' },
      { role: 'user', content: 'one' },
    ]);
    expect(first?.body).toEqual({ model, messages: first?.messages, tools });
    expect(first?.headers.authorization).toBe('Bearer test');
    expect(first?.receivedAt).toBeGreaterThanOrEqual(before);
    expect(second?.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    expect(second?.messages).toEqual([{ role: 'user', content: 'two' }]);
  });

  it('uses enqueued replies first-in-first-out, then the responder with the request index', async () => {
    fake.respondWith((req, index) => ({ kind: 'text', text: `responder #${index} saw ${req.messages.length}` }));
    fake.enqueue({ kind: 'text', text: 'first' }, { kind: 'text', text: 'second' });
    const answers: Array<string | null | undefined> = [];
    for (let i = 0; i < 3; i++) {
      const res = await client.chat.completions.create({ model, messages: [user(`q${i}`)] });
      answers.push(res.choices[0]?.message.content);
    }
    expect(answers).toEqual(['first', 'second', 'responder #2 saw 1']);
  });

  it('reset clears requests and queue and restores the echo responder', async () => {
    fake.respondWith(() => ({ kind: 'text', text: 'custom' }));
    fake.enqueue({ kind: 'text', text: 'queued' });
    await client.chat.completions.create({ model, messages: [user('a')] });
    fake.enqueue({ kind: 'text', text: 'left over' });
    fake.reset();
    expect(fake.requests).toHaveLength(0);
    const res = await client.chat.completions.create({ model, messages: [user('after reset')] });
    expect(res.choices[0]?.message.content).toBe('Echo: after reset');
  });

  it('turns a throwing responder into a 500', async () => {
    fake.respondWith(() => {
      throw new Error('responder bug');
    });
    await expect(client.chat.completions.create({ model, messages: [user('a')] })).rejects.toThrow(/responder bug/);
  });

  it('lists models and answers unknown routes with a 404 error body', async () => {
    const models = await client.models.list();
    expect(models.data.map((m) => [m.id, m.object, m.owned_by])).toEqual([
      ['gpt-4.1-nano', 'model', 'openai'],
      ['gpt-4.1-mini', 'model', 'openai'],
    ]);
    const res = await fetch(`${fake.baseURL}/embeddings`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      error: { message: 'Invalid URL (POST /v1/embeddings)', type: 'invalid_request_error', param: null, code: null },
    });
  });

  it('rejects a body that is not JSON with a 400', async () => {
    const res = await fetch(`${fake.baseURL}/chat/completions`, { method: 'POST', body: '{nope' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { type: string } }).error.type).toBe('invalid_request_error');
    expect(fake.requests).toHaveLength(0);
  });

  it('reuses keep-alive connections', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const port = Number(new URL(fake.baseURL).port);
    const get = () =>
      new Promise<boolean>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path: '/v1/models', agent }, (res) => {
          res.resume();
          res.on('end', () => resolve(req.reusedSocket));
        });
        req.on('error', reject);
        req.end();
      });
    try {
      expect(await get()).toBe(false);
      expect(await get()).toBe(true);
    } finally {
      agent.destroy();
    }
  });
});

describe('FakeOpenAI lifecycle', () => {
  it('delays the response head by latencyMs', async () => {
    const fake = await FakeOpenAI.start({ latencyMs: 150, responder: () => ({ kind: 'text', text: 'slow' }) });
    try {
      const client = new OpenAI({ apiKey: 'test', baseURL: fake.baseURL, maxRetries: 0 });
      const started = Date.now();
      const res = await client.chat.completions.create({ model, messages: [user('hi')] });
      expect(res.choices[0]?.message.content).toBe('slow');
      expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    } finally {
      await fake.close();
    }
  });

  it('spaces streamed chunks by delayMsPerChunk, and holds a whole answer as long as its chunks would take', async () => {
    const fake = await FakeOpenAI.start();
    const client = new OpenAI({ apiKey: 'test', baseURL: fake.baseURL, maxRetries: 0 });
    const timed = async <T>(answer: () => Promise<T>): Promise<{ value: T; ms: number }> => {
      fake.enqueue({ kind: 'text', text: 'a b c d', delayMsPerChunk: 40 });
      const started = Date.now();
      const value = await answer();
      return { value, ms: Date.now() - started };
    };
    try {
      const streamed = await timed(async () => text(await collect(await client.chat.completions.create({ model, messages: [user('hi')], stream: true }))));
      const whole = await timed(async () => (await client.chat.completions.create({ model, messages: [user('hi')] })).choices[0]?.message.content);
      for (const { value, ms } of [streamed, whole]) {
        expect(value).toBe('a b c d');
        expect(ms).toBeGreaterThanOrEqual(150);
      }
    } finally {
      await fake.close();
    }
  });

  it('close() tears down hanging requests promptly', async () => {
    const fake = await FakeOpenAI.start({ responder: () => ({ kind: 'hang' }) });
    const client = new OpenAI({ apiKey: 'test', baseURL: fake.baseURL, maxRetries: 0, timeout: 30_000 });
    const pending = client.chat.completions.create({ model, messages: [user('hi')] }).catch((e: unknown) => e);
    while (fake.requests.length === 0) await new Promise((r) => setTimeout(r, 5));
    const started = Date.now();
    await fake.close();
    const err = await pending;
    expect(err).toBeInstanceOf(OpenAI.APIConnectionError);
    expect(err).not.toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
