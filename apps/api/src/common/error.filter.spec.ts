import { isInfrastructureDown, toErrorResponse } from './error.filter.js';
import { ApiError } from './api-error.js';

describe('toErrorResponse', () => {
  it('passes ApiErrors through with their status, code and headers', () => {
    expect(toErrorResponse(new ApiError('rate_limited', 'slow down', { 'retry-after': '9' }))).toEqual({
      status: 429,
      body: { error: { code: 'rate_limited', message: 'slow down' } },
      headers: { 'retry-after': '9' },
    });
  });

  it('hides anything unexpected behind a bare 500', () => {
    const { status, body } = toErrorResponse(new TypeError("Cannot read properties of undefined (reading 'x')"));
    expect(status).toBe(500);
    expect(body.error).toEqual({ code: 'internal_error', message: 'Something went wrong on our side; it has been logged.' });
  });

  it.each([
    Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
    Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
    { name: 'QueryFailedError', message: 'x', driverError: { code: '57P01' } },
    Object.assign(new Error('The client is closed'), { name: 'ClientClosedError' }),
  ])('turns a database or Redis outage into a retryable 503: %s', (error) => {
    expect(isInfrastructureDown(error)).toBe(true);
    const { status, body, headers } = toErrorResponse(error);
    expect(status).toBe(503);
    expect(body.error.code).toBe('unavailable');
    expect(headers['retry-after']).toBe('2');
  });

  it('maps fastify body errors to clear 4xx', () => {
    expect(toErrorResponse(Object.assign(new Error('x'), { statusCode: 413, code: 'FST_ERR_CTP_BODY_TOO_LARGE' }))).toMatchObject({
      status: 413,
      body: { error: { code: 'payload_too_large', message: 'request body is too large' } },
    });
  });
});
