import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { BoundedMap } from '@api/common/bounded-map.js';
import { ApiError } from '@api/common/api-error.js';
import { Clock } from '@api/common/clock.js';
import { AppConfig } from '@api/config/app-config.js';
import { Coordination } from '@api/coordination/coordination.port.js';
import type { SessionIdentity } from '@api/sessions/session.repository.js';
import { Database } from '@api/storage/database.js';
import {
  RULE_SHAPES,
  counterKey,
  counterTtlSeconds,
  describeBreach,
  findBreach,
  mergeLimits,
  rulesOf,
  type BudgetLimits,
  type BudgetSubject,
} from './budget-math.js';

/** A turn's spend, charged once it is known. */
export interface TurnSpend {
  tokens: number;
  /** null when the model is unpriced: such a turn counts against token budgets only */
  costMicros: number | null;
}

/**
 * A key's own limits are kept in each process, so a turn's budget check costs no round
 * trip; a change is broadcast to every instance, and the entry lapses anyway after this.
 */
const KEY_LIMITS_MS = 10_000;
const KEY_LIMITS_CHANGED = 'budget-limits-changed';

interface KeyBudgetRow {
  budget_tokens_per_day: string | number | null;
  budget_tokens_per_month: string | number | null;
  budget_micros_per_day: string | number | null;
  budget_micros_per_month: string | number | null;
}

/**
 * Budgets per end user and per API key. Counters live behind the Coordination port
 * (Redis in production) so every instance sees the same spend.
 *
 * Charging rule: a turn is checked before anything is stored or sent upstream and
 * refused (429) once a counter has reached its limit; a turn that is let through is
 * charged its actual usage when it ends. The turn that crosses a limit therefore
 * completes and the next one is refused: spend can overshoot a limit by at most the
 * turns already in flight, and is never charged for work that did not happen.
 */
@Injectable()
export class BudgetService implements OnModuleInit {
  private readonly logger = new Logger('budget');
  private readonly keyLimits = new BoundedMap<Promise<BudgetLimits>>(10_000);
  private readonly userDefaults: BudgetLimits;
  private readonly keyDefaults: BudgetLimits;

  constructor(
    config: AppConfig,
    private readonly coordination: Coordination,
    private readonly db: Database,
    private readonly clock: Clock,
  ) {
    const env = config.env;
    this.userDefaults = {
      tokensPerDay: env.BUDGET_USER_TOKENS_PER_DAY ?? null,
      tokensPerMonth: env.BUDGET_USER_TOKENS_PER_MONTH ?? null,
      costMicrosPerDay: env.BUDGET_USER_USD_PER_DAY ?? null,
      costMicrosPerMonth: env.BUDGET_USER_USD_PER_MONTH ?? null,
    };
    this.keyDefaults = {
      tokensPerDay: env.BUDGET_KEY_TOKENS_PER_DAY ?? null,
      tokensPerMonth: env.BUDGET_KEY_TOKENS_PER_MONTH ?? null,
      costMicrosPerDay: env.BUDGET_KEY_USD_PER_DAY ?? null,
      costMicrosPerMonth: env.BUDGET_KEY_USD_PER_MONTH ?? null,
    };
  }

  async onModuleInit(): Promise<void> {
    await this.coordination.subscribe(KEY_LIMITS_CHANGED, (apiKeyId) => {
      if (typeof apiKeyId === 'string') this.keyLimits.delete(apiKeyId);
    });
  }

  /** Throws `rate_limited` (429 with Retry-After) when a budget of the caller is used up. */
  async check(identity: SessionIdentity): Promise<void> {
    const now = this.clock.now();
    for (const subject of subjectsOf(identity)) {
      const rules = rulesOf(await this.limitsOf(subject));
      if (!rules.length) continue;
      // Adding 0 reads the counter on every adapter, creating it (at 0) if this period has none.
      const spent = await Promise.all(rules.map((r) => this.coordination.increment(counterKey(subject, r.metric, r.period, now), 0, counterTtlSeconds(r.period, now))));
      const breach = findBreach(rules, spent, now);
      if (breach) throw new ApiError('rate_limited', describeBreach(subject, breach), { 'retry-after': String(breach.retryAfterSeconds) });
    }
  }

