import { jest } from '@jest/globals';
import { ManualClock } from '../src/common/clock.js';
import { SessionsService } from '../src/sessions/sessions.service.js';
import { Database } from '../src/storage/database.js';
import { backends } from './backends.js';
import { useGateway } from './harness.js';

describe.each(backends())('opening a thread (%s)', (backend) => {
  const clock = new ManualClock(Date.parse('2026-11-22T10:00:00Z'));
  const suite = useGateway(backend, { clock, env: { SESSION_TTL_API: '1h' } });
  const identity = (key: string) => ({ channel: 'api' as const, key });
  const sessions = () => suite.gateway.app.get(SessionsService);

  it('a new key opens its session in one statement, and another instance finds that session in one', async () => {
    const query = jest.spyOn(suite.gateway.app.get(Database), 'query');
    try {
      const opened = await sessions().getOrCreate(identity('open-1'));
      expect(opened).toMatchObject({ created: true, replacedEnded: false, session: { status: 'active', message_count: 0 } });
      expect(query).toHaveBeenCalledTimes(1);
      // An instance that never saw it knows nothing of it.
      sessions().forget(identity('open-1'));
      const found = await sessions().getOrCreate(identity('open-1'));
      expect(found).toMatchObject({ created: false, replacedEnded: false, session: { id: opened.session.id } });
      expect(query).toHaveBeenCalledTimes(2);
    } finally {
      query.mockRestore();
    }
  });

  it('a key whose thread was cleared opens a new session, and says it replaced an ended one', async () => {
    const first = await sessions().getOrCreate(identity('open-2'));
    await sessions().clear(first.session, 'user');
    const next = await sessions().getOrCreate(identity('open-2'));
    expect(next).toMatchObject({ created: true, replacedEnded: true, session: { status: 'active' } });
    expect(next.session.id).not.toBe(first.session.id);
  });

  it('an overdue session is ended as expired before a new one opens, even where it was never seen', async () => {
    const first = await sessions().getOrCreate(identity('open-3'));
    sessions().forget(identity('open-3'));
    clock.advance(61 * 60_000);
    const next = await sessions().getOrCreate(identity('open-3'));
    expect(next).toMatchObject({ created: true, replacedEnded: true });
    expect(await sessions().findById(first.session.id)).toMatchObject({ status: 'expired', ended_by: 'ttl' });
  });

  it('parallel first opens of one key make one session', async () => {
    const opened = await Promise.all(Array.from({ length: 8 }, () => sessions().getOrCreate(identity('open-4'))));
    expect(new Set(opened.map((o) => o.session.id)).size).toBe(1);
    expect(opened.filter((o) => o.created)).toHaveLength(1);
  });
});
