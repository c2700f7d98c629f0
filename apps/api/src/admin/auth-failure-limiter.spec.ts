import { ApiError } from '@api/common/api-error.js';
import { ManualClock } from '@api/common/clock.js';
import { AppConfig } from '@api/config/app-config.js';
import { InProcessCoordination } from '@api/coordination/in-process.coordination.js';
import { AuthFailureLimiter } from './auth-failure-limiter.js';

const refusal = (promise: Promise<unknown>) => promise.then(() => null, (error: unknown) => error as ApiError);
const limiterOf = (env: Record<string, string>, clock = new ManualClock(Date.UTC(2026, 0, 1, 12, 5, 0))) => new AuthFailureLimiter(new InProcessCoordination(), clock, AppConfig.fromEnv(env));

describe('AuthFailureLimiter', () => {
  it('defaults to 20 failures per 15 minutes, under NODE_ENV=test too', () => {
    expect(limiterOf({})).toMatchObject({ limit: 20, windowSeconds: 900 });
    expect(limiterOf({ NODE_ENV: 'test' })).toMatchObject({ limit: 20, windowSeconds: 900 });
    expect(limiterOf({ AUTH_FAILURE_LIMIT: '3', AUTH_FAILURE_WINDOW: '1h' })).toMatchObject({ limit: 3, windowSeconds: 3600 });
  });

  it('refuses bad settings with one clear line', () => {
    expect(() => AppConfig.fromEnv({ AUTH_FAILURE_LIMIT: '-1' })).toThrow(/AUTH_FAILURE_LIMIT must be a whole number of failed attempts/);
    expect(() => AppConfig.fromEnv({ AUTH_FAILURE_WINDOW: 'soon' })).toThrow(/AUTH_FAILURE_WINDOW must be a duration from 1s to 24h/);
    expect(() => AppConfig.fromEnv({ AUTH_FAILURE_WINDOW: '2d' })).toThrow(/AUTH_FAILURE_WINDOW/);
  });

  it('blocks an address past the limit until its fixed window ends, with Retry-After to the second', async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1, 12, 5, 0)); // 5 minutes into a 15-minute window
    const limiter = limiterOf({ AUTH_FAILURE_LIMIT: '2' }, clock);
    await limiter.recordFailure('10.0.0.1');
    await limiter.recordFailure('10.0.0.1');
    expect(() => limiter.assertAllowed('10.0.0.1')).not.toThrow();
    const third = await refusal(limiter.recordFailure('10.0.0.1'));
    expect(third).toMatchObject({ code: 'rate_limited', status: 429, headers: { 'retry-after': '600' } });
    expect(() => limiter.assertAllowed('10.0.0.1')).toThrow(ApiError);
    expect(() => limiter.assertAllowed('10.0.0.2')).not.toThrow();
    clock.advance(600_000);
    expect(() => limiter.assertAllowed('10.0.0.1')).not.toThrow();
    await limiter.recordFailure('10.0.0.1'); // a new window starts from zero
  });

  it('does nothing when off or when the address is unknown', async () => {
    const off = limiterOf({ AUTH_FAILURE_LIMIT: '0' });
    for (let i = 0; i < 50; i++) await off.recordFailure('10.0.0.1');
    expect(() => off.assertAllowed('10.0.0.1')).not.toThrow();
    const on = limiterOf({ AUTH_FAILURE_LIMIT: '1' });
    for (let i = 0; i < 5; i++) await on.recordFailure(null);
    expect(() => on.assertAllowed(null)).not.toThrow();
  });
});
