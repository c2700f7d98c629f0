import { Global, Module } from '@nestjs/common';
import { AppConfig } from '@api/config/app-config.js';
import { BudgetService } from './budget.service.js';
import { PriceBook } from './price-book.js';
import { UsageAdminController } from './usage-admin.controller.js';
import { UsageReportService } from './usage-report.service.js';

@Global()
@Module({
  controllers: [UsageAdminController],
  providers: [
    // PRICE_BOOK_FILE was read and validated with the rest of the environment.
    { provide: PriceBook, inject: [AppConfig], useFactory: (config: AppConfig) => PriceBook.withOverrides(config.env.PRICE_BOOK_FILE?.prices) },
    BudgetService,
    UsageReportService,
  ],
  exports: [PriceBook, BudgetService],
})
export class UsageModule {}
