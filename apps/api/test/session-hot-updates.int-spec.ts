import { ManualClock } from '../src/common/clock.js';
import { SessionsService } from '../src/sessions/sessions.service.js';
import { Database, WRITE_LANE_CONNECTIONS } from '../src/storage/database.js';
import { backends } from './backends.js';
import { openWebSession, useGateway } from './harness.js';

describe.each(backends())('session activity in steps, HOT updates (%s)', (backend) => {
  const clock = new ManualClock(Date.parse('2026-11-21T10:00:00Z'));
  const suite = useGateway(backend, { clock, env: { SESSION_TTL_WEB: '1h' } });
  const say = (sessionId: string, auth: Record<string, string>, message: string) =>
    suite.gateway.request('POST', `/api/sessions/${sessionId}/messages`, { headers: auth, body: { message } });
  const stored = async (webSessionId: string) => (await suite.gateway.app.get(SessionsService).findActive('web', webSessionId))!;

  /**
   * Row updates of `sessions` so far, and how many of them were HOT. Postgres publishes a
   * backend's counts lazily (up to 10 s later when it flushed within the last second), so
   * every backend that may have written is asked to flush now (the appends run on the write
   * lanes' connections, held at once here so each one is asked), and the counts are polled
   * until they settle.
   */
  const updateCounts = async () => {
    const db = suite.gateway.app.get(Database);
    let last = '';
    for (let i = 0; i < 40; i++) {
      await Promise.all(Array.from({ length: WRITE_LANE_CONNECTIONS }, () => db.queryOnWriteLane(`SELECT pg_stat_force_next_flush(), pg_sleep(0.05)`, [])));
      await db.query(`SELECT pg_stat_force_next_flush()`);
      const { rows } = await db.query<{ upd: string; hot: string }>(`SELECT n_tup_upd AS upd, n_tup_hot_upd AS hot FROM pg_stat_user_tables WHERE relname = 'sessions'`);
      const now = `${rows[0]!.upd}/${rows[0]!.hot}`;
      if (now === last) return { updates: Number(rows[0]!.upd), hot: Number(rows[0]!.hot) };
      last = now;
      await new Promise((done) => setTimeout(done, 300));
    }
    throw new Error('pg_stat_user_tables did not settle');
  };

  it('a message within a second of the last activity leaves the indexed timestamps alone; one later moves them', async () => {
    const { sessionId, auth } = await openWebSession(suite.gateway);
    await say(sessionId, auth, 'first');
    const opened = await stored(sessionId);
    clock.advance(600);
    await say(sessionId, auth, 'second');
    const within = await stored(sessionId);
    expect(within.message_count).toBe(4);
    expect(within.last_activity_at).toEqual(opened.last_activity_at);
    expect(within.expires_at).toEqual(opened.expires_at);

    clock.advance(600);
    await say(sessionId, auth, 'third');
    const later = await stored(sessionId);
    expect(later.last_activity_at.getTime()).toBe(clock.now().getTime());
    expect(later.expires_at.getTime()).toBe(clock.now().getTime() + 3600_000);
  });

  it('expiry is never early by more than the step: 59:59.5 after a message that did not move it, the thread is still there', async () => {
    const { sessionId, auth } = await openWebSession(suite.gateway);
    await say(sessionId, auth, 'remember echo');
    clock.advance(900);
    await say(sessionId, auth, 'still me');
    const session = await stored(sessionId);
    expect(session.expires_at.getTime() - clock.now().getTime()).toBeGreaterThan(3600_000 - 1000);
    clock.advance(3600_000 - 1000);
    expect((await say(sessionId, auth, 'and now?')).body.newThread).toBe(false);
  });

  it('turns within the step update the session row without touching its indexes (HOT)', async () => {
    const { sessionId, auth } = await openWebSession(suite.gateway);
    await say(sessionId, auth, 'warm up');
    clock.advance(5_000);
    await say(sessionId, auth, 'move the timestamps once');
    const before = await updateCounts();
    for (let i = 0; i < 5; i++) {
      clock.advance(100);
      await say(sessionId, auth, `quick ${i}`);
    }
    const after = await updateCounts();
    // two appends per turn (question, answer), all of them HOT
    expect(after.updates - before.updates).toBe(10);
    expect(after.hot - before.hot).toBe(10);
  });
});
