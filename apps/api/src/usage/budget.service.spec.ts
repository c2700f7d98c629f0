import { ApiError } from '@api/common/api-error.js';
import { ManualClock } from '@api/common/clock.js';
import { AppConfig } from '@api/config/app-config.js';
import { InProcessCoordination } from '@api/coordination/in-process.coordination.js';
import type { Database } from '@api/storage/database.js';
import { BudgetService, subjectsOf } from './budget.service.js';

/** Just enough of Database for the key-limits lookup, counting the reads. */
class KeyTable {
  reads = 0;
  limits = new Map<string, Record<string, number | null>>();
  query = async (_sql: string, params: unknown[] = []) => {
    this.reads++;
    const row = this.limits.get(params[0] as string);
    return { rows: row ? [row] : [], rowCount: row ? 1 : 0 };
  };
}

describe('BudgetService', () => {
  const api = (user: string, apiKeyId: string | null = 'key-1') => ({ channel: 'api' as const, key: `t:user-${user}`, tenant: 't', endUserId: user, apiKeyId });
  let coordination: InProcessCoordination;
  let clock: ManualClock;
  let keys: KeyTable;
  const make = (env: Record<string, string>) => new BudgetService(AppConfig.fromEnv(env), coordination, keys as unknown as Database, clock);
  const refusal = async (work: Promise<void>) => {
    try {
      await work;
      return null;
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      return { status: error.status, code: error.code, retryAfter: error.headers['retry-after'], message: error.message };
    }
  };

  beforeEach(() => {
    coordination = new InProcessCoordination();
    clock = new ManualClock(new Date('2030-01-31T23:59:00Z'));
    keys = new KeyTable();
  });

  it('knows who a turn is spent on', () => {
    expect(subjectsOf(api('bob')).map((s) => `${s.kind}:${s.id}`)).toEqual(['user:t/bob', 'key:key-1']);
    expect(subjectsOf({ channel: 'api', key: 'x', tenant: 't', endUserId: 'bob', apiKeyId: null }).map((s) => s.kind)).toEqual(['user']);
    expect(subjectsOf({ channel: 'web', key: 'abc' })).toEqual([{ kind: 'user', id: 'web/abc', label: 'this chat session' }]);
    expect(subjectsOf({ channel: 'slack', key: 'T:C:1' })).toEqual([]);
  });

  it('lets a turn through under the limit, charges actual spend afterwards, and refuses the next one', async () => {
    const budgets = make({ BUDGET_USER_TOKENS_PER_DAY: '100' });
    await budgets.check(api('bob'));
    await budgets.charge(api('bob'), { tokens: 99, costMicros: 5 });
    await budgets.check(api('bob'));
    await budgets.charge(api('bob'), { tokens: 50, costMicros: 5 });
    expect(await refusal(budgets.check(api('bob')))).toEqual({
      status: 429,
      code: 'rate_limited',
      retryAfter: '60',
      message: 'The daily token budget of end user "bob" is used up (149 tokens of 100 tokens); it resets at 2030-02-01T00:00:00.000Z, in 60 s.',
    });
    expect(await refusal(budgets.check(api('alice')))).toBeNull();
    clock.advance(60_000);
    expect(await refusal(budgets.check(api('bob')))).toBeNull();
  });

  it('charges an unpriced turn against token budgets only', async () => {
    const budgets = make({ BUDGET_USER_USD_PER_DAY: '0.000010', BUDGET_USER_TOKENS_PER_DAY: '1000' });
    await budgets.charge(api('bob'), { tokens: 10, costMicros: null });
    expect(await refusal(budgets.check(api('bob')))).toBeNull();
    await budgets.charge(api('bob'), { tokens: 10, costMicros: 10 });
    expect((await refusal(budgets.check(api('bob'))))?.message).toMatch(/daily spending budget .* \(\$0\.000010 of \$0\.000010\)/);
  });

  it("applies a key's own limits over the env defaults, caches them, and re-reads them when told", async () => {
    const budgets = make({ BUDGET_KEY_TOKENS_PER_MONTH: '1000' });
    keys.limits.set('key-1', { budget_tokens_per_day: 10, budget_tokens_per_month: null, budget_micros_per_day: null, budget_micros_per_month: null });
    await budgets.charge(api('a'), { tokens: 10, costMicros: 1 });
    expect((await refusal(budgets.check(api('b'))))?.message).toMatch(/^The daily token budget of this API key/);
    await budgets.check(api('b', 'key-2')); // no own limits: only the monthly default, far from reached
    expect(keys.reads).toBe(2);
    await budgets.check(api('c', 'key-2'));
    expect(keys.reads).toBe(2);

    keys.limits.set('key-1', { budget_tokens_per_day: 20, budget_tokens_per_month: null, budget_micros_per_day: null, budget_micros_per_month: null });
    expect(await refusal(budgets.check(api('b')))).not.toBeNull(); // still the cached limit
    await budgets.forgetKey('key-1');
    expect(await refusal(budgets.check(api('b')))).toBeNull();

    // key-2 falls back to the monthly default
    await budgets.charge(api('a', 'key-2'), { tokens: 1000, costMicros: 1 });
    expect((await refusal(budgets.check(api('b', 'key-2'))))?.message).toMatch(/^The monthly token budget of this API key is used up \(1,000 tokens of 1,000 tokens\)/);
    clock.advance(120_000); // a new day and month: the counters start again
    expect(await refusal(budgets.check(api('b', 'key-2')))).toBeNull();
    expect(await refusal(budgets.check(api('b')))).toBeNull();
  });

  it("tells every instance when a key's limits change, so none keeps refusing on its own copy", async () => {
    const first = make({});
    const second = make({});
    await Promise.all([first.onModuleInit(), second.onModuleInit()]);
    keys.limits.set('key-1', { budget_tokens_per_day: 10, budget_tokens_per_month: null, budget_micros_per_day: null, budget_micros_per_month: null });
    await first.charge(api('a'), { tokens: 10, costMicros: 1 });
    expect(await refusal(second.check(api('b')))).not.toBeNull();
    keys.limits.set('key-1', { budget_tokens_per_day: 20, budget_tokens_per_month: null, budget_micros_per_day: null, budget_micros_per_month: null });
    const reads = keys.reads;
    expect(await refusal(second.check(api('b')))).not.toBeNull(); // its own copy: no read
    expect(keys.reads).toBe(reads);
    await first.forgetKey('key-1');
    expect(await refusal(second.check(api('b')))).toBeNull();
  });

  it('keeps the monthly counter across days and refuses until the month ends', async () => {
    clock = new ManualClock(new Date('2030-01-15T12:00:00Z'));
    const budgets = make({ BUDGET_KEY_TOKENS_PER_MONTH: '1000' });
    await budgets.charge(api('a'), { tokens: 600, costMicros: 0 });
    clock.advance(86_400_000);
    await budgets.charge(api('a'), { tokens: 600, costMicros: 0 });
    const refused = await refusal(budgets.check(api('z')));
    expect(refused?.retryAfter).toBe(String((Date.parse('2030-02-01T00:00:00Z') - Date.parse('2030-01-16T12:00:00Z')) / 1000));
  });

  it('does no counter work for callers with nothing to budget', async () => {
    let calls = 0;
    const counting = new (class extends InProcessCoordination {
      override increment(key: string, by: number, ttl: number): Promise<number> {
        calls++;
        return super.increment(key, by, ttl);
      }
    })();
    coordination = counting;
    const budgets = make({});
    await budgets.check({ channel: 'web', key: 'visitor' });
    await budgets.charge({ channel: 'web', key: 'visitor' }, { tokens: 10, costMicros: 10 });
    await budgets.charge({ channel: 'slack', key: 'T:C:1' }, { tokens: 10, costMicros: 10 });
    expect(calls).toBe(0);
  });
});
