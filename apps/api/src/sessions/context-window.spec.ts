import fc from 'fast-check';
import { selectWindow, type WindowCandidate } from './context-window.js';

const user = (seq: number, tokenCount = 5): WindowCandidate => ({ seq, role: 'user', toolCalls: null, toolCallId: null, tokenCount });
const assistant = (seq: number, tokenCount = 5): WindowCandidate => ({ seq, role: 'assistant', toolCalls: null, toolCallId: null, tokenCount });
const toolCall = (seq: number, ids: string[]): WindowCandidate => ({
  seq,
  role: 'assistant',
  toolCalls: ids.map((id) => ({ id, name: 'search_repositories', arguments: '{}' })),
  toolCallId: null,
  tokenCount: 3,
});
const toolResult = (seq: number, id: string): WindowCandidate => ({ seq, role: 'tool', toolCalls: null, toolCallId: id, tokenCount: 7 });
const newestFirst = (chronological: WindowCandidate[]) => [...chronological].reverse();
const seqs = (w: WindowCandidate[]) => w.map((m) => m.seq);

describe('selectWindow', () => {
  it('keeps the newest messages within the message limit, in order', () => {
    const history = Array.from({ length: 30 }, (_, i) => (i % 2 === 0 ? user(i + 1) : assistant(i + 1)));
    expect(seqs(selectWindow(newestFirst(history), { maxMessages: 10, maxTokens: 10_000 }))).toEqual([21, 22, 23, 24, 25, 26, 27, 28, 29, 30]);
  });

  it('stops at the token limit', () => {
    const history = [user(1, 50), assistant(2, 50), user(3, 50), assistant(4, 50), user(5, 50)];
    expect(seqs(selectWindow(newestFirst(history), { maxMessages: 20, maxTokens: 120 }))).toEqual([4, 5]);
  });

  it('never splits a tool call from its results', () => {
    const history = [user(1), toolCall(2, ['a', 'b']), toolResult(3, 'a'), toolResult(4, 'b'), assistant(5), user(6)];
    // 4 messages allowed: the tool block (3) plus 5 and 6 would make 5, so the block goes whole.
    expect(seqs(selectWindow(newestFirst(history), { maxMessages: 4, maxTokens: 10_000 }))).toEqual([5, 6]);
    expect(seqs(selectWindow(newestFirst(history), { maxMessages: 5, maxTokens: 10_000 }))).toEqual([2, 3, 4, 5, 6]);
  });

  it('drops tool results whose call fell outside the loaded rows', () => {
    const loaded = [toolResult(3, 'a'), toolResult(4, 'b'), assistant(5), user(6)];
    expect(seqs(selectWindow(newestFirst(loaded), { maxMessages: 10, maxTokens: 10_000 }))).toEqual([5, 6]);
  });

  it('drops a tool call whose results never arrived', () => {
    const history = [user(1), toolCall(2, ['a', 'b']), toolResult(3, 'a'), user(4)];
    expect(seqs(selectWindow(newestFirst(history), { maxMessages: 10, maxTokens: 10_000 }))).toEqual([1, 4]);
  });

  it('always keeps the newest block, even over the token limit', () => {
    expect(seqs(selectWindow(newestFirst([user(1), user(2, 5000)]), { maxMessages: 10, maxTokens: 100 }))).toEqual([2]);
  });

  // Histories as a model would write them: user turns, answers, tool rounds, and junk
  // (orphan results, unanswered calls) as a crash or a trimmed load could leave them.
  const history = fc
    .array(
      fc.oneof(
        fc.record({ kind: fc.constant('user' as const), tokens: fc.integer({ min: 1, max: 60 }) }),
        fc.record({ kind: fc.constant('assistant' as const), tokens: fc.integer({ min: 1, max: 60 }) }),
        fc.record({ kind: fc.constant('tools' as const), calls: fc.integer({ min: 1, max: 3 }), answered: fc.integer({ min: 0, max: 3 }) }),
        fc.record({ kind: fc.constant('orphan' as const) }),
      ),
      { maxLength: 60 },
    )
    .map((steps) => {
      const out: WindowCandidate[] = [];
      let seq = 0;
      steps.forEach((step, i) => {
        if (step.kind === 'user') out.push(user(++seq, step.tokens));
        else if (step.kind === 'assistant') out.push(assistant(++seq, step.tokens));
        else if (step.kind === 'orphan') out.push(toolResult(++seq, `orphan-${i}`));
        else {
          const ids = Array.from({ length: step.calls }, (_, c) => `call-${i}-${c}`);
          out.push(toolCall(++seq, ids));
          ids.slice(0, step.answered).forEach((id) => out.push(toolResult(++seq, id)));
        }
      });
      return out;
    });
  const limits = fc.record({ maxMessages: fc.integer({ min: 1, max: 25 }), maxTokens: fc.integer({ min: 1, max: 600 }) });

  it('property: a contiguous-by-block, ordered subset that never starts with or strands a tool message', () => {
    fc.assert(
      fc.property(history, limits, (chronological, lim) => {
        const window = selectWindow(newestFirst(chronological), lim);
        const s = seqs(window);
        expect(s).toEqual([...s].sort((a, b) => a - b));
        if (window.length > 0) expect(window[0]!.role).not.toBe('tool');
        // every tool result follows its call inside the window, and every call has all of its results
        window.forEach((m, i) => {
          if (m.role === 'tool') {
            const call = window.slice(0, i).reverse().find((p) => p.role !== 'tool');
            expect(call?.toolCalls?.map((c) => c.id)).toContain(m.toolCallId);
          }
          if (m.toolCalls) {
            const results = window.slice(i + 1).filter((r) => r.role === 'tool' && m.toolCalls!.some((c) => c.id === r.toolCallId));
            expect(results).toHaveLength(m.toolCalls.length);
          }
        });
      }),
      { numRuns: 2000 },
    );
  });

  it('property: within both limits unless only the newest block is kept, and maximal', () => {
    fc.assert(
      fc.property(history, limits, (chronological, lim) => {
        const window = selectWindow(newestFirst(chronological), lim);
        const all = selectWindow(newestFirst(chronological), { maxMessages: 10_000, maxTokens: 10_000_000 });
        const tokens = window.reduce((n, m) => n + m.tokenCount, 0);
        const newestSeq = all.at(-1)?.seq;
        if (all.length === 0) return expect(window).toEqual([]);
        // the newest usable message is always there
        expect(window.at(-1)?.seq).toBe(newestSeq);
        if (window.length > lim.maxMessages || tokens > lim.maxTokens) {
          // over a limit only when the window is the single newest block (one non-tool message)
          expect(window.filter((m) => m.role !== 'tool')).toHaveLength(1);
        }
        // the window is a suffix of the usable history
        expect(seqs(all.slice(all.length - window.length))).toEqual(seqs(window));
        // maximal: the usable message just before the window would have broken a limit
        const before = all[all.length - window.length - 1];
        if (before && before.role !== 'tool' && !before.toolCalls) {
          expect(window.length + 1 > lim.maxMessages || tokens + before.tokenCount > lim.maxTokens).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
