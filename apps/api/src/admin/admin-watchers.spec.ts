import { InProcessCoordination } from '@api/coordination/in-process.coordination.js';
import { AdminWatchers } from './admin-watchers.js';

describe('AdminWatchers', () => {
  const tick = () => new Promise((resolve) => setImmediate(resolve));
  /** An instance whose namespace holds `sockets` staff sockets. */
  const instance = (shared: InProcessCoordination, graceMs = 0) => {
    const state = { sockets: 0 };
    const watchers = new AdminWatchers(shared, () => state.sockets, graceMs);
    const join = () => (state.sockets++, watchers.changed());
    const leave = () => (state.sockets--, watchers.changed());
    return Object.assign(watchers, { join, leave });
  };

  it('knows when staff watch here or on another instance, and when the last one leaves', async () => {
    const shared = new InProcessCoordination();
    const here = instance(shared);
    const there = instance(shared);
    await Promise.all([here.start(), there.start()]);
    expect([here.any, there.any]).toEqual([false, false]);

    there.join();
    there.join();
    await tick();
    expect([here.any, there.any]).toEqual([true, true]);
    there.leave();
    await tick();
    expect(here.any).toBe(true);
    there.leave();
    await tick();
    expect([here.any, there.any]).toEqual([false, false]);
    await Promise.all([here.stop(), there.stop()]);
  });

  it('learns of watchers that joined before it started, and assumes someone watches until it could hear', async () => {
    const shared = new InProcessCoordination();
    const first = instance(shared);
    await first.start();
    first.join();
    const late = instance(shared, 60_000);
    expect(late.any).toBe(true); // still in its grace period
    const asked = instance(shared);
    await asked.start();
    await tick();
    expect(asked.any).toBe(true);
    first.leave();
    await tick();
    expect(asked.any).toBe(false);
    await Promise.all([first.stop(), asked.stop()]);
  });

  it('forgets an instance that stopped while watched', async () => {
    const shared = new InProcessCoordination();
    const here = instance(shared);
    const there = instance(shared);
    await Promise.all([here.start(), there.start()]);
    there.join();
    await tick();
    expect(here.any).toBe(true);
    await there.stop();
    await tick();
    expect(here.any).toBe(false);
    await here.stop();
  });
});
