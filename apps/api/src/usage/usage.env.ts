import { z } from 'zod';
import type { ModelPrice } from './price-book.js';
import { readPriceBookFile } from './price-book-file.js';

const tokens = z.coerce
  .number({ message: 'a whole number of tokens, at least 1' })
  .int('a whole number of tokens, at least 1')
  .min(1, 'a whole number of tokens, at least 1')
  .max(Number.MAX_SAFE_INTEGER, 'a whole number of tokens, at least 1');

/** Dollars for people (`0.50`), integer micro-dollars for the code. */
const usd = z
  .string()
  .regex(/^\d+(\.\d{1,6})?$/, 'an amount of US dollars such as 0.50 or 20')
  .transform((text, ctx) => {
    const micros = Math.round(Number(text) * 1_000_000);
    if (micros < 1 || !Number.isSafeInteger(micros)) {
      ctx.addIssue({ code: 'custom', message: 'an amount of US dollars above zero, such as 0.50 or 20' });
      return z.NEVER;
    }
    return micros;
  });

/**
 * The file is read and validated while the environment is, so a bad one stops boot
 * with the same one clear line as any other bad setting.
 */
const priceBookFile = z.string().transform((path, ctx): { path: string; prices: Record<string, ModelPrice> } => {
  try {
    return { path, prices: readPriceBookFile(path) };
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
});

/** Usage and cost settings, spread into the env schema. Unset budgets mean no limit. */
export const usageEnvShape = {
  PRICE_BOOK_FILE: priceBookFile.optional(),
  BUDGET_USER_TOKENS_PER_DAY: tokens.optional(),
  BUDGET_USER_TOKENS_PER_MONTH: tokens.optional(),
  BUDGET_USER_USD_PER_DAY: usd.optional(),
  BUDGET_USER_USD_PER_MONTH: usd.optional(),
  BUDGET_KEY_TOKENS_PER_DAY: tokens.optional(),
  BUDGET_KEY_TOKENS_PER_MONTH: tokens.optional(),
  BUDGET_KEY_USD_PER_DAY: usd.optional(),
  BUDGET_KEY_USD_PER_MONTH: usd.optional(),
};
