import type { ErrorCode } from '@threadline/contracts';

const STATUS_BY_CODE: Record<ErrorCode, number> = {
  bad_request: 400,
  validation_failed: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  rate_limited: 429,
  upstream_error: 502,
  upstream_timeout: 504,
  unavailable: 503,
  internal_error: 500,
};

/** An error whose message is safe to show the caller. Anything else becomes a bare 500. */
export class ApiError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.status = STATUS_BY_CODE[code];
  }

  toPayload(): { code: ErrorCode; message: string } {
    return { code: this.code, message: this.message };
  }
}
