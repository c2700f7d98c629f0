import * as c from '@threadline/contracts';
import { z } from 'zod';
import { VERSION } from '@api/health/health.controller.js';
import { OPENAI_COMPAT_ROUTES, OpenAIErrorBodySchema } from '@api/channels/openai-compat/openai-compat.docs.js';

interface Route {
  method: 'get' | 'post' | 'patch' | 'delete';
  path: string;
  tag: string;
  summary: string;
  auth?: 'session' | 'apiKey' | 'staff' | 'none' | 'openai';
  body?: z.ZodType;
  response?: z.ZodType;
  status?: number;
  stream?: boolean;
  sessionHeader?: boolean;
}

/** The REST surface, described from the same zod schemas the handlers validate with. */
const ROUTES: Route[] = [
  { method: 'get', path: '/api/health', tag: 'health', summary: 'Status, model, storage and coordination', auth: 'none', response: c.HealthResponse },
  { method: 'post', path: '/api/sessions', tag: 'web', summary: 'Open a web/voice session; the token opens only this session', auth: 'none', response: c.CreateWebSessionResponse, status: 201 },
  { method: 'post', path: '/api/sessions/{id}/messages', tag: 'web', summary: 'Send a message and get the answer', auth: 'session', body: c.PostWebMessageBody, response: c.TurnReply },
  { method: 'get', path: '/api/sessions/{id}/messages', tag: 'web', summary: 'Messages of the current thread', auth: 'session', response: c.WebHistoryResponse },
  { method: 'delete', path: '/api/sessions/{id}', tag: 'web', summary: 'Clear: the next message starts a fresh thread', auth: 'session', response: c.ClearResponse },
  { method: 'post', path: '/api/voice-agent/chat', tag: 'web', summary: "Seed 001's voice-agent body { question, sessionId }", auth: 'session', body: c.PostWebMessageBody, response: c.TurnReply },
  { method: 'post', path: '/api/chat', tag: 'integrator', summary: "Chat in the end user's thread (X-User-Id)", auth: 'apiKey', body: c.ChatBody, response: c.ChatResponse },
  { method: 'post', path: '/api/chat/stream', tag: 'integrator', summary: 'Streamed chat: SSE events status, token, done, error', auth: 'apiKey', body: c.ChatBody, response: c.ChatStreamEvent, stream: true },
  { method: 'get', path: '/api/chat/history', tag: 'integrator', summary: 'History of the thread (?limit=, ?thread_id=)', auth: 'apiKey', response: c.HistoryResponse },
  { method: 'delete', path: '/api/chat/history', tag: 'integrator', summary: 'Clear the thread', auth: 'apiKey', response: c.ClearHistoryResponse },
  { method: 'get', path: '/api/chat/sessions', tag: 'integrator', summary: "The end user's totals", auth: 'apiKey', response: c.SessionStatsResponse },
  { method: 'post', path: '/api/admin/login', tag: 'admin', summary: 'Staff login; sets an httpOnly cookie', auth: 'none', body: c.LoginBody },
  { method: 'get', path: '/api/admin/sessions', tag: 'admin', summary: 'Sessions with filters (channel, status, endUserId, apiKeyId, from/to on last activity), search (q, 3+ characters) and cursor pagination', auth: 'staff', response: c.SessionListResponse },
  { method: 'get', path: '/api/admin/sessions/{id}', tag: 'admin', summary: 'Transcript', auth: 'staff', response: c.TranscriptResponse },
  { method: 'post', path: '/api/admin/sessions/{id}/clear', tag: 'admin', summary: 'Clear (operator)', auth: 'staff', response: c.SessionSummaryDto },
  { method: 'post', path: '/api/admin/sessions/{id}/expire', tag: 'admin', summary: 'Expire (operator)', auth: 'staff', response: c.SessionSummaryDto },
  { method: 'delete', path: '/api/admin/sessions/{id}', tag: 'admin', summary: 'Delete messages, keep anonymous totals (admin)', auth: 'staff', response: c.SessionSummaryDto },
  { method: 'post', path: '/api/admin/api-keys', tag: 'admin', summary: 'Create an API key; the secret is returned once', auth: 'staff', body: c.CreateApiKeyBody, response: c.CreateApiKeyResponse, status: 201 },
  { method: 'get', path: '/api/admin/api-keys', tag: 'admin', summary: 'API keys', auth: 'staff', response: z.array(c.ApiKeyDto) },
  { method: 'delete', path: '/api/admin/api-keys/{id}', tag: 'admin', summary: 'Revoke an API key', auth: 'staff', response: c.ApiKeyDto },
  { method: 'patch', path: '/api/admin/api-keys/{id}', tag: 'admin', summary: 'Rename a key or set its own budget (null clears a limit)', auth: 'staff', body: c.UpdateApiKeyBody, response: c.ApiKeyDto },
  { method: 'get', path: '/api/admin/usage', tag: 'admin', summary: 'Usage and cost (?from=&to= UTC days, ?top=): totals, daily series, models, channels, top end users and API keys', auth: 'staff', response: c.UsageReport },
  { method: 'get', path: '/api/admin/usage/prices', tag: 'admin', summary: 'The price book in force (USD per million tokens)', auth: 'staff', response: c.PriceBookResponse },
  { method: 'get', path: '/api/admin/audit', tag: 'admin', summary: 'Audit log, newest first (?action=, ?actor=, ?cursor=, ?limit=) (admin)', auth: 'staff', response: c.AuditListResponse },
  { method: 'get', path: '/api/admin/staff', tag: 'admin', summary: 'Staff accounts (admin)', auth: 'staff', response: z.array(c.StaffMemberDto) },
  { method: 'post', path: '/api/admin/staff', tag: 'admin', summary: 'Create a staff account; a generated password is returned once (admin)', auth: 'staff', body: c.CreateStaffBody, response: c.CreateStaffResponse, status: 201 },
  { method: 'patch', path: '/api/admin/staff/{id}', tag: 'admin', summary: 'Change a role or password; never the last admin (admin)', auth: 'staff', body: c.UpdateStaffBody, response: c.StaffMemberDto },
  { method: 'delete', path: '/api/admin/staff/{id}', tag: 'admin', summary: 'Remove a staff account; never yourself or the last admin (admin)', auth: 'staff', response: c.StaffMemberDto },
  { method: 'post', path: '/webhooks/slack', tag: 'webhooks', summary: 'Slack Events API (X-Slack-Signature v0 over the raw body, 5-minute window); 200 at once, the answer is posted in the thread', auth: 'none' },
  { method: 'get', path: '/webhooks/messenger', tag: 'webhooks', summary: 'Messenger subscription handshake (hub.mode, hub.verify_token, hub.challenge)', auth: 'none' },
  { method: 'post', path: '/webhooks/messenger', tag: 'webhooks', summary: 'Messenger events (X-Hub-Signature-256 over the raw body); answers go out through the Send API', auth: 'none' },
  { method: 'get', path: '/webhooks/whatsapp', tag: 'webhooks', summary: 'WhatsApp Cloud API subscription handshake (hub.mode, hub.verify_token, hub.challenge)', auth: 'none' },
  { method: 'post', path: '/webhooks/whatsapp', tag: 'webhooks', summary: 'WhatsApp Cloud API events (X-Hub-Signature-256 over the raw body); answers go out through the Cloud API', auth: 'none' },
  ...OPENAI_COMPAT_ROUTES,
];

