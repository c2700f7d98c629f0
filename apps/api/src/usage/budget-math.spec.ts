import {
  NO_LIMITS,
  counterKey,
  describeBreach,
  findBreach,
  mergeLimits,
  periodOf,
  rulesOf,
  secondsUntilReset,
  type BudgetSubject,
} from './budget-math.js';

const at = (iso: string) => new Date(iso);
const user: BudgetSubject = { kind: 'user', id: 'acme/bob', label: 'end user "bob"' };
const key: BudgetSubject = { kind: 'key', id: '0190-key', label: 'this API key' };

describe('budget periods', () => {
  it('are UTC calendar days and months', () => {
    expect(periodOf('day', at('2030-05-31T23:59:59.500Z'))).toEqual({ id: '2030-05-31', endsAt: at('2030-06-01T00:00:00Z') });
    expect(periodOf('month', at('2030-12-15T10:00:00Z'))).toEqual({ id: '2030-12', endsAt: at('2031-01-01T00:00:00Z') });
    expect(periodOf('month', at('2032-02-29T12:00:00Z')).endsAt).toEqual(at('2032-03-01T00:00:00Z'));
  });

  it('are right for any sequence of times: the last period is reused only inside its bounds', () => {
    const times = ['2030-05-31T23:59:59.999Z', '2030-06-01T00:00:00.000Z', '2030-05-31T00:00:00.000Z', '2030-05-30T23:59:59.999Z', '2030-06-01T00:00:00.000Z', '2031-06-01T00:00:00.000Z'];
    for (const iso of times) {
      const now = at(iso);
      const nextDay = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1));
      const nextMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
      expect(periodOf('day', now)).toEqual({ id: iso.slice(0, 10), endsAt: nextDay });
      expect(periodOf('month', now)).toEqual({ id: iso.slice(0, 7), endsAt: nextMonth });
    }
    // Callers get their own Date: changing one does not move the next caller's reset.
    periodOf('day', at('2030-05-31T12:00:00Z')).endsAt.setUTCFullYear(1999);
    expect(periodOf('day', at('2030-05-31T13:00:00Z')).endsAt).toEqual(at('2030-06-01T00:00:00Z'));
  });

  it('reset in whole seconds, never 0', () => {
    expect(secondsUntilReset('day', at('2030-05-31T23:00:00Z'))).toBe(3600);
    expect(secondsUntilReset('day', at('2030-05-31T23:59:59.500Z'))).toBe(1);
    expect(secondsUntilReset('day', at('2030-06-01T00:00:00Z'))).toBe(86_400);
    expect(secondsUntilReset('month', at('2030-06-30T00:00:00Z'))).toBe(86_400);
  });

  it('name a fresh counter in each period, per subject and metric', () => {
    const now = at('2030-05-31T12:00:00Z');
    expect(counterKey(user, 'tokens', 'day', now)).toBe('budget:user:acme%2Fbob:tokens:2030-05-31');
    expect(counterKey(key, 'cost', 'month', now)).toBe('budget:key:0190-key:cost:2030-05');
    expect(counterKey(user, 'tokens', 'day', at('2030-06-01T00:00:00Z'))).not.toBe(counterKey(user, 'tokens', 'day', now));
  });
});

describe('budget limits', () => {
  it('list only the limits that are set', () => {
    expect(rulesOf(NO_LIMITS)).toEqual([]);
    expect(rulesOf({ ...NO_LIMITS, tokensPerDay: 100, costMicrosPerMonth: 5 })).toEqual([
      { metric: 'tokens', period: 'day', limit: 100 },
      { metric: 'cost', period: 'month', limit: 5 },
    ]);
  });

  it('take a key its own limit field by field, else the default', () => {
    const defaults = { tokensPerDay: 1000, tokensPerMonth: 10_000, costMicrosPerDay: null, costMicrosPerMonth: null };
    expect(mergeLimits({ tokensPerDay: 50, tokensPerMonth: null, costMicrosPerDay: 7, costMicrosPerMonth: null }, defaults)).toEqual({
      tokensPerDay: 50,
      tokensPerMonth: 10_000,
      costMicrosPerDay: 7,
      costMicrosPerMonth: null,
    });
    expect(mergeLimits(null, defaults)).toEqual(defaults);
  });
});

describe('budget verdicts', () => {
  const now = at('2030-05-31T23:00:00Z');
  const rules = rulesOf({ tokensPerDay: 100, tokensPerMonth: 1000, costMicrosPerDay: null, costMicrosPerMonth: null });

  it('let a turn through while spend is under every limit', () => {
    expect(findBreach(rules, [99, 999], now)).toBeNull();
    expect(findBreach([], [], now)).toBeNull();
  });

  it('refuse once spend has reached a limit (the crossing turn was already let through)', () => {
    expect(findBreach(rules, [100, 100], now)).toMatchObject({ rule: { period: 'day' }, spent: 100, retryAfterSeconds: 3600 });
    expect(findBreach(rules, [130, 100], now)).toMatchObject({ spent: 130 });
  });

  it('wait for the limit that resets last when several are reached', () => {
    // month ends at the same instant here; a mid-month day shows the difference
    const mid = at('2030-05-10T12:00:00Z');
    const breach = findBreach(rules, [100, 1000], mid)!;
    expect(breach.rule.period).toBe('month');
    expect(breach.retryAfterSeconds).toBe(secondsUntilReset('month', mid));
    expect(breach.resetsAt).toEqual(at('2030-06-01T00:00:00Z'));
  });

  it('explain the refusal in words', () => {
    const tokens = findBreach(rules, [120, 0], now)!;
    expect(describeBreach(user, tokens)).toBe(
      'The daily token budget of end user "bob" is used up (120 tokens of 100 tokens); it resets at 2030-06-01T00:00:00.000Z, in 3600 s.',
    );
    const cost = findBreach(rulesOf({ ...NO_LIMITS, costMicrosPerMonth: 2_000_000 }), [2_000_057], now)!;
    expect(describeBreach(key, cost)).toBe(
      'The monthly spending budget of this API key is used up ($2.000057 of $2.00); it resets at 2030-06-01T00:00:00.000Z, in 3600 s.',
    );
  });
});
