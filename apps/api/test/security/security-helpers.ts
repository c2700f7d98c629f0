import { PATH_METADATA, METHOD_METADATA } from '@nestjs/common/constants.js';
import { RequestMethod } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { io, type Socket } from 'socket.io-client';
import { Database } from '@api/storage/database.js';
import { masterAuth, type Gateway } from '../harness.js';

/** One answer, from `gateway.request` or `call`. */
export interface Answer {
  status: number;
  body: any;
  text: string;
  headers: Headers;
}

const STACK = /\bat \S+ \(|node_modules|\.ts:\d+|\.js:\d+|Error: /;

/** Threadline's error shape, nothing else, and no hint of the code inside. */
export function expectError(answer: Answer, status: number, code?: string): void {
  expect({ status: answer.status, body: answer.body }).toEqual({ status, body: { error: { code: code ?? expect.any(String), message: expect.any(String) } } });
  expect(answer.text).not.toMatch(STACK);
}

/** OpenAI's error shape (the /v1 routes speak it so OpenAI SDKs can read it): code and message are there too. */
export function expectOpenAIError(answer: Answer, status: number, code?: string | null): void {
  const error = answer.body?.error;
  const shape = error && { keys: Object.keys(error).sort(), message: typeof error.message, type: typeof error.type, param: error.param === null ? 'null' : typeof error.param, code: error.code === null ? 'null' : typeof error.code };
  expect({ status: answer.status, shape }).toEqual({ status, shape: { keys: ['code', 'message', 'param', 'type'], message: 'string', type: 'string', param: expect.stringMatching(/^(null|string)$/), code: expect.stringMatching(/^(null|string)$/) } });
  if (code !== undefined) expect(error.code).toBe(code);
  expect(answer.text).not.toMatch(STACK);
}

/** 4xx in the route's own error shape. */
export function expectRefusal(path: string, answer: Answer, status: number): void {
  if (path.startsWith('/v1/')) expectOpenAIError(answer, status);
  else expectError(answer, status);
}

/** Raw SQL against the gateway's own store. */
export async function sql<T = Record<string, unknown>>(gateway: Gateway, text: string, params: unknown[] = []): Promise<T[]> {
  return (await gateway.app.get(Database).query<T>(text, params)).rows;
}

/** Row counts of every table a request could write to: a refused request leaves them all as they were. */
export async function tableCounts(gateway: Gateway): Promise<Record<string, number>> {
  const tables = ['sessions', 'messages', 'api_keys', 'staff_users', 'staff_sessions', 'audit_log', 'webhook_events', 'settings', 'openai_responses', 'openai_conversations', 'usage_daily', 'user_usage', 'api_key_usage'];
  const rows = await sql<{ t: string; n: string | number }>(gateway, tables.map((t) => `SELECT '${t}' AS t, count(*) AS n FROM ${t}`).join(' UNION ALL '));
  return Object.fromEntries(rows.map((r) => [r.t, Number(r.n)]));
}

export type StaffRoleName = 'viewer' | 'operator' | 'admin';

/** A staff account made through the API with the master key, then logged in: its cookie header. */
export async function staffCookie(gateway: Gateway, role: StaffRoleName, email = `${role}-${Math.random().toString(36).slice(2, 8)}@example.com`): Promise<{ cookie: string; id: string; email: string; password: string }> {
  const password = `${role} password 0123456789`;
  const created = await gateway.request('POST', '/api/admin/staff', { headers: masterAuth, body: { email, role, password } });
  if (created.status !== 200 && created.status !== 201) throw new Error(`staff creation failed: ${created.status} ${created.text}`);
  // From an address of its own: logins are rate-limited per address, and suites log in often.
  const login = await call(gateway, { method: 'POST', url: '/api/admin/login', payload: { email, password } });
  const cookie = /tl_staff=[^;]+/.exec((login.headers as Headers).get('set-cookie') ?? '')?.[0];
  if (login.status !== 200 || !cookie) throw new Error(`login failed: ${login.status} ${login.text}`);
  return { cookie, id: created.body.staff.id, email, password };
}

/** Every HTTP route the app registered, as `METHOD /path` (Nest's own metadata, so nothing is missed). */
export function registeredRoutes(gateway: Gateway): string[] {
  const routes: string[] = [];
  for (const module of gateway.app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const type = wrapper.metatype as (new (...args: never[]) => unknown) | undefined;
      if (!type) continue;
      const base = String(Reflect.getMetadata(PATH_METADATA, type) ?? '');
      for (const name of Object.getOwnPropertyNames(type.prototype)) {
        const handler = (type.prototype as Record<string, unknown>)[name];
        if (name === 'constructor' || typeof handler !== 'function') continue;
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        if (method === undefined) continue;
        const path = String(Reflect.getMetadata(PATH_METADATA, handler) ?? '');
        const full = `/${[base, path].filter((p) => p && p !== '/').join('/')}`.replace(/\/+/g, '/');
        routes.push(`${RequestMethod[method]} ${full === '/' ? '/' : full.replace(/\/$/, '')}`);
      }
    }
  }
  return [...new Set(routes)].sort();
}

export type AnySocket = Socket;

/** Connects to a namespace; resolves with the socket, or rejects with the connect_error. */
export function connectSocket(gateway: Gateway, namespace: '/chat' | '/admin', options: { auth?: Record<string, unknown>; cookie?: string } = {}): Promise<AnySocket> {
  const socket = io(`${gateway.url}${namespace}`, {
    auth: options.auth ?? {},
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    timeout: 5000,
    ...(options.cookie ? { extraHeaders: { cookie: options.cookie } } : {}),
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error) => {
      socket.disconnect();
      reject(error);
    });
  });
}

/** What a namespace handshake answered: 'connected', or the error's message. */
export async function handshake(gateway: Gateway, namespace: '/chat' | '/admin', options: { auth?: Record<string, unknown>; cookie?: string } = {}): Promise<string> {
  try {
    const socket = await connectSocket(gateway, namespace, options);
    socket.disconnect();
    return 'connected';
  } catch (error) {
    return (error as Error).message;
  }
}

let address = 0;
/** A client address nobody else uses: per-address rate limits of one request never touch another's. */
export function freshAddress(): string {
  address += 1;
  return `10.${(address >> 16) & 255}.${(address >> 8) & 255}.${address & 255}`;
}

export interface CallOptions {
  method: string;
  url: string;
  /** an object is sent as JSON; a string as it is (with content-type application/json unless given) */
  payload?: unknown;
  headers?: Record<string, string>;
  /** the client address, as a trusted proxy reports it (suites run with TRUST_PROXY=true); a fresh one by default */
  remoteAddress?: string;
}

/**
 * One request over HTTP from a client address of its own (X-Forwarded-For, which the
 * suites trust), so per-address rate limits of one check never touch another's.
 */
export async function call(gateway: Gateway, options: CallOptions): Promise<Answer> {
  const { method, url, payload, headers = {}, remoteAddress = freshAddress() } = options;
  const body = payload === undefined ? undefined : typeof payload === 'string' || Buffer.isBuffer(payload) ? payload : JSON.stringify(payload);
  const response = await fetch(`${gateway.url}${url}`, {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), 'x-forwarded-for': remoteAddress, ...headers },
    body,
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    /* SSE, HTML and text stay text */
  }
  return { status: response.status, body: parsed, text, headers: response.headers };
}
