// A fake GitHub REST API on 127.0.0.1 with the real response shapes for the calls the
// gateway's tools make. Point Octokit's baseUrl (GITHUB_API_URL) at `baseURL`.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { listenOnFreePort } from './free-port.js';
import * as wire from './fake-github.wire.js';

export interface FakeRepo {
  owner: string;
  name: string;
  description?: string | null;
  stars?: number;
  language?: string | null;
  topics?: string[];
  defaultBranch?: string;
  /** other refs that exist (they hold the same files) */
  branches?: string[];
  /** false: creating an issue answers 410 like a repo with issues turned off */
  hasIssues?: boolean;
  /** path → content; a root README* is what GET /readme finds */
  files?: Record<string, string | Buffer>;
}

/** Every request the fake received, in order. */
export interface FakeGitHubCall {
  method: string;
  /** decoded path, e.g. /repos/octo/demo/contents/docs/a.md */
  path: string;
  query: Record<string, string>;
  body: unknown;
  authorization: string | null;
}

export type FakeGitHubFailure =
  | { status: number; body?: unknown; headers?: Record<string, string> }
  /** never answers; close() tears it down */
  | { hang: true }
  /** answered normally once the promise settles: lets a test hold one call while others proceed */
  | { heldUntil: Promise<unknown> };

export interface FakeGitHubOptions {
  /** when set, any other credential gets 401 Bad credentials */
  token?: string;
  repos?: FakeRepo[];
}

interface FailureRule {
  failure: FakeGitHubFailure;
  method?: string;
  path?: string | RegExp;
  times: number;
}

interface CreatedIssue {
  owner: string;
  repo: string;
  number: number;
  title: string;
  body: string | null;
}

const RATE_LIMIT = 5000;

export class FakeGitHub {
  readonly baseURL: string;
  readonly calls: FakeGitHubCall[] = [];
  readonly issues: CreatedIssue[] = [];
  private readonly repos = new Map<string, wire.RepoRecord>();
  private readonly failures: FailureRule[] = [];
  private readonly sockets = new Set<Socket>();
  private nextRepoId = 1_000;

  private constructor(
    private readonly server: Server,
    port: number,
    private readonly options: FakeGitHubOptions,
  ) {
    this.baseURL = `http://127.0.0.1:${port}`;
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    server.on('request', (req: IncomingMessage, res: ServerResponse) => void this.handle(req, res));
    for (const repo of options.repos ?? []) this.addRepo(repo);
  }

  static async start(options: FakeGitHubOptions = {}): Promise<FakeGitHub> {
    const server = createServer();
    const port = await listenOnFreePort(server);
    return new FakeGitHub(server, port, options);
  }

  addRepo(seed: FakeRepo): void {
    const stamp = '2025-01-15T10:00:00Z';
    this.repos.set(`${seed.owner}/${seed.name}`.toLowerCase(), {
      id: this.nextRepoId++,
      owner: seed.owner,
      name: seed.name,
      description: seed.description ?? null,
      stars: seed.stars ?? 0,
      language: seed.language ?? null,
      topics: seed.topics ?? [],
      defaultBranch: seed.defaultBranch ?? 'main',
      branches: seed.branches ?? [],
      hasIssues: seed.hasIssues ?? true,
      files: new Map(Object.entries(seed.files ?? {}).map(([p, c]) => [p, typeof c === 'string' ? Buffer.from(c, 'utf8') : c])),
      createdAt: stamp,
      updatedAt: stamp,
    });
  }

  /**
   * The next `times` requests matching method/path get this answer instead of the normal one.
   * `path` is compared with the decoded path: a string must match exactly.
   */
  failWith(failure: FakeGitHubFailure, match: { method?: string; path?: string | RegExp; times?: number } = {}): void {
    this.failures.push({ failure, method: match.method?.toUpperCase(), path: match.path, times: match.times ?? 1 });
  }

