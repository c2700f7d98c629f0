import { jest } from '@jest/globals';
import { requestContext } from '../src/common/request-context.js';
import { BudgetService } from '../src/usage/budget.service.js';
import { backends } from './backends.js';
import { createApiKey, useGateway } from './harness.js';

/**
 * LOG_REQUEST_CONTEXT: with `on`, code deep inside a turn sees the request's ids (so every
 * log line it writes carries them); with `off` (the default) no request pays for that.
 */
describe.each(backends())('log context of a request (%s)', (backend) => {
  describe.each([
    ['on', true],
    ['off', false],
  ] as const)('LOG_REQUEST_CONTEXT=%s', (setting, carried) => {
    const suite = useGateway(backend, { env: { LOG_REQUEST_CONTEXT: setting } });

    it(carried ? 'a turn runs inside its request id and tags it with its session' : 'a turn runs without a request context', async () => {
      const key = await createApiKey(suite.gateway);
      const seen: Array<ReturnType<typeof requestContext.getStore>> = [];
      const budgets = suite.gateway.app.get(BudgetService);
      const original = budgets.charge.bind(budgets);
      // Charged after the session is known, deep inside the turn.
      const spy = jest.spyOn(budgets, 'charge').mockImplementation((...args) => {
        const store = requestContext.getStore();
        seen.push(store && { ...store });
        return original(...args);
      });
      try {
        const reply = await suite.gateway.request('POST', '/api/chat', { headers: { authorization: `Bearer ${key}`, 'x-user-id': 'ctx', 'x-request-id': 'req-ctx-1' }, body: { message: 'hello' } });
        expect(reply.status).toBe(200);
        expect(reply.headers.get('x-request-id')).toBe('req-ctx-1');
        expect(seen).toHaveLength(1);
        if (carried) expect(seen[0]).toEqual({ requestId: 'req-ctx-1', sessionId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
        else expect(seen[0]).toBeUndefined();
      } finally {
        spy.mockRestore();
      }
    });
  });
});
