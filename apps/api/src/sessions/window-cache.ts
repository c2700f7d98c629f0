import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '@api/config/app-config.js';
import { Coordination, type TailCacheOptions } from '@api/coordination/coordination.port.js';
import type { MessageRow } from './session.types.js';

/** What the window needs of a message: the cached form. */
export type WindowRow = Pick<MessageRow, 'seq' | 'role' | 'content' | 'tool_calls' | 'tool_call_id' | 'token_count'>;

/** A cached window (oldest first) and the seq it is current through. */
export interface CachedWindow {
  throughSeq: number;
  rows: WindowRow[];
}

/** How long an idle session's window stays cached; a miss only costs one indexed read. */
const TTL_SECONDS = 3600;

/**
 * The newest CONTEXT_MAX_MESSAGES messages of each session, in the coordination cache
 * (Redis when shared), so a turn reads its window without a database round trip. Every
 * stored message is reported with its seq; the cache moves only from seq-1 to seq, so a
 * missed report leaves the entry out of step and the next read goes to the database.
 * The cache is an optimisation only: when it is unreachable, the database answers.
 */
@Injectable()
export class WindowCache {
  private readonly logger = new Logger('window-cache');
  private readonly options: TailCacheOptions;
  /** Built once: a report is sent on every stored message (see copyWith). */
  private readonly reportOptions: Record<'read' | 'blind', TailCacheOptions & { read: boolean }>;
  /** Reports held back to share a later round trip (deferStored), oldest first. */
  private readonly deferred: MessageRow[] = [];

  constructor(
    private readonly coordination: Coordination,
    config: AppConfig,
  ) {
    this.options = { maxItems: config.env.CONTEXT_MAX_MESSAGES, ttlSeconds: TTL_SECONDS };
    this.reportOptions = { read: { ...this.options, read: true }, blind: { ...this.options, read: false } };
  }

  /** After `row` is stored. With `read`, the window after it when the cache was in step. */
  async recordStored(row: MessageRow, read = false): Promise<WindowRow[] | null> {
    // Its session's held-back reports that lead up to it (the turn's question) ride in the
    // same report; the others are sent first and in the same tick, so a session's reports
    // reach the cache in seq order.
    const leading = this.takeDeferredLeadingUpTo(row);
    this.flushDeferred();
    return this.report([...leading, row], read);
  }

  /**
   * Reports `row` with the next report or `flushDeferred`, whichever comes first, so that it
   * shares their round trip instead of costing one of its own. For a report nobody reads
   * before then: a turn's user message, whose next reader waits for the turn's lock.
   */
  deferStored(row: MessageRow): void {
    this.deferred.push(row);
  }

  /** Sends the held-back reports now (a turn ending: before its lock is released). */
  flushDeferred(): void {
    if (this.deferred.length === 0) return;
    for (const row of this.deferred.splice(0)) void this.report([row], false);
  }

  /** Held-back reports of `row`'s session with the seqs just before it, without a gap, oldest first. */
  private takeDeferredLeadingUpTo(row: MessageRow): MessageRow[] {
    const leading: MessageRow[] = [];
    for (let index = this.deferred.length - 1; index >= 0; index--) {
      const held = this.deferred[index]!;
      if (held.session_id !== row.session_id) continue;
      if (held.seq !== row.seq - leading.length - 1) break;
      leading.unshift(held);
      this.deferred.splice(index, 1);
    }
    return leading;
  }

  /** Rows of one session with consecutive seqs, in one report. */
  private report(rows: MessageRow[], read: boolean): Promise<WindowRow[] | null> {
    // Failed answers never enter a window (loadNewest skips them too), but their seq still counts.
    const items = rows.map((row) => (row.status === 'error' ? null : JSON.stringify(toWindowRow(row))));
    return this.attempt(async () => parse(await this.coordination.tailAppend(keyOf(rows[0]!.session_id), rows[0]!.seq, items, this.reportOptions[read ? 'read' : 'blind'])));
  }

  async read(sessionId: string): Promise<CachedWindow | null> {
    return this.attempt(async () => {
      const found = await this.coordination.tailRead(keyOf(sessionId));
      return found ? { throughSeq: found.throughSeq, rows: parse(found.items)! } : null;
    });
  }

  /**
   * The window after `row`, from a read taken before it was stored: null unless that read
   * was current through the seq just before `row` (then nothing else can be missing from it).
   */
  after(before: CachedWindow | null, row: WindowRow & Pick<MessageRow, 'status'>): WindowRow[] | null {
    if (!before || before.throughSeq !== row.seq - 1) return null;
    const rows = row.status === 'error' ? before.rows : [...before.rows, toWindowRow(row)];
    return rows.slice(-this.options.maxItems);
  }

  /** Rows read from the database as of `throughSeq` (the session's message count then), oldest first. */
  async fill(sessionId: string, throughSeq: number, rows: readonly WindowRow[]): Promise<void> {
    await this.attempt(() => this.coordination.tailFill(keyOf(sessionId), throughSeq, rows.map((r) => JSON.stringify(toWindowRow(r))), this.options));
  }

  /** The session ended or its messages were deleted: nothing of it may be served again. */
  async drop(sessionId: string): Promise<void> {
    await this.attempt(() => this.coordination.tailDrop(keyOf(sessionId)));
  }

  private async attempt<T>(work: () => Promise<T>): Promise<T | null> {
    try {
      return await work();
    } catch (error) {
      this.logger.warn(`window cache unavailable, using the database: ${(error as Error).message}`);
      return null;
    }
  }
}

function keyOf(sessionId: string): string {
  return `window:${sessionId}`;
}

function toWindowRow(row: WindowRow): WindowRow {
  return { seq: row.seq, role: row.role, content: row.content, tool_calls: row.tool_calls, tool_call_id: row.tool_call_id, token_count: row.token_count };
}

function parse(items: string[] | null): WindowRow[] | null {
  return items ? items.map((item) => JSON.parse(item) as WindowRow) : null;
}
