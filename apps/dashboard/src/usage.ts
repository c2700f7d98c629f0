import type { UsageReport, UsageTotals } from '@threadline/contracts';
import { utcDay } from './format';

export type DailyUsage = UsageReport['daily'][number];

export interface ChartPoint {
  day: string;
  /** dollars: the axis reads better than micro-dollars */
  cost: number;
  tokens: number;
}

/** A day or series with nothing in it. */
export const EMPTY_TOTALS: UsageTotals = {
  messages: 0,
  promptTokens: 0,
  completionTokens: 0,
  cachedTokens: 0,
  totalTokens: 0,
  costMicros: 0,
  unpricedMessages: 0,
  estimatedMessages: 0,
};

/** Every day of the range, zeros where nothing happened: a quiet day is a fact, not a gap in the line. */
export function fillDays(daily: DailyUsage[], from: string, to: string): DailyUsage[] {
  const byDay = new Map(daily.map((d) => [d.day, d]));
  const out: DailyUsage[] = [];
  const end = Date.parse(`${to}T00:00:00Z`);
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= end && out.length < 1000; t += 86_400_000) {
    const day = utcDay(new Date(t));
    out.push(byDay.get(day) ?? { ...EMPTY_TOTALS, day });
  }
  return out;
}

export function chartPoints(daily: DailyUsage[]): ChartPoint[] {
  return daily.map((d) => ({ day: d.day, cost: d.costMicros / 1_000_000, tokens: d.promptTokens + d.completionTokens }));
}

/** The last `days` UTC days, today included. */
export function lastDays(days: number, now: Date): { from: string; to: string } {
  return { from: utcDay(new Date(now.getTime() - (days - 1) * 86_400_000)), to: utcDay(now) };
}
