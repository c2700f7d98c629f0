import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';
import { ApiError } from '@api/common/api-error.js';
import { AppConfig } from '@api/config/app-config.js';

type CorsSetting = NonNullable<Parameters<NestFastifyApplication['enableCors']>[0]>;

/** The routes a widget on another site calls: web sessions and seed 001's voice-agent route. */
export const WIDGET_REST_ROUTES = /^\/api\/(sessions(\/|$|\?)|voice-agent\/chat(\?|$))/;

/**
 * Which pages may embed the widget (WIDGET_ALLOWED_ORIGINS). A request without an
 * Origin header is not a cross-site browser request (curl, servers, same-origin GETs)
 * and passes; the api's own origin (the /demo page) and PUBLIC_URL always pass.
 * Unset: any origin outside production, only those two in production.
 */
@Injectable()
export class WidgetOrigins {
  readonly anyOrigin: boolean;
  private readonly allowed: Set<string>;

  constructor(config: AppConfig) {
    const setting = config.env.WIDGET_ALLOWED_ORIGINS;
    this.anyOrigin = setting === '*' || (setting === undefined && config.env.NODE_ENV !== 'production');
    this.allowed = new Set(Array.isArray(setting) ? setting : []);
    if (config.env.PUBLIC_URL) this.allowed.add(new URL(config.env.PUBLIC_URL).origin);
  }

  allows(origin: string | undefined, host: string | undefined): boolean {
    if (origin === undefined || origin === '') return true;
    if (this.anyOrigin || this.allowed.has(origin)) return true;
    return host !== undefined && sameHost(origin, host);
  }

  /** For the summary line at boot and the README: what the setting resolved to. */
  describe(): string {
    return this.anyOrigin ? 'any origin' : ['this server', ...this.allowed].join(', ');
  }

  /** @fastify/cors options per request: CORS headers on the widget routes only, for allowed origins only. */
  corsOptions(): CorsSetting {
    const delegator = (request: FastifyRequest, callback: (error: Error | null, options?: CorsSetting) => void): void => {
      if (!WIDGET_REST_ROUTES.test(request.url)) return callback(null, { origin: false });
      callback(null, {
        origin: (origin: string | undefined, cb: (error: Error | null, allow: boolean) => void) => cb(null, this.allows(origin, request.headers.host)),
        methods: ['GET', 'POST', 'DELETE'],
        allowedHeaders: ['authorization', 'content-type'],
        exposedHeaders: ['retry-after'],
        credentials: false,
        maxAge: 600,
      });
    };
    return { delegator };
  }
}

function sameHost(origin: string, host: string): boolean {
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

/** Refuses, not just hides: a page on a foreign origin gets a 403 even for requests CORS would let through. */
@Injectable()
export class WidgetOriginGuard implements CanActivate {
  constructor(private readonly origins: WidgetOrigins) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const origin = request.headers.origin;
    if (this.origins.allows(typeof origin === 'string' ? origin : undefined, request.headers.host)) return true;
    throw new ApiError('forbidden', `pages on ${String(origin)} may not use this chat; add the origin to WIDGET_ALLOWED_ORIGINS`);
  }
}
