import fc from 'fast-check';
import { ChatCompletionBody, upstreamParams } from './chat-completions.schema.js';
import { splitMessages, toModelMessages } from './client-messages.js';
import { OpenAIError, parseOpenAI } from './openai-errors.js';
import { AddItemsBody, CreateConversationBody, ListItemsQuery, ResponseBody, responseParams, splitInput } from './responses.schema.js';

// Property-based checks of the OpenAI-compatible request parsing: any body is either parsed
// or refused as OpenAI's 400 (never another error), and only known options reach the upstream.

const text = fc.string({ unit: 'binary', maxLength: 80 });
const content = fc.oneof(text, fc.array(fc.record({ type: fc.oneof(fc.constantFrom('text', 'input_text', 'output_text', 'image_url'), text), text: fc.oneof(text, fc.jsonValue()) }, { requiredKeys: ['type'] }), { maxLength: 3 }), fc.jsonValue());
const message = fc.record(
  {
    role: fc.oneof(fc.constantFrom('system', 'developer', 'user', 'assistant', 'tool'), text),
    content,
    name: fc.oneof(text, fc.jsonValue()),
    tool_call_id: fc.oneof(text, fc.jsonValue()),
    tool_calls: fc.oneof(fc.array(fc.record({ id: text, type: fc.constant('function'), function: fc.record({ name: text, arguments: text }) }), { maxLength: 2 }), fc.jsonValue()),
  },
  { requiredKeys: ['role'] },
);
const chatBody = fc.oneof(
  fc.record(
    {
      model: fc.oneof(text, fc.jsonValue()),
      messages: fc.oneof(fc.array(message, { maxLength: 5 }), fc.jsonValue()),
      stream: fc.jsonValue(),
      temperature: fc.oneof(fc.double(), fc.jsonValue()),
      n: fc.oneof(fc.integer(), fc.jsonValue()),
      tools: fc.jsonValue(),
      tool_choice: fc.jsonValue(),
      metadata: fc.oneof(fc.dictionary(text, text), fc.jsonValue()),
      user: fc.oneof(text, fc.jsonValue()),
      __proto__: fc.jsonValue(),
      api_key: text,
      base_url: text,
    },
    { requiredKeys: [] },
  ),
  fc.anything(),
);
const inputItem = fc.oneof(fc.record({ type: fc.oneof(fc.constant('message'), text), role: fc.oneof(fc.constantFrom('user', 'assistant', 'system', 'developer'), text), content }, { requiredKeys: [] }), fc.jsonValue());
const responseBody = fc.oneof(
  fc.record(
    {
      input: fc.oneof(text, fc.array(inputItem, { maxLength: 5 }), fc.jsonValue()),
      instructions: fc.oneof(text, fc.jsonValue()),
      previous_response_id: fc.oneof(text, fc.jsonValue()),
      conversation: fc.oneof(text, fc.record({ id: text }), fc.jsonValue()),
      text: fc.oneof(fc.record({ format: fc.record({ type: fc.oneof(fc.constantFrom('text', 'json_object', 'json_schema'), text), schema: fc.jsonValue() }, { requiredKeys: ['type'] }) }), fc.jsonValue()),
      reasoning: fc.jsonValue(),
      metadata: fc.jsonValue(),
      api_key: text,
    },
    { requiredKeys: [] },
  ),
  fc.anything(),
);

/** Runs `work`; only an OpenAIError with a 4xx may come out of it. */
function refusedOrDone(work: () => unknown): void {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(OpenAIError);
    expect((error as OpenAIError).status).toBeGreaterThanOrEqual(400);
    expect((error as OpenAIError).status).toBeLessThan(500);
  }
}

const CHAT_PASSED = new Set(['temperature', 'top_p', 'stop', 'presence_penalty', 'frequency_penalty', 'seed', 'logit_bias', 'response_format', 'reasoning_effort', 'verbosity', 'user', 'safety_identifier', 'prompt_cache_key', 'tool_choice', 'parallel_tool_calls']);
const RESPONSE_PASSED = new Set(['temperature', 'top_p', 'user', 'safety_identifier', 'prompt_cache_key', 'reasoning_effort', 'response_format']);

/** Thousands of cases: room for a busy machine (jest's default is 5 s). */
const FUZZ_TIMEOUT_MS = 30_000;

describe('OpenAI-compatible request parsing under fuzzing', () => {
  it('Chat Completions: parsed or refused with a 400; only known options are passed upstream; messages split without surprises', () => {
    fc.assert(
      fc.property(chatBody, (body) => {
        refusedOrDone(() => {
          const parsed = parseOpenAI(ChatCompletionBody, body);
          for (const key of Object.keys(upstreamParams(parsed))) expect(CHAT_PASSED.has(key)).toBe(true);
          splitMessages(parsed.messages);
          toModelMessages(parsed.messages);
        });
      }),
      { numRuns: 2000 },
    );
  }, FUZZ_TIMEOUT_MS);

  it('Responses and Conversations: parsed or refused with a 400; only known options are passed upstream', () => {
    fc.assert(
      fc.property(responseBody, (body) => {
        refusedOrDone(() => {
          const parsed = parseOpenAI(ResponseBody, body);
          for (const key of Object.keys(responseParams(parsed))) expect(RESPONSE_PASSED.has(key)).toBe(true);
          const { newMessages, earlier } = splitInput(parsed);
          for (const m of [...earlier, ...newMessages]) expect(['user', 'assistant']).toContain(m.role);
        });
        refusedOrDone(() => parseOpenAI(CreateConversationBody, body));
        refusedOrDone(() => parseOpenAI(AddItemsBody, body));
        refusedOrDone(() => parseOpenAI(ListItemsQuery, body));
      }),
      { numRuns: 2000 },
    );
  }, FUZZ_TIMEOUT_MS);

  it('a NUL anywhere in a body is refused as a 400 naming where', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), fc.string({ maxLength: 20 }), (before, after) => {
        const body = { messages: [{ role: 'user', content: 'hi' }], metadata: { note: `${before}\u0000${after}` } };
        expect(() => parseOpenAI(ChatCompletionBody, body)).toThrow(expect.objectContaining({ status: 400, param: 'metadata.note' }));
      }),
      { numRuns: 200 },
    );
  }, FUZZ_TIMEOUT_MS);
});
