import { io, type Socket } from 'socket.io-client';
import { FakeGitHub, FakeOpenAI, type FakeChatRequest } from '@threadline/testing';
import type { ChatClientToServer, ChatServerToClient, MessageDone, MessageDto } from '@threadline/contracts';
import { TOOL_LIMIT_ANSWER } from '../src/chat/tool-round.js';
import { backends } from './backends.js';
import { createApiKey, masterAuth, openWebSession, provisionStorage, startGateway, type Gateway, type StorageHandle } from './harness.js';

const README = '# echo2\n\nEcho is a chat site with memory and GitHub tools.\n';

/** GitHub as seed 000's chat sees it: MCERQUA/echo2 and a few repositories about AI. */
async function startFakeGitHub(): Promise<FakeGitHub> {
  return FakeGitHub.start({
    token: 'ghp_test',
    repos: [
      { owner: 'MCERQUA', name: 'echo2', description: 'Echo: an AI chat site with memory', stars: 3, language: 'JavaScript', files: { 'README.md': README, 'docs/setup.md': 'npm start\n' } },
      { owner: 'big', name: 'ai-toolkit', description: 'Tools for AI agents', stars: 900, language: 'Python' },
      { owner: 'other', name: 'maintainers', description: 'unrelated', stars: 5000 },
    ],
  });
}

const sseEvents = (text: string) =>
  text
    .split('\n\n')
    .filter((block) => block.includes('data: '))
    .map((block) => JSON.parse(block.split('\n').find((l) => l.startsWith('data: '))!.slice(6)) as { type: string; content?: string; status?: string });

const offeredTools = (request: FakeChatRequest | undefined) => ((request?.body.tools ?? []) as Array<{ function: { name: string } }>).map((t) => t.function.name);

/** The staff transcript (admin API) of a web session, or of an integrator's end user's thread. */
async function transcript(gateway: Gateway, channel: 'web' | 'api', id: string): Promise<MessageDto[]> {
  const filter = channel === 'web' ? `q=${encodeURIComponent(id)}` : `endUserId=${encodeURIComponent(id)}`;
  const list = await gateway.request('GET', `/api/admin/sessions?channel=${channel}&${filter}`, { headers: masterAuth });
  const session = (list.body.sessions as Array<{ id: string; key: string; endUserId: string | null }>).find((s) => (channel === 'web' ? s.key : s.endUserId) === id);
  expect(session).toBeDefined();
  const { status, body } = await gateway.request('GET', `/api/admin/sessions/${session!.id}`, { headers: masterAuth });
  expect(status).toBe(200);
  return body.messages;
}

async function waitUntil(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!condition()) throw new Error(`gave up waiting for ${what}`);
}

