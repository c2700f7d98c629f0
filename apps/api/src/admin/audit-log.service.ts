import { Injectable } from '@nestjs/common';
import type { AuditEntryDto, AuditListResponse, AuditQuery } from '@threadline/contracts';
import { ApiError } from '@api/common/api-error.js';
import { UUID_PATTERN } from '@api/common/ids.js';
import { Database } from '@api/storage/database.js';

interface AuditRow {
  id: string;
  at: Date;
  actor: string;
  action: string;
  target: string | null;
  details: Record<string, unknown> | null;
}

/** Reads the audit log for admins: newest first, keyset-paginated on (at, id) like the sessions list. */
@Injectable()
export class AuditLogService {
  constructor(private readonly db: Database) {}

  async list(query: AuditQuery): Promise<AuditListResponse> {
    const params: unknown[] = [];
    const param = (value: unknown) => `$${params.push(value)}`;
    const where: string[] = [];
    if (query.action) where.push(`action = ${param(query.action)}`);
    if (query.actor) where.push(`actor = ${param(query.actor)}`);
    if (query.cursor) {
      const [at, id] = decodeCursor(query.cursor);
      where.push(`(at, id) < (${param(at)}, ${param(id)})`);
    }
    const { rows } = await this.db.query<AuditRow>(
      `SELECT * FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY at DESC, id DESC LIMIT ${param(query.limit + 1)}`,
      params,
    );
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    return {
      entries: page.map(toDto),
      nextCursor: rows.length > query.limit && last ? Buffer.from(`${last.at.toISOString()}|${last.id}`).toString('base64url') : null,
    };
  }
}

function toDto(row: AuditRow): AuditEntryDto {
  return { id: row.id, at: row.at.toISOString(), actor: row.actor, action: row.action, target: row.target, details: row.details };
}

function decodeCursor(cursor: string): [Date, string] {
  const [at, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const date = new Date(at ?? '');
  if (Number.isNaN(date.getTime()) || !id || !UUID_PATTERN.test(id)) throw new ApiError('validation_failed', 'cursor: not a cursor from this API');
  return [date, id];
}
