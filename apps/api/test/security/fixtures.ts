import { masterAuth, openWebSession, type Gateway } from '../harness.js';
import { sql, staffCookie } from './security-helpers.js';

/** Text only the victim's conversations hold: if it shows up anywhere else, something leaked. */
export const VICTIM_MARKER = 'victim-secret-7Q2ZK';

/** A victim (web session, tenant A with its threads, responses and conversations) and everyone else. */
export interface Fixtures {
  web: { sessionId: string; token: string; adminId: string };
  otherWeb: { sessionId: string; token: string };
  keyA: string;
  keyB: string;
  /** an API key of tenant A's, to rename */
  keyAId: string;
  responseId: string;
  conversationId: string;
  model: string;
  staff: Record<'viewer' | 'operator' | 'admin', { cookie: string; id: string; email: string; password: string }>;
}

export async function createFixtures(gateway: Gateway): Promise<Fixtures> {
  const key = async (tenant: string) => {
    const reply = await gateway.request('POST', '/api/admin/api-keys', { headers: masterAuth, body: { name: `key of ${tenant}`, tenant } });
    return { secret: reply.body.secret as string, id: reply.body.id as string };
  };
  const [a, b] = [await key('tenant-a'), await key('tenant-b')];
  const web = await openWebSession(gateway);
  const otherWeb = await openWebSession(gateway);
  await gateway.request('POST', `/api/sessions/${web.sessionId}/messages`, { headers: web.auth, body: { message: `web ${VICTIM_MARKER}` } });
  const adminId = (await sql<{ id: string }>(gateway, `SELECT id FROM sessions WHERE channel = 'web' AND key = $1`, [web.sessionId]))[0]!.id;
  const asA = { authorization: `Bearer ${a.secret}` };
  await gateway.request('POST', '/api/chat', { headers: { ...asA, 'x-user-id': 'alice' }, body: { message: `chat ${VICTIM_MARKER}` } });
  const response = await gateway.request('POST', '/v1/responses', { headers: asA, body: { input: `responses ${VICTIM_MARKER}` } });
  const conversation = await gateway.request('POST', '/v1/conversations', { headers: asA, body: { items: [{ role: 'user', content: `conversation ${VICTIM_MARKER}` }] } });
  await gateway.request('POST', '/v1/chat/completions', { headers: { ...asA, 'x-session-id': 'shared-name' }, body: { messages: [{ role: 'user', content: `completions ${VICTIM_MARKER}` }] } });
  const models = await gateway.request('GET', '/v1/models', { headers: asA });
  const staff = {
    viewer: await staffCookie(gateway, 'viewer'),
    operator: await staffCookie(gateway, 'operator'),
    admin: await staffCookie(gateway, 'admin'),
  };
  if (!response.body?.id || !conversation.body?.id || !models.body?.data?.[0]) throw new Error('fixtures: the OpenAI-compatible routes did not answer');
  return {
    web: { sessionId: web.sessionId, token: web.token, adminId },
    otherWeb: { sessionId: otherWeb.sessionId, token: otherWeb.token },
    keyA: a.secret,
    keyB: b.secret,
    keyAId: a.id,
    responseId: response.body.id,
    conversationId: conversation.body.id,
    model: models.body.data[0].id,
    staff,
  };
}

