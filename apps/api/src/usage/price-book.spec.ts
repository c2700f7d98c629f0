import { PriceBook } from './price-book.js';

describe('PriceBook', () => {
  const book = new PriceBook();

  it('prices gpt-4.1-nano as seed 000 does ($0.10 in, $0.40 out per million)', () => {
    expect(book.costMicros('gpt-4.1-nano', { promptTokens: 1_000_000, completionTokens: 0, cachedTokens: 0 })).toBe(100_000);
    expect(book.costMicros('gpt-4.1-nano', { promptTokens: 0, completionTokens: 1_000_000, cachedTokens: 0 })).toBe(400_000);
    expect(book.costMicros('gpt-4.1-nano-2025-04-14', { promptTokens: 550, completionTokens: 100, cachedTokens: 0 })).toBe(95);
  });

  it('prices cached input on its own', () => {
    expect(book.costMicros('gpt-4.1-nano', { promptTokens: 1_000_000, completionTokens: 0, cachedTokens: 1_000_000 })).toBe(25_000);
  });

  it('calls an unknown model unpriced, never free', () => {
    expect(book.costMicros('llama3:8b', { promptTokens: 10, completionTokens: 10, cachedTokens: 0 })).toBeNull();
  });
});