  /** GitHub's 403 for an exhausted rate limit, with its headers. */
  static rateLimited(resetEpochSeconds = 1_900_000_000): FakeGitHubFailure {
    return {
      status: 403,
      body: wire.rateLimitBody(),
      headers: { 'x-ratelimit-limit': '60', 'x-ratelimit-remaining': '0', 'x-ratelimit-used': '60', 'x-ratelimit-reset': String(resetEpochSeconds), 'x-ratelimit-resource': 'core' },
    };
  }

  /** Forgets calls, created issues and pending failures; repositories stay. */
  reset(): void {
    this.calls.length = 0;
    this.issues.length = 0;
    this.failures.length = 0;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      for (const socket of this.sockets) socket.destroy();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const raw = await readBody(req);
      const url = new URL(req.url ?? '/', 'http://fake');
      let body: unknown = null;
      if (raw) {
        try {
          body = JSON.parse(raw);
        } catch {
          return send(res, 400, wire.errorBody(400, 'Problems parsing JSON'));
        }
      }
      const call: FakeGitHubCall = {
        method: req.method ?? 'GET',
        path: safeDecode(url.pathname),
        query: Object.fromEntries(url.searchParams),
        body,
        authorization: typeof req.headers.authorization === 'string' ? req.headers.authorization : null,
      };
      this.calls.push(call);
      const failure = this.takeFailure(call);
      if (failure && 'hang' in failure) return;
      if (failure && 'heldUntil' in failure) await failure.heldUntil.catch(() => undefined);
      else if (failure) return send(res, failure.status, failure.body ?? wire.errorBody(failure.status, 'Server Error'), failure.headers);
      const credential = call.authorization?.replace(/^(token|bearer)\s+/i, '') ?? null;
      if (credential !== null && this.options.token !== undefined && credential !== this.options.token) {
        return send(res, 401, wire.errorBody(401, 'Bad credentials'));
      }
      this.route(call, credential, res);
    } catch (error) {
      send(res, 500, wire.errorBody(500, `fake-github: ${(error as Error).message}`));
    }
  }

  private route(call: FakeGitHubCall, credential: string | null, res: ServerResponse): void {
    const { method, path } = call;
    if (method === 'GET' && path === '/search/repositories') return this.search(call, res);
    const m = /^\/repos\/([^/]+)\/([^/]+)(\/.*)?$/.exec(path);
    const repo = m ? this.repos.get(`${m[1]}/${m[2]}`.toLowerCase()) : undefined;
    const rest = m?.[3] ?? '';
    if (m && !repo) return send(res, 404, wire.errorBody(404, 'Not Found', 'https://docs.github.com/rest/repos/repos#get-a-repository'));
    if (repo && method === 'GET' && rest === '/readme') return this.readme(repo, call, res);
    if (repo && method === 'GET' && (rest === '/contents' || rest.startsWith('/contents/'))) {
      return this.contents(repo, rest.slice('/contents/'.length).replace(/\/+$/, ''), call, res);
    }
    if (repo && method === 'POST' && rest === '/issues') return this.createIssue(repo, call, credential, res);
    send(res, 404, wire.errorBody(404, 'Not Found'));
  }

  private search(call: FakeGitHubCall, res: ServerResponse): void {
    const q = call.query.q?.trim();
    if (!q) return send(res, 422, wire.errorBody(422, 'Validation Failed', undefined, [{ resource: 'Search', field: 'q', code: 'missing' }]), { 'x-ratelimit-resource': 'search' });
    // Qualifiers (language:, stars:>...) are accepted and ignored; every plain term must match a word.
    const terms = q.toLowerCase().split(/\s+/).filter((t) => !t.includes(':'));
    const hits = [...this.repos.values()]
      .filter((r) => {
        const words = new Set([...`${r.name} ${r.description ?? ''}`.toLowerCase().split(/[^a-z0-9]+/), ...r.topics.map((t) => t.toLowerCase())]);
        return terms.every((t) => words.has(t));
      })
      .sort((a, b) => b.stars - a.stars || a.id - b.id);
    const perPage = Math.min(100, Math.max(1, Number(call.query.per_page ?? 30) || 30));
    const page = Math.max(1, Number(call.query.page ?? 1) || 1);
    const items = hits.slice((page - 1) * perPage, page * perPage).map((r) => wire.repository(this.baseURL, r));
    send(res, 200, { total_count: hits.length, incomplete_results: false, items }, { 'x-ratelimit-resource': 'search' });
  }

  private readme(repo: wire.RepoRecord, call: FakeGitHubCall, res: ServerResponse): void {
    const ref = this.resolveRef(repo, call, res);
    if (ref === null) return;
    const path = ['', '.github/', 'docs/'].map((dir) => [...repo.files.keys()].find((p) => p.startsWith(dir) && /^readme(\.[a-z0-9]+)?$/i.test(p.slice(dir.length)))).find(Boolean);
    if (!path) return send(res, 404, wire.errorBody(404, 'Not Found', 'https://docs.github.com/rest/repos/contents#get-a-repository-readme'));
    send(res, 200, wire.fileContent(this.baseURL, repo, path, ref));
  }

  private contents(repo: wire.RepoRecord, path: string, call: FakeGitHubCall, res: ServerResponse): void {
    const ref = this.resolveRef(repo, call, res);
    if (ref === null) return;
    if (repo.files.has(path)) return send(res, 200, wire.fileContent(this.baseURL, repo, path, ref));
    const listing = wire.directoryEntries(this.baseURL, repo, path, ref);
    if (listing.length) return send(res, 200, listing);
    send(res, 404, wire.errorBody(404, 'Not Found', 'https://docs.github.com/rest/repos/contents#get-repository-content'));
  }

  private createIssue(repo: wire.RepoRecord, call: FakeGitHubCall, credential: string | null, res: ServerResponse): void {
    if (credential === null) return send(res, 401, wire.errorBody(401, 'Requires authentication', 'https://docs.github.com/rest/issues/issues#create-an-issue'));
    if (!repo.hasIssues) return send(res, 410, wire.errorBody(410, 'Issues are disabled for this repo', 'https://docs.github.com/rest/issues/issues#create-an-issue'));
    const input = (call.body ?? {}) as { title?: unknown; body?: unknown };
    if (typeof input.title !== 'string' || !input.title.trim()) {
      return send(res, 422, wire.errorBody(422, 'Validation Failed', 'https://docs.github.com/rest/issues/issues#create-an-issue', [{ resource: 'Issue', code: 'missing_field', field: 'title' }]));
    }
    const number = this.issues.filter((i) => i.owner === repo.owner && i.repo === repo.name).length + 1;
    const body = typeof input.body === 'string' ? input.body : null;
    this.issues.push({ owner: repo.owner, repo: repo.name, number, title: input.title, body });
    send(res, 201, wire.issue(this.baseURL, repo, number, input.title, body, 'threadline-bot', new Date().toISOString()), {
      location: `${this.baseURL}/repos/${repo.owner}/${repo.name}/issues/${number}`,
    });
  }

  /** The ref query names a branch, or the default branch when absent; anything else is GitHub's 404. */
  private resolveRef(repo: wire.RepoRecord, call: FakeGitHubCall, res: ServerResponse): string | null {
    const ref = call.query.ref || repo.defaultBranch;
    if (ref === repo.defaultBranch || repo.branches.includes(ref)) return ref;
    send(res, 404, wire.errorBody(404, `No commit found for the ref ${ref}`, 'https://docs.github.com/rest/repos/contents'));
    return null;
  }

  private takeFailure(call: FakeGitHubCall): FakeGitHubFailure | null {
    const rule = this.failures.find(
      (r) => r.times > 0 && (!r.method || r.method === call.method) && (!r.path || (typeof r.path === 'string' ? r.path === call.path : r.path.test(call.path))),
    );
    if (!rule) return null;
    rule.times--;
    return rule.failure;
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'x-github-media-type': 'github.v3; format=json',
    'x-github-request-id': `FAKE:${Math.random().toString(16).slice(2, 10).toUpperCase()}`,
    'x-ratelimit-limit': String(RATE_LIMIT),
    'x-ratelimit-remaining': String(RATE_LIMIT - 1),
    'x-ratelimit-reset': '1900000000',
    'x-ratelimit-resource': 'core',
    ...headers,
    'content-length': String(Buffer.byteLength(text)),
  });
  res.end(text);
}
