import { backends } from './backends.js';
import { openWebSession, useGateway } from './harness.js';

describe.each(backends())('metrics and request ids (%s)', (backend) => {
  const suite = useGateway(backend);

  const metric = (text: string, name: string, labels: string) => {
    const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(labels));
    return line ? Number(line.split(' ').at(-1)) : 0;
  };

  it('/metrics counts turns, tokens, cost, errors and sessions in Prometheus format', async () => {
    const before = (await suite.gateway.request('GET', '/metrics')).text;
    const { sessionId, auth } = await openWebSession(suite.gateway);
    await suite.gateway.request('POST', `/api/sessions/${sessionId}/messages`, { headers: auth, body: { message: 'count me' } });
    await suite.gateway.request('POST', `/api/sessions/${sessionId}/messages`, { body: { message: 'no token' } });
    const after = await suite.gateway.request('GET', '/metrics');
    expect(after.status).toBe(200);
    expect(after.headers.get('content-type')).toContain('text/plain');
    const turns = (t: string) => metric(t, 'threadline_turns_total', 'channel="web",status="complete"');
    expect(turns(after.text) - turns(before)).toBe(1);
    expect(metric(after.text, 'threadline_tokens_total', 'kind="completion"')).toBeGreaterThan(0);
    expect(metric(after.text, 'threadline_cost_microdollars_total', 'model="gpt-4.1-nano"')).toBeGreaterThan(0);
    expect(metric(after.text, 'threadline_errors_total', 'kind="unauthorized"')).toBeGreaterThanOrEqual(1);
    expect(metric(after.text, 'threadline_active_sessions', 'channel="web"')).toBeGreaterThanOrEqual(1);
    expect(after.text).toMatch(/threadline_turn_duration_seconds_bucket\{le="0\.1",channel="web"\}/);
    expect(after.text).toMatch(/threadline_upstream_first_token_seconds_count\{model="gpt-4.1-nano"\} [1-9]/);
    expect(after.text).toContain('threadline_sockets{namespace="/chat"}');
  });

  it('echoes a caller-supplied X-Request-Id and makes one up otherwise', async () => {
    const given = await suite.gateway.request('GET', '/api/health', { headers: { 'x-request-id': 'req-abc-123' } });
    expect(given.headers.get('x-request-id')).toBe('req-abc-123');
    const made = await suite.gateway.request('GET', '/api/health');
    expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});
