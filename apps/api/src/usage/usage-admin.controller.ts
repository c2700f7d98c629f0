import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { UsageQuery, type PriceBookResponse, type UsageReport } from '@threadline/contracts';
import { AdminGuard, MinRole } from '@api/admin/admin.guard.js';
import { parseInput } from '@api/common/validate.js';
import { UsageReportService } from './usage-report.service.js';

/** Usage and cost for the dashboard: totals, series, models, top end users and API keys. */
@Controller('api/admin/usage')
@UseGuards(AdminGuard)
export class UsageAdminController {
  constructor(private readonly usage: UsageReportService) {}

  @Get()
  @MinRole('viewer')
  report(@Query() query: unknown): Promise<UsageReport> {
    return this.usage.report(parseInput(UsageQuery, query, 'query'));
  }

  @Get('prices')
  @MinRole('viewer')
  prices(): PriceBookResponse {
    return this.usage.priceBook();
  }
}
