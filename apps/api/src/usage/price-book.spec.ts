import { DEFAULT_PRICES, PriceBook, costOf } from './price-book.js';

describe('PriceBook', () => {
  const book = new PriceBook();

  it('prices gpt-4.1-nano as seed 000 does ($0.10 in, $0.40 out per million)', () => {
    expect(book.costMicros('gpt-4.1-nano', { promptTokens: 1_000_000, completionTokens: 0, cachedTokens: 0 })).toBe(100_000);
    expect(book.costMicros('gpt-4.1-nano', { promptTokens: 0, completionTokens: 1_000_000, cachedTokens: 0 })).toBe(400_000);
    expect(book.costMicros('gpt-4.1-nano-2025-04-14', { promptTokens: 550, completionTokens: 100, cachedTokens: 0 })).toBe(95);
  });

  it('prices cached input on its own', () => {
    expect(book.costMicros('gpt-4.1-nano', { promptTokens: 1_000_000, completionTokens: 0, cachedTokens: 1_000_000 })).toBe(25_000);
    // 200 uncached × 0.1 + 1000 cached × 0.025 + 30 out × 0.4, not 1200 × 0.1 + 12
    expect(book.costMicros('gpt-4.1-nano', { promptTokens: 1200, completionTokens: 30, cachedTokens: 1000 })).toBe(57);
  });

  it('never counts more cached tokens than prompt tokens', () => {
    expect(costOf({ input: 1, cachedInput: 0.5, output: 2 }, { promptTokens: 10, completionTokens: 0, cachedTokens: 50 })).toBe(5);
  });

  it('calls an unknown model unpriced, never free', () => {
    expect(book.costMicros('llama3:8b', { promptTokens: 10, completionTokens: 10, cachedTokens: 0 })).toBeNull();
    expect(book.applied('llama3:8b')).toBeNull();
    expect(book.applied('constructor')).toBeNull();
    expect(book.applied('toString-2025-01-01')).toBeNull();
  });

  it('says which entry, prices and edition applied', () => {
    expect(book.applied('gpt-4.1-nano-2025-04-14')).toEqual({
      model: 'gpt-4.1-nano',
      input: 0.1,
      cachedInput: 0.025,
      output: 0.4,
      source: 'default',
      version: book.version,
    });
    expect(book.version).toMatch(/^[0-9a-f]{12}$/);
    expect(new PriceBook().version).toBe(book.version);
  });

  it('lets a file override and extend the defaults, under a new edition', () => {
    const custom = PriceBook.withOverrides({ 'gpt-4.1-nano': { input: 1, cachedInput: 1, output: 1 }, 'llama3:8b': { input: 0, cachedInput: 0, output: 0 } });
    expect(custom.source).toBe('file');
    expect(custom.version).not.toBe(book.version);
    expect(custom.costMicros('gpt-4.1-nano', { promptTokens: 10, completionTokens: 10, cachedTokens: 0 })).toBe(20);
    expect(custom.costMicros('llama3:8b', { promptTokens: 10, completionTokens: 10, cachedTokens: 0 })).toBe(0);
    expect(custom.costMicros('gpt-4o', { promptTokens: 1_000_000, completionTokens: 0, cachedTokens: 0 })).toBe(2_500_000);
    expect(custom.list().map((p) => p.model)).toEqual([...Object.keys(DEFAULT_PRICES), 'llama3:8b'].sort());
    expect(PriceBook.withOverrides(undefined).source).toBe('default');
  });
});
