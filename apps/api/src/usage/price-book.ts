export interface ModelPrice {
  /** US dollars per million tokens */
  input: number;
  cachedInput: number;
  output: number;
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

export class PriceBook {
  constructor(private readonly prices: Record<string, ModelPrice> = DEFAULT_PRICES) {}

  /** Dated snapshots ("gpt-4.1-nano-2025-04-14") price as their family. */
  priceOf(model: string): ModelPrice | null {
    return this.prices[model] ?? this.prices[model.replace(/-\d{4}-\d{2}-\d{2}$/, '')] ?? null;
  }

  /** Integer micro-dollars; null when the model has no price (never a silent 0). */
  costMicros(model: string, usage: { promptTokens: number; completionTokens: number; cachedTokens: number }): number | null {
    const price = this.priceOf(model);
    if (!price) return null;
    const cached = Math.min(usage.cachedTokens, usage.promptTokens);
    // tokens × dollars-per-million = micro-dollars
    return Math.round((usage.promptTokens - cached) * price.input + cached * price.cachedInput + usage.completionTokens * price.output);
  }
}
