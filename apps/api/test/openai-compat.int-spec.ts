import OpenAI from 'openai';
import type { FakeOpenAI } from '@threadline/testing';
import { backends } from './backends.js';
import { untilNoWatchersAssumed, upstreamContents, useGateway, type Gateway } from './harness.js';
import { createKey, numeric, sql } from './usage-helpers.js';

/** The stored thread of an `openai` channel key, oldest first. */
async function thread(gateway: Gateway, key: string): Promise<Array<{ role: string; content: string; tool_call_id: string | null }>> {
  return sql(
    gateway,
    `SELECT m.role, m.content, m.tool_call_id FROM messages m JOIN sessions s ON s.id = m.session_id
     WHERE s.channel = 'openai' AND s.key = $1 AND s.status = 'active' ORDER BY m.seq`,
    [key],
  );
}

describe.each(backends())('OpenAI-compatible chat completions (%s)', (backend) => {
  const suite = useGateway(backend);
  let fake: FakeOpenAI;
  let gateway: Gateway;
  let tenant: string;
  let keyId: string;
  let client: OpenAI;

  beforeAll(async () => {
    ({ fake, gateway } = suite);
    const key = await createKey(gateway, { tenant: 'acme' });
    tenant = key.body.tenant;
    keyId = key.id;
    client = new OpenAI({ apiKey: key.secret, baseURL: `${gateway.url}/v1`, maxRetries: 0 });
  });

  it('remembers earlier turns of an X-Session-Id session and answers in OpenAI’s shape', async () => {
    // Past the start-up grace no staff member is assumed to watch, so whether the upstream streams is settled.
    await untilNoWatchersAssumed();
    const headers = { 'X-Session-Id': 'mike-1' };
    const first = await client.chat.completions.create({ model: 'gpt-4.1-nano', messages: [{ role: 'user', content: 'My name is Mike' }] }, { headers });
    expect(first).toMatchObject({
      object: 'chat.completion',
      model: 'gpt-4.1-nano',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Echo: My name is Mike' }, finish_reason: 'stop' }],
      usage: { prompt_tokens_details: { cached_tokens: 0 } },
    });
    expect(first.id).toMatch(/^chatcmpl-[0-9a-f]{32}$/);
    expect(first.usage!.prompt_tokens).toBeGreaterThan(0);
    expect(first.usage!.total_tokens).toBe(first.usage!.prompt_tokens + first.usage!.completion_tokens);

    const second = await client.chat.completions.create({ model: 'gpt-4.1-nano', messages: [{ role: 'user', content: "What's my name?" }] }, { headers });
    expect(second.choices[0]!.message.content).toBe("Echo: What's my name?");
    expect(upstreamContents(fake, 1)).toEqual([expect.stringMatching(/^system: You are a helpful/), 'user: My name is Mike', 'assistant: Echo: My name is Mike', "user: What's my name?"]);
    // A call that does not stream, with nobody watching, is asked for whole.
    expect(fake.requests[1]!.body).toMatchObject({ model: 'gpt-4.1-nano', stream: false });
    // Threadline's own tools (on by default elsewhere) are not offered unless TOOLS_OPENAI names them.
    expect(fake.requests[1]!.body.tools).toBeUndefined();

    // metadata.session_id and user name the same thread as the header.
    await client.chat.completions.create({ model: 'gpt-4.1-nano', messages: [{ role: 'user', content: 'Third' }], metadata: { session_id: 'mike-1' } });
    await client.chat.completions.create({ model: 'gpt-4.1-nano', messages: [{ role: 'user', content: 'Fourth' }], user: 'mike-1' });
    expect(upstreamContents(fake, 3).filter((c) => c.startsWith('user: '))).toEqual(['user: My name is Mike', "user: What's my name?", 'user: Third', 'user: Fourth']);
    const stored = await thread(gateway, `${tenant}:s:mike-1`);
    expect(stored.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant', 'user', 'assistant', 'user', 'assistant']);
  });

  it('does not duplicate a history the client resends, and uses the client’s system message', async () => {
    const headers = { 'X-Session-Id': 'resender' };
    const system = { role: 'system' as const, content: 'You are terse.' };
    const a1 = await client.chat.completions.create({ model: 'gpt-4.1-nano', messages: [system, { role: 'user', content: 'One' }] }, { headers });
    const history = [system, { role: 'user' as const, content: 'One' }, { role: 'assistant' as const, content: a1.choices[0]!.message.content! }];
    const a2 = await client.chat.completions.create({ model: 'gpt-4.1-nano', messages: [...history, { role: 'user', content: 'Two' }] }, { headers });
    await client.chat.completions.create(
      { model: 'gpt-4.1-nano', messages: [...history, { role: 'user', content: 'Two' }, { role: 'assistant', content: a2.choices[0]!.message.content! }, { role: 'user', content: 'Three' }] },
      { headers },
    );
    expect(upstreamContents(fake, 2)).toEqual(['system: You are terse.', 'user: One', 'assistant: Echo: One', 'user: Two', 'assistant: Echo: Two', 'user: Three']);
    expect((await thread(gateway, `${tenant}:s:resender`)).map((m) => m.content)).toEqual(['One', 'Echo: One', 'Two', 'Echo: Two', 'Three', 'Echo: Three']);
  });

  it('seeds a thread that holds nothing yet with the history the client sends', async () => {
    const headers = { 'X-Session-Id': 'migrated' };
    const history: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [
      { role: 'user', content: 'My name is Ada' },
      { role: 'assistant', content: 'Hello Ada' },
    ];
    await client.chat.completions.create({ model: 'gpt-4.1-nano', messages: [...history, { role: 'user', content: 'Who am I?' }] }, { headers });
    expect(upstreamContents(fake, 0).slice(1)).toEqual(['user: My name is Ada', 'assistant: Hello Ada', 'user: Who am I?']);
    await client.chat.completions.create(
      { model: 'gpt-4.1-nano', messages: [...history, { role: 'user', content: 'Who am I?' }, { role: 'assistant', content: 'Echo: Who am I?' }, { role: 'user', content: 'Sure?' }] },
      { headers },
    );
    expect(upstreamContents(fake, 1).slice(1)).toEqual(['user: My name is Ada', 'assistant: Hello Ada', 'user: Who am I?', 'assistant: Echo: Who am I?', 'user: Sure?']);
    expect((await thread(gateway, `${tenant}:s:migrated`)).map((m) => m.content)).toEqual(['My name is Ada', 'Hello Ada', 'Who am I?', 'Echo: Who am I?', 'Sure?', 'Echo: Sure?']);
  });

  it('does not store a retried question twice after the upstream failed', async () => {
    const headers = { 'X-Session-Id': 'retrier' };
    fake.enqueue({ kind: 'error', status: 400, body: { error: { message: 'bad things', type: 'invalid_request_error', param: null, code: null } } });
    const failed = await client.chat.completions.create({ model: 'gpt-4.1-nano', messages: [{ role: 'user', content: 'Hello?' }] }, { headers }).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(OpenAI.BadRequestError);
    expect((failed as InstanceType<typeof OpenAI.BadRequestError>).message).toContain('bad things');
    await client.chat.completions.create({ model: 'gpt-4.1-nano', messages: [{ role: 'user', content: 'Hello?' }] }, { headers });
    expect(upstreamContents(fake, 1).slice(1)).toEqual(['user: Hello?']);
    expect((await thread(gateway, `${tenant}:s:retrier`)).map((m) => `${m.role}: ${m.content}`)).toEqual(['user: Hello?', 'assistant: ', 'assistant: Echo: Hello?']);
  });

  it('streams chunks with a final usage chunk, and the streamed turn is remembered', async () => {
    const headers = { 'X-Session-Id': 'streamer' };
    const stream = await client.chat.completions.create(
      { model: 'gpt-4.1-nano', messages: [{ role: 'user', content: 'Stream this answer please' }], stream: true, stream_options: { include_usage: true } },
      { headers },
    );
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('Echo: Stream this answer please');
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
    expect(chunks[0]).toMatchObject({ object: 'chat.completion.chunk', model: 'gpt-4.1-nano', choices: [{ delta: { role: 'assistant' } }] });
    expect(chunks.at(-2)!.choices[0]!.finish_reason).toBe('stop');
    expect(chunks.at(-1)!.choices).toEqual([]);
    expect(chunks.at(-1)!.usage!.prompt_tokens).toBeGreaterThan(0);

    await client.chat.completions.create({ model: 'gpt-4.1-nano', messages: [{ role: 'user', content: 'And now?' }] }, { headers });
    expect(upstreamContents(fake, 1).slice(1)).toEqual(['user: Stream this answer please', 'assistant: Echo: Stream this answer please', 'user: And now?']);
  });

  it('passes the client’s tools through, returns their calls, and continues the thread with the results', async () => {
    const headers = { 'X-Session-Id': 'tooler' };
    const tools: OpenAI.Chat.Completions.ChatCompletionTool[] = [
      { type: 'function', function: { name: 'get_weather', description: 'Weather in a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } },
    ];
    fake.enqueue({ kind: 'tool_calls', calls: [{ id: 'call_w1', name: 'get_weather', arguments: '{"city":"Paris"}' }] });
    const ask: OpenAI.Chat.Completions.ChatCompletionMessageParam = { role: 'user', content: 'Weather in Paris?' };
    const first = await client.chat.completions.create({ model: 'gpt-4.1-nano', messages: [ask], tools, tool_choice: 'auto' }, { headers });
    expect(first.choices[0]).toMatchObject({
      finish_reason: 'tool_calls',
      message: { role: 'assistant', content: null, tool_calls: [{ id: 'call_w1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
    });
    expect(fake.requests[0]!.body.tools.map((t: { function: { name: string } }) => t.function.name)).toEqual(['get_weather']);
    expect(fake.requests[0]!.body.tool_choice).toBe('auto');

    // The client runs its tool and sends the whole exchange back, as OpenAI clients do.
    fake.enqueue({ kind: 'text', text: 'It is 18°C in Paris.' });
    const stream = await client.chat.completions.create(
      { model: 'gpt-4.1-nano', messages: [ask, first.choices[0]!.message, { role: 'tool', tool_call_id: 'call_w1', content: '{"celsius":18}' }], tools, stream: true },
      { headers },
    );
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('It is 18°C in Paris.');
    expect(upstreamContents(fake, 1).slice(1)).toEqual([
      'user: Weather in Paris?',
      'assistant: [{"id":"call_w1","type":"function","function":{"name":"get_weather","arguments":"{\\"city\\":\\"Paris\\"}"}}]',
      'tool: {"celsius":18}',
    ]);
    expect(fake.requests[1]!.messages[3]).toMatchObject({ role: 'tool', tool_call_id: 'call_w1' });
    expect((await thread(gateway, `${tenant}:s:tooler`)).map((m) => m.role)).toEqual(['user', 'assistant', 'tool', 'assistant']);

    // Streamed tool calls arrive as tool_call deltas.
    fake.enqueue({ kind: 'tool_calls', calls: [{ id: 'call_w2', name: 'get_weather', arguments: '{"city":"Oslo"}' }] });
    const streamedCall = await client.chat.completions.create({ model: 'gpt-4.1-nano', messages: [{ role: 'user', content: 'And Oslo?' }], tools, stream: true }, { headers });
    const deltas: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const chunk of streamedCall) deltas.push(chunk);
    expect(deltas.flatMap((c) => c.choices[0]?.delta.tool_calls ?? [])).toEqual([{ index: 0, id: 'call_w2', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } }]);
    expect(deltas.at(-1)!.choices[0]!.finish_reason).toBe('tool_calls');
  });

  it('proxies requests without a session as sent, stores no thread and records their usage', async () => {
    const before = await sql<{ n: number }>(gateway, `SELECT count(*)::int AS n FROM sessions WHERE channel = 'openai'`);
    const reply = await client.chat.completions.create({
      model: 'gpt-4.1-mini',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Earlier' },
        { role: 'assistant', content: 'Noted' },
        { role: 'user', content: 'Now' },
      ],
      temperature: 0.2,
      max_tokens: 50,
    });
    expect(reply.choices[0]!.message.content).toBe('Echo: Now');
    expect(upstreamContents(fake, 0)).toEqual(['system: Be brief.', 'user: Earlier', 'assistant: Noted', 'user: Now']);
    expect(fake.requests[0]!.body).toMatchObject({ model: 'gpt-4.1-mini', temperature: 0.2, max_completion_tokens: 50 });
    expect(await sql(gateway, `SELECT count(*)::int AS n FROM sessions WHERE channel = 'openai'`)).toEqual(before);
    const usage = numeric(await sql(gateway, `SELECT model, messages, prompt_tokens, completion_tokens FROM usage_daily WHERE channel = 'openai' AND model = 'gpt-4.1-mini'`));
    expect(usage).toEqual([{ model: 'gpt-4.1-mini', messages: 1, prompt_tokens: reply.usage!.prompt_tokens, completion_tokens: reply.usage!.completion_tokens }]);
    const byKey = numeric(await sql(gateway, `SELECT messages, cost_micros FROM api_key_usage WHERE api_key_id = $1`, [keyId]));
    expect(byKey[0]!.messages).toBeGreaterThan(1);
    expect(byKey[0]!.cost_micros).toBeGreaterThan(0);

    // Streaming works the same without a session.
    const stream = await client.chat.completions.create({ model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'Just proxy' }], stream: true, stream_options: { include_usage: true } });
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('Echo: Just proxy');
    expect(chunks.at(-1)!.usage!.completion_tokens).toBeGreaterThan(0);
    const after = numeric(await sql(gateway, `SELECT messages FROM usage_daily WHERE channel = 'openai' AND model = 'gpt-4.1-mini'`));
    expect(after).toEqual([{ messages: 2 }]);
  });

  it('ends a stream that breaks part way with an error event the SDK raises', async () => {
    fake.enqueue({ kind: 'break', afterText: 'Half an answer' });
    const stream = await client.chat.completions.create(
      { model: 'gpt-4.1-nano', messages: [{ role: 'user', content: 'Tell me everything' }], stream: true },
      { headers: { 'X-Session-Id': 'broken' } },
    );
    let text = '';
    const failure = await (async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    })().catch((e: unknown) => e);
    expect(text).toBe('Half an answer');
    expect(failure).toBeInstanceOf(OpenAI.APIError);
    expect(failure).toMatchObject({ code: 'upstream_error', type: 'server_error' });
    expect((await thread(gateway, `${tenant}:s:broken`)).map((m) => `${m.role}: ${m.content}`)).toEqual(['user: Tell me everything', 'assistant: Half an answer']);
  });

  it('refuses with 429 insufficient_quota once the key’s budget is spent, with or without a session', async () => {
    const limited = await createKey(gateway, { tenant: 'acme', budget: { tokensPerDay: 1 } });
    const poor = new OpenAI({ apiKey: limited.secret, baseURL: `${gateway.url}/v1`, maxRetries: 0 });
    await poor.chat.completions.create({ model: 'gpt-4.1-nano', messages: [{ role: 'user', content: 'First is let through' }] });
    for (const headers of [{}, { 'X-Session-Id': 'poor' }]) {
      const refused = await poor.chat.completions.create({ model: 'gpt-4.1-nano', messages: [{ role: 'user', content: 'Again' }] }, { headers }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(OpenAI.RateLimitError);
      expect(refused).toMatchObject({ status: 429, code: 'insufficient_quota', type: 'insufficient_quota' });
      expect((refused as InstanceType<typeof OpenAI.RateLimitError>).headers.get('retry-after')).toMatch(/^\d+$/);
    }
    expect(fake.requests).toHaveLength(1);
  });

  it('keeps another tenant’s key out of a session with the same id', async () => {
    await client.chat.completions.create({ model: 'gpt-4.1-nano', messages: [{ role: 'user', content: 'Secret of acme' }] }, { headers: { 'X-Session-Id': 'shared-name' } });
    const other = await createKey(gateway, { tenant: 'globex' });
    const otherClient = new OpenAI({ apiKey: other.secret, baseURL: `${gateway.url}/v1`, maxRetries: 0 });
    await otherClient.chat.completions.create({ model: 'gpt-4.1-nano', messages: [{ role: 'user', content: 'What was said?' }] }, { headers: { 'X-Session-Id': 'shared-name' } });
    expect(upstreamContents(fake, 1).slice(1)).toEqual(['user: What was said?']);
  });

  it('lists the upstream’s models', async () => {
    const models = [];
    for await (const model of client.models.list()) models.push(model);
    expect(models.length).toBeGreaterThan(0);
    expect(models[0]).toMatchObject({ object: 'model', id: expect.any(String) });
    const one = await client.models.retrieve(models[0]!.id);
    expect(one.id).toBe(models[0]!.id);
    await expect(client.models.retrieve('no-such-model')).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });

  it('answers errors in OpenAI’s shape', async () => {
    const anonymous = new OpenAI({ apiKey: 'tl_not-a-real-key', baseURL: `${gateway.url}/v1`, maxRetries: 0 });
    const unauthorized = await anonymous.chat.completions.create({ model: 'x', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
    expect(unauthorized).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(unauthorized).toMatchObject({ status: 401, code: 'invalid_api_key', type: 'invalid_request_error' });

    const noKey = await gateway.request('POST', '/v1/chat/completions', { body: { messages: [] } });
    expect(noKey.status).toBe(401);
    expect(noKey.body).toEqual({ error: { message: expect.stringContaining('API key'), type: 'invalid_request_error', param: null, code: null } });

    const auth = { authorization: `Bearer ${client.apiKey}` };
    const empty = await gateway.request('POST', '/v1/chat/completions', { headers: auth, body: { model: 'x', messages: [] } });
    expect(empty.status).toBe(400);
    expect(empty.body.error).toMatchObject({ type: 'invalid_request_error', param: 'messages' });
    const badRole = await gateway.request('POST', '/v1/chat/completions', { headers: auth, body: { model: 'x', messages: [{ role: 'robot', content: 'hi' }] } });
    expect(badRole.status).toBe(400);
    expect(badRole.body.error.param).toBe('messages[0].role');
    const twoChoices = await client.chat.completions.create({ model: 'x', n: 2, messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
    expect(twoChoices).toMatchObject({ status: 400, param: 'n' });
    const image = await client.chat.completions
      .create({ model: 'x', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/a.png' } }] }] })
      .catch((e: unknown) => e);
    expect(image).toMatchObject({ status: 400, param: 'messages[0].content[0]' });
    const malformed = await gateway.request('POST', '/v1/chat/completions', { headers: auth, raw: '{"messages": [' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error).toMatchObject({ type: 'invalid_request_error', message: 'the body is not valid JSON' });
    const missing = await gateway.request('POST', '/v1/embeddings', { headers: auth, body: { input: 'x' } });
    expect(missing.status).toBe(404);
    expect(missing.body.error).toMatchObject({ type: 'invalid_request_error', message: expect.stringContaining('/v1/embeddings') });
    const endsWithAnswer = await client.chat.completions
      .create({ model: 'x', messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'hello' }] }, { headers: { 'X-Session-Id': 'x' } })
      .catch((e: unknown) => e);
    expect(endsWithAnswer).toMatchObject({ status: 400, param: 'messages' });
    expect(fake.requests).toHaveLength(0);
  });

  it('passes an upstream rate limit on as a 429 once retries are spent', async () => {
    const limited = { kind: 'error' as const, status: 429, headers: { 'retry-after': '0' } };
    fake.enqueue(limited, limited, limited, limited);
    const refused = await client.chat.completions.create({ model: 'gpt-4.1-nano', messages: [{ role: 'user', content: 'Busy?' }] }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(OpenAI.RateLimitError);
    expect(refused).toMatchObject({ code: 'rate_limit_exceeded' });
    expect(fake.requests).toHaveLength(4);
  });

  it('is described in the OpenAPI document', async () => {
    const doc = await gateway.request('GET', '/api/docs/openapi.json');
    const paths = Object.keys(doc.body.paths).filter((p) => p.startsWith('/v1/'));
    expect(paths).toEqual(expect.arrayContaining(['/v1/chat/completions', '/v1/models', '/v1/responses', '/v1/responses/{id}', '/v1/conversations/{id}/items']));
    expect(doc.body.paths['/v1/chat/completions'].post.parameters).toContainEqual(expect.objectContaining({ name: 'X-Session-Id', in: 'header' }));
  });

  it('accepts bodies larger than the other routes allow, and holds stored messages to MAX_MESSAGE_BYTES', async () => {
    const history = Array.from({ length: 40 }, (_, i) => [
      { role: 'user' as const, content: `question ${i} ${'x'.repeat(2000)}` },
      { role: 'assistant' as const, content: `answer ${i}` },
    ]).flat();
    const big = await client.chat.completions.create({ model: 'gpt-4.1-nano', messages: [...history, { role: 'user', content: 'Last one' }] }, { headers: { 'X-Session-Id': 'big' } });
    expect(big.choices[0]!.message.content).toBe('Echo: Last one');
    const tooLong = await client.chat.completions
      .create({ model: 'gpt-4.1-nano', messages: [{ role: 'user', content: 'y'.repeat(17 * 1024) }] }, { headers: { 'X-Session-Id': 'big' } })
      .catch((e: unknown) => e);
    expect(tooLong).toMatchObject({ status: 413, code: 'request_too_large' });
  });
});
