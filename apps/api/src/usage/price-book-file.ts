import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { ModelPrice } from './price-book.js';

const dollars = z.number({ message: 'a number of US dollars per million tokens' }).finite().nonnegative('not negative');

const Entry = z
  .object({ input: dollars, cachedInput: dollars.optional(), output: dollars })
  .strict()
  // A provider that gives no cache discount bills cached tokens as plain input.
  .transform((e): ModelPrice => ({ input: e.input, cachedInput: e.cachedInput ?? e.input, output: e.output }));

/** PRICE_BOOK_FILE: `{ "<model>": { "input": 0.1, "cachedInput": 0.025, "output": 0.4 } }`, USD per million tokens. */
export const PriceBookFile = z
  .record(z.string().min(1, 'model names must not be empty').max(200), Entry)
  .refine((table) => Object.keys(table).length > 0, 'at least one model');

const EXAMPLE = '{"my-model": {"input": 0.1, "cachedInput": 0.025, "output": 0.4}}';

/**
 * Reads and validates the file; any problem is one line saying what is wrong and where,
 * because it is shown as the reason boot stopped.
 */
export function readPriceBookFile(path: string): Record<string, ModelPrice> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`a readable file (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`a JSON file such as ${EXAMPLE}; it is not valid JSON`, { cause: error });
  }
  const parsed = PriceBookFile.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length ? issue.path.map(String).join('.') : 'the top level';
    throw new Error(`a price book such as ${EXAMPLE} (USD per million tokens); at ${where}: ${issue.message}`.replace(/\s+/g, ' '));
  }
  return parsed.data;
}
