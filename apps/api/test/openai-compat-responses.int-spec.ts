import OpenAI from 'openai';
import type { FakeOpenAI } from '@threadline/testing';
import { backends } from './backends.js';
import { masterAuth, provisionStorage, startGateway, upstreamContents, useGateway, type Gateway, type StorageHandle } from './harness.js';
import { createKey, sql } from './usage-helpers.js';

const MODEL = 'gpt-4.1-nano';

describe.each(backends())('OpenAI-compatible Responses and Conversations (%s)', (backend) => {
  const suite = useGateway(backend);
  let fake: FakeOpenAI;
  let gateway: Gateway;
  let client: OpenAI;
  let outsider: OpenAI;

  beforeAll(async () => {
    ({ fake, gateway } = suite);
    const own = await createKey(gateway, { tenant: 'acme' });
    const other = await createKey(gateway, { tenant: 'globex' });
    client = new OpenAI({ apiKey: own.secret, baseURL: `${gateway.url}/v1`, maxRetries: 0 });
    outsider = new OpenAI({ apiKey: other.secret, baseURL: `${gateway.url}/v1`, maxRetries: 0 });
  });

  it('keeps the context of a previous_response_id chain, and stores each response for retrieval', async () => {
    const first = await client.responses.create({ model: MODEL, input: 'My name is Mike', instructions: 'Answer briefly.' });
    expect(first).toMatchObject({
      object: 'response',
      status: 'completed',
      model: MODEL,
      store: true,
      instructions: 'Answer briefly.',
      previous_response_id: null,
      output: [{ type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'Echo: My name is Mike' }] }],
    });
    expect(first.id).toMatch(/^resp_[0-9a-f]{32}$/);
    expect(first.output_text).toBe('Echo: My name is Mike');
    expect(first.usage!.input_tokens).toBeGreaterThan(0);
    expect(first.usage!.total_tokens).toBe(first.usage!.input_tokens + first.usage!.output_tokens);
    expect(upstreamContents(fake, 0)).toEqual(['system: Answer briefly.', 'user: My name is Mike']);

    const second = await client.responses.create({ model: MODEL, input: [{ role: 'user', content: "What's my name?" }], previous_response_id: first.id });
    expect(second.previous_response_id).toBe(first.id);
    expect(upstreamContents(fake, 1)).toEqual([expect.stringMatching(/^system: You are a helpful/), 'user: My name is Mike', 'assistant: Echo: My name is Mike', "user: What's my name?"]);
    const third = await client.responses.create({ model: MODEL, input: 'And again?', previous_response_id: second.id });
    expect(upstreamContents(fake, 2).slice(1)).toEqual(['user: My name is Mike', 'assistant: Echo: My name is Mike', "user: What's my name?", "assistant: Echo: What's my name?", 'user: And again?']);

    const retrieved = await client.responses.retrieve(third.id);
    expect(retrieved).toMatchObject({ id: third.id, status: 'completed', output_text: 'Echo: And again?', previous_response_id: second.id });
    expect(retrieved.output[0]!.id).toBe(third.output[0]!.id);

    // Deleted, a response can neither be read nor continued; the rest of the chain stays.
    expect(await (client.responses.delete(first.id) as Promise<unknown>)).toEqual({ id: first.id, object: 'response', deleted: true });
    await expect(client.responses.retrieve(first.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    const continued = await client.responses.create({ model: MODEL, input: 'x', previous_response_id: first.id }).catch((e: unknown) => e);
    expect(continued).toMatchObject({ status: 404, param: 'previous_response_id' });
    await expect(client.responses.retrieve(second.id)).resolves.toMatchObject({ id: second.id });
  });

  it('streams the Responses events in order, ending with usage', async () => {
    // Spaced, so the words arrive in separate reads (text that arrives together is one delta).
    fake.enqueue({ kind: 'text', text: 'Echo: Stream me please', delayMsPerChunk: 5 });
    const stream = await client.responses.create({ model: MODEL, input: 'Stream me please', stream: true });
    const events: OpenAI.Responses.ResponseStreamEvent[] = [];
    for await (const event of stream) events.push(event);
    const types = events.map((e) => e.type);
    expect(types[0]).toBe('response.created');
    expect(types.at(-1)).toBe('response.completed');
    expect(types).toEqual(expect.arrayContaining(['response.in_progress', 'response.output_item.added', 'response.content_part.added', 'response.output_text.done', 'response.output_item.done']));
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    const deltas = events.filter((e): e is OpenAI.Responses.ResponseTextDeltaEvent => e.type === 'response.output_text.delta');
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.map((d) => d.delta).join('')).toBe('Echo: Stream me please');
    const completed = events.at(-1) as OpenAI.Responses.ResponseCompletedEvent;
    expect(completed.response.usage!.output_tokens).toBeGreaterThan(0);
    expect(completed.response.status).toBe('completed');

    // The SDK's stream helper assembles the same response, which is stored and continues.
    const helper = client.responses.stream({ model: MODEL, input: 'Once more', previous_response_id: completed.response.id });
    const final = await helper.finalResponse();
    expect(final.output_text).toBe('Echo: Once more');
    expect(upstreamContents(fake, 1).slice(1)).toEqual(['user: Stream me please', 'assistant: Echo: Stream me please', 'user: Once more']);
    await expect(client.responses.retrieve(final.id)).resolves.toMatchObject({ output_text: 'Echo: Once more' });
  });

  it('keeps a conversation’s context across responses and lists, adds, updates and deletes it', async () => {
    const conversation = await client.conversations.create({ metadata: { topic: 'intro' }, items: [{ type: 'message', role: 'user', content: 'My name is Ann' }] });
    expect(conversation).toMatchObject({ object: 'conversation', metadata: { topic: 'intro' } });
    expect(conversation.id).toMatch(/^conv_[0-9a-f]{32}$/);

    const answer = await client.responses.create({ model: MODEL, input: 'Who am I?', conversation: conversation.id });
    expect(answer.conversation).toEqual({ id: conversation.id });
    expect(upstreamContents(fake, 0).slice(1)).toEqual(['user: My name is Ann', 'user: Who am I?']);
    await client.conversations.items.create(conversation.id, { items: [{ type: 'message', role: 'user', content: 'I live in Oslo' }] });
    await client.responses.create({ model: MODEL, input: 'Where do I live?', conversation: { id: conversation.id } });
    expect(upstreamContents(fake, 1).slice(1)).toEqual(['user: My name is Ann', 'user: Who am I?', 'assistant: Echo: Who am I?', 'user: I live in Oslo', 'user: Where do I live?']);

    const items = [];
    for await (const item of client.conversations.items.list(conversation.id, { order: 'asc' })) items.push(item);
    expect(items.map((i) => (i.type === 'message' ? `${i.role}: ${(i.content[0] as { text: string }).text}` : i.type))).toEqual([
      'user: My name is Ann',
      'user: Who am I?',
      'assistant: Echo: Who am I?',
      'user: I live in Oslo',
      'user: Where do I live?',
      'assistant: Echo: Where do I live?',
    ]);
    // The answer's item id is the one its response gave it; pages follow item ids, newest first by default.
    expect(items[2]!.id).toBe(answer.output[0]!.id);
    const newest = await client.conversations.items.list(conversation.id, { limit: 2 });
    expect(newest.data.map((i) => i.id)).toEqual([items[5]!.id, items[4]!.id]);
    expect(newest.has_more).toBe(true);
    const next = await newest.getNextPage();
    expect(next.data.map((i) => i.id)).toEqual([items[3]!.id, items[2]!.id]);

    await expect(client.conversations.update(conversation.id, { metadata: { topic: 'moved' } })).resolves.toMatchObject({ metadata: { topic: 'moved' } });
    await expect(client.conversations.retrieve(conversation.id)).resolves.toMatchObject({ id: conversation.id, metadata: { topic: 'moved' } });
    await expect(client.conversations.delete(conversation.id)).resolves.toMatchObject({ id: conversation.id, deleted: true, object: 'conversation.deleted' });
    await expect(client.conversations.retrieve(conversation.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    const afterDelete = await client.responses.create({ model: MODEL, input: 'Still there?', conversation: conversation.id }).catch((e: unknown) => e);
    expect(afterDelete).toMatchObject({ status: 404, param: 'conversation' });
  });

  it('opens nothing of one tenant’s responses and conversations to another tenant’s key', async () => {
    const response = await client.responses.create({ model: MODEL, input: 'Private matter' });
    const conversation = await client.conversations.create({ items: [{ type: 'message', role: 'user', content: 'Private too' }] });
    fake.reset();
    const refusals = await Promise.all([
      outsider.responses.retrieve(response.id).catch((e: unknown) => e),
      outsider.responses.create({ model: MODEL, input: 'Tell me', previous_response_id: response.id }).catch((e: unknown) => e),
      outsider.responses.delete(response.id).catch((e: unknown) => e),
      outsider.conversations.retrieve(conversation.id).catch((e: unknown) => e),
      outsider.conversations.update(conversation.id, { metadata: { a: 'b' } }).catch((e: unknown) => e),
      outsider.conversations.items.list(conversation.id).catch((e: unknown) => e),
      outsider.conversations.items.create(conversation.id, { items: [{ type: 'message', role: 'user', content: 'sneak' }] }).catch((e: unknown) => e),
      outsider.responses.create({ model: MODEL, input: 'Tell me', conversation: conversation.id }).catch((e: unknown) => e),
      outsider.conversations.delete(conversation.id).catch((e: unknown) => e),
    ]);
    for (const refusal of refusals) expect(refusal).toBeInstanceOf(OpenAI.NotFoundError);
    expect(fake.requests).toHaveLength(0);
    await expect(client.responses.retrieve(response.id)).resolves.toMatchObject({ output_text: 'Echo: Private matter' });
    const items = await client.conversations.items.list(conversation.id);
    expect(items.data.map((i) => i.type === 'message' && (i.content[0] as { text: string }).text)).toEqual(['Private too']);
  });

  it('with store: false, reads the chain but writes nothing', async () => {
    const stored = await client.responses.create({ model: MODEL, input: 'Remember the number 7' });
    const transient = await client.responses.create({ model: MODEL, input: 'What number?', previous_response_id: stored.id, store: false });
    expect(transient).toMatchObject({ store: false, status: 'completed', output_text: 'Echo: What number?' });
    expect(upstreamContents(fake, 1).slice(1)).toEqual(['user: Remember the number 7', 'assistant: Echo: Remember the number 7', 'user: What number?']);
    await expect(client.responses.retrieve(transient.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await client.responses.create({ model: MODEL, input: 'Next', previous_response_id: stored.id });
    expect(upstreamContents(fake, 2).slice(1)).toEqual(['user: Remember the number 7', 'assistant: Echo: Remember the number 7', 'user: Next']);

    // With nothing to continue it is a plain proxy call: only the instructions, no stored thread.
    const sessions = await sql(gateway, `SELECT count(*)::int AS n FROM sessions WHERE channel = 'openai'`);
    await client.responses.create({ model: MODEL, input: 'Alone', instructions: 'Be kind.', store: false });
    expect(upstreamContents(fake, 3)).toEqual(['system: Be kind.', 'user: Alone']);
    expect(await sql(gateway, `SELECT count(*)::int AS n FROM sessions WHERE channel = 'openai'`)).toEqual(sessions);
  });

  it('forgets a response when staff delete its session (GDPR)', async () => {
    const response = await client.responses.create({ model: MODEL, input: 'Forget me' });
    const [session] = await sql<{ id: string }>(gateway, `SELECT id FROM sessions WHERE channel = 'openai' AND key = $1`, [`acme:resp:${response.id}`]);
    expect((await gateway.request('DELETE', `/api/admin/sessions/${session!.id}`, { headers: masterAuth })).status).toBe(200);
    await expect(client.responses.retrieve(response.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });

  it('refuses what it does not support, in OpenAI’s terms', async () => {
    const tools = await client.responses
      .create({ model: MODEL, input: 'x', tools: [{ type: 'function', name: 'f', parameters: {}, strict: false }] })
      .catch((e: unknown) => e);
    expect(tools).toMatchObject({ status: 400, param: 'tools' });
    const call = await client.responses
      .create({ model: MODEL, input: [{ type: 'function_call_output', call_id: 'c', output: 'x' }] })
      .catch((e: unknown) => e);
    expect(call).toMatchObject({ status: 400, param: 'input[0].type' });
    const both = await client.responses.create({ model: MODEL, input: 'x', previous_response_id: 'resp_1', conversation: 'conv_1' }).catch((e: unknown) => e);
    expect(both).toMatchObject({ status: 400 });
    const unknown = await client.responses.retrieve('resp_0123').catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(OpenAI.NotFoundError);
    expect(fake.requests).toHaveLength(0);
  });
});

describe('OpenAI-compatible models in simulated mode', () => {
  let storage: StorageHandle;
  let gateway: Gateway;

  beforeAll(async () => {
    storage = await provisionStorage('embedded');
    gateway = await startGateway({ storage });
  });
  afterAll(async () => {
    await gateway?.close();
    await storage?.dispose();
  });

  it('lists the simulated model and answers with it, whatever model is asked for', async () => {
    const { secret } = await createKey(gateway);
    const client = new OpenAI({ apiKey: secret, baseURL: `${gateway.url}/v1`, maxRetries: 0 });
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toEqual(['simulated']);
    const reply = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi there' }] }, { headers: { 'X-Session-Id': 'sim' } });
    expect(reply.model).toBe('simulated');
    expect(reply.choices[0]!.message.content).toContain('Simulated model');
  });
});
