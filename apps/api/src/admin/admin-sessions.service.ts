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
    const params: unknown[] = [];
    const param = (value: unknown) => `$${params.push(value)}`;
    const where: string[] = [];
    if (query.channel) where.push(`channel = ${param(query.channel)}`);
    if (query.status) where.push(`status = ${param(query.status)}`);
    if (query.endUserId) where.push(`end_user_id = ${param(query.endUserId)}`);
    if (query.apiKeyId) where.push(`EXISTS (SELECT 1 FROM messages m WHERE m.session_id = sessions.id AND m.api_key_id = ${param(query.apiKeyId)})`);
    if (query.from) where.push(`last_activity_at >= ${param(startOf(query.from))}`);
    if (query.to) where.push(isDay(query.to) ? `last_activity_at < ${param(nextDay(query.to))}` : `last_activity_at <= ${param(new Date(query.to))}`);
    if (query.cursor) {
      const [at, id] = decodeCursor(query.cursor);
      where.push(`(last_activity_at, id) < (${param(at)}, ${param(id)})`);
    }
    const order = `ORDER BY last_activity_at DESC, id DESC LIMIT ${param(query.limit + 1)}`;
    const select = (conditions: string[]) => `SELECT * FROM sessions ${conditions.length ? `WHERE ${conditions.join(' AND ')}` : ''} ${order}`;
    let sql = select(where);
    if (query.q) {
      const pattern = param(`%${escapeLike(query.q)}%`);
      // Two branches rather than `key ILIKE … OR EXISTS (…)`: an OR makes Postgres hash every
      // matching message first, while apart each gets its plan (trigram index for rare words,
      // a walk down the newest sessions for common ones).
      const inMessages = `EXISTS (SELECT 1 FROM messages m WHERE m.session_id = sessions.id AND m.content ILIKE ${pattern})`;
      sql = `SELECT * FROM ((${select([...where, `key ILIKE ${pattern}`])}) UNION (${select([...where, inMessages])})) hits ${order}`;
    }
    const { rows } = await this.db.query<SessionRow>(sql, params);
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

const isDay = (value: string) => /^\d{4}-\d{2}-\d{2}$/.test(value);
const startOf = (value: string) => new Date(isDay(value) ? `${value}T00:00:00.000Z` : value);
const nextDay = (day: string) => new Date(Date.parse(`${day}T00:00:00.000Z`) + 86_400_000);

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
