import { FOLD_EVERY_MS, SEARCH_INDEX, SearchIndexUpkeep } from '../src/sessions/search-index-upkeep.js';
import { Database } from '../src/storage/database.js';
import { backends } from './backends.js';
import { openWebSession, useGateway, type Gateway } from './harness.js';

// The trigram index exists only on Postgres (PGlite cannot create pg_trgm), so only there is there anything to fold.
const onPostgres = backends().includes('real') ? describe : describe.skip;

/** Pages of pending entries a fold of the test's own moves into the index: 0 when nothing was pending. */
async function foldNow(gateway: Gateway): Promise<number> {
  const { rows } = await gateway.app.get(Database).query<{ pages: string }>(`SELECT gin_clean_pending_list($1::regclass) AS pages`, [SEARCH_INDEX]);
  return Number(rows[0]!.pages);
}

async function storeSomeMessages(gateway: Gateway): Promise<void> {
  const { sessionId, auth } = await openWebSession(gateway);
  for (let i = 0; i < 3; i++) {
    const reply = await gateway.request('POST', `/api/sessions/${sessionId}/messages`, { headers: auth, body: { message: `searchable words, turn ${i}: quartz meadow lantern` } });
    expect(reply.status).toBe(200);
  }
}

onPostgres('the message search index on Postgres', () => {
  describe('with its upkeep on (the default)', () => {
    const suite = useGateway('real');

    it('has a 64 MB pending list, a backstop only', async () => {
      const { rows } = await suite.gateway.app.get(Database).query<{ options: string[] | null }>(`SELECT reloptions AS options FROM pg_class WHERE relname = $1`, [SEARCH_INDEX]);
      expect(rows[0]!.options).toContain('gin_pending_list_limit=65536');
    });

    it('gets what stored messages left pending folded in the background within a couple of seconds', async () => {
      expect(suite.gateway.app.get(SearchIndexUpkeep).active).toBe(true);
      await storeSomeMessages(suite.gateway);
      await new Promise((done) => setTimeout(done, FOLD_EVERY_MS * 2.5));
      expect(await foldNow(suite.gateway)).toBe(0);
    });
  });

  describe('with SEARCH_INDEX_UPKEEP=off', () => {
    const suite = useGateway('real', { env: { SEARCH_INDEX_UPKEEP: 'off' } });

    it('leaves stored messages pending in the index until a fold moves them', async () => {
      const upkeep = suite.gateway.app.get(SearchIndexUpkeep);
      expect(upkeep.active).toBe(false);
      await storeSomeMessages(suite.gateway);
      await new Promise((done) => setTimeout(done, FOLD_EVERY_MS * 2.5));
      expect(await upkeep.foldOnce()).toBeGreaterThan(0);
      expect(await foldNow(suite.gateway)).toBe(0);
    });
  });
});
