import { jest } from '@jest/globals';
import { AppConfig } from '@api/config/app-config.js';
import { InProcessCoordination } from '@api/coordination/in-process.coordination.js';
import type { MessageRow } from './session.types.js';
import { WindowCache } from './window-cache.js';

function row(sessionId: string, seq: number, content: string): MessageRow {
  return {
    id: `m${seq}`, session_id: sessionId, seq, role: seq % 2 ? 'user' : 'assistant', content, status: 'complete', participant: null,
    tool_calls: null, tool_call_id: null, model: null, token_count: 3, prompt_tokens: null, completion_tokens: null, cached_tokens: null,
    usage_estimated: null, cost_micros: null, client_message_id: null, api_key_id: null, price: null, created_at: new Date(0),
  };
}

describe('WindowCache deferred reports', () => {
  const setup = async () => {
    const coordination = new InProcessCoordination();
    const cache = new WindowCache(coordination, AppConfig.fromEnv({ CONTEXT_MAX_MESSAGES: '10' }));
    await cache.fill('s1', 0, []);
    const appends = jest.spyOn(coordination, 'tailAppend');
    return { cache, appends };
  };

  it("a deferred report rides in its session's next report when it leads up to it: one append for both", async () => {
    const { cache, appends } = await setup();
    cache.deferStored(row('s1', 1, 'question'));
    expect(appends).not.toHaveBeenCalled();
    await cache.recordStored(row('s1', 2, 'answer'));
    expect(appends.mock.calls.map(([, seq, items]) => [seq, items.length])).toEqual([[1, 2]]);
    expect(await cache.read('s1')).toEqual({ throughSeq: 2, rows: [expect.objectContaining({ seq: 1, content: 'question' }), expect.objectContaining({ seq: 2, content: 'answer' })] });
  });

  it("other sessions' deferred reports, and one with a gap before the report, go out first and in the same tick", async () => {
    const { cache, appends } = await setup();
    await cache.fill('s2', 0, []);
    cache.deferStored(row('s2', 1, 'elsewhere'));
    cache.deferStored(row('s1', 1, 'question'));
    // seq 2 (a tool call, say) was reported without the deferred question: 1 does not lead up to 3
    await cache.recordStored(row('s1', 3, 'answer'));
    expect(appends.mock.calls.map(([key, seq, items]) => [key, seq, items.length])).toEqual([
      ['window:s2', 1, 1],
      ['window:s1', 1, 1],
      ['window:s1', 3, 1],
    ]);
    expect((await cache.read('s2'))?.throughSeq).toBe(1);
    // the gap makes s1 a miss, never a window without seq 2
    expect(await cache.read('s1')).toBeNull();
  });

  it('flushDeferred sends what no later report took along, once', async () => {
    const { cache, appends } = await setup();
    cache.deferStored(row('s1', 1, 'question'));
    cache.flushDeferred();
    cache.flushDeferred();
    expect(appends).toHaveBeenCalledTimes(1);
    await new Promise((resolve) => setImmediate(resolve));
    expect((await cache.read('s1'))?.throughSeq).toBe(1);
  });
});
