import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { AuditQuery, type AuditListResponse } from '@threadline/contracts';
import { parseInput } from '@api/common/validate.js';
import { AdminGuard, MinRole } from './admin.guard.js';
import { AuditLogService } from './audit-log.service.js';

/** What staff (and the master key) changed, for admins. */
@Controller('api/admin/audit')
@UseGuards(AdminGuard)
export class AuditController {
  constructor(private readonly log: AuditLogService) {}

  @Get()
  @MinRole('admin')
  list(@Query() query: unknown): Promise<AuditListResponse> {
    return this.log.list(parseInput(AuditQuery, query, 'query'));
  }
}
