import { FakeGitHub } from './fake-github.js';

const json = (res: Response): Promise<any> => res.json();
const readme = '# echo2\n\nA chat site with memory.\n'.repeat(5);

describe('FakeGitHub', () => {
  let gh: FakeGitHub;
  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${gh.baseURL}${path}`, { headers });
  const post = (path: string, body: unknown, headers: Record<string, string> = { authorization: 'token good-token' }) =>
    fetch(`${gh.baseURL}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

  beforeAll(async () => {
    gh = await FakeGitHub.start({
      token: 'good-token',
      repos: [
        { owner: 'MCERQUA', name: 'echo2', description: 'Echo: an AI chat site', stars: 3, files: { 'README.md': readme, 'docs/setup.md': 'steps', 'src/a.ts': 'x' } },
        { owner: 'big', name: 'ai-toolkit', description: 'Tools for AI agents', stars: 900, topics: ['llm'] },
        { owner: 'other', name: 'maintainers', description: 'nothing relevant', stars: 5000 },
        { owner: 'quiet', name: 'no-issues', hasIssues: false },
      ],
    });
  });
  afterEach(() => gh.reset());
  afterAll(() => gh.close());

  it('searches by whole words, sorted by stars, in the search API shape', async () => {
    const res = await get('/search/repositories?q=AI&per_page=10');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('x-ratelimit-resource')).toBe('search');
    const body = await json(res);
    expect(body).toMatchObject({ total_count: 2, incomplete_results: false });
    expect(body.items.map((r: { full_name: string }) => r.full_name)).toEqual(['big/ai-toolkit', 'MCERQUA/echo2']);
    expect(body.items[0]).toMatchObject({
      name: 'ai-toolkit',
      html_url: 'https://github.com/big/ai-toolkit',
      description: 'Tools for AI agents',
      stargazers_count: 900,
      owner: { login: 'big' },
      default_branch: 'main',
      topics: ['llm'],
    });
    expect(gh.calls).toEqual([{ method: 'GET', path: '/search/repositories', query: { q: 'AI', per_page: '10' }, body: null, authorization: null }]);
  });

  it('answers 422 Validation Failed without q', async () => {
    const res = await get('/search/repositories');
    expect(res.status).toBe(422);
    expect(await json(res)).toMatchObject({ message: 'Validation Failed', errors: [{ field: 'q', code: 'missing' }], status: '422' });
  });

  it('serves the README base64-encoded in 60-character lines, case-insensitively by repo name', async () => {
    const res = await get('/repos/mcerqua/ECHO2/readme', { authorization: 'token good-token' });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body).toMatchObject({ type: 'file', encoding: 'base64', name: 'README.md', path: 'README.md', size: Buffer.byteLength(readme) });
    expect(body.sha).toMatch(/^[0-9a-f]{40}$/);
    const lines = (body.content as string).split('\n');
    expect(lines.slice(0, -2).every((l) => l.length === 60)).toBe(true);
    expect(lines.at(-1)).toBe('');
    expect(Buffer.from(body.content, 'base64').toString('utf8')).toBe(readme);
    expect(body.html_url).toBe('https://github.com/MCERQUA/echo2/blob/main/README.md');
    expect(gh.calls[0]!.authorization).toBe('token good-token');
  });

  it('serves a file by an encoded path, a directory as a listing, and 404s the rest', async () => {
    const file = await get('/repos/MCERQUA/echo2/contents/docs%2Fsetup.md');
    expect(Buffer.from((await json(file)).content, 'base64').toString()).toBe('steps');
    expect(gh.calls[0]!.path).toBe('/repos/MCERQUA/echo2/contents/docs/setup.md');
    const root = await json(await get('/repos/MCERQUA/echo2/contents/'));
    expect(root.map((e: { name: string; type: string }) => `${e.type}:${e.name}`)).toEqual(['file:README.md', 'dir:docs', 'dir:src']);
    const missing = await get('/repos/MCERQUA/echo2/contents/nope.md');
    expect(missing.status).toBe(404);
    expect(await json(missing)).toMatchObject({ message: 'Not Found', status: '404' });
    expect((await get('/repos/nobody/nothing/readme')).status).toBe(404);
    expect((await get('/repos/big/ai-toolkit/readme')).status).toBe(404);
    const badRef = await get('/repos/MCERQUA/echo2/readme?ref=nope');
    expect(badRef.status).toBe(404);
    expect((await json(badRef)).message).toBe('No commit found for the ref nope');
  });

  it('creates issues with 201, numbering per repository, and records the body and credential', async () => {
    const first = await post('/repos/MCERQUA/echo2/issues', { title: 'Test from AI', body: 'hello' });
    expect(first.status).toBe(201);
    expect(await json(first)).toMatchObject({ number: 1, state: 'open', title: 'Test from AI', body: 'hello', html_url: 'https://github.com/MCERQUA/echo2/issues/1' });
    const second = await post('/repos/MCERQUA/echo2/issues', { title: 'Again' });
    expect((await json(second)).number).toBe(2);
    expect(gh.issues.map((i) => `${i.owner}/${i.repo}#${i.number}`)).toEqual(['MCERQUA/echo2#1', 'MCERQUA/echo2#2']);
    expect(gh.calls[0]).toEqual({ method: 'POST', path: '/repos/MCERQUA/echo2/issues', query: {}, body: { title: 'Test from AI', body: 'hello' }, authorization: 'token good-token' });
  });

  it('refuses writes without or with a wrong credential, without a title, or with issues disabled', async () => {
    expect((await post('/repos/MCERQUA/echo2/issues', { title: 't' }, {})).status).toBe(401);
    const wrong = await post('/repos/MCERQUA/echo2/issues', { title: 't' }, { authorization: 'token wrong' });
    expect(wrong.status).toBe(401);
    expect((await json(wrong)).message).toBe('Bad credentials');
    expect((await post('/repos/MCERQUA/echo2/issues', { body: 'no title' })).status).toBe(422);
    expect((await post('/repos/quiet/no-issues/issues', { title: 't' })).status).toBe(410);
    expect(gh.issues).toEqual([]);
  });

  it('injects failures: a 500 once, and the rate-limit 403 with its headers', async () => {
    gh.failWith({ status: 500 }, { path: '/repos/MCERQUA/echo2/readme' });
    expect((await get('/repos/MCERQUA/echo2/readme')).status).toBe(500);
    expect((await get('/repos/MCERQUA/echo2/readme')).status).toBe(200);
    gh.failWith(FakeGitHub.rateLimited(1_900_000_123), { method: 'GET', times: 2 });
    const limited = await get('/search/repositories?q=ai');
    expect(limited.status).toBe(403);
    expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(limited.headers.get('x-ratelimit-reset')).toBe('1900000123');
    expect((await json(limited)).message).toMatch(/^API rate limit exceeded/);
    expect(gh.calls).toHaveLength(3);
  });

  it('holds a matching call until released while other calls are answered', async () => {
    let release!: () => void;
    gh.failWith({ heldUntil: new Promise<void>((resolve) => (release = resolve)) }, { path: '/repos/MCERQUA/echo2/readme' });
    let held: number | null = null;
    const pending = get('/repos/MCERQUA/echo2/readme').then((res) => (held = res.status));
    expect((await get('/search/repositories?q=ai')).status).toBe(200);
    expect(held).toBeNull();
    release();
    await pending;
    expect(held).toBe(200);
  });
});
