import { getEventListeners } from 'node:events';
import { jest } from '@jest/globals';
import { EarlyAnswer } from './early-answer.js';

/** A run that records its signal and gate, and settles the way a model call would. */
function recorder() {
  const seen: { signal?: AbortSignal; gateOpen: boolean } = { gateOpen: false };
  const run = (signal: AbortSignal, sendAfter: Promise<void>) => {
    seen.signal = signal;
    void sendAfter.then(() => (seen.gateOpen = true));
    return new Promise<string>((resolve, reject) => {
      signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
      void sendAfter.then(() => resolve('answered'));
    });
  };
  return { seen, run };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('EarlyAnswer', () => {
  it('keeps the gate shut until adopted, then hands over the running answer', async () => {
    const early = new EarlyAnswer<string, number>();
    const { seen, run } = recorder();
    early.start(7, run);
    await tick();
    expect(seen.gateOpen).toBe(false);
    const holds = jest.fn((basis: number) => basis === 7);
    const adopted = early.adopt(holds);
    expect(holds).toHaveBeenCalledWith(7);
    await expect(adopted).resolves.toBe('answered');
    expect(seen.gateOpen).toBe(true);
    expect(seen.signal!.aborted).toBe(false);
  });

  it('a basis that did not hold: nothing adopted, the call aborted with its gate still shut', async () => {
    const early = new EarlyAnswer<string, number>();
    const { seen, run } = recorder();
    early.start(7, run);
    expect(early.adopt((basis) => basis === 8)).toBeNull();
    await tick();
    expect(seen.signal!.aborted).toBe(true);
    expect(seen.gateOpen).toBe(false);
  });

  it('adopting before it started gives null, and a start after the decision never runs', () => {
    const early = new EarlyAnswer<string, number>();
    expect(early.adopt(() => true)).toBeNull();
    const run = jest.fn(recorder().run);
    early.start(1, run);
    expect(run).not.toHaveBeenCalled();
  });

  it('cancel aborts a started answer; after adoption it changes nothing', async () => {
    const cancelled = new EarlyAnswer<string, number>();
    const first = recorder();
    cancelled.start(1, first.run);
    cancelled.cancel();
    expect(first.seen.signal!.aborted).toBe(true);

    const adopted = new EarlyAnswer<string, number>();
    const second = recorder();
    adopted.start(1, second.run);
    const answer = adopted.adopt(() => true);
    adopted.cancel();
    await expect(answer).resolves.toBe('answered');
    expect(second.seen.signal!.aborted).toBe(false);
  });

  it("the turn's own abort (the client left) reaches the answer before and after adoption", () => {
    const outer = new AbortController();
    const early = new EarlyAnswer<string, number>(outer.signal);
    const { seen, run } = recorder();
    early.start(1, run);
    const answer = early.adopt(() => true)!;
    outer.abort(new Error('client gone'));
    expect(seen.signal!.aborted).toBe(true);
    expect((seen.signal!.reason as Error).message).toBe('client gone');
    return expect(answer).rejects.toThrow('aborted');
  });

  it('leaves no listener on a signal that outlives the turn, once cancelled or once its adopted answer settled', async () => {
    const longLived = new AbortController().signal;
    const cancelled = new EarlyAnswer<string, number>(longLived);
    cancelled.start(1, recorder().run);
    cancelled.cancel();
    const neverStarted = new EarlyAnswer<string, number>(longLived);
    expect(neverStarted.adopt(() => true)).toBeNull();
    const adopted = new EarlyAnswer<string, number>(longLived);
    adopted.start(1, recorder().run);
    await adopted.adopt(() => true);
    await tick();
    expect(getEventListeners(longLived, 'abort')).toHaveLength(0);
  });
});
