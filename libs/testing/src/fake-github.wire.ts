// Response bodies shaped like api.github.com's, so Octokit and the gateway parse
// exactly what they would parse in production.
import { createHash } from 'node:crypto';

export const HTML_ORIGIN = 'https://github.com';
const DOCS = 'https://docs.github.com/rest';

export interface RepoRecord {
  id: number;
  owner: string;
  name: string;
  description: string | null;
  stars: number;
  language: string | null;
  topics: string[];
  defaultBranch: string;
  branches: string[];
  hasIssues: boolean;
  files: Map<string, Buffer>;
  createdAt: string;
  updatedAt: string;
}

export function errorBody(status: number, message: string, docs = DOCS, errors?: unknown[]): Record<string, unknown> {
  return { message, ...(errors ? { errors } : {}), documentation_url: docs, status: String(status) };
}

export function rateLimitBody(): Record<string, unknown> {
  return {
    message:
      "API rate limit exceeded for 127.0.0.1. (But here's the good news: Authenticated requests get a higher rate limit. Check out the documentation for more details.)",
    documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api',
  };
}

function owner(api: string, login: string, id: number) {
  return {
    login,
    id,
    node_id: nodeId('MDQ6VXNlcj', id),
    avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
    url: `${api}/users/${login}`,
    html_url: `${HTML_ORIGIN}/${login}`,
    type: 'User',
    site_admin: false,
  };
}

export function repository(api: string, r: RepoRecord) {
  const full = `${r.owner}/${r.name}`;
  return {
    id: r.id,
    node_id: nodeId('MDEwOlJlcG9zaXRvcnk', r.id),
    name: r.name,
    full_name: full,
    private: false,
    owner: owner(api, r.owner, r.id * 7),
    html_url: `${HTML_ORIGIN}/${full}`,
    description: r.description,
    fork: false,
    url: `${api}/repos/${full}`,
    created_at: r.createdAt,
    updated_at: r.updatedAt,
    pushed_at: r.updatedAt,
    homepage: null,
    size: [...r.files.values()].reduce((n, b) => n + b.length, 0),
    stargazers_count: r.stars,
    watchers_count: r.stars,
    language: r.language,
    has_issues: r.hasIssues,
    forks_count: 0,
    archived: false,
    disabled: false,
    open_issues_count: 0,
    license: null,
    topics: r.topics,
    visibility: 'public',
    forks: 0,
    open_issues: 0,
    watchers: r.stars,
    default_branch: r.defaultBranch,
    score: 1,
  };
}

/** git's blob id, as the contents API reports it */
export function blobSha(content: Buffer): string {
  return createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex');
}

/** GitHub wraps base64 at 60 characters per line, with a trailing newline. */
export function wrappedBase64(content: Buffer): string {
  const flat = content.toString('base64');
  return flat.replace(/(.{60})/g, '$1\n') + (flat.length % 60 === 0 ? '' : '\n');
}

function links(api: string, r: RepoRecord, path: string, ref: string, kind: 'blob' | 'tree', sha: string) {
  const full = `${r.owner}/${r.name}`;
  const self = `${api}/repos/${full}/contents/${path}?ref=${ref}`;
  const git = `${api}/repos/${full}/git/${kind === 'blob' ? 'blobs' : 'trees'}/${sha}`;
  const html = `${HTML_ORIGIN}/${full}/${kind}/${ref}/${path}`;
  return { url: self, html_url: html, git_url: git, _links: { self, git, html } };
}

/** GET /repos/{owner}/{repo}/contents/{file} and /readme: files above 1 MB come without content. */
export function fileContent(api: string, r: RepoRecord, path: string, ref: string) {
  const content = r.files.get(path)!;
  const sha = blobSha(content);
  const big = content.length > 1_000_000;
  return {
    type: 'file',
    encoding: big ? 'none' : 'base64',
    size: content.length,
    name: path.split('/').at(-1)!,
    path,
    content: big ? '' : wrappedBase64(content),
    sha,
    ...links(api, r, path, ref, 'blob', sha),
    download_url: `https://raw.githubusercontent.com/${r.owner}/${r.name}/${ref}/${path}`,
  };
}

/** A directory listing: the entries directly under `dir` ('' = the root). */
export function directoryEntries(api: string, r: RepoRecord, dir: string, ref: string) {
  const prefix = dir ? `${dir}/` : '';
  const entries = new Map<string, { type: 'file' | 'dir'; path: string }>();
  for (const path of r.files.keys()) {
    if (!path.startsWith(prefix)) continue;
    const [head, ...rest] = path.slice(prefix.length).split('/');
    entries.set(head!, { type: rest.length ? 'dir' : 'file', path: `${prefix}${head}` });
  }
  return [...entries.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, { type, path }]) => {
      const content = type === 'file' ? r.files.get(path)! : Buffer.from(path);
      const sha = blobSha(content);
      return {
        type,
        name,
        path,
        sha,
        size: type === 'file' ? content.length : 0,
        ...links(api, r, path, ref, type === 'file' ? 'blob' : 'tree', sha),
        download_url: type === 'file' ? `https://raw.githubusercontent.com/${r.owner}/${r.name}/${ref}/${path}` : null,
      };
    });
}

export function issue(api: string, r: RepoRecord, number: number, title: string, body: string | null, login: string, now: string) {
  const full = `${r.owner}/${r.name}`;
  const id = r.id * 1000 + number;
  return {
    id,
    node_id: nodeId('I_kwDO', id),
    url: `${api}/repos/${full}/issues/${number}`,
    repository_url: `${api}/repos/${full}`,
    labels_url: `${api}/repos/${full}/issues/${number}/labels{/name}`,
    comments_url: `${api}/repos/${full}/issues/${number}/comments`,
    events_url: `${api}/repos/${full}/issues/${number}/events`,
    html_url: `${HTML_ORIGIN}/${full}/issues/${number}`,
    number,
    state: 'open',
    title,
    body,
    user: owner(api, login, 4242),
    labels: [],
    assignee: null,
    assignees: [],
    milestone: null,
    locked: false,
    comments: 0,
    created_at: now,
    updated_at: now,
    closed_at: null,
    author_association: 'OWNER',
  };
}

function nodeId(prefix: string, id: number): string {
  return `${prefix}${Buffer.from(String(id)).toString('base64').replace(/=+$/, '')}`;
}
