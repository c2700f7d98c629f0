import { z } from 'zod';

/*
 * OpenAI's Chat Completions request, as far as Threadline honours it. Unknown fields
 * are dropped rather than refused (OpenAI clients send many); known fields must be
 * well formed; what cannot be honoured (n > 1, non-text content) is refused.
 */

const ContentPart = z.looseObject({ type: z.string().max(64), text: z.string().optional() });
export const Content = z.union([z.string(), z.array(ContentPart).max(256)]);

const ToolCallIn = z.looseObject({
  id: z.string().min(1).max(256),
  type: z.literal('function').optional(),
  function: z.looseObject({ name: z.string().min(1).max(256), arguments: z.string() }),
});

export const ChatMessage = z.discriminatedUnion('role', [
  z.looseObject({ role: z.enum(['system', 'developer']), content: Content, name: z.string().optional() }),
  z.looseObject({ role: z.literal('user'), content: Content, name: z.string().optional() }),
  z.looseObject({
    role: z.literal('assistant'),
    content: Content.nullable().optional(),
    tool_calls: z.array(ToolCallIn).max(128).optional(),
    refusal: z.string().nullable().optional(),
    name: z.string().optional(),
  }),
  z.looseObject({ role: z.literal('tool'), content: Content, tool_call_id: z.string().min(1).max(256) }),
]);
export type ChatMessage = z.infer<typeof ChatMessage>;

export const FunctionTool = z.looseObject({
  type: z.literal('function'),
  function: z.looseObject({
    name: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'a function name of 1 to 64 letters, digits, _ or -'),
    description: z.string().max(8192).optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
    strict: z.boolean().nullable().optional(),
  }),
});

const ToolChoice = z.union([
  z.enum(['none', 'auto', 'required']),
  z.looseObject({ type: z.literal('function'), function: z.looseObject({ name: z.string().min(1).max(64) }) }),
]);

const Metadata = z.record(z.string().max(64), z.string().max(512, 'metadata values are at most 512 characters'));

const maybe = <T extends z.ZodType>(schema: T) => schema.nullable().optional();

export const ChatCompletionBody = z.looseObject({
  model: z.string().min(1).max(256).optional(),
  messages: z.array(ChatMessage).min(1, 'messages must hold at least one message').max(2048),
  stream: maybe(z.boolean()),
  stream_options: maybe(z.looseObject({ include_usage: z.boolean().optional() })),
  temperature: maybe(z.number().min(0).max(2)),
  top_p: maybe(z.number().min(0).max(1)),
  max_tokens: maybe(z.number().int().min(1)),
  max_completion_tokens: maybe(z.number().int().min(1)),
  n: maybe(z.literal(1, 'Threadline answers with one choice: n must be 1')),
  stop: maybe(z.union([z.string(), z.array(z.string()).max(4)])),
  presence_penalty: maybe(z.number().min(-2).max(2)),
  frequency_penalty: maybe(z.number().min(-2).max(2)),
  seed: maybe(z.number().int()),
  logit_bias: maybe(z.record(z.string(), z.number())),
  response_format: maybe(z.looseObject({ type: z.enum(['text', 'json_object', 'json_schema']) })),
  tools: maybe(z.array(FunctionTool).max(128)),
  tool_choice: maybe(ToolChoice),
  parallel_tool_calls: maybe(z.boolean()),
  reasoning_effort: maybe(z.enum(['none', 'minimal', 'low', 'medium', 'high', 'xhigh'])),
  verbosity: maybe(z.enum(['low', 'medium', 'high'])),
  user: maybe(z.string().max(256)),
  safety_identifier: maybe(z.string().max(256)),
  prompt_cache_key: maybe(z.string().max(256)),
  metadata: maybe(Metadata),
});
export type ChatCompletionBody = z.infer<typeof ChatCompletionBody>;

/** Fields passed to the upstream as they came; the rest Threadline sets or uses itself. */
const PASSED_THROUGH = [
  'temperature',
  'top_p',
  'stop',
  'presence_penalty',
  'frequency_penalty',
  'seed',
  'logit_bias',
  'response_format',
  'reasoning_effort',
  'verbosity',
  'user',
  'safety_identifier',
  'prompt_cache_key',
] as const;

/** Tool settings only mean something (and upstreams only accept them) with tools. */
const WITH_TOOLS = ['tool_choice', 'parallel_tool_calls'] as const;

export function upstreamParams(body: ChatCompletionBody): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  const fields = body.tools?.length ? [...PASSED_THROUGH, ...WITH_TOOLS] : PASSED_THROUGH;
  for (const field of fields) if (body[field] !== undefined && body[field] !== null) params[field] = body[field];
  return params;
}
