import { createRequire } from 'node:module';
import { jest } from '@jest/globals';

// Secret comparisons must go through crypto.timingSafeEqual. The spy is put on Node's
// crypto module before the modules under test are imported, so their own
// `import { timingSafeEqual } from 'node:crypto'` binds to it.
const crypto = createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto');
const spy = jest.spyOn(crypto, 'timingSafeEqual');

const { safeEqual: adminSafeEqual, hashPassword, verifyPassword } = await import('@api/admin/secrets.js');
const { safeEqual: webhookSafeEqual } = await import('@api/channels/webhooks/hmac.js');
const { verifySlackSignature, slackSignature } = await import('@api/channels/slack/slack-signature.js');
const { verifyMetaSignature, metaSignature, answerHandshake } = await import('@api/channels/meta/meta-signature.js');
const { WebTokenService } = await import('@api/channels/web/web-token.service.js');
const { AppConfig } = await import('@api/config/app-config.js');

/** How many timingSafeEqual calls `work` made, and what it returned. */
async function comparisons<T>(work: () => T | Promise<T>): Promise<{ calls: number; result: T }> {
  spy.mockClear();
  const result = await work();
  return { calls: spy.mock.calls.length, result };
}

describe('secrets are compared in constant time', () => {
  it('MASTER_KEY (admin bearer and API-key paths): hashed to equal length first, so even a wrong length is compared', async () => {
    expect(await comparisons(() => adminSafeEqual('test-master-key-0123456789', 'test-master-key-0123456789'))).toEqual({ calls: 1, result: true });
    expect(await comparisons(() => adminSafeEqual('x', 'test-master-key-0123456789'))).toEqual({ calls: 1, result: false });
    expect(await comparisons(() => adminSafeEqual('test-master-key-0123456788', 'test-master-key-0123456789'))).toEqual({ calls: 1, result: false });
  });

  it('staff passwords: the scrypt hashes are compared with timingSafeEqual', async () => {
    const stored = await hashPassword('correct horse battery');
    expect(stored).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(stored).not.toContain('correct horse battery');
    expect(await comparisons(() => verifyPassword('correct horse battery', stored))).toEqual({ calls: 1, result: true });
    expect(await comparisons(() => verifyPassword('wrong', stored))).toEqual({ calls: 1, result: false });
  });

  it('web session tokens: an HMAC of the id, compared with timingSafeEqual whenever the length is right', async () => {
    const tokens = new WebTokenService(AppConfig.fromEnv({ SESSION_SECRET: 's'.repeat(40) }), {} as never);
    await tokens.onModuleInit();
    const token = tokens.issue('session-id-0123456789');
    expect(await comparisons(() => tokens.verify('session-id-0123456789', token))).toEqual({ calls: 1, result: true });
    const flipped = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    expect(await comparisons(() => tokens.verify('session-id-0123456789', flipped))).toEqual({ calls: 1, result: false });
    // A token of another length cannot match; the length of a SHA-256 MAC is no secret.
    expect(await comparisons(() => tokens.verify('session-id-0123456789', 'short'))).toEqual({ calls: 0, result: false });
  });

  it('webhook signatures and the Meta verify token', async () => {
    const body = Buffer.from('{"type":"event_callback"}');
    const now = 1_700_000_000;
    const signature = slackSignature('slack-secret', String(now), body);
    expect(await comparisons(() => verifySlackSignature({ rawBody: body, timestamp: String(now), signature }, 'slack-secret', now))).toEqual({ calls: 1, result: 'ok' });
    const forged = signature.replace(/.$/, (c) => (c === '0' ? '1' : '0'));
    expect(await comparisons(() => verifySlackSignature({ rawBody: body, timestamp: String(now), signature: forged }, 'slack-secret', now))).toEqual({ calls: 1, result: 'mismatch' });
    const meta = metaSignature('meta-secret', body);
    expect(await comparisons(() => verifyMetaSignature(body, meta.toUpperCase().replace('SHA256=', 'sha256='), 'meta-secret'))).toEqual({ calls: 1, result: 'ok' });
    expect(await comparisons(() => verifyMetaSignature(body, meta.replace(/.$/, (c) => (c === '0' ? '1' : '0')), 'meta-secret'))).toEqual({ calls: 1, result: 'mismatch' });
    const handshake = { 'hub.mode': 'subscribe', 'hub.verify_token': 'verify-token', 'hub.challenge': 'abc' };
    expect(await comparisons(() => answerHandshake(handshake, 'verify-token'))).toEqual({ calls: 1, result: 'abc' });
    expect(await comparisons(() => answerHandshake({ ...handshake, 'hub.verify_token': 'verify-tokeN' }, 'verify-token'))).toEqual({ calls: 1, result: null });
    expect(await comparisons(() => webhookSafeEqual('abc', 'abd'))).toEqual({ calls: 1, result: false });
  });
});
