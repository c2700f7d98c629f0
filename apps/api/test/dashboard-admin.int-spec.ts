import { ManualClock } from '../src/common/clock.js';
import { backends } from './backends.js';
import { masterAuth, openWebSession, useGateway, type Gateway } from './harness.js';
import { createKey, sql } from './usage-helpers.js';

const DAY = 86_400_000;

/** The staff cookie from a login, as a header for the next requests. */
async function loginAs(gateway: Gateway, email: string, password: string): Promise<Record<string, string>> {
  const reply = await gateway.request('POST', '/api/admin/login', { body: { email, password } });
  if (reply.status !== 200) throw new Error(`login failed: ${reply.status} ${reply.text}`);
  const cookie = /tl_staff=[^;]+/.exec(reply.headers.get('set-cookie') ?? '')?.[0];
  if (!cookie) throw new Error('login set no cookie');
  return { cookie };
}

describe.each(backends())('dashboard admin API (%s)', (backend) => {
  const clock = new ManualClock(Date.parse('2025-03-01T10:00:00Z'));
  const suite = useGateway(backend, { clock, env: { ADMIN_EMAIL: 'root@example.com', ADMIN_PASSWORD: 'root password 123' } });
  let gateway: Gateway;
  beforeAll(() => {
    gateway = suite.gateway;
  });

  const list = async (query: string) => {
    const reply = await gateway.request('GET', `/api/admin/sessions?${query}`, { headers: masterAuth });
    return { status: reply.status, body: reply.body, keys: (reply.body.sessions ?? []).map((s: { endUserId: string | null; key: string }) => s.endUserId ?? s.key) };
  };

  describe('sessions list filters', () => {
    let keyA: { id: string; secret: string };
    let keyB: { id: string; secret: string };
    let webKey: string;

    beforeAll(async () => {
      keyA = await createKey(gateway, { name: 'key A' });
      keyB = await createKey(gateway, { name: 'key B' });
      const chat = (key: { secret: string }, user: string, message: string) =>
        gateway.request('POST', '/api/chat', { headers: { authorization: `Bearer ${key.secret}`, 'x-user-id': user }, body: { message } });
      expect((await chat(keyA, 'alice', 'zeta: a purple giraffe')).status).toBe(200); // 2025-03-01
      clock.advance(DAY);
      expect((await chat(keyB, 'bob', 'zeta: hello there')).status).toBe(200); // 2025-03-02
      clock.advance(DAY);
      const web = await openWebSession(gateway); // 2025-03-03
      await gateway.request('POST', `/api/sessions/${web.sessionId}/messages`, { headers: web.auth, body: { message: 'zeta from the web, 100% sure' } });
      webKey = (await sql<{ key: string }>(gateway, `SELECT key FROM sessions WHERE channel = 'web' ORDER BY created_at DESC LIMIT 1`))[0]!.key;
    });

    it('by API key: only sessions with a message paid for by that key', async () => {
      expect((await list(`apiKeyId=${keyA.id}`)).keys).toEqual(['alice']);
      expect((await list(`apiKeyId=${keyB.id}`)).keys).toEqual(['bob']);
      expect((await list('apiKeyId=not-a-uuid')).status).toBe(400);
    });

    it('by end user and by last-activity date (days are whole UTC days, instants are exact)', async () => {
      expect((await list('endUserId=bob')).keys).toEqual(['bob']);
      expect((await list('from=2025-03-02&to=2025-03-02')).keys).toEqual(['bob']);
      expect((await list('to=2025-03-01')).keys).toEqual(['alice']);
      expect((await list('from=2025-03-02')).keys).toEqual([webKey, 'bob']);
      expect((await list(`from=${encodeURIComponent('2025-03-02T10:00:00.001Z')}`)).keys).toEqual([webKey]);
      expect((await list('from=yesterday')).status).toBe(400);
    });

    it('searches message text and keys, case-insensitively, with LIKE wildcards taken literally', async () => {
      expect((await list('q=PURPLE%20giraffe')).keys).toEqual(['alice']);
      expect((await list(`q=${webKey.slice(4, 20)}`)).keys).toEqual([webKey]);
      expect((await list(`q=${encodeURIComponent('100%')}`)).keys).toEqual([webKey]);
      expect((await list(`q=${encodeURIComponent('%%%')}`)).keys).toEqual([]);
      const short = await list('q=ze');
      expect(short.status).toBe(400);
      expect(short.body.error.message).toMatch(/at least 3 characters/);
    });

    it('pages a search with the cursor, newest activity first, without repeats', async () => {
      const first = await list('q=zeta&limit=2');
      expect(first.keys).toEqual([webKey, 'bob']);
      expect(first.body.nextCursor).toEqual(expect.any(String));
      const second = await list(`q=zeta&limit=2&cursor=${first.body.nextCursor}`);
      expect(second.keys).toEqual(['alice']);
      expect(second.body.nextCursor).toBeNull();
      expect((await list(`q=zeta&channel=api&apiKeyId=${keyB.id}`)).keys).toEqual(['bob']);
    });
  });

  describe('staff accounts and roles', () => {
    it('an admin creates a viewer with a generated password; the viewer reads but cannot act', async () => {
      const created = await gateway.request('POST', '/api/admin/staff', { headers: masterAuth, body: { email: 'Viewer@Example.com', role: 'viewer' } });
      expect(created.status).toBe(201);
      expect(created.body.staff).toMatchObject({ email: 'viewer@example.com', role: 'viewer', createdAt: expect.any(String) });
      expect(created.body.password).toEqual(expect.any(String));
      const again = await gateway.request('POST', '/api/admin/staff', { headers: masterAuth, body: { email: 'viewer@example.com', role: 'admin' } });
      expect(again.status).toBe(409);

      const viewer = await loginAs(gateway, 'viewer@example.com', created.body.password);
      const sessions = await gateway.request('GET', '/api/admin/sessions', { headers: viewer });
      expect(sessions.status).toBe(200);
      const target = sessions.body.sessions.find((s: { status: string }) => s.status === 'active');
      for (const [method, path] of [
        ['POST', `/api/admin/sessions/${target.id}/clear`],
        ['POST', `/api/admin/sessions/${target.id}/expire`],
        ['DELETE', `/api/admin/sessions/${target.id}`],
        ['GET', '/api/admin/audit'],
        ['GET', '/api/admin/staff'],
        ['GET', '/api/admin/api-keys'],
      ] as const) {
        const reply = await gateway.request(method, path, { headers: viewer });
        expect([path, reply.status, reply.body.error?.code]).toEqual([path, 403, 'forbidden']);
      }
      expect((await gateway.request('GET', `/api/admin/sessions/${target.id}`, { headers: viewer })).body.session.status).toBe('active');
    });

    it('a role change applies to the next request; a new password signs the account out', async () => {
      const created = await gateway.request('POST', '/api/admin/staff', {
        headers: masterAuth,
        body: { email: 'ops@example.com', role: 'viewer', password: 'operator password 1' },
      });
      expect(created.body.password).toBeNull();
      const id = created.body.staff.id;
      const ops = await loginAs(gateway, 'ops@example.com', 'operator password 1');
      const { sessionId, auth } = await openWebSession(gateway);
      await gateway.request('POST', `/api/sessions/${sessionId}/messages`, { headers: auth, body: { message: 'about to be cleared' } });
      const [session] = (await list(`q=${encodeURIComponent('about to be cleared')}`)).body.sessions;
      expect((await gateway.request('POST', `/api/admin/sessions/${session.id}/clear`, { headers: ops })).status).toBe(403);

      const promoted = await gateway.request('PATCH', `/api/admin/staff/${id}`, { headers: masterAuth, body: { role: 'operator' } });
      expect(promoted.body).toMatchObject({ id, role: 'operator' });
      const cleared = await gateway.request('POST', `/api/admin/sessions/${session.id}/clear`, { headers: ops });
      expect(cleared.status).toBe(200);
      expect(cleared.body.status).toBe('cleared');

      expect((await gateway.request('PATCH', `/api/admin/staff/${id}`, { headers: masterAuth, body: { password: 'short' } })).status).toBe(400);
      expect((await gateway.request('PATCH', `/api/admin/staff/${id}`, { headers: masterAuth, body: { password: 'a brand new password' } })).status).toBe(200);
      expect((await gateway.request('GET', '/api/admin/me', { headers: ops })).status).toBe(401);
      await loginAs(gateway, 'ops@example.com', 'a brand new password');
    });

    it('never removes or demotes the last admin, nor lets an admin remove themselves', async () => {
      const staff = await gateway.request('GET', '/api/admin/staff', { headers: masterAuth });
      const root = staff.body.find((s: { email: string }) => s.email === 'root@example.com');
      expect(root.role).toBe('admin');
      expect((await gateway.request('PATCH', `/api/admin/staff/${root.id}`, { headers: masterAuth, body: { role: 'operator' } })).status).toBe(409);
      expect((await gateway.request('DELETE', `/api/admin/staff/${root.id}`, { headers: masterAuth })).status).toBe(409);

      const rootCookie = await loginAs(gateway, 'root@example.com', 'root password 123');
      const second = await gateway.request('POST', '/api/admin/staff', { headers: rootCookie, body: { email: 'second@example.com', role: 'admin' } });
      expect((await gateway.request('DELETE', `/api/admin/staff/${root.id}`, { headers: rootCookie })).body.error.message).toMatch(/your own account/);
      const removed = await gateway.request('DELETE', `/api/admin/staff/${root.id}`, { headers: masterAuth });
      expect(removed.body).toMatchObject({ id: root.id, email: 'root@example.com' });
      expect((await gateway.request('GET', '/api/admin/me', { headers: rootCookie })).status).toBe(401);
      expect((await gateway.request('DELETE', `/api/admin/staff/${second.body.staff.id}`, { headers: masterAuth })).status).toBe(409);
      expect((await gateway.request('DELETE', '/api/admin/staff/not-an-id', { headers: masterAuth })).status).toBe(404);
    });
  });

  describe('audit log', () => {
    it('lists every staff change newest first, pages by cursor, filters by action, never holds a password', async () => {
      const all = await gateway.request('GET', '/api/admin/audit?limit=200', { headers: masterAuth });
      expect(all.status).toBe(200);
      const entries = all.body.entries as Array<{ at: string; action: string; actor: string; target: string | null; details: unknown }>;
      const ats = entries.map((e) => e.at);
      expect([...ats].sort().reverse()).toEqual(ats);
      expect(entries.map((e) => e.action)).toEqual(expect.arrayContaining(['api-key.create', 'staff.create', 'staff.update', 'staff.delete', 'session.clear']));
      expect(entries.find((e) => e.action === 'session.clear')).toMatchObject({ actor: 'staff:ops@example.com', details: { channel: 'web' } });
      expect(JSON.stringify(entries)).not.toMatch(/password 1|brand new password|root password/);
      expect(entries.find((e) => e.action === 'staff.update' && JSON.stringify(e.details).includes('passwordChanged'))).toBeTruthy();

      const first = await gateway.request('GET', '/api/admin/audit?limit=2', { headers: masterAuth });
      const second = await gateway.request('GET', `/api/admin/audit?limit=2&cursor=${first.body.nextCursor}`, { headers: masterAuth });
      expect([...first.body.entries, ...second.body.entries]).toEqual(entries.slice(0, 4));

      const creates = await gateway.request('GET', '/api/admin/audit?action=staff.create', { headers: masterAuth });
      expect(creates.body.entries.map((e: { details: { email: string } }) => e.details.email)).toEqual(['second@example.com', 'ops@example.com', 'viewer@example.com']);
      expect((await gateway.request('GET', '/api/admin/audit?cursor=bogus', { headers: masterAuth })).status).toBe(400);
    });
  });
});
