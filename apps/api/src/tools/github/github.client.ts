import { Logger } from '@nestjs/common';
import { Octokit } from '@octokit/rest';
import { ToolError } from '../tool-provider.js';

export interface GitHubClientOptions {
  /** https://api.github.com, or GitHub Enterprise's https://host/api/v3 */
  baseUrl: string;
  token?: string;
  timeoutMs: number;
  /** longest file text handed to the model */
  maxContentChars: number;
  userAgent: string;
}

const SEARCH_DESCRIPTION_CHARS = 300;
const DIRECTORY_ENTRIES = 100;

type RequestOptions = { signal: AbortSignal };

/**
 * The three GitHub calls the tools make, through Octokit, with results trimmed to what a
 * model needs and every failure turned into a sentence the model can relay.
 */
export class GitHubClient {
  private readonly octokit: Octokit;

  constructor(private readonly options: GitHubClientOptions) {
    const logger = new Logger('github');
    const quiet = () => undefined;
    this.octokit = new Octokit({
      auth: options.token,
      baseUrl: options.baseUrl.replace(/\/+$/, ''),
      userAgent: options.userAgent,
      // Failures reach the model as tool results; Octokit's own console output would only be noise.
      log: { debug: quiet, info: quiet, warn: (message: string) => logger.warn(message), error: quiet },
    });
  }

  async searchRepositories(input: { query: string; limit: number; sort: 'best-match' | 'stars' | 'updated' }, signal?: AbortSignal) {
    const { data } = await this.call(`searching for "${input.query}"`, signal, (request) =>
      this.octokit.rest.search.repos({ q: input.query, per_page: input.limit, ...(input.sort === 'best-match' ? {} : { sort: input.sort, order: 'desc' as const }), request }),
    );
    return {
      query: input.query,
      total_count: data.total_count,
      repositories: data.items.slice(0, input.limit).map((r) => ({
        full_name: r.full_name,
        description: clip(r.description ?? null, SEARCH_DESCRIPTION_CHARS),
        stars: r.stargazers_count,
        language: r.language ?? null,
        url: r.html_url,
        updated_at: r.updated_at,
      })),
    };
  }

  async getFile(input: { owner: string; repo: string; path?: string; ref?: string }, signal?: AbortSignal) {
    const repository = `${input.owner}/${input.repo}`;
    const where = input.path ? `${repository}/${input.path}` : `the README of ${repository}`;
    const ref = input.ref ? { ref: input.ref } : {};
    const { data } = await this.call(`reading ${where}`, signal, (request) =>
      input.path
        ? this.octokit.rest.repos.getContent({ owner: input.owner, repo: input.repo, path: input.path, ...ref, request })
        : this.octokit.rest.repos.getReadme({ owner: input.owner, repo: input.repo, ...ref, request }),
    );
    if (Array.isArray(data)) {
      return {
        repository,
        path: input.path ?? '',
        type: 'directory',
        entries: data.slice(0, DIRECTORY_ENTRIES).map((e) => ({ name: e.name, type: e.type, path: e.path, ...(e.type === 'file' ? { size: e.size } : {}) })),
        ...(data.length > DIRECTORY_ENTRIES ? { note: `showing ${DIRECTORY_ENTRIES} of ${data.length} entries` } : {}),
      };
    }
    if (data.type !== 'file' || !('content' in data)) return { repository, path: data.path, type: data.type, note: `${data.path} is a ${data.type}, not a file` };
    if (data.encoding === 'none' || (!data.content && data.size > 0)) throw new ToolError(`${repository}/${data.path} is too large to read through the API (${data.size} bytes)`);
    const bytes = Buffer.from(data.content, 'base64');
    const base = { repository, path: data.path, ...ref, size: data.size, url: data.html_url };
    if (bytes.subarray(0, 8000).includes(0)) return { ...base, binary: true, note: 'binary file; content not shown' };
    const text = bytes.toString('utf8');
    const max = this.options.maxContentChars;
    if (text.length <= max) return { ...base, content: text };
    return { ...base, content: text.slice(0, max), truncated: true, note: `content cut at ${max} of ${text.length} characters` };
  }

  async createIssue(input: { owner: string; repo: string; title: string; body?: string }, signal?: AbortSignal) {
    const repository = `${input.owner}/${input.repo}`;
    const { data } = await this.call(`creating an issue in ${repository}`, signal, (request) =>
      this.octokit.rest.issues.create({ owner: input.owner, repo: input.repo, title: input.title, ...(input.body ? { body: input.body } : {}), request }),
    );
    return { repository, number: data.number, title: data.title, state: data.state, url: data.html_url };
  }

  private async call<T>(what: string, outer: AbortSignal | undefined, send: (request: RequestOptions) => Promise<T>): Promise<T> {
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    try {
      return await send({ signal: outer ? AbortSignal.any([outer, timeout]) : timeout });
    } catch (error) {
      if (outer?.aborted) throw error;
      if (timeout.aborted) throw new ToolError(`GitHub did not answer within ${this.options.timeoutMs / 1000}s while ${what}`);
      throw describeFailure(error, what);
    }
  }
}

interface OctokitFailure {
  status?: number;
  message?: string;
  response?: { headers?: Record<string, string | undefined>; data?: unknown };
}

/** Octokit's RequestError, read by shape: jest's module realms defeat instanceof. */
function describeFailure(error: unknown, what: string): ToolError {
  const { status, response, message } = (error ?? {}) as OctokitFailure;
  const said = (response?.data as { message?: unknown } | undefined)?.message;
  const detail = typeof said === 'string' ? said : undefined;
  const headers = response?.headers ?? {};
  if (!response) return new ToolError(`GitHub could not be reached while ${what}: ${message ?? 'network error'}`);
  if ((status === 403 || status === 429) && (headers['x-ratelimit-remaining'] === '0' || /rate limit/i.test(detail ?? ''))) {
    const reset = Number(headers['x-ratelimit-reset']);
    const when = Number.isFinite(reset) && reset > 0 ? `; it resets at ${new Date(reset * 1000).toISOString()}` : '';
    return new ToolError(`GitHub's rate limit was reached while ${what}${when}`);
  }
  if (status === 404) return new ToolError(`not found while ${what}: the repository, file or ref does not exist or is private`);
  if (status === 401) return new ToolError(`GitHub rejected the gateway's credentials while ${what}`);
  if (status !== undefined && status >= 500) return new ToolError(`GitHub failed (${status}) while ${what}; try again later`);
  return new ToolError(`GitHub refused ${what} (${status ?? 'error'}${detail ? `: ${detail}` : ''})`);
}

function clip(text: string | null, max: number): string | null {
  return text && text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
