import { Injectable } from '@nestjs/common';
import type { SessionListQuery, SessionListResponse, TranscriptResponse } from '@threadline/contracts';
import { ApiError } from '@api/common/api-error.js';
import { UUID_PATTERN } from '@api/common/ids.js';
import { SessionRepository } from '@api/sessions/session.repository.js';
import { toMessageDto, toSessionSummary, type SessionRow } from '@api/sessions/session.types.js';
import { Database } from '@api/storage/database.js';

/** Staff views over every channel's sessions, newest activity first, keyset-paginated. */
@Injectable()
export class AdminSessionsService {
  constructor(
    private readonly db: Database,
    private readonly repo: SessionRepository,
  ) {}

  async list(query: SessionListQuery): Promise<SessionListResponse> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (query.channel) add('channel = ?', query.channel);
    if (query.status) add('status = ?', query.status);
    if (query.endUserId) add('end_user_id = ?', query.endUserId);
    if (query.q) {
      params.push(`%${escapeLike(query.q)}%`);
      const n = `$${params.length}`;
      where.push(`(key ILIKE ${n} OR EXISTS (SELECT 1 FROM messages m WHERE m.session_id = sessions.id AND m.content ILIKE ${n}))`);
    }
    if (query.cursor) {
      const [at, id] = decodeCursor(query.cursor);
      params.push(at, id);
      where.push(`(last_activity_at, id) < ($${params.length - 1}, $${params.length})`);
    }
    params.push(query.limit + 1);
    const { rows } = await this.db.query<SessionRow>(
      `SELECT * FROM sessions ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY last_activity_at DESC, id DESC LIMIT $${params.length}`,
      params,
    );
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    return {
      sessions: page.map(toSessionSummary),
      nextCursor: rows.length > query.limit && last ? encodeCursor(last) : null,
    };
  }

  async get(id: string): Promise<SessionRow> {
    if (!UUID_PATTERN.test(id)) throw new ApiError('not_found', 'no such session');
    const session = await this.repo.findById(id);
    if (!session) throw new ApiError('not_found', 'no such session');
    return session;
  }

  async transcript(id: string): Promise<TranscriptResponse> {
    const session = await this.get(id);
    const messages = await this.repo.listMessages(session.id, 0, 100_000);
    return { session: toSessionSummary(session), messages: messages.map(toMessageDto) };
  }
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function encodeCursor(row: SessionRow): string {
  return Buffer.from(`${row.last_activity_at.toISOString()}|${row.id}`).toString('base64url');
}

function decodeCursor(cursor: string): [Date, string] {
  const [at, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const date = new Date(at ?? '');
  if (Number.isNaN(date.getTime()) || !id || !UUID_PATTERN.test(id)) throw new ApiError('validation_failed', 'cursor: not a cursor from this API');
  return [date, id];
}