describe.each(backends())('tools (%s)', (backend) => {
  let fake: FakeOpenAI;
  let github: FakeGitHub;
  let storage: StorageHandle;
  let gateway: Gateway;

  beforeAll(async () => {
    fake = await FakeOpenAI.start();
    github = await startFakeGitHub();
    storage = await provisionStorage(backend);
    gateway = await startGateway({
      storage,
      fake,
      env: { GITHUB_API_URL: github.baseURL, GITHUB_TOKEN: 'ghp_test', TOOLS: 'github', GITHUB_WRITE_REPOS: 'MCERQUA/echo2', TOOL_MAX_ROUNDS: '3' },
    });
  });
  afterAll(async () => {
    await gateway?.close();
    await fake?.close();
    await github?.close();
    await storage?.dispose();
  });
  beforeEach(() => {
    fake.reset();
    github.reset();
  });

  it("answers seed 000's three requests over SSE with status events, GitHub calls and a whole transcript", async () => {
    const key = await createApiKey(gateway);
    const headers = { authorization: `Bearer ${key}`, 'x-user-id': 'seed-000' };
    const ask = async (message: string, call: { id: string; name: string; arguments: string }) => {
      fake.enqueue({ kind: 'tool_calls', calls: [call] });
      const reply = await gateway.request('POST', '/api/chat/stream', { headers, body: { message } });
      expect(reply.status).toBe(200);
      const events = sseEvents(reply.text);
      const statusAt = events.findIndex((e) => e.type === 'status');
      expect(statusAt).toBeGreaterThanOrEqual(0);
      expect(statusAt).toBeLessThan(events.findIndex((e) => e.type === 'token'));
      expect(events.filter((e) => e.type === 'token').map((e) => e.content).join('')).toBe(`Echo: ${message}`);
      expect(events.at(-1)).toMatchObject({ type: 'done', status: 'complete' });
      return events.filter((e) => e.type === 'status').map((e) => e.content);
    };

    expect(await ask('Search for repositories about AI', { id: 'call_search', name: 'search_repositories', arguments: '{"query":"AI"}' })).toEqual(['Searching GitHub for "AI"…']);
    expect(await ask('Show me the README from MCERQUA/echo2', { id: 'call_readme', name: 'get_file', arguments: '{"owner":"MCERQUA","repo":"echo2"}' })).toEqual([
      'Reading MCERQUA/echo2 README…',
    ]);
    expect(
      await ask("Create an issue in MCERQUA/echo2 titled 'Test from AI'", { id: 'call_issue', name: 'create_issue', arguments: '{"owner":"MCERQUA","repo":"echo2","title":"Test from AI"}' }),
    ).toEqual(['Creating an issue in MCERQUA/echo2…']);

    // GitHub received exactly the three calls, authenticated with the configured token
    expect(github.calls).toEqual([
      { method: 'GET', path: '/search/repositories', query: { q: 'AI', per_page: '5' }, body: null, authorization: 'token ghp_test' },
      { method: 'GET', path: '/repos/MCERQUA/echo2/readme', query: {}, body: null, authorization: 'token ghp_test' },
      { method: 'POST', path: '/repos/MCERQUA/echo2/issues', query: {}, body: { title: 'Test from AI' }, authorization: 'token ghp_test' },
    ]);
    expect(github.issues).toEqual([{ owner: 'MCERQUA', repo: 'echo2', number: 1, title: 'Test from AI', body: null }]);

    // the model was offered the tools and got each result back after its call
    expect(offeredTools(fake.requests[0])).toEqual(['search_repositories', 'get_file', 'create_issue']);
    const afterSearch = fake.requests[1]!.messages.slice(-2);
    expect(afterSearch[0]).toMatchObject({ role: 'assistant', content: null, tool_calls: [{ id: 'call_search', type: 'function', function: { name: 'search_repositories', arguments: '{"query":"AI"}' } }] });
    expect(afterSearch[1]).toMatchObject({ role: 'tool', tool_call_id: 'call_search' });
    expect(JSON.parse(afterSearch[1]!.content).repositories.map((r: { full_name: string }) => r.full_name)).toEqual(['big/ai-toolkit', 'MCERQUA/echo2']);
    // the last turn's window still holds the earlier tool exchanges whole
    expect(fake.requests.at(-2)!.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'tool', 'assistant', 'user', 'assistant', 'tool', 'assistant', 'user']);

    // staff see every call and result in the transcript
    const messages = await transcript(gateway, 'api', 'seed-000');
    expect(messages.map((m) => m.role)).toEqual(['user', 'assistant', 'tool', 'assistant', 'user', 'assistant', 'tool', 'assistant', 'user', 'assistant', 'tool', 'assistant']);
    expect(messages[1]!.toolCalls).toEqual([{ id: 'call_search', name: 'search_repositories', arguments: '{"query":"AI"}' }]);
    expect(messages[2]).toMatchObject({ toolCallId: 'call_search', status: 'complete' });
    expect(JSON.parse(messages[6]!.content)).toMatchObject({ repository: 'MCERQUA/echo2', path: 'README.md', content: README });
    expect(messages[9]!.toolCalls).toEqual([{ id: 'call_issue', name: 'create_issue', arguments: '{"owner":"MCERQUA","repo":"echo2","title":"Test from AI"}' }]);
    expect(JSON.parse(messages[10]!.content)).toEqual({ repository: 'MCERQUA/echo2', number: 1, title: 'Test from AI', state: 'open', url: 'https://github.com/MCERQUA/echo2/issues/1' });
    expect(messages[11]).toMatchObject({ role: 'assistant', content: "Echo: Create an issue in MCERQUA/echo2 titled 'Test from AI'", toolCalls: null });
  });

  it('runs the calls of one round concurrently over socket.io, announcing each, and stores results in call order', async () => {
    const { sessionId, token } = await openWebSession(gateway);
    const socket: Socket<ChatServerToClient, ChatClientToServer> = io(`${gateway.url}/chat`, { auth: { sessionId, token }, transports: ['websocket'] });
    let release!: () => void;
    // The README call is held at GitHub: the search can only arrive meanwhile if the two run at once.
    github.failWith({ heldUntil: new Promise<void>((resolve) => (release = resolve)) }, { path: '/repos/MCERQUA/echo2/readme' });
    fake.enqueue({
      kind: 'tool_calls',
      calls: [
        { id: 'call_a', name: 'get_file', arguments: '{"owner":"MCERQUA","repo":"echo2"}' },
        { id: 'call_b', name: 'search_repositories', arguments: '{"query":"AI","limit":1}' },
      ],
    });
    try {
      const statuses: string[] = [];
      socket.on('status', ({ text }) => statuses.push(text));
      const done = new Promise<MessageDone>((resolve) => socket.once('message:done', resolve));
      await socket.emitWithAck('message:send', { text: 'What is echo2 and what else is there about AI?' });
      await waitUntil(() => github.calls.length === 2, 'both GitHub calls to arrive');
      expect(github.calls.map((c) => c.path)).toEqual(['/repos/MCERQUA/echo2/readme', '/search/repositories']);
      release();
      const result = await done;
      expect(result.message).toMatchObject({ content: 'Echo: What is echo2 and what else is there about AI?', status: 'complete' });
      expect(statuses).toEqual(['Reading MCERQUA/echo2 README…', 'Searching GitHub for "AI"…']);
    } finally {
      release();
      socket.disconnect();
    }
    const messages = await transcript(gateway, 'web', sessionId);
    expect(messages.map((m) => `${m.role}:${m.toolCallId ?? ''}`)).toEqual(['user:', 'assistant:', 'tool:call_a', 'tool:call_b', 'assistant:']);
    expect(fake.requests[1]!.messages.slice(-2).map((m) => m.tool_call_id)).toEqual(['call_a', 'call_b']);
  });

  it('a failing tool gives the model an error result and the turn still answers', async () => {
    github.failWith({ status: 500 }, { path: '/repos/MCERQUA/echo2/readme' });
    fake.enqueue({ kind: 'tool_calls', calls: [{ id: 'call_fail', name: 'get_file', arguments: '{"owner":"MCERQUA","repo":"echo2"}' }] });
    const { sessionId, auth } = await openWebSession(gateway);
    const reply = await gateway.request('POST', `/api/sessions/${sessionId}/messages`, { headers: auth, body: { message: 'Show me the README from MCERQUA/echo2' } });
    expect(reply.status).toBe(200);
    expect(reply.body.response).toBe('Echo: Show me the README from MCERQUA/echo2');
    expect(github.calls).toHaveLength(1);
    const toolMessage = fake.requests[1]!.messages.at(-1)!;
    expect(toolMessage).toMatchObject({ role: 'tool', tool_call_id: 'call_fail' });
    expect(JSON.parse(toolMessage.content)).toEqual({ error: 'GitHub failed (500) while reading the README of MCERQUA/echo2; try again later' });
    const messages = await transcript(gateway, 'web', sessionId);
    expect(messages.map((m) => `${m.role}:${m.status}`)).toEqual(['user:complete', 'assistant:complete', 'tool:complete', 'assistant:complete']);
    expect(messages[2]!.content).toBe(toolMessage.content);
  });

  it('a model that always asks for tools gets TOOL_MAX_ROUNDS tool rounds, then one without tools, and an answer', async () => {
    fake.respondWith(() => ({ kind: 'tool_calls', calls: [{ name: 'search_repositories', arguments: '{"query":"AI"}' }] }));
    const { sessionId, auth } = await openWebSession(gateway);
    const reply = await gateway.request('POST', `/api/sessions/${sessionId}/messages`, { headers: auth, body: { message: 'Search forever' } });
    expect(reply.status).toBe(200);
    expect(reply.body.response).toBe(TOOL_LIMIT_ANSWER);
    expect(fake.requests.map((r) => offeredTools(r).length > 0)).toEqual([true, true, true, false]);
    expect(github.calls).toHaveLength(3);
    const messages = await transcript(gateway, 'web', sessionId);
    expect(messages.map((m) => m.role)).toEqual(['user', 'assistant', 'tool', 'assistant', 'tool', 'assistant', 'tool', 'assistant']);
    expect(messages.at(-1)).toMatchObject({ content: TOOL_LIMIT_ANSWER, toolCalls: null, status: 'complete' });

    // the dropped calls left no call without a result behind: the next turn's window is well formed
    fake.reset();
    const next = await gateway.request('POST', `/api/sessions/${sessionId}/messages`, { headers: auth, body: { message: 'ok, stop' } });
    expect(next.body.response).toBe('Echo: ok, stop');
    const window = fake.requests[0]!.messages;
    window.forEach((m, i) => {
      if (m.tool_calls) expect(window.slice(i + 1, i + 1 + m.tool_calls.length).map((t) => t.tool_call_id)).toEqual(m.tool_calls.map((c: { id: string }) => c.id));
    });
  });

  it('a model that stops asking once tools are withdrawn answers in the extra round', async () => {
    fake.respondWith((req, index) =>
      offeredTools(req).length ? { kind: 'tool_calls', calls: [{ id: `call_${index}`, name: 'search_repositories', arguments: '{"query":"AI"}' }] } : { kind: 'text', text: 'Here is what I found.' },
    );
    const { sessionId, auth } = await openWebSession(gateway);
    const reply = await gateway.request('POST', `/api/sessions/${sessionId}/messages`, { headers: auth, body: { message: 'Search a lot' } });
    expect(reply.body.response).toBe('Here is what I found.');
    expect(fake.requests).toHaveLength(4);
    expect(github.calls).toHaveLength(3);
  });

  it('reports the GitHub tools in /api/health', async () => {
    const { body } = await gateway.request('GET', '/api/health');
    expect(body.features).toEqual(expect.arrayContaining(['github_tools', 'github_write']));
  });
});
