import { Global, Module } from '@nestjs/common';
import { SessionsModule } from '@api/sessions/sessions.module.js';
import { AdminAuthController, AdminController } from './admin.controller.js';
import { AdminGuard } from './admin.guard.js';
import { AdminSessionsService } from './admin-sessions.service.js';
import { AdminSocketGateway } from './admin-socket.gateway.js';
import { ApiKeysService } from './api-keys.service.js';
import { AuditController } from './audit.controller.js';
import { AuthFailureLimiter } from './auth-failure-limiter.js';
import { AuditLogService } from './audit-log.service.js';
import { AuditService } from './audit.service.js';
import { FirstAdminService } from './first-admin.service.js';
import { StaffAuthService } from './staff-auth.service.js';
import { StaffController } from './staff.controller.js';
import { StaffService } from './staff.service.js';

@Global()
@Module({
  imports: [SessionsModule],
  controllers: [AdminAuthController, AdminController, AuditController, StaffController],
  providers: [AdminGuard, AdminSessionsService, AdminSocketGateway, ApiKeysService, AuditService, AuthFailureLimiter, AuditLogService, FirstAdminService, StaffAuthService, StaffService],
  exports: [ApiKeysService, StaffAuthService, FirstAdminService, AuditService, AuthFailureLimiter],
})
export class AdminModule {}