  /**
   * Adds a finished turn's usage to its caller's counters. A key's counters all run,
   * limit or not, because an admin can set a limit mid-period and it should count what
   * was already spent; user limits come only from the environment, so only the counters
   * of limits that are set run for users. Never throws: the answer is stored by now.
   */
  async charge(identity: SessionIdentity, spend: TurnSpend): Promise<void> {
    const subjects = subjectsOf(identity);
    if (!subjects.length) return;
    const now = this.clock.now();
    const increments: Array<{ key: string; by: number; ttlSeconds: number }> = [];
    for (const subject of subjects) {
      const shapes = subject.kind === 'key' ? RULE_SHAPES : rulesOf(this.userDefaults);
      for (const { metric, period } of shapes) {
        const amount = metric === 'tokens' ? spend.tokens : spend.costMicros;
        if (!amount || amount < 0) continue;
        increments.push({ key: counterKey(subject, metric, period, now), by: amount, ttlSeconds: counterTtlSeconds(period, now) });
      }
    }
    // One round trip for every counter of the turn: this runs on every turn's path.
    await this.coordination.incrementMany(increments).catch((error: Error) => this.logger.warn(`budget counters not charged: ${error.message}`));
  }

  /** After an admin changes a key's limits: every instance reads them afresh. */
  async forgetKey(apiKeyId: string): Promise<void> {
    this.keyLimits.delete(apiKeyId);
    await this.coordination.publish(KEY_LIMITS_CHANGED, apiKeyId);
  }

  private async limitsOf(subject: BudgetSubject): Promise<BudgetLimits> {
    if (subject.kind === 'user') return this.userDefaults;
    return mergeLimits(await this.ownKeyLimits(subject.id), this.keyDefaults);
  }

  /** Every turn of a key asks: shared while the query runs, so a lapsed entry under load costs one query. */
  private ownKeyLimits(apiKeyId: string): Promise<BudgetLimits> {
    return this.keyLimits.getOrLoad(apiKeyId, KEY_LIMITS_MS, () => this.readKeyLimits(apiKeyId));
  }

  private async readKeyLimits(apiKeyId: string): Promise<BudgetLimits> {
    const { rows } = await this.db.query<KeyBudgetRow>(
      `SELECT budget_tokens_per_day, budget_tokens_per_month, budget_micros_per_day, budget_micros_per_month FROM api_keys WHERE id = $1`,
      [apiKeyId],
    );
    const row = rows[0];
    return {
      tokensPerDay: toLimit(row?.budget_tokens_per_day),
      tokensPerMonth: toLimit(row?.budget_tokens_per_month),
      costMicrosPerDay: toLimit(row?.budget_micros_per_day),
      costMicrosPerMonth: toLimit(row?.budget_micros_per_month),
    };
  }
}

/**
 * The end user (scoped to the tenant) and the API key a turn is spent on. Anonymous
 * web visitors have no user id: their chat session stands in for the user.
 */
export function subjectsOf(identity: SessionIdentity): BudgetSubject[] {
  const subjects: BudgetSubject[] = [];
  if (identity.endUserId) {
    subjects.push({ kind: 'user', id: `${identity.tenant ?? ''}/${identity.endUserId}`, label: `end user "${identity.endUserId}"` });
  } else if (identity.channel === 'web') {
    subjects.push({ kind: 'user', id: `web/${identity.key}`, label: 'this chat session' });
  }
  if (identity.apiKeyId) subjects.push({ kind: 'key', id: identity.apiKeyId, label: 'this API key' });
  return subjects;
}

function toLimit(value: string | number | null | undefined): number | null {
  return value === null || value === undefined ? null : Number(value);
}
