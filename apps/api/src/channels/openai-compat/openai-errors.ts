import { Catch, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { ErrorCode } from '@threadline/contracts';
import type { FastifyReply } from 'fastify';
import type { z } from 'zod';
import { ApiError } from '@api/common/api-error.js';
import { toErrorResponse } from '@api/common/error.filter.js';
import { unstorableText } from '@api/common/validate.js';
import { MetricsService } from '@api/health/metrics.service.js';
import type { UpstreamError } from '@api/llm/chat-model.port.js';

/** OpenAI's error body: what every OpenAI SDK parses into its APIError. */
export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

/** An error in OpenAI's terms, for the /v1 routes. */
export class OpenAIError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly param: string | null = null,
    readonly code: string | null = null,
    readonly type = status >= 500 ? 'server_error' : 'invalid_request_error',
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const invalidRequest = (message: string, param: string | null = null, code: string | null = null) => new OpenAIError(400, message, param, code);
export const notFound = (message: string, param: string | null = null) => new OpenAIError(404, message, param);

/** Threadline's error codes (turn pipeline, budgets, storage) in OpenAI's words. */
const TYPE_AND_CODE: Record<ErrorCode, [type: string, code: string | null]> = {
  bad_request: ['invalid_request_error', null],
  validation_failed: ['invalid_request_error', null],
  unauthorized: ['invalid_request_error', 'invalid_api_key'],
  forbidden: ['invalid_request_error', 'forbidden'],
  not_found: ['invalid_request_error', null],
  conflict: ['invalid_request_error', 'conflict'],
  payload_too_large: ['invalid_request_error', 'request_too_large'],
  // On this channel only budgets answer 429: a spending limit is OpenAI's "quota".
  rate_limited: ['insufficient_quota', 'insufficient_quota'],
  upstream_error: ['server_error', 'upstream_error'],
  upstream_timeout: ['server_error', 'upstream_timeout'],
  unavailable: ['server_error', 'service_unavailable'],
  internal_error: ['server_error', null],
};

export function toOpenAIErrorResponse(exception: unknown): { status: number; body: OpenAIErrorBody; headers: Record<string, string> } {
  if (exception instanceof OpenAIError) {
    const { message, type, param, code } = exception;
    return { status: exception.status, body: { error: { message, type, param, code } }, headers: exception.headers };
  }
  // Everything else is first made safe exactly as on the other routes, then reworded.
  const { status, body, headers } = toErrorResponse(exception);
  const [type, code] = TYPE_AND_CODE[body.error.code];
  return { status, body: { error: { message: body.error.message, type, param: null, code } }, headers };
}

/**
 * A failed upstream call as the client should see it: a request the upstream refused
 * (bad model name, bad tool schema) is the client's to fix and keeps the upstream's
 * status and words; anything else is the gateway's problem (502/504).
 */
export function upstreamFailure(error: UpstreamError, partial: boolean): OpenAIError {
  if (error.kind === 'rejected' && error.status && error.status < 500 && error.status !== 401 && error.status !== 403) {
    return new OpenAIError(error.status, error.detail ?? error.message, null, error.status === 404 ? 'model_not_found' : null);
  }
  if (error.kind === 'rate_limited') {
    const headers: Record<string, string> = error.retryAfterMs === null ? {} : { 'retry-after': String(Math.ceil(error.retryAfterMs / 1000)) };
    return new OpenAIError(429, `${error.message}; please retry shortly.`, null, 'rate_limit_exceeded', 'requests', headers);
  }
  const timeout = error.kind === 'timeout';
  const tail = partial ? ' The answer stopped part way.' : '';
  return new OpenAIError(timeout ? 504 : 502, `${error.message}.${tail}`, null, timeout ? 'upstream_timeout' : 'upstream_error');
}

/** Speaks OpenAI's error shape on the /v1 routes, where the other routes speak Threadline's. */
@Catch()
export class OpenAIErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('openai-compat');

  constructor(private readonly metrics: MetricsService) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const { status, body, headers } = toOpenAIErrorResponse(exception);
    this.metrics.countError(exception instanceof ApiError ? exception.code : String(body.error.code ?? body.error.type));
    if (status >= 500 && !(exception instanceof OpenAIError)) this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    if (reply.sent || reply.raw.headersSent) {
      // A stream already open ends with the error as its last event, which the SDKs raise.
      if (!reply.raw.writableEnded) reply.raw.end(`data: ${JSON.stringify(body)}\n\n`);
      return;
    }
    void reply.status(status).headers(headers).send(body);
  }
}

/** Parses untrusted input; the first problem becomes OpenAI's 400 naming the parameter. */
export function parseOpenAI<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input ?? {});
  if (result.success) {
    const bad = unstorableText(result.data);
    if (bad) throw invalidRequest(`Invalid value for '${bad.path || 'body'}': it ${bad.reason}`, bad.path || null);
    return result.data;
  }
  const issue = result.error.issues[0]!;
  const param = issue.path.length ? issue.path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${String(p)}`)).join('') : null;
  throw invalidRequest(param ? `Invalid value for '${param}': ${issue.message}` : `Invalid request body: ${issue.message}`, param);
}
