import { jest } from '@jest/globals';
import { PeriodicJob } from './periodic-job.js';

/** A job whose runs finish only when the test says so. */
function harness() {
  const runs: Array<() => void> = [];
  const job = new PeriodicJob(1000, () => new Promise<number>((resolve) => runs.push(() => resolve(runs.length))));
  const settle = () => new Promise((resolve) => setImmediate(resolve));
  return { job, runs, settle };
}

describe('PeriodicJob', () => {
  afterEach(() => jest.useRealTimers());

  it('runs every interval once started, and not after stop', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate'] });
    const { job, runs, settle } = harness();
    jest.advanceTimersByTime(3000);
    expect(runs).toHaveLength(0);
    job.start();
    expect(job.active).toBe(true);
    jest.advanceTimersByTime(1000);
    runs[0]!();
    await settle();
    jest.advanceTimersByTime(1000);
    expect(runs).toHaveLength(2);
    runs[1]!();
    job.stop();
    expect(job.active).toBe(false);
    jest.advanceTimersByTime(5000);
    expect(runs).toHaveLength(2);
  });

  it('a tick or call during a run shares it instead of starting another', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate'] });
    const { job, runs, settle } = harness();
    job.start();
    const first = job.runOnce();
    jest.advanceTimersByTime(3000);
    expect(job.runOnce()).toBe(first);
    expect(runs).toHaveLength(1);
    runs[0]!();
    await expect(first).resolves.toBe(1);
    await settle();
    void job.runOnce();
    expect(runs).toHaveLength(2);
    runs[1]!();
    await job.close();
  });

  it('close waits for the run in progress', async () => {
    const { job, runs } = harness();
    job.start();
    void job.runOnce();
    let closed = false;
    const closing = job.close().then(() => (closed = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(closed).toBe(false);
    expect(job.active).toBe(false);
    runs[0]!();
    await closing;
    expect(closed).toBe(true);
    job.start();
    expect(job.active).toBe(false);
  });
});
