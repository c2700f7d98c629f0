// Wire-format pieces of the fake OpenAI upstream: payload shapes, chunking and SSE framing.
import type { FakeToolCall, FakeUsage } from './fake-openai.js';

export interface WireUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number };
}

/** What every chunk and completion of one response shares. */
export interface ResponseContext {
  id: string;
  created: number;
  model: string;
  /** OpenAI puts `usage: null` on every chunk once the client opts into the usage chunk. */
  includeUsage: boolean;
}

export type Delta = Record<string, unknown>;

export const SSE_DONE = 'data: [DONE]\n\n';

export function sseFrame(data: unknown): string {
  return `data: ${JSON.stringify(data)}\n\n`;
}

export function toWireUsage(usage: FakeUsage): WireUsage {
  return {
    prompt_tokens: usage.prompt_tokens,
    completion_tokens: usage.completion_tokens,
    total_tokens: usage.prompt_tokens + usage.completion_tokens,
    prompt_tokens_details: { cached_tokens: usage.cached_tokens ?? 0 },
  };
}

/** Message content may be a string, null, or an array of typed parts; only text parts carry characters. */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part: unknown) => (part && typeof part === 'object' && typeof (part as { text?: unknown }).text === 'string' ? (part as { text: string }).text : ''))
    .join('');
}

export function countWords(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}

/**
 * Splits text into pieces of `wordsPerPiece` words that keep their surrounding whitespace,
 * so that joining the pieces reproduces the text byte for byte (clients concatenate deltas).
 */
export function splitWords(text: string, wordsPerPiece = 1): string[] {
  if (text === '') return [];
  const words = text.match(/\s*\S+/g);
  if (!words) return [text];
  const trailing = text.slice(words.join('').length);
  words[words.length - 1] += trailing;
  const size = Math.max(1, Math.floor(wordsPerPiece));
  const pieces: string[] = [];
  for (let i = 0; i < words.length; i += size) pieces.push(words.slice(i, i + size).join(''));
  return pieces;
}

/** Real streams cut tool arguments at arbitrary points, so clients must not expect whole JSON per delta. */
export function splitArguments(args: string): string[] {
  if (args.length < 2) return args === '' ? [] : [args];
  const cuts = args.length >= 3 ? [Math.floor(args.length / 3), Math.floor((2 * args.length) / 3)] : [1];
  const pieces: string[] = [];
  let start = 0;
  for (const cut of [...cuts, args.length]) {
    pieces.push(args.slice(start, cut));
    start = cut;
  }
  return pieces;
}

export function textDeltas(text: string, wordsPerChunk = 1): Delta[] {
  return splitWords(text, wordsPerChunk).map((content) => ({ content }));
}

export function toolCallDeltas(calls: Array<Required<FakeToolCall>>): Delta[] {
  return calls.flatMap((call, index) => [
    { tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }] },
    ...splitArguments(call.arguments).map((piece) => ({ tool_calls: [{ index, function: { arguments: piece } }] })),
  ]);
}

export function chunk(ctx: ResponseContext, delta: Delta, finishReason: string | null = null): Record<string, unknown> {
  return {
    id: ctx.id,
    object: 'chat.completion.chunk',
    created: ctx.created,
    model: ctx.model,
    choices: [{ index: 0, delta, finish_reason: finishReason, logprobs: null }],
    ...(ctx.includeUsage ? { usage: null } : {}),
  };
}

export function usageChunk(ctx: ResponseContext, usage: FakeUsage): Record<string, unknown> {
  return { id: ctx.id, object: 'chat.completion.chunk', created: ctx.created, model: ctx.model, choices: [], usage: toWireUsage(usage) };
}

export function completion(
  ctx: ResponseContext,
  message: { content: string | null; tool_calls?: unknown[] },
  finishReason: 'stop' | 'tool_calls',
  usage: FakeUsage | null,
): Record<string, unknown> {
  return {
    id: ctx.id,
    object: 'chat.completion',
    created: ctx.created,
    model: ctx.model,
    choices: [{ index: 0, message: { role: 'assistant', ...message, refusal: null }, finish_reason: finishReason, logprobs: null }],
    ...(usage ? { usage: toWireUsage(usage) } : {}),
  };
}

export function wireToolCalls(calls: Array<Required<FakeToolCall>>): unknown[] {
  return calls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } }));
}

// Messages, types and codes mirror what api.openai.com returns, since clients branch on them.
const ERROR_DEFAULTS: Record<number, [message: string, type: string, code: string | null]> = {
  400: ['Invalid request.', 'invalid_request_error', null],
  401: ['Incorrect API key provided.', 'invalid_request_error', 'invalid_api_key'],
  403: ['You are not allowed to access this resource.', 'invalid_request_error', 'permission_denied'],
  404: ['The model does not exist or you do not have access to it.', 'invalid_request_error', 'model_not_found'],
  429: ['Rate limit reached for requests. Please try again later.', 'requests', 'rate_limit_exceeded'],
  500: ['The server had an error while processing your request. Sorry about that!', 'server_error', null],
  502: ['Bad gateway.', 'server_error', null],
  503: ['The engine is currently overloaded, please try again later.', 'server_error', null],
};

export interface WireError {
  error: { message: string; type: string; param: null; code: string | null };
}

export function errorBody(status: number, message?: string, code?: string | null): WireError {
  const [defaultMessage, type, defaultCode] = ERROR_DEFAULTS[status] ?? [
    `HTTP ${status}`,
    status >= 500 ? 'server_error' : 'invalid_request_error',
    null,
  ];
  return { error: { message: message ?? defaultMessage, type, param: null, code: code === undefined ? defaultCode : code } };
}

export const MODELS = ['gpt-4.1-nano', 'gpt-4.1-mini'];

export function modelList(created: number): Record<string, unknown> {
  return { object: 'list', data: MODELS.map((id) => ({ id, object: 'model', created, owned_by: 'openai' })) };
}
