import { Injectable } from '@nestjs/common';
import type { StaffMemberDto, StaffRole } from '@threadline/contracts';
import { ApiError } from '@api/common/api-error.js';
import { Clock } from '@api/common/clock.js';
import { newId, randomToken, UUID_PATTERN } from '@api/common/ids.js';
import { Database, isUniqueViolation, type Queryable } from '@api/storage/database.js';
import { hashPassword } from './secrets.js';

interface StaffRow {
  id: string;
  email: string;
  role: StaffRole;
  created_at: Date;
}

/** Staff accounts as admins manage them. Signing in stays StaffAuthService's. */
@Injectable()
export class StaffService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  async list(): Promise<StaffMemberDto[]> {
    const { rows } = await this.db.query<StaffRow>(`SELECT id, email, role, created_at FROM staff_users ORDER BY created_at, id LIMIT 1000`);
    return rows.map(toDto);
  }

  /** Without a password one is generated; either way the caller sees it only in this answer. */
  async create(email: string, role: StaffRole, password?: string): Promise<{ staff: StaffMemberDto; password: string | null }> {
    const secret = password ?? randomToken(18);
    try {
      const { rows } = await this.db.query<StaffRow>(
        `INSERT INTO staff_users (id, email, password_hash, role, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id, email, role, created_at`,
        [newId(), email.trim().toLowerCase(), await hashPassword(secret), role, this.clock.now()],
      );
      return { staff: toDto(rows[0]!), password: password ? null : secret };
    } catch (error) {
      if (isUniqueViolation(error)) throw new ApiError('conflict', 'a staff account with this email already exists');
      throw error;
    }
  }

  /**
   * A new role applies from the account's next request. A new password signs the account out
   * everywhere but in `keepSessionHash` (the admin's own browser when they change their own).
   */
  async update(id: string, changes: { role?: StaffRole; password?: string }, keepSessionHash: string | null): Promise<StaffMemberDto> {
    const hash = changes.password === undefined ? null : await hashPassword(changes.password);
    return this.db.transaction(async (tx) => {
      const current = await this.lockForChange(tx, id, changes.role !== undefined && changes.role !== 'admin');
      const { rows } = await tx.query<StaffRow>(
        `UPDATE staff_users SET role = COALESCE($2, role), password_hash = COALESCE($3, password_hash) WHERE id = $1 RETURNING id, email, role, created_at`,
        [current.id, changes.role ?? null, hash],
      );
      if (hash) await tx.query(`DELETE FROM staff_sessions WHERE staff_id = $1 AND token_hash IS DISTINCT FROM $2`, [id, keepSessionHash]);
      return toDto(rows[0]!);
    });
  }

  async remove(id: string): Promise<StaffMemberDto> {
    return this.db.transaction(async (tx) => {
      const current = await this.lockForChange(tx, id, true);
      // staff_sessions go with it (ON DELETE CASCADE): the account is signed out at once.
      await tx.query(`DELETE FROM staff_users WHERE id = $1`, [id]);
      return current;
    });
  }

  /**
   * Locks every admin row before counting them, so two admins demoting or removing each
   * other at the same moment cannot both succeed and leave nobody able to manage staff.
   */
  private async lockForChange(tx: Queryable, id: string, losesAdmin: boolean): Promise<StaffMemberDto> {
    if (!UUID_PATTERN.test(id)) throw new ApiError('not_found', 'no such staff account');
    const admins = await tx.query<{ id: string }>(`SELECT id FROM staff_users WHERE role = 'admin' ORDER BY id FOR UPDATE`);
    const { rows } = await tx.query<StaffRow>(`SELECT id, email, role, created_at FROM staff_users WHERE id = $1 FOR UPDATE`, [id]);
    const row = rows[0];
    if (!row) throw new ApiError('not_found', 'no such staff account');
    if (losesAdmin && row.role === 'admin' && admins.rows.length <= 1) {
      throw new ApiError('conflict', 'this is the last admin; make another admin first');
    }
    return toDto(row);
  }
}

function toDto(row: StaffRow): StaffMemberDto {
  return { id: row.id, email: row.email, role: row.role, createdAt: row.created_at.toISOString() };
}
