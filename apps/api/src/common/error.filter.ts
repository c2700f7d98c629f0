import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { ErrorBody, ErrorCode } from '@threadline/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from './api-error.js';

const CODE_BY_STATUS: Record<number, ErrorCode> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'bad_request',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'bad_request',
  429: 'rate_limited',
  503: 'unavailable',
};

/** Maps every error to `{ error: { code, message } }`; nothing internal ever reaches the caller. */
@Catch()
export class ErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  constructor(private readonly metrics?: { countError(kind: string): void }) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const { status, body, headers } = toErrorResponse(exception);
    this.metrics?.countError(body.error.code);
    if (status >= 500) {
      // The id the caller got in X-Request-Id, so a report of "it has been logged" finds this line.
      const requestId = http.getRequest<FastifyRequest | undefined>()?.id;
      this.logger.error({ ...(requestId ? { requestId: String(requestId) } : {}), msg: exception instanceof Error ? (exception.stack ?? exception.message) : String(exception) });
    }
    if (reply.sent || reply.raw.headersSent) return;
    void reply.status(status).headers(headers).send(body);
  }
}

export function toErrorResponse(exception: unknown): { status: number; body: ErrorBody; headers: Record<string, string> } {
  if (exception instanceof ApiError) {
    return { status: exception.status, body: { error: exception.toPayload() }, headers: exception.headers };
  }
  if (isInfrastructureDown(exception)) {
    return { status: 503, body: { error: { code: 'unavailable', message: 'storage or coordination is briefly unavailable; nothing was lost, please retry' } }, headers: { 'retry-after': '2' } };
  }
  const status = httpStatusOf(exception);
  if (status !== null && status < 500) {
    const code = CODE_BY_STATUS[status] ?? 'bad_request';
    return { status, body: { error: { code, message: safeClientMessage(exception, status) } }, headers: {} };
  }
  return { status: status ?? 500, body: { error: { code: status === 503 ? 'unavailable' : 'internal_error', message: 'Something went wrong on our side; it has been logged.' } }, headers: {} };
}

function httpStatusOf(exception: unknown): number | null {
  if (exception instanceof HttpException) return exception.getStatus();
  // Fastify's own errors (body too large, bad JSON, unsupported media type) carry statusCode.
  const statusCode = (exception as { statusCode?: unknown } | null)?.statusCode;
  return typeof statusCode === 'number' ? statusCode : null;
}

function safeClientMessage(exception: unknown, status: number): string {
  const code = (exception as { code?: unknown }).code;
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') return 'request body is too large';
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return 'send the body as application/json';
  if (code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return 'the JSON body is empty';
  if (exception instanceof SyntaxError || code === 'FST_ERR_CTP_INVALID_JSON_BODY') return 'the body is not valid JSON';
  if (status === 404) return 'no such route';
  if (exception instanceof HttpException) {
    const response = exception.getResponse();
    if (typeof response === 'string') return response;
    const message = (response as { message?: unknown }).message;
    if (typeof message === 'string') return message;
  }
  return 'the request was refused';
}

const DOWN_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', '57P01', '57P02', '57P03', '08000', '08001', '08003', '08006', '53300']);

/** Postgres or Redis away (restart, failover): a retryable 503, not a 500. */
export function isInfrastructureDown(error: unknown): boolean {
  const e = error as { code?: unknown; name?: unknown; message?: unknown; driverError?: unknown } | null;
  if (!e) return false;
  if (typeof e.code === 'string' && DOWN_CODES.has(e.code)) return true;
  if (e.driverError && isInfrastructureDown(e.driverError)) return true;
  const name = typeof e.name === 'string' ? e.name : '';
  const message = typeof e.message === 'string' ? e.message : '';
  return /ClientClosedError|ClientOfflineError|ConnectionTimeoutError|SocketClosedUnexpectedlyError/.test(name) ||
    /The client is closed|Connection terminated|Connection is closed|connect ECONNREFUSED|Socket closed unexpectedly|client is offline/i.test(message);
}
