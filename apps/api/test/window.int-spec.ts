import { ToolRegistry } from '../src/tools/tool-registry.js';
import { backends } from './backends.js';
import { masterAuth, openWebSession, upstreamContents, useGateway } from './harness.js';

describe.each(backends())('context window (%s)', (backend) => {
  const suite = useGateway(backend, { env: { CONTEXT_MAX_MESSAGES: '10' } });
  beforeAll(() => {
    suite.gateway.app.get(ToolRegistry).register({
      spec: { name: 'lookup', description: 'test tool', parameters: { type: 'object', properties: { q: { type: 'string' } } } },
      statusText: 'Looking it up…',
      writes: false,
      run: async (args) => JSON.stringify({ found: (args as { q: string }).q }),
    });
  });

  it('after 15 exchanges the upstream gets the system prompt and the newest 10 messages; the history stays whole', async () => {
    const { sessionId, auth } = await openWebSession(suite.gateway);
    for (let i = 1; i <= 15; i++) {
      const reply = await suite.gateway.request('POST', `/api/sessions/${sessionId}/messages`, { headers: auth, body: { message: `question ${i}` } });
      expect(reply.status).toBe(200);
    }
    const last = upstreamContents(suite.fake);
    expect(last).toHaveLength(11);
    expect(last[0]).toMatch(/^system: /);
    // newest 10 = q11..q15 with their answers, minus the answer to q15 that is being asked for
    expect(last.slice(1)).toEqual([
      'assistant: Echo: question 10',
      ...[11, 12, 13, 14].flatMap((i) => [`user: question ${i}`, `assistant: Echo: question ${i}`]),
      'user: question 15',
    ]);
    const history = await suite.gateway.request('GET', `/api/sessions/${sessionId}/messages`, { headers: auth });
    expect(history.body.messages).toHaveLength(30);
    expect(history.body.messages.map((m: { seq: number }) => m.seq)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
  });

  it('trims a tool exchange whole and never starts the window with a tool result', async () => {
    const { sessionId, auth } = await openWebSession(suite.gateway);
    const say = (message: string) => suite.gateway.request('POST', `/api/sessions/${sessionId}/messages`, { headers: auth, body: { message } });
    // turn 1: the model calls the tool, sees its result, answers
    suite.fake.enqueue({ kind: 'tool_calls', calls: [{ id: 'call_1', name: 'lookup', arguments: '{"q":"a"}' }, { id: 'call_2', name: 'lookup', arguments: '{"q":"b"}' }] });
    expect((await say('look things up')).body.response).toBe('Echo: look things up');
    const afterTools = upstreamContents(suite.fake);
    expect(afterTools.slice(-3)).toEqual([expect.stringMatching(/^assistant: \[/), 'tool: {"found":"a"}', 'tool: {"found":"b"}']);
    // turns 2..4 push the tool block (user, call, 2 results, answer = 5 rows) across the 10-message edge
    for (let i = 2; i <= 4; i++) await say(`more ${i}`);
    const windows = suite.fake.requests.slice(-3).map((r) => r.messages.slice(1));
    for (const window of windows) {
      expect(window[0]!.role).not.toBe('tool');
      const hasCall = window.some((m) => m.tool_calls);
      const results = window.filter((m) => m.role === 'tool').length;
      expect(results).toBe(hasCall ? 2 : 0);
      expect(window.length).toBeLessThanOrEqual(10);
    }
    // the transcript for staff keeps every row, tool calls and results included
    const admin = await suite.gateway.request('GET', `/api/admin/sessions?q=${encodeURIComponent('look things up')}`, { headers: masterAuth });
    const id = admin.body.sessions[0].id;
    const transcript = await suite.gateway.request('GET', `/api/admin/sessions/${id}`, { headers: masterAuth });
    expect(transcript.body.messages.map((m: { role: string }) => m.role)).toEqual([
      'user', 'assistant', 'tool', 'tool', 'assistant', 'user', 'assistant', 'user', 'assistant', 'user', 'assistant',
    ]);
  });
});
