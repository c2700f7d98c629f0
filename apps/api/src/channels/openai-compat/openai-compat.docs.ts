import { z } from 'zod';
import { ChatCompletionBody } from './chat-completions.schema.js';
import { AddItemsBody, CreateConversationBody, ResponseBody, UpdateConversationBody } from './responses.schema.js';

/** OpenAI's error body, which the /v1 routes answer with. */
export const OpenAIErrorBodySchema = z.object({
  error: z.object({ message: z.string(), type: z.string(), param: z.string().nullable(), code: z.string().nullable() }),
});

export interface OpenAIDocumentedRoute {
  method: 'get' | 'post' | 'delete';
  path: string;
  tag: 'openai';
  summary: string;
  auth: 'openai';
  body?: z.ZodType;
  /** X-Session-Id names the thread */
  sessionHeader?: boolean;
}

/** The /v1 routes for the OpenAPI document (docs/openapi.ts); responses are OpenAI's own shapes. */
export const OPENAI_COMPAT_ROUTES: OpenAIDocumentedRoute[] = [
  {
    method: 'post',
    path: '/v1/chat/completions',
    tag: 'openai',
    summary: "OpenAI Chat Completions, streamed (SSE) or not. With a session (X-Session-Id, else metadata.session_id, else user) the turn is stored and the model sees the thread's window; without one it is a plain proxy whose usage is still recorded. Client tools pass through; their tool_calls come back",
    auth: 'openai',
    body: ChatCompletionBody,
    sessionHeader: true,
  },
  { method: 'get', path: '/v1/models', tag: 'openai', summary: "The upstream's models (simulated mode: `simulated`)", auth: 'openai' },
  { method: 'get', path: '/v1/models/{id}', tag: 'openai', summary: 'One of the upstream’s models', auth: 'openai' },
  {
    method: 'post',
    path: '/v1/responses',
    tag: 'openai',
    summary: 'OpenAI Responses API subset: input, instructions, previous_response_id or conversation, store (default true), stream (response.created … response.output_text.delta … response.completed)',
    auth: 'openai',
    body: ResponseBody,
    sessionHeader: true,
  },
  { method: 'get', path: '/v1/responses/{id}', tag: 'openai', summary: 'A stored response (404 for another tenant’s)', auth: 'openai' },
  { method: 'delete', path: '/v1/responses/{id}', tag: 'openai', summary: 'Delete a stored response; it can no longer be continued', auth: 'openai' },
  { method: 'post', path: '/v1/conversations', tag: 'openai', summary: 'Create a conversation (a named thread), optionally with items', auth: 'openai', body: CreateConversationBody },
  { method: 'get', path: '/v1/conversations/{id}', tag: 'openai', summary: 'A conversation', auth: 'openai' },
  { method: 'post', path: '/v1/conversations/{id}', tag: 'openai', summary: "Replace a conversation's metadata", auth: 'openai', body: UpdateConversationBody },
  { method: 'delete', path: '/v1/conversations/{id}', tag: 'openai', summary: 'Delete a conversation; its thread is cleared (the transcript stays for staff)', auth: 'openai' },
  { method: 'get', path: '/v1/conversations/{id}/items', tag: 'openai', summary: "The thread's messages as items (?limit=, ?order=asc|desc, ?after=<item id>)", auth: 'openai' },
  { method: 'post', path: '/v1/conversations/{id}/items', tag: 'openai', summary: 'Add message items to the thread', auth: 'openai', body: AddItemsBody },
];
