import { Injectable, SetMetadata, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { StaffRole } from '@threadline/contracts';
import type { FastifyRequest } from 'fastify';
import { ApiError } from '@api/common/api-error.js';
import { AppConfig } from '@api/config/app-config.js';
import { AuthFailureLimiter } from './auth-failure-limiter.js';
import { MASTER_PRINCIPAL, ROLE_RANK, bearerOf, type Principal } from './principal.js';
import { safeEqual } from './secrets.js';
import { STAFF_COOKIE, StaffAuthService } from './staff-auth.service.js';

const ROLE_KEY = 'threadline:min-role';
/** The least role a route needs; every admin route has one. */
export const MinRole = (role: StaffRole) => SetMetadata(ROLE_KEY, role);

export type AdminRequest = FastifyRequest & { principal?: Principal };

/** Staff cookie or MASTER_KEY, then the route's minimum role. */
@Injectable()
export class AdminGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly staff: StaffAuthService,
    private readonly config: AppConfig,
    private readonly limiter: AuthFailureLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AdminRequest>();
    const credentials = { authorization: request.headers.authorization, cookie: request.cookies?.[STAFF_COOKIE], address: request.ip };
    const principal = await resolveStaff(credentials, this.staff, this.config, this.limiter);
    if (!principal) throw new ApiError('unauthorized', 'log in first (POST /api/admin/login) or send the MASTER_KEY as a bearer token');
    const needed = this.reflector.getAllAndOverride<StaffRole | undefined>(ROLE_KEY, [context.getHandler(), context.getClass()]) ?? 'admin';
    const role = principal.kind === 'staff' ? principal.role : 'admin';
    if (ROLE_RANK[role] < ROLE_RANK[needed]) throw new ApiError('forbidden', `this needs the ${needed} role; you are ${role}`);
    request.principal = principal;
    return true;
  }
}

export interface StaffCredentials {
  authorization: string | undefined;
  cookie: string | undefined;
  /** the client's address: a wrong bearer counts against it (AuthFailureLimiter) */
  address: string | null;
}

export async function resolveStaff(credentials: StaffCredentials, staff: StaffAuthService, config: AppConfig, limiter: AuthFailureLimiter): Promise<Principal | null> {
  const bearer = bearerOf(credentials.authorization);
  if (bearer) limiter.assertAllowed(credentials.address);
  if (bearer && config.env.MASTER_KEY && safeEqual(bearer, config.env.MASTER_KEY)) return MASTER_PRINCIPAL;
  const member = await staff.fromCookie(credentials.cookie);
  if (member) return { kind: 'staff', staff: member, role: member.role, label: `staff:${member.email}` };
  if (bearer) await limiter.recordFailure(credentials.address);
  return null;
}
