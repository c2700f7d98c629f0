import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppConfig, ConfigError } from '@api/config/app-config.js';
import { readPriceBookFile } from './price-book-file.js';

describe('PRICE_BOOK_FILE', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tl-prices-'));
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it('is read and validated with the environment', () => {
    const path = file('good.json', JSON.stringify({ 'llama3:8b': { input: 0.2, output: 0.6 }, 'gpt-4.1-nano': { input: 0.1, cachedInput: 0.05, output: 0.4 } }));
    const config = AppConfig.fromEnv({ PRICE_BOOK_FILE: path });
    expect(config.env.PRICE_BOOK_FILE).toEqual({
      path,
      prices: {
        // no cached price: cached tokens are billed as plain input
        'llama3:8b': { input: 0.2, cachedInput: 0.2, output: 0.6 },
        'gpt-4.1-nano': { input: 0.1, cachedInput: 0.05, output: 0.4 },
      },
    });
    expect(AppConfig.fromEnv({}).env.PRICE_BOOK_FILE).toBeUndefined();
  });

  it.each([
    ['missing.json', null, /PRICE_BOOK_FILE must be a readable file \(ENOENT\)/],
    ['not-json.json', '{ nope', /PRICE_BOOK_FILE must be a JSON file such as .*; it is not valid JSON/],
    ['array.json', '[1, 2]', /PRICE_BOOK_FILE must be a price book such as .* at the top level:/],
    ['empty.json', '{}', /at the top level: at least one model/],
    ['string-price.json', '{"m": {"input": "0.1", "output": 0.4}}', /at m\.input: a number of US dollars per million tokens/],
    ['negative.json', '{"m": {"input": -1, "output": 0.4}}', /at m\.input: not negative/],
    ['missing-output.json', '{"m": {"input": 1}}', /at m\.output:/],
    ['typo.json', '{"m": {"input": 1, "output": 1, "cached": 0.5}}', /at m: Unrecognized key/],
  ])('stops boot with one clear line naming the variable: %s', (name, text, message) => {
    const path = text === null ? join(dir, name) : file(name, text);
    let error: unknown;
    try {
      AppConfig.fromEnv({ PRICE_BOOK_FILE: path });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const line = (error as Error).message;
    expect(line).toMatch(/^Invalid configuration: PRICE_BOOK_FILE must be /);
    expect(line).toMatch(message);
    expect(line).toContain(`(got ${JSON.stringify(path)})`);
    expect(line).not.toContain('\n');
  });

  it('reads a file directly too', () => {
    expect(readPriceBookFile(file('one.json', '{"x": {"input": 0, "cachedInput": 0, "output": 0}}'))).toEqual({ x: { input: 0, cachedInput: 0, output: 0 } });
  });
});

describe('budget settings', () => {
  it('reads token limits and dollar limits as integer micro-dollars', () => {
    const env = AppConfig.fromEnv({ BUDGET_USER_TOKENS_PER_DAY: '5000', BUDGET_USER_USD_PER_MONTH: '0.50', BUDGET_KEY_USD_PER_DAY: '20' }).env;
    expect(env.BUDGET_USER_TOKENS_PER_DAY).toBe(5000);
    expect(env.BUDGET_USER_USD_PER_MONTH).toBe(500_000);
    expect(env.BUDGET_KEY_USD_PER_DAY).toBe(20_000_000);
    expect(env.BUDGET_KEY_TOKENS_PER_MONTH).toBeUndefined();
  });

  it.each([
    [{ BUDGET_USER_TOKENS_PER_DAY: '0' }, /BUDGET_USER_TOKENS_PER_DAY must be a whole number of tokens, at least 1/],
    [{ BUDGET_USER_TOKENS_PER_DAY: '1.5' }, /BUDGET_USER_TOKENS_PER_DAY must be a whole number of tokens/],
    [{ BUDGET_USER_USD_PER_DAY: '$5' }, /BUDGET_USER_USD_PER_DAY must be an amount of US dollars such as 0.50 or 20/],
    [{ BUDGET_USER_USD_PER_DAY: '0' }, /BUDGET_USER_USD_PER_DAY must be an amount of US dollars above zero/],
  ])('refuses %j with a clear line', (env, message) => {
    expect(() => AppConfig.fromEnv(env)).toThrow(message);
  });
});
