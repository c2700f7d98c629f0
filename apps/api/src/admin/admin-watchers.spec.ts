import { InProcessCoordination } from '@api/coordination/in-process.coordination.js';
import { AdminWatchers } from './admin-watchers.js';

describe('AdminWatchers', () => {
  const tick = () => new Promise((resolve) => setImmediate(resolve));

  it('knows when staff watch here or on another instance, and when the last one leaves', async () => {
    const shared = new InProcessCoordination();
    const here = new AdminWatchers(shared, 0);
    const there = new AdminWatchers(shared, 0);
    await Promise.all([here.start(), there.start()]);
    expect([here.any, there.any]).toEqual([false, false]);

    there.joined();
    there.joined();
    await tick();
    expect([here.any, there.any]).toEqual([true, true]);
    there.left();
    await tick();
    expect(here.any).toBe(true);
    there.left();
    await tick();
    expect([here.any, there.any]).toEqual([false, false]);
    await Promise.all([here.stop(), there.stop()]);
  });

  it('learns of watchers that joined before it started, and assumes someone watches until it could hear', async () => {
    const shared = new InProcessCoordination();
    const first = new AdminWatchers(shared, 0);
    await first.start();
    first.joined();
    const late = new AdminWatchers(shared, 60_000);
    expect(late.any).toBe(true); // still in its grace period
    const asked = new AdminWatchers(shared, 0);
    await asked.start();
    await tick();
    expect(asked.any).toBe(true);
    first.left();
    await tick();
    expect(asked.any).toBe(false);
    await Promise.all([first.stop(), asked.stop()]);
  });

  it('forgets an instance that stopped while watched', async () => {
    const shared = new InProcessCoordination();
    const here = new AdminWatchers(shared, 0);
    const there = new AdminWatchers(shared, 0);
    await Promise.all([here.start(), there.start()]);
    there.joined();
    await tick();
    expect(here.any).toBe(true);
    await there.stop();
    await tick();
    expect(here.any).toBe(false);
    await here.stop();
  });
});
