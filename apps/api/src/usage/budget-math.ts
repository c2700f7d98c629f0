/**
 * Budget periods, counters and verdicts as pure functions, so the rules are unit tested
 * without a clock, a store or an app. Periods are calendar days and months in UTC.
 */
export type BudgetPeriod = 'day' | 'month';
export type BudgetMetric = 'tokens' | 'cost';

export interface BudgetLimits {
  tokensPerDay: number | null;
  tokensPerMonth: number | null;
  /** integer micro-dollars */
  costMicrosPerDay: number | null;
  costMicrosPerMonth: number | null;
}

export const NO_LIMITS: BudgetLimits = { tokensPerDay: null, tokensPerMonth: null, costMicrosPerDay: null, costMicrosPerMonth: null };

export interface BudgetRule {
  metric: BudgetMetric;
  period: BudgetPeriod;
  limit: number;
}

/** Who a budget belongs to: an end user (within a tenant) or an API key. */
export interface BudgetSubject {
  kind: 'user' | 'key';
  /** unique within the kind: `tenant/endUserId` for users, the key's id for keys */
  id: string;
  /** how the refusal names it: `this API key`, `end user "bob"` */
  label: string;
}

const FIELD: Record<BudgetMetric, Record<BudgetPeriod, keyof BudgetLimits>> = {
  tokens: { day: 'tokensPerDay', month: 'tokensPerMonth' },
  cost: { day: 'costMicrosPerDay', month: 'costMicrosPerMonth' },
};

export const RULE_SHAPES: ReadonlyArray<{ metric: BudgetMetric; period: BudgetPeriod }> = [
  { metric: 'tokens', period: 'day' },
  { metric: 'tokens', period: 'month' },
  { metric: 'cost', period: 'day' },
  { metric: 'cost', period: 'month' },
];

export function rulesOf(limits: BudgetLimits): BudgetRule[] {
  return RULE_SHAPES.flatMap(({ metric, period }) => {
    const limit = limits[FIELD[metric][period]];
    return limit === null ? [] : [{ metric, period, limit }];
  });
}

/** Field by field: a subject's own limit wins, else the default. */
export function mergeLimits(own: Partial<BudgetLimits> | null, defaults: BudgetLimits): BudgetLimits {
  return {
    tokensPerDay: own?.tokensPerDay ?? defaults.tokensPerDay,
    tokensPerMonth: own?.tokensPerMonth ?? defaults.tokensPerMonth,
    costMicrosPerDay: own?.costMicrosPerDay ?? defaults.costMicrosPerDay,
    costMicrosPerMonth: own?.costMicrosPerMonth ?? defaults.costMicrosPerMonth,
  };
}

/** The last period computed, per kind: a turn asks for the same one eight times (a key's four counters, key and TTL each). */
const lastPeriod = new Map<BudgetPeriod, { startsAtMs: number; endsAtMs: number; id: string }>();

/** The current period's id (part of the counter key, so a new period starts from zero) and when it ends. */
export function periodOf(period: BudgetPeriod, now: Date): { id: string; endsAt: Date } {
  const t = now.getTime();
  let known = lastPeriod.get(period);
  if (!known || t < known.startsAtMs || t >= known.endsAtMs) {
    const y = now.getUTCFullYear();
    const m = now.getUTCMonth();
    const d = now.getUTCDate();
    known =
      period === 'day'
        ? { startsAtMs: Date.UTC(y, m, d), endsAtMs: Date.UTC(y, m, d + 1), id: now.toISOString().slice(0, 10) }
        : { startsAtMs: Date.UTC(y, m, 1), endsAtMs: Date.UTC(y, m + 1, 1), id: now.toISOString().slice(0, 7) };
    lastPeriod.set(period, known);
  }
  return { id: known.id, endsAt: new Date(known.endsAtMs) };
}

/** Whole seconds until the period resets, at least 1 (a Retry-After of 0 invites a hot loop). */
export function secondsUntilReset(period: BudgetPeriod, now: Date): number {
  return Math.max(1, Math.ceil((periodOf(period, now).endsAt.getTime() - now.getTime()) / 1000));
}

/** Counters outlive their period by an hour so instances with slightly skewed clocks still agree. */
export function counterTtlSeconds(period: BudgetPeriod, now: Date): number {
  return secondsUntilReset(period, now) + 3600;
}

export function counterKey(subject: BudgetSubject, metric: BudgetMetric, period: BudgetPeriod, now: Date): string {
  return `budget:${subject.kind}:${encodeURIComponent(subject.id)}:${metric}:${periodOf(period, now).id}`;
}

export interface BudgetBreach {
  rule: BudgetRule;
  spent: number;
  retryAfterSeconds: number;
  resetsAt: Date;
}

/**
 * A turn is refused once a counter has reached its limit: spend is charged after each
 * turn, so the turn that crosses the line completes and the next one is refused. Of
 * several breached limits the one that resets last decides when to come back.
 */
export function findBreach(rules: BudgetRule[], spent: number[], now: Date): BudgetBreach | null {
  let worst: BudgetBreach | null = null;
  for (const [i, rule] of rules.entries()) {
    const used = spent[i] ?? 0;
    if (used < rule.limit) continue;
    const retryAfterSeconds = secondsUntilReset(rule.period, now);
    if (!worst || retryAfterSeconds > worst.retryAfterSeconds) {
      worst = { rule, spent: used, retryAfterSeconds, resetsAt: periodOf(rule.period, now).endsAt };
    }
  }
  return worst;
}

export function formatAmount(metric: BudgetMetric, amount: number): string {
  if (metric === 'tokens') return `${amount.toLocaleString('en-US')} tokens`;
  return `$${(amount / 1_000_000).toFixed(amount % 10_000 === 0 ? 2 : 6)}`;
}

export function describeBreach(subject: BudgetSubject, breach: BudgetBreach): string {
  const whose = subject.label;
  const what = breach.rule.metric === 'tokens' ? 'token' : 'spending';
  const period = breach.rule.period === 'day' ? 'daily' : 'monthly';
  return (
    `The ${period} ${what} budget of ${whose} is used up (${formatAmount(breach.rule.metric, breach.spent)} of ${formatAmount(breach.rule.metric, breach.rule.limit)}); ` +
    `it resets at ${breach.resetsAt.toISOString()}, in ${breach.retryAfterSeconds} s.`
  );
}
