import { jest } from '@jest/globals';
import { Logger, type ArgumentsHost } from '@nestjs/common';
import { ErrorFilter, isInfrastructureDown, toErrorResponse } from './error.filter.js';
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

describe('ErrorFilter', () => {
  function hostFor(requestId: string) {
    const reply = { sent: false, raw: { headersSent: false }, status: jest.fn(() => reply), headers: jest.fn(() => reply), send: jest.fn(() => reply) };
    const host = { switchToHttp: () => ({ getResponse: () => reply, getRequest: () => ({ id: requestId }) }) };
    return { reply, host: host as unknown as ArgumentsHost };
  }

  it("logs a 500 with the id the caller got in X-Request-Id, and sends the bare body", () => {
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    try {
      const { reply, host } = hostFor('req-42');
      new ErrorFilter().catch(new Error('boom in the store'), host);
      expect(logged).toHaveBeenCalledWith(expect.objectContaining({ requestId: 'req-42', msg: expect.stringContaining('boom in the store') }));
      expect(reply.status).toHaveBeenCalledWith(500);
      expect(reply.send).toHaveBeenCalledWith({ error: { code: 'internal_error', message: 'Something went wrong on our side; it has been logged.' } });
    } finally {
      logged.mockRestore();
    }
  });
});
