import { jest } from '@jest/globals';
import { ChatModel } from '../src/llm/chat-model.port.js';
import { SessionRepository } from '../src/sessions/session.repository.js';
import type { NewMessage } from '../src/sessions/session.types.js';
import { SessionsService } from '../src/sessions/sessions.service.js';
import { WindowCache } from '../src/sessions/window-cache.js';
import { backends } from './backends.js';
import { createApiKey, openWebSession, upstreamContents, useGateway } from './harness.js';

/**
 * A turn prepares its model call while the user message commits (TurnService.answerEarly)
 * and sends it only after: these tests hold the user message's append back and look at
 * what the upstream received meanwhile, and at what happens when the prediction fails.
 */
describe.each(backends())('model call prepared during the commit (%s)', (backend) => {
  const suite = useGateway(backend);
  let chat: (message: string) => Promise<{ status: number; body: any }>;
  let user = 0;

  beforeEach(async () => {
    const key = await createApiKey(suite.gateway);
    const headers = { authorization: `Bearer ${key}`, 'x-user-id': `early-${backend}-${++user}` };
    chat = (message) => suite.gateway.request('POST', '/api/chat', { headers, body: { message } });
  });

  /** Holds the next user-message append until `release`; `reached` resolves when it was asked for. */
  function holdNextUserAppend(onHeld: (sessionId: string) => Promise<void> = async () => undefined) {
    const repo = suite.gateway.app.get(SessionRepository);
    const original = repo.appendMessage.bind(repo);
    let release!: () => void;
    let reached!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const arrived = new Promise<void>((resolve) => (reached = resolve));
    let held = false;
    const spy = jest.spyOn(repo, 'appendMessage').mockImplementation(async (sessionId, message: NewMessage, ...rest) => {
      if (!held && message.role === 'user') {
        held = true;
        reached();
        await released;
        await onHeld(sessionId);
      }
      return original(sessionId, message, ...rest);
    });
    return { release, arrived, restore: () => spy.mockRestore() };
  }

  /** A widget's thread: its session is opened (POST /api/sessions) before its first message. */
  async function widgetThread(): Promise<(message: string) => Promise<{ status: number; body: any }>> {
    const { sessionId, auth } = await openWebSession(suite.gateway);
    return (message) => suite.gateway.request('POST', `/api/sessions/${sessionId}/messages`, { headers: auth, body: { message } });
  }

  it.each([
    ['a thread that has turns behind it', 'warm', ['user: warming the thread', 'assistant: Echo: warming the thread', 'user: held at the store']],
    // A thread the turn opens has no peek; its window is the question alone.
    ["a thread's first turn", 'new', ['user: held at the store']],
    ["a widget thread's first turn, its session opened before", 'widget', ['user: held at the store']],
  ])('the call is built while the user message is stored, and reaches the upstream only after: %s', async (_label, thread, expected) => {
    if (thread === 'warm') expect((await chat('warming the thread')).status).toBe(200);
    if (thread === 'widget') chat = await widgetThread();
    const stream = jest.spyOn(suite.gateway.app.get(ChatModel), 'stream');
    const hold = holdNextUserAppend();
    try {
      const sentBefore = suite.fake.requests.length;
      const reply = chat('held at the store');
      await hold.arrived;
      // The early answer starts one event-loop turn after the insert was sent.
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(stream).toHaveBeenCalledTimes(1);
      expect(suite.fake.requests.length - sentBefore).toBe(0);
      hold.release();
      const answered = await reply;
      expect(answered.status).toBe(200);
      expect(answered.body.response).toContain('held at the store');
      expect(stream).toHaveBeenCalledTimes(1);
      expect(suite.fake.requests.length - sentBefore).toBe(1);
      expect(upstreamContents(suite.fake).slice(1)).toEqual(expected);
    } finally {
      hold.restore();
      stream.mockRestore();
    }
  });

  it("the user message's held-back cache report lands before the answer's: every turn after the first reads its window from the cache", async () => {
    const repo = suite.gateway.app.get(SessionRepository);
    const appended = jest.spyOn(repo, 'appendMessage');
    const fromDatabase = jest.spyOn(repo, 'loadWindow');
    try {
      expect((await chat('one')).status).toBe(200);
      fromDatabase.mockClear();
      for (const text of ['two', 'three', 'four']) expect((await chat(text)).status).toBe(200);
      // A report out of order leaves the cache out of step, and the next turn reads the database.
      expect(fromDatabase).not.toHaveBeenCalled();
      const sessionId = appended.mock.calls.at(-1)![0];
      // The last report goes out after the reply, with the lock release.
      await new Promise((resolve) => setTimeout(resolve, 50));
      const cached = await suite.gateway.app.get(WindowCache).read(sessionId);
      expect(cached?.throughSeq).toBe(8);
      expect(cached?.rows.map((r) => r.content).slice(-2)).toEqual(['four', 'Echo: four']);
    } finally {
      appended.mockRestore();
      fromDatabase.mockRestore();
    }
  });

  it('a thread cleared while the message is stored: the prepared call is dropped unsent, the new thread is answered', async () => {
    expect((await chat('before the clear')).status).toBe(200);
    const sessions = suite.gateway.app.get(SessionsService);
    const stream = jest.spyOn(suite.gateway.app.get(ChatModel), 'stream');
    // A clear from elsewhere (another instance, a staff member) lands before the held append.
    const hold = holdNextUserAppend(async (sessionId) => void (await sessions.clear((await sessions.findById(sessionId))!, 'staff')));
    try {
      const sentBefore = suite.fake.requests.length;
      const reply = chat('after the clear');
      await hold.arrived;
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(stream).toHaveBeenCalledTimes(1);
      hold.release();
      expect((await reply).status).toBe(200);
      // The early call (with the old thread) was never sent; the second one went alone.
      expect(stream).toHaveBeenCalledTimes(2);
      expect(suite.fake.requests.length - sentBefore).toBe(1);
      expect(upstreamContents(suite.fake).slice(1)).toEqual(['user: after the clear']);
    } finally {
      hold.restore();
      stream.mockRestore();
    }
  });

  it.each([
    ['a thread that has turns behind it', true],
    ["a thread's first message", false],
  ])('a store that fails never lets the prepared call out: %s', async (_label, warm) => {
    if (warm) expect((await chat('a good start')).status).toBe(200);
    const stream = jest.spyOn(suite.gateway.app.get(ChatModel), 'stream');
    const hold = holdNextUserAppend(async () => {
      throw new Error('the disk is full');
    });
    try {
      const sentBefore = suite.fake.requests.length;
      const reply = chat('this one fails to save');
      await hold.arrived;
      await new Promise((resolve) => setTimeout(resolve, 100));
      // The call was prepared (from the peek, or from the session the turn opened) ...
      expect(stream).toHaveBeenCalledTimes(1);
      hold.release();
      const failed = await reply;
      expect(failed.status).toBe(500);
      expect(JSON.stringify(failed.body)).not.toContain('disk is full');
      await new Promise((resolve) => setTimeout(resolve, 100));
      // ... and never sent.
      expect(suite.fake.requests.length - sentBefore).toBe(0);
    } finally {
      hold.restore();
      stream.mockRestore();
    }
  });
});
