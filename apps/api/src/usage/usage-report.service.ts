import { Injectable } from '@nestjs/common';
import type { Channel, PriceBookResponse, UsageQuery, UsageReport, UsageTotals } from '@threadline/contracts';
import { ApiError } from '@api/common/api-error.js';
import { Clock } from '@api/common/clock.js';
import { Database } from '@api/storage/database.js';
import { PriceBook } from './price-book.js';

const DAY_MS = 86_400_000;
const MAX_DAYS = 366;
const DEFAULT_DAYS = 30;

const SUMS = `sum(messages)::bigint AS messages, sum(prompt_tokens)::bigint AS prompt_tokens, sum(completion_tokens)::bigint AS completion_tokens,
  sum(cached_tokens)::bigint AS cached_tokens, sum(cost_micros)::bigint AS cost_micros,
  sum(unpriced_messages)::bigint AS unpriced_messages, sum(estimated_messages)::bigint AS estimated_messages`;
const RANK = `sum(cost_micros) DESC, sum(prompt_tokens + completion_tokens) DESC`;

type Num = string | number;
interface SumsRow {
  messages: Num;
  prompt_tokens: Num;
  completion_tokens: Num;
  cached_tokens: Num;
  cost_micros: Num;
  unpriced_messages: Num;
  estimated_messages: Num;
}

/** The dashboard's usage and cost views, read from the aggregates (never by scanning messages). */
@Injectable()
export class UsageReportService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly prices: PriceBook,
  ) {}

  async report(query: UsageQuery): Promise<UsageReport> {
    const { from, to } = this.rangeOf(query);
    const range = [from, to];
    const [daily, models, channels, users, keys] = await Promise.all([
      this.db.query<SumsRow & { day: string }>(`SELECT day::text AS day, ${SUMS} FROM usage_daily WHERE day BETWEEN $1::date AND $2::date GROUP BY day`, range),
      this.db.query<SumsRow & { model: string }>(`SELECT model, ${SUMS} FROM usage_daily WHERE day BETWEEN $1::date AND $2::date GROUP BY model ORDER BY ${RANK}, model`, range),
      this.db.query<SumsRow & { channel: Channel }>(`SELECT channel, ${SUMS} FROM usage_daily WHERE day BETWEEN $1::date AND $2::date GROUP BY channel ORDER BY ${RANK}, channel`, range),
      this.db.query<SumsRow & { tenant: string; end_user_id: string }>(
        `SELECT tenant, end_user_id, ${SUMS} FROM user_usage WHERE day BETWEEN $1::date AND $2::date
         GROUP BY tenant, end_user_id ORDER BY ${RANK}, tenant, end_user_id LIMIT $3`,
        [...range, query.top],
      ),
      this.db.query<SumsRow & { api_key_id: string; name: string | null; prefix: string | null; tenant: string | null }>(
        `SELECT r.*, k.name, k.prefix, k.tenant FROM (
           SELECT api_key_id, ${SUMS} FROM api_key_usage WHERE day BETWEEN $1::date AND $2::date
           GROUP BY api_key_id ORDER BY ${RANK}, api_key_id LIMIT $3
         ) r LEFT JOIN api_keys k ON k.id = r.api_key_id
         ORDER BY r.cost_micros DESC, r.prompt_tokens + r.completion_tokens DESC, r.api_key_id`,
        [...range, query.top],
      ),
    ]);
    const byDay = new Map(daily.rows.map((r) => [r.day, totalsOf(r)]));
    const series = daysBetween(from, to).map((day) => ({ day, ...(byDay.get(day) ?? totalsOf(null)) }));
    return {
      from,
      to,
      totals: sumTotals(series),
      daily: series,
      models: models.rows.map((r) => ({ model: r.model, ...totalsOf(r), price: this.prices.applied(r.model) })),
      channels: channels.rows.map((r) => ({ channel: r.channel, ...totalsOf(r) })),
      topEndUsers: users.rows.map((r) => ({ tenant: r.tenant, endUserId: r.end_user_id, ...totalsOf(r) })),
      topApiKeys: keys.rows.map((r) => ({ apiKeyId: r.api_key_id, name: r.name, prefix: r.prefix, tenant: r.tenant, ...totalsOf(r) })),
    };
  }

  priceBook(): PriceBookResponse {
    return { source: this.prices.source, version: this.prices.version, prices: this.prices.list() };
  }

  private rangeOf(query: UsageQuery): { from: string; to: string } {
    const to = query.to ?? this.clock.now().toISOString().slice(0, 10);
    const from = query.from ?? isoDay(Date.parse(`${to}T00:00:00Z`) - (DEFAULT_DAYS - 1) * DAY_MS);
    const fromMs = Date.parse(`${from}T00:00:00Z`);
    const toMs = Date.parse(`${to}T00:00:00Z`);
    if (Number.isNaN(fromMs) || isoDay(fromMs) !== from) throw new ApiError('validation_failed', `from: ${from} is not a calendar day`);
    if (Number.isNaN(toMs) || isoDay(toMs) !== to) throw new ApiError('validation_failed', `to: ${to} is not a calendar day`);
    if (fromMs > toMs) throw new ApiError('validation_failed', 'from must not be after to');
    if ((toMs - fromMs) / DAY_MS + 1 > MAX_DAYS) throw new ApiError('validation_failed', `ask for at most ${MAX_DAYS} days at a time`);
    return { from, to };
  }
}

function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`), end = Date.parse(`${to}T00:00:00Z`); t <= end; t += DAY_MS) days.push(isoDay(t));
  return days;
}

function totalsOf(row: SumsRow | null): UsageTotals {
  const n = (v: Num | null | undefined) => Number(v ?? 0);
  const promptTokens = n(row?.prompt_tokens);
  const completionTokens = n(row?.completion_tokens);
  return {
    messages: n(row?.messages),
    promptTokens,
    completionTokens,
    cachedTokens: n(row?.cached_tokens),
    totalTokens: promptTokens + completionTokens,
    costMicros: n(row?.cost_micros),
    unpricedMessages: n(row?.unpriced_messages),
    estimatedMessages: n(row?.estimated_messages),
  };
}

function sumTotals(rows: UsageTotals[]): UsageTotals {
  const total = totalsOf(null);
  for (const row of rows) for (const field of Object.keys(total) as Array<keyof UsageTotals>) total[field] += row[field];
  return total;
}
