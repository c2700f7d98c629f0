import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { AppConfig } from '@api/config/app-config.js';
import type { GitHubClient } from './github/github.client.js';
import { githubTools } from './github/github.tools.js';
import { ToolPolicy } from './tool-policy.js';
import { ToolRegistry } from './tool-registry.js';
import type { ToolContext, ToolProvider } from './tool-provider.js';

function fakeClient() {
  return {
    searchRepositories: jest.fn(async (input: object) => ({ searched: input })),
    getFile: jest.fn(async (input: object) => ({ read: input })),
    createIssue: jest.fn(async (input: object) => ({ created: input })),
  };
}

function registryFor(env: Record<string, string>, client = fakeClient()) {
  const config = AppConfig.fromEnv(env);
  const registry = new ToolRegistry(ToolPolicy.fromEnv(config.env), { maxCallsPerRound: 3, maxResultChars: 1000 });
  for (const tool of githubTools(client as unknown as GitHubClient)) registry.register(tool);
  return { registry, client };
}

const web: ToolContext = { channel: 'web', sessionId: 's1' };
const api: ToolContext = { channel: 'api', sessionId: 's2' };
const writeEnv = { TOOLS_WEB: 'github', TOOLS_API: 'search_repositories', GITHUB_TOKEN: 'ghp_test', GITHUB_WRITE_REPOS: 'MCERQUA/echo2' };
const errorOf = (content: string) => (JSON.parse(content) as { error: string }).error;

// Refusals are logged for operators; the assertions below check them directly.
beforeAll(() => Logger.overrideLogger(false));

describe('GitHub tool specs', () => {
  it('offer JSON schemas generated from the zod argument schemas, and only the tools a channel enables', () => {
    const { registry } = registryFor(writeEnv);
    const specs = registry.specsFor('web');
    expect(specs.map((s) => s.name)).toEqual(['search_repositories', 'get_file', 'create_issue']);
    const getFile = specs[1]!.parameters;
    expect(getFile).not.toHaveProperty('$schema');
    expect(getFile).toMatchObject({ type: 'object', required: ['owner', 'repo'], additionalProperties: false });
    expect(Object.keys(getFile.properties as object)).toEqual(['owner', 'repo', 'path', 'ref']);
    expect((getFile.properties as Record<string, { pattern?: string }>).owner!.pattern).toBeDefined();
    // fields with defaults are optional for the model
    expect(specs[0]!.parameters).toMatchObject({ required: ['query'], properties: { limit: { default: 5, maximum: 10 } } });
    expect(registry.specsFor('api').map((s) => s.name)).toEqual(['search_repositories']);
    expect(registryFor({}).registry.specsFor('web').map((s) => s.name)).toEqual(['search_repositories', 'get_file']);
  });
});

