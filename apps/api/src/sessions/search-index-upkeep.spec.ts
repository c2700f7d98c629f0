import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import type { AppConfig } from '@api/config/app-config.js';
import type { Database } from '@api/storage/database.js';
import { FOLD_EVERY_MS, SEARCH_INDEX, SearchIndexUpkeep } from './search-index-upkeep.js';

type Answer = { rows: Array<Record<string, unknown>> } | Error;

/** A database that answers the probe and each fold from the test's script, and records what was asked. */
function harness(options: { kind?: 'postgres' | 'pglite'; upkeep?: 'on' | 'off'; indexPresent?: boolean; folds?: Answer[] } = {}) {
  const asked: Array<{ sql: string; params: unknown[] }> = [];
  const folds = [...(options.folds ?? [])];
  const db = {
    kind: options.kind ?? 'postgres',
    query: async (sql: string, params: unknown[] = []) => {
      asked.push({ sql, params });
      if (sql.includes('to_regclass')) return { rows: [{ present: options.indexPresent ?? true }], rowCount: 1 };
      const answer = folds.shift() ?? { rows: [{ pages: '0' }] };
      if (answer instanceof Error) throw answer;
      return { ...answer, rowCount: answer.rows.length };
    },
  } as unknown as Database;
  const config = { env: { SEARCH_INDEX_UPKEEP: options.upkeep ?? 'on' } } as unknown as AppConfig;
  const upkeep = new SearchIndexUpkeep(db, config);
  const folded = () => asked.filter((q) => q.sql.includes('gin_clean_pending_list'));
  const settle = () => new Promise((resolve) => setImmediate(resolve));
  return { upkeep, asked, folded, settle };
}

const pgError = (code: string, message: string) => Object.assign(new Error(message), { code });

describe('SearchIndexUpkeep', () => {
  let warn: ReturnType<typeof jest.spyOn>;
  beforeEach(() => {
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  it('on Postgres with the index, folds it every second under the shared lock', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate'] });
    try {
      const { upkeep, folded, settle } = harness({ folds: [{ rows: [{ pages: '12' }] }] });
      upkeep.onApplicationBootstrap();
      await settle();
      expect(upkeep.active).toBe(true);
      expect(folded()).toHaveLength(0);
      jest.advanceTimersByTime(FOLD_EVERY_MS);
      await settle();
      jest.advanceTimersByTime(FOLD_EVERY_MS);
      await settle();
      expect(folded()).toHaveLength(2);
      expect(folded()[0]!.sql).toContain('pg_try_advisory_xact_lock');
      expect(folded()[0]!.params[1]).toBe(SEARCH_INDEX);
      await upkeep.onApplicationShutdown();
      expect(upkeep.active).toBe(false);
    } finally {
      jest.useRealTimers();
    }
  });

  it('reports the pages folded, or null when another instance held the lock', async () => {
    const { upkeep } = harness({ folds: [{ rows: [{ pages: '7' }] }, { rows: [{ pages: null }] }] });
    await expect(upkeep.foldOnce()).resolves.toBe(7);
    await expect(upkeep.foldOnce()).resolves.toBeNull();
  });

  it('overlapping calls share one fold', async () => {
    const { upkeep, folded } = harness();
    const [first, second] = [upkeep.foldOnce(), upkeep.foldOnce()];
    expect(first).toBe(second);
    await first;
    expect(folded()).toHaveLength(1);
  });

  it.each([
    ['PGlite', { kind: 'pglite' as const }],
    ['a Postgres without the trigram index', { indexPresent: false }],
    ['SEARCH_INDEX_UPKEEP=off', { upkeep: 'off' as const }],
  ])('does nothing on %s', async (_name, options) => {
    const { upkeep, folded, settle } = harness(options);
    upkeep.onApplicationBootstrap();
    await settle();
    expect(upkeep.active).toBe(false);
    expect(folded()).toHaveLength(0);
  });

  it('stops for good on an error another try cannot mend, such as not owning the index', async () => {
    const { upkeep, settle } = harness({ folds: [pgError('42501', 'must be owner of index messages_content_trgm')] });
    upkeep.onApplicationBootstrap();
    await settle();
    expect(upkeep.active).toBe(true);
    await expect(upkeep.foldOnce()).resolves.toBeNull();
    expect(upkeep.active).toBe(false);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('must be owner'));
    await upkeep.onApplicationShutdown();
  });

  it('keeps trying through passing failures, warning once per streak', async () => {
    const down = pgError('57P01', 'terminating connection due to administrator command');
    const { upkeep, settle } = harness({ folds: [down, down, { rows: [{ pages: '3' }] }, down] });
    upkeep.onApplicationBootstrap();
    await settle();
    await upkeep.foldOnce();
    await upkeep.foldOnce();
    expect(warn).toHaveBeenCalledTimes(1);
    await expect(upkeep.foldOnce()).resolves.toBe(3);
    await upkeep.foldOnce();
    expect(warn).toHaveBeenCalledTimes(2);
    expect(upkeep.active).toBe(true);
    await upkeep.onApplicationShutdown();
  });
});
