import { jest } from '@jest/globals';
import { Coordination } from '../src/coordination/coordination.port.js';
import type { RedisCoordination } from '../src/coordination/redis.coordination.js';
import { SessionRepository } from '../src/sessions/session.repository.js';
import { SessionsService } from '../src/sessions/sessions.service.js';
import { backends } from './backends.js';
import { openWebSession, upstreamContents, useGateway } from './harness.js';

describe.each(backends())('window cache and turn-lock fencing (%s)', (backend) => {
  const suite = useGateway(backend, { env: { CONTEXT_MAX_MESSAGES: '4', TURN_LOCK_LEASE_MS: '1000' } });
  const say = (sessionId: string, auth: Record<string, string>, message: string) =>
    suite.gateway.request('POST', `/api/sessions/${sessionId}/messages`, { headers: auth, body: { message } });
  /** the stored session behind a widget session id (the thread key of the web channel) */
  const storedSession = async (webSessionId: string) => (await suite.gateway.app.get(SessionsService).findActive('web', webSessionId))!;
  const history = async (sessionId: string, auth: Record<string, string>) =>
    (await suite.gateway.request('GET', `/api/sessions/${sessionId}/messages`, { headers: auth })).body.messages as Array<{ seq: number; role: string; content: string }>;

  it('turns read their window from the cache, and a write the cache missed is never served stale', async () => {
    const coordination = suite.gateway.app.get(Coordination);
    const { sessionId, auth } = await openWebSession(suite.gateway);
    await say(sessionId, auth, 'one');
    await say(sessionId, auth, 'two');
    const { id } = await storedSession(sessionId);
    // the cache holds the newest CONTEXT_MAX_MESSAGES rows, in step with the store
    expect((await coordination.tailRead(`window:${id}`))!.items.map((item) => JSON.parse(item).content)).toEqual(['one', 'Echo: one', 'two', 'Echo: two']);

    // A writer stored a row and died before reporting it: the next write is out of step.
    const now = new Date();
    await suite.gateway.app.get(SessionRepository).appendMessage(id, { role: 'user', content: 'unreported', tokenCount: 3 }, now, new Date(now.getTime() + 60_000), 0);
    await say(sessionId, auth, 'three');
    expect(upstreamContents(suite.fake).slice(1)).toEqual(['user: two', 'assistant: Echo: two', 'user: unreported', 'user: three']);

    // The cache lost everything (a Redis restart): the store answers and refills it.
    await coordination.tailDrop(`window:${id}`);
    await say(sessionId, auth, 'four');
    expect(upstreamContents(suite.fake).slice(1)).toEqual(['user: unreported', 'user: three', 'assistant: Echo: three', 'user: four']);
    expect(await coordination.tailRead(`window:${id}`)).not.toBeNull();
  });

  it('a turn reads the cached window in the round trip of its lock request, and reports its question without waiting', async () => {
    const coordination = suite.gateway.app.get(Coordination);
    const { sessionId, auth } = await openWebSession(suite.gateway);
    await say(sessionId, auth, 'alpha');
    await say(sessionId, auth, 'bravo');
    const appends = jest.spyOn(coordination, 'tailAppend');
    const reads = jest.spyOn(coordination, 'tailRead');
    try {
      await say(sessionId, auth, 'charlie');
      expect(reads).toHaveBeenCalledTimes(1);
      // question and answer reported in one append, not asking for the window back
      expect(appends.mock.calls.map(([, seq, items, options]) => [seq, items.length, options.read ?? false])).toEqual([[5, 2, false]]);
    } finally {
      appends.mockRestore();
      reads.mockRestore();
    }
    expect(upstreamContents(suite.fake).slice(1)).toEqual(['assistant: Echo: alpha', 'user: bravo', 'assistant: Echo: bravo', 'user: charlie']);
  });

  it("a thread's first turn reads no window: it is the question alone, and the turn's report starts the cache", async () => {
    const coordination = suite.gateway.app.get(Coordination);
    const repo = suite.gateway.app.get(SessionRepository);
    const calls = [jest.spyOn(repo, 'loadWindow'), jest.spyOn(coordination, 'tailRead'), jest.spyOn(coordination, 'tailFill'), jest.spyOn(coordination, 'tailAppend')] as const;
    try {
      // The widget's session is opened before its first message.
      const { sessionId, auth } = await openWebSession(suite.gateway);
      expect((await say(sessionId, auth, 'hello there')).status).toBe(200);
      const [loads, reads, fills, appends] = calls;
      expect(loads).not.toHaveBeenCalled();
      expect(reads).not.toHaveBeenCalled();
      expect(fills).not.toHaveBeenCalled();
      expect(appends.mock.calls.map(([, seq, items, options]) => [seq, items.length, options.read ?? false])).toEqual([[1, 2, false]]);
      const { id } = await storedSession(sessionId);
      expect((await coordination.tailRead(`window:${id}`))!.items.map((item) => JSON.parse(item).content)).toEqual(['hello there', 'Echo: hello there']);
      expect(upstreamContents(suite.fake).slice(1)).toEqual(['user: hello there']);
    } finally {
      for (const call of calls) call.mockRestore();
    }
  });

  it('a window read while an earlier turn of the thread still ran is not used: the queued turn sees that turn whole', async () => {
    const { sessionId, auth } = await openWebSession(suite.gateway);
    await say(sessionId, auth, 'one');
    suite.fake.enqueue({ kind: 'text', text: 'slow answer', delayMsPerChunk: 60 });
    const first = say(sessionId, auth, 'two');
    await new Promise((done) => setTimeout(done, 40));
    const second = say(sessionId, auth, 'three');
    expect((await first).status).toBe(200);
    expect((await second).status).toBe(200);
    expect(upstreamContents(suite.fake).slice(1)).toEqual(['assistant: Echo: one', 'user: two', 'assistant: slow answer', 'user: three']);
  });

  it('a clear drops the window at once: the next thread starts empty', async () => {
    const coordination = suite.gateway.app.get(Coordination);
    const { sessionId, auth } = await openWebSession(suite.gateway);
    await say(sessionId, auth, 'remember me');
    const { id } = await storedSession(sessionId);
    expect(await coordination.tailRead(`window:${id}`)).not.toBeNull();
    expect((await suite.gateway.request('DELETE', `/api/sessions/${sessionId}`, { headers: auth })).status).toBe(200);
    expect(await coordination.tailRead(`window:${id}`)).toBeNull();
    await say(sessionId, auth, 'who am I?');
    expect(upstreamContents(suite.fake).slice(1)).toEqual(['user: who am I?']);
  });

  it('the store refuses a write stamped with an older fence once a newer holder wrote', async () => {
    const { sessionId, auth } = await openWebSession(suite.gateway);
    await say(sessionId, auth, 'open the thread');
    const sessions = suite.gateway.app.get(SessionsService);
    const session = await storedSession(sessionId);
    const newer = await sessions.append(session, { role: 'user', content: 'newer holder', tokenCount: 3 }, { fence: Date.now() * 1000 + 2_000_000 });
    expect(newer!.row.seq).toBe(3);
    await expect(sessions.append(session, { role: 'assistant', content: 'stale holder', tokenCount: 3 }, { fence: Date.now() * 1000, evenIfEnded: true })).rejects.toMatchObject({
      code: 'unavailable',
      status: 503,
    });
    // the same fence, or a newer one, still writes
    expect((await sessions.append(session, { role: 'assistant', content: 'ok', tokenCount: 1 }, { fence: Date.now() * 1000 + 3_000_000 }))!.row.seq).toBe(4);
    expect((await history(sessionId, auth)).map((m) => m.content)).toEqual(['open the thread', 'Echo: open the thread', 'newer holder', 'ok']);
  });

  (backend === 'real' ? it : it.skip)('a turn whose lease lapsed (a paused holder) cannot store its answer after the next turn wrote', async () => {
    const coordination = suite.gateway.app.get(Coordination) as RedisCoordination;
    const { sessionId, auth } = await openWebSession(suite.gateway);
    let releaseFirst!: () => void;
    const firstHeld = new Promise<void>((resolve) => (releaseFirst = resolve));
    suite.fake.respondWith(async (request, index) => {
      if (index === 0) await firstHeld;
      const last = request.messages.at(-1)!;
      return { kind: 'text', text: `Echo: ${String(last.content)}` };
    });
    const first = say(sessionId, auth, 'slow question');
    while (suite.fake.requests.length === 0) await new Promise((r) => setTimeout(r, 10));
    // The first holder stops renewing (a long pause, a partition): its lease key is gone.
    const prefix = suite.storage.env.REDIS_KEY_PREFIX!;
    const leases: string[] = [];
    for await (const keys of coordination.client.scanIterator({ MATCH: `${prefix}lock:*:alive:*` })) leases.push(...keys);
    expect(leases).toHaveLength(1);
    await coordination.client.del(leases);

    const second = await say(sessionId, auth, 'quick question');
    expect(second.status).toBe(200);
    releaseFirst();
    const late = await first;
    expect(late.status).toBe(503);
    expect(late.body.error.code).toBe('unavailable');
    // the stale answer never landed; seq stays gapless
    expect((await history(sessionId, auth)).map((m) => `${m.seq} ${m.role}: ${m.content}`)).toEqual([
      '1 user: slow question',
      '2 user: quick question',
      '3 assistant: Echo: quick question',
    ]);
  });
});