describe('ToolRegistry', () => {
  it('runs a valid call with defaults applied and a specific status line', async () => {
    const { registry, client } = registryFor({});
    const statuses: string[] = [];
    const [search, readme, file] = registry.runCalls(
      [
        { id: 'a', name: 'search_repositories', arguments: '{"query":"AI"}' },
        { id: 'b', name: 'get_file', arguments: '{"owner":"MCERQUA","repo":"echo2"}' },
        { id: 'c', name: 'get_file', arguments: '{"owner":"MCERQUA","repo":"echo2","path":"docs/setup.md","ref":"v1.2"}' },
      ],
      web,
      (s) => statuses.push(s),
    );
    expect(statuses).toEqual(['Searching GitHub for "AI"…', 'Reading MCERQUA/echo2 README…', 'Reading MCERQUA/echo2/docs/setup.md…']);
    expect(await search).toEqual({ ok: true, content: JSON.stringify({ searched: { query: 'AI', limit: 5, sort: 'best-match' } }) });
    expect((await readme)!.ok).toBe(true);
    expect((await file)!.ok).toBe(true);
    expect(client.getFile.mock.calls.map(([input]) => input)).toEqual([
      { owner: 'MCERQUA', repo: 'echo2' },
      { owner: 'MCERQUA', repo: 'echo2', path: 'docs/setup.md', ref: 'v1.2' },
    ]);
  });

  it.each([
    ['a parent path', { owner: 'o', repo: 'r', path: '../secrets' }, /path: a relative path inside the repository/],
    ['a parent segment inside the path', { owner: 'o', repo: 'r', path: 'docs/../../x' }, /path: /],
    ['an absolute path', { owner: 'o', repo: 'r', path: '/etc/passwd' }, /path: /],
    ['a backslash path', { owner: 'o', repo: 'r', path: 'docs\\..\\x' }, /path: /],
    ['an empty segment', { owner: 'o', repo: 'r', path: 'docs//x' }, /path: /],
    ['a dot segment', { owner: 'o', repo: 'r', path: './README.md' }, /path: /],
    ['a control character', { owner: 'o', repo: 'r', path: 'a\nb' }, /path: /],
    ['an owner of ".."', { owner: '..', repo: 'r' }, /owner: a GitHub user or organisation name/],
    ['an owner with a slash', { owner: 'a/b', repo: 'r' }, /owner: /],
    ['a repo of ".."', { owner: 'o', repo: '..' }, /repo: a GitHub repository name/],
    ['a repo with a slash', { owner: 'o', repo: 'r/../../x' }, /repo: /],
    ['a parent ref', { owner: 'o', repo: 'r', ref: '../main' }, /ref: a branch, tag or commit SHA/],
    ['a missing owner', { repo: 'r' }, /owner: /],
    ['a wrong type', { owner: 'o', repo: 7 }, /repo: /],
  ])('refuses get_file with %s and calls nothing', async (_label, args, message) => {
    const { registry, client } = registryFor({});
    const statuses: string[] = [];
    const [outcome] = registry.runCalls([{ id: 'x', name: 'get_file', arguments: JSON.stringify(args) }], web, (s) => statuses.push(s));
    const result = await outcome!;
    expect(result.ok).toBe(false);
    expect(errorOf(result.content)).toMatch(/^invalid arguments for get_file: /);
    expect(errorOf(result.content)).toMatch(message);
    expect(client.getFile).not.toHaveBeenCalled();
    expect(statuses).toEqual([]);
  });

  it('refuses malformed calls: unknown tool, bad JSON, a non-object', async () => {
    const { registry } = registryFor({});
    expect(errorOf((await registry.run('rm_rf', '{}', web)).content)).toBe('unknown tool "rm_rf"');
    expect(errorOf((await registry.run('get_file', '{"owner":', web)).content)).toBe('arguments for get_file are not valid JSON');
    expect(errorOf((await registry.run('get_file', '["o","r"]', web)).content)).toBe('arguments for get_file must be a JSON object');
    expect(errorOf((await registry.run('search_repositories', '{"query":"  "}', web)).content)).toMatch(/^invalid arguments for search_repositories: query: /);
  });

  it('refuses create_issue where writes are off, outside the allow-list, and when the channel lacks the tool', async () => {
    const offByDefault = registryFor({ GITHUB_TOKEN: 'ghp_x', GITHUB_WRITE_REPOS: 'MCERQUA/echo2' });
    const call = '{"owner":"MCERQUA","repo":"echo2","title":"Test from AI"}';
    const off = await offByDefault.registry.run('create_issue', call, web);
    expect(off).toMatchObject({ ok: false, refused: true });
    expect(errorOf(off.content)).toBe('refused: create_issue changes data and is not enabled on the web channel; write tools are off unless the operator enables them');

    const { registry, client } = registryFor(writeEnv);
    const elsewhere = await registry.run('create_issue', '{"owner":"other","repo":"repo","title":"x"}', web);
    expect(elsewhere).toMatchObject({ ok: false, refused: true });
    expect(errorOf(elsewhere.content)).toMatch(/^refused: other\/repo is not on this gateway's list of repositories that tools may change/);
    expect(errorOf((await registry.run('create_issue', call, api)).content)).toMatch(/not enabled on the api channel/);
    expect(errorOf((await registry.run('get_file', '{"owner":"o","repo":"r"}', api)).content)).toBe('refused: get_file is not enabled on the api channel');
    expect(client.createIssue).not.toHaveBeenCalled();
    expect(client.getFile).not.toHaveBeenCalled();

    const allowed = await registry.run('create_issue', '{"owner":"mcerqua","repo":"ECHO2","title":"Test from AI"}', web);
    expect(allowed.ok).toBe(true);
    expect(client.createIssue).toHaveBeenCalledWith({ owner: 'mcerqua', repo: 'ECHO2', title: 'Test from AI' }, undefined);
  });

  it('runs one round concurrently and keeps results in call order', async () => {
    const { registry } = registryFor({});
    const started: string[] = [];
    const gates = new Map<string, () => void>();
    registry.register<{ id: string }>({
      spec: { name: 'slow', description: '', parameters: {} },
      writes: false,
      status: ({ id }) => `Working on ${id}…`,
      run: ({ id }) => {
        started.push(id);
        return new Promise((resolve) => gates.set(id, () => resolve(`done ${id}`)));
      },
    });
    const statuses: string[] = [];
    const results = registry.runCalls(['1', '2', '3'].map((id) => ({ id, name: 'slow', arguments: JSON.stringify({ id }) })), web, (s) => statuses.push(s));
    expect(statuses).toEqual(['Working on 1…', 'Working on 2…', 'Working on 3…']);
    // all three are running before any has finished
    expect(started).toEqual(['1', '2', '3']);
    gates.get('3')!();
    gates.get('1')!();
    gates.get('2')!();
    expect((await Promise.all(results)).map((r) => r.content)).toEqual(['done 1', 'done 2', 'done 3']);
  });

  it('answers calls past the per-round limit with an error, and caps long results', async () => {
    const { registry, client } = registryFor({});
    const calls = Array.from({ length: 5 }, (_, i) => ({ id: `c${i}`, name: 'search_repositories', arguments: `{"query":"q${i}"}` }));
    const outcomes = await Promise.all(registry.runCalls(calls, web, () => undefined));
    expect(outcomes.map((o) => o.ok)).toEqual([true, true, true, false, false]);
    expect(errorOf(outcomes[3]!.content)).toMatch(/^too many tool calls in one round \(at most 3\)/);
    expect(client.searchRepositories).toHaveBeenCalledTimes(3);

    registry.register({ spec: { name: 'chatty', description: '', parameters: {} }, writes: false, run: async () => 'x'.repeat(5000) });
    const long = await registry.run('chatty', '{}', web);
    expect(long.content).toHaveLength(1000 + '\n[cut at 1000 of 5000 characters]'.length);
    expect(long.content.endsWith('\n[cut at 1000 of 5000 characters]')).toBe(true);
  });

  it('turns a throwing tool into an error result', async () => {
    const { registry } = registryFor({});
    registry.register({ spec: { name: 'broken', description: '', parameters: {} }, writes: false, statusText: 'Trying…', run: async () => Promise.reject(new Error('boom')) });
    expect(await registry.run('broken', '', web)).toEqual({ ok: false, content: '{"error":"boom"}' });
  });

  it('will not register a write tool that cannot name its target', () => {
    const { registry } = registryFor({});
    const unsafe: ToolProvider = { spec: { name: 'w', description: '', parameters: {} }, writes: true, run: async () => '' };
    expect(() => registry.register(unsafe)).toThrow(/must name its writeTarget/);
  });
});
