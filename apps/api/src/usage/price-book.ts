import { createHash } from 'node:crypto';
import type { AppliedPrice } from '@threadline/contracts';

export interface ModelPrice {
  /** US dollars per million tokens */
  input: number;
  cachedInput: number;
  output: number;
}

export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
}

/** Current OpenAI list prices (USD per 1M tokens). Seed 000 runs gpt-4.1-nano at $0.10 / $0.40. */
export const DEFAULT_PRICES: Record<string, ModelPrice> = {
  'gpt-4.1-nano': { input: 0.1, cachedInput: 0.025, output: 0.4 },
  'gpt-4.1-mini': { input: 0.4, cachedInput: 0.1, output: 1.6 },
  'gpt-4.1': { input: 2.0, cachedInput: 0.5, output: 8.0 },
  'gpt-4o': { input: 2.5, cachedInput: 1.25, output: 10.0 },
  'gpt-4o-mini': { input: 0.15, cachedInput: 0.075, output: 0.6 },
  'gpt-5': { input: 1.25, cachedInput: 0.125, output: 10.0 },
  'gpt-5-mini': { input: 0.25, cachedInput: 0.025, output: 2.0 },
  'gpt-5-nano': { input: 0.05, cachedInput: 0.005, output: 0.4 },
  'o4-mini': { input: 1.1, cachedInput: 0.275, output: 4.4 },
  'o3': { input: 2.0, cachedInput: 0.5, output: 8.0 },
  // The offline simulation costs nothing, and says so, rather than being "unpriced".
  simulated: { input: 0, cachedInput: 0, output: 0 },
};

/** Integer micro-dollars: tokens × dollars-per-million. Cached prompt tokens are priced at the cached rate only. */
export function costOf(price: ModelPrice, usage: TokenUsage): number {
  const cached = Math.min(Math.max(usage.cachedTokens, 0), usage.promptTokens);
  return Math.round((usage.promptTokens - cached) * price.input + cached * price.cachedInput + usage.completionTokens * price.output);
}

/**
 * Which model costs what. An unknown model is unpriced (null), never free: a $0 that
 * really means "we don't know" is how gateways end up under-reporting spend.
 */
export class PriceBook {
  readonly source: AppliedPrice['source'];
  /** short hash of the table, recorded with each message so the dashboard can tell editions apart */
  readonly version: string;
  private readonly prices: Record<string, ModelPrice>;

  constructor(prices: Record<string, ModelPrice> = DEFAULT_PRICES, source: AppliedPrice['source'] = 'default') {
    this.prices = prices;
    this.source = source;
    const canonical = Object.keys(prices)
      .sort()
      .map((model) => [model, prices[model]!.input, prices[model]!.cachedInput, prices[model]!.output]);
    this.version = createHash('sha256').update(JSON.stringify(canonical)).digest('hex').slice(0, 12);
  }

  /** The file's entries win over (and add to) the shipped defaults. */
  static withOverrides(overrides: Record<string, ModelPrice> | undefined): PriceBook {
    return overrides ? new PriceBook({ ...DEFAULT_PRICES, ...overrides }, 'file') : new PriceBook();
  }

  /** Dated snapshots ("gpt-4.1-nano-2025-04-14") price as their family. */
  priceOf(model: string): ModelPrice | null {
    return this.applied(model);
  }

  applied(model: string): AppliedPrice | null {
    const entry = Object.hasOwn(this.prices, model) ? model : model.replace(/-\d{4}-\d{2}-\d{2}$/, '');
    const price = Object.hasOwn(this.prices, entry) ? this.prices[entry]! : null;
    if (!price) return null;
    return { model: entry, input: price.input, cachedInput: price.cachedInput, output: price.output, source: this.source, version: this.version };
  }

  /** Integer micro-dollars; null when the model has no price (never a silent 0). */
  costMicros(model: string, usage: TokenUsage): number | null {
    const price = this.priceOf(model);
    return price ? costOf(price, usage) : null;
  }

  list(): AppliedPrice[] {
    return Object.keys(this.prices)
      .sort()
      .map((model) => this.applied(model)!);
  }
}
