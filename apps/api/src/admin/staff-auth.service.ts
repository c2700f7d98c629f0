import { Injectable } from '@nestjs/common';
import type { StaffDto, StaffRole } from '@threadline/contracts';
import { ApiError } from '@api/common/api-error.js';
import { Clock } from '@api/common/clock.js';
import { newId, randomToken } from '@api/common/ids.js';
import { Coordination } from '@api/coordination/coordination.port.js';
import { Database, isUniqueViolation } from '@api/storage/database.js';
import { hashPassword, sha256, verifyPassword } from './secrets.js';

export const STAFF_COOKIE = 'tl_staff';
const SESSION_HOURS = 12;
const LOGIN_ATTEMPTS = 10;
const LOGIN_WINDOW_SECONDS = 15 * 60;
/** A real hash to compare against when the email is unknown, so timing does not reveal accounts. */
const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

interface StaffRow {
  id: string;
  email: string;
  password_hash: string;
  role: StaffRole;
}

@Injectable()
export class StaffAuthService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly coordination: Coordination,
  ) {}

  async login(email: string, password: string, address: string): Promise<{ staff: StaffDto; token: string; expiresAt: Date }> {
    const normalized = email.trim().toLowerCase();
    for (const bucket of [`login:ip:${address}`, `login:email:${normalized}`]) {
      if ((await this.coordination.increment(bucket, 1, LOGIN_WINDOW_SECONDS)) > LOGIN_ATTEMPTS) {
        throw new ApiError('rate_limited', 'too many login attempts; wait 15 minutes', { 'retry-after': String(LOGIN_WINDOW_SECONDS) });
      }
    }
    const { rows } = await this.db.query<StaffRow>(`SELECT * FROM staff_users WHERE email = $1`, [normalized]);
    const row = rows[0];
    const ok = await verifyPassword(password, row?.password_hash ?? DUMMY_HASH);
    if (!row || !ok) throw new ApiError('unauthorized', 'wrong email or password');
    const token = randomToken(32);
    const expiresAt = new Date(this.clock.now().getTime() + SESSION_HOURS * 3600_000);
    await this.db.query(`INSERT INTO staff_sessions (id, staff_id, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`, [
      newId(),
      row.id,
      sha256(token),
      this.clock.now(),
      expiresAt,
    ]);
    return { staff: toStaff(row), token, expiresAt };
  }

  async logout(token: string): Promise<void> {
    await this.db.query(`DELETE FROM staff_sessions WHERE token_hash = $1`, [sha256(token)]);
  }

  async fromCookie(token: string | undefined): Promise<StaffDto | null> {
    if (!token || token.length > 100) return null;
    const { rows } = await this.db.query<StaffRow>(
      `SELECT u.* FROM staff_sessions s JOIN staff_users u ON u.id = s.staff_id WHERE s.token_hash = $1 AND s.expires_at > $2`,
      [sha256(token), this.clock.now()],
    );
    return rows[0] ? toStaff(rows[0]) : null;
  }

  async create(email: string, password: string, role: StaffRole): Promise<StaffDto | null> {
    try {
      const { rows } = await this.db.query<StaffRow>(
        `INSERT INTO staff_users (id, email, password_hash, role, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING *`,
        [newId(), email.trim().toLowerCase(), await hashPassword(password), role, this.clock.now()],
      );
      return toStaff(rows[0]!);
    } catch (error) {
      if (isUniqueViolation(error)) return null;
      throw error;
    }
  }

  async count(): Promise<number> {
    const { rows } = await this.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM staff_users`);
    return rows[0]?.n ?? 0;
  }
}

function toStaff(row: StaffRow): StaffDto {
  return { id: row.id, email: row.email, role: row.role };
}