const SECURITY: Record<string, Array<Record<string, string[]>>> = {
  session: [{ sessionToken: [] }],
  apiKey: [{ apiKey: [] }],
  openai: [{ apiKey: [] }],
  staff: [{ staffCookie: [] }, { apiKey: [] }],
  none: [],
};

const schema = (s: z.ZodType, io: 'input' | 'output') => z.toJSONSchema(s, { io, unrepresentable: 'any' });

export function buildOpenApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of ROUTES) {
    const params = [...route.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({ name, in: 'path', required: true, schema: { type: 'string' } }));
    if (route.auth === 'apiKey') params.push({ name: 'X-User-Id', in: 'header', required: true, schema: { type: 'string' } });
    if (route.sessionHeader) params.push({ name: 'X-Session-Id', in: 'header', required: false, schema: { type: 'string' } });
    (paths[route.path] ??= {})[route.method] = {
      tags: [route.tag],
      summary: route.summary,
      security: SECURITY[route.auth ?? 'none'],
      parameters: params,
      ...(route.body ? { requestBody: { required: true, content: { 'application/json': { schema: schema(route.body, 'input') } } } } : {}),
      responses: {
        [String(route.status ?? 200)]: {
          description: 'OK',
          content: route.response ? { [route.stream ? 'text/event-stream' : 'application/json']: { schema: schema(route.response, 'output') } } : undefined,
        },
        default: { description: 'Error', content: { 'application/json': { schema: schema(route.auth === 'openai' ? OpenAIErrorBodySchema : c.ErrorBody, 'output') } } },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Threadline', version: VERSION, description: 'Self-hosted gateway that gives LLM chat a memory. socket.io namespaces /chat and /admin are typed in libs/contracts.' },
    paths,
    components: {
      securitySchemes: {
        sessionToken: { type: 'http', scheme: 'bearer', description: 'token from POST /api/sessions' },
        apiKey: { type: 'http', scheme: 'bearer', description: 'API key (or MASTER_KEY)' },
        staffCookie: { type: 'apiKey', in: 'cookie', name: 'tl_staff' },
      },
    },
  };
}
