import { Injectable } from '@nestjs/common';
import { Clock } from '@api/common/clock.js';
import { newId } from '@api/common/ids.js';
import { Database } from '@api/storage/database.js';
import type { Principal } from './principal.js';

/** Every staff action that changes something leaves a line here. */
@Injectable()
export class AuditService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  async record(actor: Principal, action: string, target: string | null, details: Record<string, unknown> | null = null): Promise<void> {
    await this.db.query(`INSERT INTO audit_log (id, at, actor, action, target, details) VALUES ($1, $2, $3, $4, $5, $6::jsonb)`, [
      newId(),
      this.clock.now(),
      actor.label,
      action,
      target,
      details ? JSON.stringify(details) : null,
    ]);
  }
}
