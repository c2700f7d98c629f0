import { jest } from '@jest/globals';
import type { SlackClient } from './slack.client.js';
import { SlackReply } from './slack-reply.js';

interface Call {
  method: 'post' | 'update';
  ts: string;
  text: string;
  at: number;
}

/** Records what Slack would have been asked, at what (fake) time. */
function recordingClient(options: { failPosts?: number; failUpdates?: boolean } = {}) {
  const calls: Call[] = [];
  let posted = 0;
  let failPosts = options.failPosts ?? 0;
  const client = {
    postMessage: async (_channel: string, _thread: string, text: string) => {
      if (failPosts-- > 0) return null;
      const ts = `ts${++posted}`;
      calls.push({ method: 'post', ts, text, at: Date.now() });
      return ts;
    },
    update: async (_channel: string, ts: string, text: string) => {
      if (options.failUpdates) return false;
      calls.push({ method: 'update', ts, text, at: Date.now() });
      return true;
    },
  };
  return { calls, client: client as unknown as SlackClient };
}

describe('a Slack answer streamed into its thread', () => {
  beforeEach(() => jest.useFakeTimers({ now: 0 }));
  afterEach(() => jest.useRealTimers());

  const newReply = (client: SlackClient, maxChars = 3500) => new SlackReply(client, 'C1', 'root', { intervalMs: 1000, maxChars, now: () => Date.now() });

  it('posts a placeholder at once, updates at most once a second while text streams, then once with the whole answer', async () => {
    const { calls, client } = recordingClient();
    const reply = newReply(client);
    reply.started();
    await jest.advanceTimersByTimeAsync(0);
    expect(calls).toEqual([{ method: 'post', ts: 'ts1', text: '_Thinking…_', at: 0 }]);

    for (let i = 0; i < 30; i++) {
      reply.delta(`w${i} `);
      await jest.advanceTimersByTimeAsync(100);
    }
    const updates = calls.filter((c) => c.method === 'update');
    expect(updates.map((u) => u.at)).toEqual([1000, 2000, 3000]);
    for (const [i, update] of updates.entries()) expect(update.text).toBe(Array.from({ length: (i + 1) * 10 }, (_, j) => `w${j} `).join(''));

    await reply.finish('The whole **answer**.');
    expect(calls.at(-1)).toMatchObject({ method: 'update', ts: 'ts1', text: 'The whole *answer*.' });
    expect(calls.filter((c) => c.method === 'post')).toHaveLength(1);
    // nothing more after the final update, whatever timers were pending
    await jest.advanceTimersByTimeAsync(5000);
    expect(calls.at(-1)!.text).toBe('The whole *answer*.');
  });

  it('shows tool status while there is no text, below the text once there is, and drops it when text resumes', async () => {
    const { calls, client } = recordingClient();
    const reply = newReply(client);
    reply.started();
    await jest.advanceTimersByTimeAsync(0);
    reply.status('Searching GitHub…');
    await jest.advanceTimersByTimeAsync(1000);
    expect(calls.at(-1)).toMatchObject({ method: 'update', text: '_Searching GitHub…_' });
    reply.delta('Found two.');
    reply.status('Reading the README…');
    await jest.advanceTimersByTimeAsync(1000);
    expect(calls.at(-1)!.text).toBe('Found two.\n\n_Reading the README…_');
    reply.delta(' The first');
    await jest.advanceTimersByTimeAsync(1000);
    expect(calls.at(-1)!.text).toBe('Found two. The first');
    await reply.finish('Found two. The first is best.');
  });

  it('posts a command answer once, with no placeholder and no update', async () => {
    const { calls, client } = recordingClient();
    const reply = newReply(client);
    reply.delta('Commands:\n• help');
    await reply.finish('Commands:\n• help');
    await jest.advanceTimersByTimeAsync(5000);
    expect(calls).toEqual([{ method: 'post', ts: 'ts1', text: 'Commands:\n• help', at: 0 }]);
  });

  it('continues a long answer in further messages of the thread', async () => {
    const { calls, client } = recordingClient();
    const reply = newReply(client, 100);
    reply.started();
    await jest.advanceTimersByTimeAsync(0);
    const answer = Array.from({ length: 60 }, (_, i) => `word${i}`).join(' ');
    reply.delta(answer);
    await jest.advanceTimersByTimeAsync(1000);
    expect(calls.at(-1)!.text.length).toBeLessThanOrEqual(100);
    expect(calls.at(-1)!.text.endsWith('…')).toBe(true);
    await reply.finish(answer);
    const [first, ...rest] = calls.filter((c) => c.text !== '_Thinking…_' && !c.text.endsWith('…'));
    expect(first).toMatchObject({ method: 'update', ts: 'ts1' });
    expect(rest.every((c) => c.method === 'post')).toBe(true);
    expect([first!, ...rest].map((c) => c.text).join(' ')).toBe(answer);
    for (const call of calls) expect(call.text.length).toBeLessThanOrEqual(100);
  });

  it('posts the answer anew when the placeholder could not be posted or updated', async () => {
    const lostPlaceholder = recordingClient({ failPosts: 1 });
    const first = newReply(lostPlaceholder.client);
    first.started();
    first.delta('partial');
    await jest.advanceTimersByTimeAsync(3000);
    await first.finish('the answer');
    expect(lostPlaceholder.calls).toEqual([{ method: 'post', ts: 'ts1', text: 'the answer', at: 3000 }]);

    const noUpdates = recordingClient({ failUpdates: true });
    const second = newReply(noUpdates.client);
    second.started();
    await jest.advanceTimersByTimeAsync(0);
    await second.finish('the answer');
    expect(noUpdates.calls.map((c) => [c.method, c.text])).toEqual([
      ['post', '_Thinking…_'],
      ['post', 'the answer'],
    ]);
  });
});
