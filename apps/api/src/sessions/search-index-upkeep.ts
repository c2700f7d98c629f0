import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { PeriodicJob } from '@api/common/periodic-job.js';
import { AppConfig } from '@api/config/app-config.js';
import { Database } from '@api/storage/database.js';

/** The staff search's trigram index, the one index every stored message adds entries to. */
export const SEARCH_INDEX = 'messages_content_trgm';
/** At the fastest turn rate measured here a second adds about 4 MB of entries: what a search scans unfolded by default. */
export const FOLD_EVERY_MS = 1000;
/** Shared by every instance: one folds at a time, the others skip their turn instead of queueing behind it. */
const FOLD_LOCK_ID = 740_201_2;
/** Errors that another try will not mend: no ownership of the index, a read-only standby, the index or function gone. */
const LASTING_ERROR_CODES = new Set(['42501', '55000', '42P01', '42883']);

/**
 * Folds the search index's pending list into the index in the background, so a stored
 * message never has to (migration 1764600000000 says why). Only on Postgres with the
 * index: PGlite and a Postgres without pg_trgm have nothing to fold.
 */
@Injectable()
export class SearchIndexUpkeep implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('search-index');
  private readonly folds = new PeriodicJob(FOLD_EVERY_MS, () => this.fold());
  private failing = false;

  constructor(
    private readonly db: Database,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (this.db.kind !== 'postgres' || this.config.env.SEARCH_INDEX_UPKEEP === 'off') return;
    // Not awaited: start-up does not wait for a maintenance probe.
    void this.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.folds.close();
  }

  /** Whether folds are scheduled (the index exists here and no lasting error stopped them). */
  get active(): boolean {
    return this.folds.active;
  }

  /**
   * One fold: the pages of pending entries it moved into the index, or null when another
   * instance was folding or it failed. Overlapping calls share the fold in progress.
   */
  foldOnce(): Promise<number | null> {
    return this.folds.runOnce();
  }

  private async start(): Promise<void> {
    try {
      const { rows } = await this.db.query<{ present: boolean }>(`SELECT to_regclass($1) IS NOT NULL AS present`, [SEARCH_INDEX]);
      if (!rows[0]?.present) return;
    } catch (error) {
      this.logger.warn(`search index upkeep not started: ${(error as Error).message}`);
      return;
    }
    this.folds.start();
  }

  private async fold(): Promise<number | null> {
    try {
      // The lock is the statement's own transaction's: released as it ends, held by no connection.
      const { rows } = await this.db.query<{ pages: string | null }>(
        `SELECT CASE WHEN pg_try_advisory_xact_lock($1) THEN gin_clean_pending_list($2::regclass) END AS pages`,
        [FOLD_LOCK_ID, SEARCH_INDEX],
      );
      if (this.failing) this.logger.log('search index upkeep works again');
      this.failing = false;
      const pages = rows[0]?.pages;
      return pages === null || pages === undefined ? null : Number(pages);
    } catch (error) {
      const { code, message } = error as { code?: string; message: string };
      if (LASTING_ERROR_CODES.has(code ?? '')) {
        this.folds.stop();
        this.logger.warn(`search index upkeep stopped, inserts fold the index themselves: ${message}`);
      } else if (!this.failing) {
        // Once per streak of failures: a database that is down says so elsewhere too.
        this.logger.warn(`search index upkeep failed, retrying every ${FOLD_EVERY_MS} ms: ${message}`);
      }
      this.failing = true;
      return null;
    }
  }
}
