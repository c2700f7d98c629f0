import { ManualClock } from '@api/common/clock.js';
import { backends } from '../backends.js';
import { createApiKey, masterAuth, TEST_MASTER_KEY, useGateway } from '../harness.js';
import { call, expectError, expectOpenAIError, freshAddress, handshake, type Answer } from './security-helpers.js';

const LIMIT = 5;
const WINDOW_SECONDS = 600;

describe.each(backends())('API key and MASTER_KEY guessing is rate-limited per client address (%s)', (backend) => {
  // Mid-window, so Retry-After is the rest of this window: 600 s windows, 120 s in.
  const clock = new ManualClock(Math.ceil(Date.UTC(2026, 0, 1) / (WINDOW_SECONDS * 1000)) * WINDOW_SECONDS * 1000 + 120_000);
  const suite = useGateway(backend, { clock, env: { TRUST_PROXY: 'true', AUTH_FAILURE_LIMIT: String(LIMIT), AUTH_FAILURE_WINDOW: `${WINDOW_SECONDS}s` } });

  const wrong = (n: number) => ({ authorization: `Bearer tl_${'x'.repeat(42)}${n}` });
  const routes: Array<{ name: string; send: (headers: Record<string, string>, address: string) => Promise<Answer>; openai?: boolean; staff?: boolean }> = [
    { name: 'POST /api/chat', send: (headers, address) => call(suite.gateway, { method: 'POST', url: '/api/chat', headers: { ...headers, 'x-user-id': 'u1' }, payload: { message: 'hi' }, remoteAddress: address }) },
    { name: 'GET /api/chat/history', send: (headers, address) => call(suite.gateway, { method: 'GET', url: '/api/chat/history', headers: { ...headers, 'x-user-id': 'u1' }, remoteAddress: address }) },
    { name: 'POST /v1/chat/completions', openai: true, send: (headers, address) => call(suite.gateway, { method: 'POST', url: '/v1/chat/completions', headers, payload: { messages: [{ role: 'user', content: 'hi' }] }, remoteAddress: address }) },
    { name: 'GET /v1/models', openai: true, send: (headers, address) => call(suite.gateway, { method: 'GET', url: '/v1/models', headers, remoteAddress: address }) },
    { name: 'GET /api/admin/sessions (bearer)', staff: true, send: (headers, address) => call(suite.gateway, { method: 'GET', url: '/api/admin/sessions', headers, remoteAddress: address }) },
  ];

  it.each(routes)('$name: N wrong keys get 401, then 429 with Retry-After for every key, the right one included', async ({ send, openai, staff }) => {
    const address = freshAddress();
    const key = staff ? TEST_MASTER_KEY : await createApiKey(suite.gateway);
    const good = { authorization: `Bearer ${key}` };
    for (let i = 0; i < LIMIT; i++) {
      const refused = await send(wrong(i), address);
      if (openai) expectOpenAIError(refused, 401, 'invalid_api_key');
      else expectError(refused, 401, 'unauthorized');
    }
    const throttled = await send(wrong(99), address);
    const rightGuess = await send(good, address);
    for (const answer of [throttled, rightGuess]) {
      if (openai) expectOpenAIError(answer, 429, 'rate_limit_exceeded');
      else expectError(answer, 429, 'rate_limited');
      expect(answer.headers.get('retry-after')).toBe(String(WINDOW_SECONDS - 120));
    }
    // Another address is not affected, and the same key works from there at once.
    const elsewhere = await send(good, freshAddress());
    expect([elsewhere.status >= 200, elsewhere.status < 300]).toEqual([true, true]);
  });

  it('successes are never counted and never throttled; failures of one address do not slow another', async () => {
    const key = await createApiKey(suite.gateway);
    const address = freshAddress();
    const statuses: number[] = [];
    for (let i = 0; i < 4 * LIMIT; i++) statuses.push((await routes[1]!.send({ authorization: `Bearer ${key}` }, address)).status);
    // A few failures under the limit, mixed in, do not add up with the successes either.
    for (let i = 0; i < LIMIT - 1; i++) statuses.push((await routes[1]!.send(wrong(i), address)).status);
    statuses.push((await routes[1]!.send({ authorization: `Bearer ${key}` }, address)).status);
    expect(statuses).toEqual([...Array(4 * LIMIT).fill(200), ...Array(LIMIT - 1).fill(401), 200]);
  });

  it('failures add up across routes; the block ends with the window', async () => {
    const address = freshAddress();
    const statuses: number[] = [];
    for (let i = 0; i <= LIMIT; i++) statuses.push((await routes[i % routes.length]!.send(wrong(i), address)).status);
    expect(statuses).toEqual([...Array(LIMIT).fill(401), 429]);
    clock.advance((WINDOW_SECONDS - 120) * 1000 - 1000);
    expect((await routes[0]!.send(masterAuth, address)).status).toBe(429);
    clock.advance(1000);
    expect((await routes[0]!.send(masterAuth, address)).status).toBe(200);
    expect((await routes[0]!.send(wrong(1), address)).status).toBe(401);
    clock.advance(120_000); // back to where the other tests expect the window to be
  });

  it('no credential, or a staff cookie, is not a guess; a malformed Authorization is not either', async () => {
    const address = freshAddress();
    for (let i = 0; i < 3 * LIMIT; i++) {
      expectError(await routes[0]!.send({}, address), 401);
      expectError(await routes[4]!.send({ cookie: 'tl_staff=nope' }, address), 401);
      expectError(await routes[4]!.send({ authorization: 'Basic Zm9vOmJhcg==' }, address), 401);
    }
    expect((await routes[4]!.send(masterAuth, address)).status).toBe(200);
  });

  it('the /admin socket handshake counts a wrong token too, and refuses with rate_limited', async () => {
    // Sockets come straight from 127.0.0.1 (no proxy header on a websocket handshake here).
    const answers: string[] = [];
    for (let i = 0; i <= LIMIT; i++) answers.push(await handshake(suite.gateway, '/admin', { auth: { token: `wrong-${i}` } }));
    answers.push(await handshake(suite.gateway, '/admin', { auth: { token: TEST_MASTER_KEY } }));
    expect(answers).toEqual([...Array(LIMIT).fill('unauthorized'), 'rate_limited', 'rate_limited']);
  });
});
