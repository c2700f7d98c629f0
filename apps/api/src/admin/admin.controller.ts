import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import {
  CreateApiKeyBody,
  LoginBody,
  SessionListQuery,
  UpdateApiKeyBody,
  type ApiKeyDto,
  type CreateApiKeyResponse,
  type SessionListResponse,
  type SessionSummaryDto,
  type StaffDto,
  type TranscriptResponse,
} from '@threadline/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '@api/common/api-error.js';
import { UUID_PATTERN } from '@api/common/ids.js';
import { parseInput } from '@api/common/validate.js';
import { AppConfig } from '@api/config/app-config.js';
import { SessionsService } from '@api/sessions/sessions.service.js';
import { toSessionSummary } from '@api/sessions/session.types.js';
import { AdminGuard, MinRole, type AdminRequest } from './admin.guard.js';
import { AdminSessionsService } from './admin-sessions.service.js';
import { ApiKeysService } from './api-keys.service.js';
import { AuditService } from './audit.service.js';
import { STAFF_COOKIE, StaffAuthService } from './staff-auth.service.js';

@Controller('api/admin')
export class AdminAuthController {
  constructor(
    private readonly staff: StaffAuthService,
    private readonly config: AppConfig,
  ) {}

  @Post('login')
  @HttpCode(200)
  async login(@Body() body: unknown, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<{ staff: StaffDto }> {
    const { email, password } = parseInput(LoginBody, body);
    const session = await this.staff.login(email, password, request.ip);
    void reply.setCookie(STAFF_COOKIE, session.token, {
      httpOnly: true,
      sameSite: 'strict',
      secure: this.config.env.PUBLIC_URL?.startsWith('https://') ?? request.protocol === 'https',
      path: '/',
      expires: session.expiresAt,
    });
    return { staff: session.staff };
  }

  @Post('logout')
  @HttpCode(204)
  async logout(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<void> {
    const token = request.cookies?.[STAFF_COOKIE];
    if (token) await this.staff.logout(token);
    void reply.clearCookie(STAFF_COOKIE, { path: '/' });
  }

  @Get('me')
  @UseGuards(AdminGuard)
  @MinRole('viewer')
  me(@Req() request: AdminRequest): { staff: StaffDto } {
    const principal = request.principal!;
    return { staff: principal.kind === 'staff' ? principal.staff : { id: 'master', email: 'master-key', role: 'admin' } };
  }
}

@Controller('api/admin')
@UseGuards(AdminGuard)
export class AdminController {
  constructor(
    private readonly adminSessions: AdminSessionsService,
    private readonly sessions: SessionsService,
    private readonly apiKeys: ApiKeysService,
    private readonly audit: AuditService,
  ) {}

  @Get('sessions')
  @MinRole('viewer')
  list(@Query() query: unknown): Promise<SessionListResponse> {
    return this.adminSessions.list(parseInput(SessionListQuery, query, 'query'));
  }

  @Get('sessions/:id')
  @MinRole('viewer')
  transcript(@Param('id') id: string): Promise<TranscriptResponse> {
    return this.adminSessions.transcript(id);
  }

  @Post('sessions/:id/clear')
  @MinRole('operator')
  @HttpCode(200)
  clear(@Param('id') id: string, @Req() request: AdminRequest): Promise<SessionSummaryDto> {
    return this.end(id, request, 'clear');
  }

  @Post('sessions/:id/expire')
  @MinRole('operator')
  @HttpCode(200)
  expire(@Param('id') id: string, @Req() request: AdminRequest): Promise<SessionSummaryDto> {
    return this.end(id, request, 'expire');
  }

  @Delete('sessions/:id')
  @MinRole('admin')
  async remove(@Param('id') id: string, @Req() request: AdminRequest): Promise<SessionSummaryDto> {
    const session = await this.adminSessions.get(id);
    const deleted = await this.sessions.delete(session, 'staff');
    if (!deleted) throw new ApiError('conflict', 'this session is already deleted');
    await this.audit.record(request.principal!, 'session.delete', id, { channel: session.channel });
    return toSessionSummary(deleted);
  }

  @Post('api-keys')
  @MinRole('admin')
  async createKey(@Body() body: unknown, @Req() request: AdminRequest): Promise<CreateApiKeyResponse> {
    const { name, tenant, budget } = parseInput(CreateApiKeyBody, body);
    const key = await this.apiKeys.create(name, tenant, budget);
    await this.audit.record(request.principal!, 'api-key.create', key.id, { name, tenant: key.tenant, budget: key.budget });
    return key;
  }

  @Patch('api-keys/:id')
  @MinRole('admin')
  async updateKey(@Param('id') id: string, @Body() body: unknown, @Req() request: AdminRequest): Promise<ApiKeyDto> {
    if (!UUID_PATTERN.test(id)) throw new ApiError('not_found', 'no such API key');
    const changes = parseInput(UpdateApiKeyBody, body);
    const key = await this.apiKeys.update(id, changes);
    await this.audit.record(request.principal!, 'api-key.update', id, changes);
    return key;
  }

  @Get('api-keys')
  @MinRole('admin')
  listKeys(): Promise<ApiKeyDto[]> {
    return this.apiKeys.list();
  }

  @Delete('api-keys/:id')
  @MinRole('admin')
  async revokeKey(@Param('id') id: string, @Req() request: AdminRequest): Promise<ApiKeyDto> {
    if (!UUID_PATTERN.test(id)) throw new ApiError('not_found', 'no such API key');
    const key = await this.apiKeys.revoke(id);
    await this.audit.record(request.principal!, 'api-key.revoke', id, null);
    return key;
  }

  private async end(id: string, request: AdminRequest, action: 'clear' | 'expire'): Promise<SessionSummaryDto> {
    const session = await this.adminSessions.get(id);
    if (session.status !== 'active') throw new ApiError('conflict', `this session is already ${session.status}`);
    const ended = action === 'clear' ? await this.sessions.clear(session, 'staff') : await this.sessions.expire(session, 'staff');
    if (!ended) throw new ApiError('conflict', 'this session has just ended');
    await this.audit.record(request.principal!, `session.${action}`, id, { channel: session.channel });
    return toSessionSummary(ended);
  }
}
