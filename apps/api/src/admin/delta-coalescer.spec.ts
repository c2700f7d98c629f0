import { jest } from '@jest/globals';
import { DeltaCoalescer, type CoalescedDelta } from './delta-coalescer.js';

describe('DeltaCoalescer', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('joins one answer’s pieces into one event per window, per turn', () => {
    const sent: CoalescedDelta[] = [];
    const coalescer = new DeltaCoalescer((d) => sent.push(d), 100);
    coalescer.add('s1', 't1', 'Hello ');
    coalescer.add('s1', 't1', 'there');
    coalescer.add('s2', 't2', 'Other');
    expect(sent).toEqual([]);
    jest.advanceTimersByTime(100);
    expect(sent).toEqual([
      { sessionId: 's1', turnId: 't1', text: 'Hello there' },
      { sessionId: 's2', turnId: 't2', text: 'Other' },
    ]);
    coalescer.add('s1', 't1', '!');
    jest.advanceTimersByTime(100);
    expect(sent.at(-1)).toEqual({ sessionId: 's1', turnId: 't1', text: '!' });
  });

  it('flushes a session at once so its text precedes the stored message, and sends nothing twice', () => {
    const sent: CoalescedDelta[] = [];
    const coalescer = new DeltaCoalescer((d) => sent.push(d), 100);
    coalescer.add('s1', 't1', 'partial');
    coalescer.add('s2', 't2', 'kept');
    coalescer.flushSession('s1');
    expect(sent).toEqual([{ sessionId: 's1', turnId: 't1', text: 'partial' }]);
    jest.advanceTimersByTime(100);
    expect(sent.map((d) => d.turnId)).toEqual(['t1', 't2']);
  });

  it('drops what is buffered on clear', () => {
    const sent: CoalescedDelta[] = [];
    const coalescer = new DeltaCoalescer((d) => sent.push(d), 100);
    coalescer.add('s1', 't1', 'gone');
    coalescer.clear();
    jest.advanceTimersByTime(500);
    expect(sent).toEqual([]);
  });
});
