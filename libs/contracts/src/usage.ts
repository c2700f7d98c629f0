import { z } from 'zod';
import { Channel } from './common.js';

/** The price-book entry that priced a message, as it stood when the message was stored. */
export const AppliedPrice = z.object({
  /** the price-book entry that matched (a dated snapshot prices as its family) */
  model: z.string(),
  /** US dollars per million tokens */
  input: z.number().nonnegative(),
  cachedInput: z.number().nonnegative(),
  output: z.number().nonnegative(),
  /** `default`: the table shipped in the repo; `file`: PRICE_BOOK_FILE */
  source: z.enum(['default', 'file']),
  /** short hash of the whole price book, to tell two editions of it apart */
  version: z.string(),
});
export type AppliedPrice = z.infer<typeof AppliedPrice>;

const limit = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

/**
 * An API key's own limits. A field left null falls back to the BUDGET_KEY_* default;
 * cost limits are integer micro-dollars ($1 = 1,000,000).
 */
export const KeyBudget = z
  .object({
    tokensPerDay: limit.nullable().optional(),
    tokensPerMonth: limit.nullable().optional(),
    costMicrosPerDay: limit.nullable().optional(),
    costMicrosPerMonth: limit.nullable().optional(),
  })
  .strict();
export type KeyBudget = z.infer<typeof KeyBudget>;

export const KeyBudgetDto = z.object({
  tokensPerDay: z.number().int().nullable(),
  tokensPerMonth: z.number().int().nullable(),
  costMicrosPerDay: z.number().int().nullable(),
  costMicrosPerMonth: z.number().int().nullable(),
});
export type KeyBudgetDto = z.infer<typeof KeyBudgetDto>;

const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a day such as 2025-03-31');

/** `GET /api/admin/usage`: whole UTC days, both ends included; default the last 30 days. */
export const UsageQuery = z
  .object({
    from: Day.optional(),
    to: Day.optional(),
    /** how many end users and API keys to rank */
    top: z.coerce.number().int().min(1).max(100).default(10),
  })
  .strict();
export type UsageQuery = z.infer<typeof UsageQuery>;

/** Sums over assistant messages (one per model round). Unpriced messages add no cost and are counted apart. */
export const UsageTotals = z.object({
  messages: z.number().int(),
  promptTokens: z.number().int(),
  completionTokens: z.number().int(),
  cachedTokens: z.number().int(),
  totalTokens: z.number().int(),
  /** integer micro-dollars, priced messages only */
  costMicros: z.number().int(),
  /** messages whose model had no price: their cost is unknown, not zero */
  unpricedMessages: z.number().int(),
  /** messages whose tokens were counted locally because the upstream sent no usage */
  estimatedMessages: z.number().int(),
});
export type UsageTotals = z.infer<typeof UsageTotals>;

export const UsageReport = z.object({
  from: Day,
  to: Day,
  totals: UsageTotals,
  daily: z.array(UsageTotals.extend({ day: Day })),
  models: z.array(UsageTotals.extend({ model: z.string(), price: AppliedPrice.nullable() })),
  channels: z.array(UsageTotals.extend({ channel: Channel })),
  topEndUsers: z.array(UsageTotals.extend({ tenant: z.string(), endUserId: z.string() })),
  topApiKeys: z.array(UsageTotals.extend({ apiKeyId: z.string(), name: z.string().nullable(), prefix: z.string().nullable(), tenant: z.string().nullable() })),
});
export type UsageReport = z.infer<typeof UsageReport>;

/** `GET /api/admin/usage/prices`: the price book in force. */
export const PriceBookResponse = z.object({
  source: z.enum(['default', 'file']),
  version: z.string(),
  prices: z.array(AppliedPrice),
});
export type PriceBookResponse = z.infer<typeof PriceBookResponse>;
