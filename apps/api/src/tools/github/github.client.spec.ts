import { FakeGitHub } from '@threadline/testing';
import { GitHubClient } from './github.client.js';

const longReadme = `# echo2\n\n${'Echo remembers conversations. '.repeat(200)}`;

describe('GitHubClient against the fake GitHub REST API', () => {
  let gh: FakeGitHub;
  let client: GitHubClient;
  const make = (overrides: Partial<ConstructorParameters<typeof GitHubClient>[0]> = {}) =>
    new GitHubClient({ baseUrl: gh.baseURL, token: 'ghp_good', timeoutMs: 2000, maxContentChars: 1000, userAgent: 'threadline-test', ...overrides });

  beforeAll(async () => {
    gh = await FakeGitHub.start({
      token: 'ghp_good',
      repos: [
        { owner: 'MCERQUA', name: 'echo2', description: 'Echo: an AI chat site', stars: 3, language: 'JavaScript', files: { 'README.md': longReadme, 'docs/setup.md': 'npm start\n', 'logo.png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 13]) } },
        { owner: 'big', name: 'ai-toolkit', description: `Tools for AI agents. ${'x'.repeat(400)}`, stars: 900 },
        ...Array.from({ length: 8 }, (_, i) => ({ owner: 'many', name: `ai-${i}`, stars: i })),
      ],
    });
    client = make();
  });
  afterEach(() => gh.reset());
  afterAll(() => gh.close());

  it('searches with the token and trims each hit to what a model needs', async () => {
    const result = await client.searchRepositories({ query: 'AI', limit: 3, sort: 'stars' });
    expect(gh.calls).toEqual([
      { method: 'GET', path: '/search/repositories', query: { q: 'AI', per_page: '3', sort: 'stars', order: 'desc' }, body: null, authorization: 'token ghp_good' },
    ]);
    expect(result.total_count).toBe(10);
    expect(result.repositories).toHaveLength(3);
    expect(result.repositories[0]).toEqual({
      full_name: 'big/ai-toolkit',
      description: expect.stringMatching(/^Tools for AI agents\. x+…$/),
      stars: 900,
      language: null,
      url: 'https://github.com/big/ai-toolkit',
      updated_at: '2025-01-15T10:00:00Z',
    });
    expect(result.repositories[0]!.description).toHaveLength(300);
    expect(Object.keys(result.repositories[1]!)).toEqual(['full_name', 'description', 'stars', 'language', 'url', 'updated_at']);
  });

  it('reads the README by default, decoded and cut with a note', async () => {
    const result = await client.getFile({ owner: 'MCERQUA', repo: 'echo2' });
    expect(gh.calls.map((c) => c.path)).toEqual(['/repos/MCERQUA/echo2/readme']);
    expect(result).toMatchObject({
      repository: 'MCERQUA/echo2',
      path: 'README.md',
      size: Buffer.byteLength(longReadme),
      url: 'https://github.com/MCERQUA/echo2/blob/main/README.md',
      content: longReadme.slice(0, 1000),
      truncated: true,
      note: `content cut at 1000 of ${longReadme.length} characters`,
    });
  });

  it('reads a file at a path and ref, lists a directory, and withholds binary content', async () => {
    gh.addRepo({ owner: 'MCERQUA', name: 'echo2', branches: ['v1'], files: { 'docs/setup.md': 'npm start\n', 'logo.png': Buffer.from([0x89, 0x50, 0, 0]) } });
    expect(await client.getFile({ owner: 'MCERQUA', repo: 'echo2', path: 'docs/setup.md', ref: 'v1' })).toMatchObject({ path: 'docs/setup.md', ref: 'v1', content: 'npm start\n' });
    expect(gh.calls[0]).toMatchObject({ path: '/repos/MCERQUA/echo2/contents/docs/setup.md', query: { ref: 'v1' } });
    expect(await client.getFile({ owner: 'MCERQUA', repo: 'echo2', path: 'docs' })).toEqual({
      repository: 'MCERQUA/echo2',
      path: 'docs',
      type: 'directory',
      entries: [{ name: 'setup.md', type: 'file', path: 'docs/setup.md', size: 10 }],
    });
    const binary = await client.getFile({ owner: 'MCERQUA', repo: 'echo2', path: 'logo.png' });
    expect(binary).toMatchObject({ binary: true, note: 'binary file; content not shown' });
    expect(binary).not.toHaveProperty('content');
  });

  it('creates an issue and returns its number and URL', async () => {
    const result = await client.createIssue({ owner: 'MCERQUA', repo: 'echo2', title: 'Test from AI', body: 'Opened from chat' });
    expect(result).toEqual({ repository: 'MCERQUA/echo2', number: 1, title: 'Test from AI', state: 'open', url: 'https://github.com/MCERQUA/echo2/issues/1' });
    expect(gh.calls).toEqual([
      { method: 'POST', path: '/repos/MCERQUA/echo2/issues', query: {}, body: { title: 'Test from AI', body: 'Opened from chat' }, authorization: 'token ghp_good' },
    ]);
  });

  it('explains failures in sentences: 404, rate limit, 5xx, bad credentials, unreachable, timeout', async () => {
    await expect(client.getFile({ owner: 'nobody', repo: 'nothing' })).rejects.toThrow(
      'not found while reading the README of nobody/nothing: the repository, file or ref does not exist or is private',
    );
    gh.failWith(FakeGitHub.rateLimited(1_900_000_000));
    await expect(client.searchRepositories({ query: 'AI', limit: 5, sort: 'best-match' })).rejects.toThrow(
      `GitHub's rate limit was reached while searching for "AI"; it resets at 2030-03-17T17:46:40.000Z`,
    );
    gh.failWith({ status: 500 });
    await expect(client.createIssue({ owner: 'MCERQUA', repo: 'echo2', title: 't' })).rejects.toThrow('GitHub failed (500) while creating an issue in MCERQUA/echo2; try again later');
    await expect(make({ token: 'ghp_wrong' }).getFile({ owner: 'MCERQUA', repo: 'echo2' })).rejects.toThrow("GitHub rejected the gateway's credentials");
    await expect(make({ token: undefined }).createIssue({ owner: 'MCERQUA', repo: 'echo2', title: 't' })).rejects.toThrow(/GitHub rejected the gateway's credentials/);
    await expect(make({ baseUrl: 'http://127.0.0.1:1' }).getFile({ owner: 'MCERQUA', repo: 'echo2' })).rejects.toThrow(/^GitHub could not be reached while reading the README of MCERQUA\/echo2/);
    gh.failWith({ hang: true });
    await expect(make({ timeoutMs: 150 }).getFile({ owner: 'MCERQUA', repo: 'echo2' })).rejects.toThrow('GitHub did not answer within 0.15s while reading the README of MCERQUA/echo2');
    expect(gh.issues).toEqual([]);
  });
});
