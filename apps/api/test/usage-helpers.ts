import type { ChatStreamEvent } from '@threadline/contracts';
import { Database } from '../src/storage/database.js';
import { masterAuth, type Gateway } from './harness.js';

/** The JSON payloads of an SSE body, in order. */
export function sseEvents(text: string): ChatStreamEvent[] {
  return text
    .split('\n\n')
    .filter((block) => block.includes('data: '))
    .map((block) => JSON.parse(block.split('\n').find((l) => l.startsWith('data: '))!.slice(6)) as ChatStreamEvent);
}

export function doneOf(text: string): Extract<ChatStreamEvent, { type: 'done' }> {
  const done = sseEvents(text).find((e) => e.type === 'done');
  if (!done || done.type !== 'done') throw new Error(`no done event in ${text}`);
  return done;
}

/** Raw SQL against the gateway's own store, to check what was written. */
export async function sql<T = Record<string, unknown>>(gateway: Gateway, text: string, params: unknown[] = []): Promise<T[]> {
  const { rows } = await gateway.app.get(Database).query<T>(text, params);
  return rows;
}

/** bigint columns arrive as strings on some drivers: compare numbers. */
export function numeric<T extends Record<string, unknown>>(rows: T[]): Array<Record<string, unknown>> {
  return rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v])));
}

/** The assistant messages of an integrator user's current thread, as the admin transcript shows them. */
export async function transcriptOf(gateway: Gateway, endUserId: string): Promise<any[]> {
  const list = await gateway.request('GET', `/api/admin/sessions?endUserId=${encodeURIComponent(endUserId)}`, { headers: masterAuth });
  const session = list.body.sessions[0];
  if (!session) throw new Error(`no session for ${endUserId}`);
  const transcript = await gateway.request('GET', `/api/admin/sessions/${session.id}`, { headers: masterAuth });
  return transcript.body.messages;
}

/** An API key with options (budget), made through the admin API; returns its id and secret. */
export async function createKey(gateway: Gateway, body: Record<string, unknown> = {}): Promise<{ id: string; secret: string; body: any }> {
  const reply = await gateway.request('POST', '/api/admin/api-keys', { headers: masterAuth, body: { name: 'usage-test', ...body } });
  if (reply.status !== 201 && reply.status !== 200) throw new Error(`api key creation failed: ${reply.status} ${reply.text}`);
  return { id: reply.body.id, secret: reply.body.secret, body: reply.body };
}
