import { z } from 'zod';
import { ID_CONTROL_CHARS } from '@api/common/validate.js';

// GitHub's own rules. Anything looser would let a model-made name such as ".." or
// "a/../../x" reach the URL, where fetch normalises it into a different endpoint.

/** user and organisation logins: letters, digits, single inner hyphens, at most 39 */
export const OWNER_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;
/** repository names: letters, digits, ".", "_", "-", at most 100, never "." or ".." */
export const REPO_PATTERN = /^(?!\.{1,2}$)[A-Za-z0-9._-]{1,100}$/;

export const Owner = z.string().regex(OWNER_PATTERN, 'a GitHub user or organisation name (letters, digits and single hyphens)').describe('repository owner, e.g. "octocat"');
export const Repo = z.string().regex(REPO_PATTERN, 'a GitHub repository name (letters, digits, ".", "_" or "-")').describe('repository name without the owner, e.g. "hello-world"');

/** A path inside a repository: relative, "/"-separated, no "." or ".." segments, no control characters. */
export const RepoPath = z
  .string()
  .min(1)
  .max(1024)
  .refine((path) => safeRepoPath(path), 'a relative path inside the repository such as "docs/setup.md" (no "..", no leading "/")')
  .describe('file or directory path inside the repository, e.g. "docs/setup.md"; omit for the README');

/** Branch, tag or commit: git's ref charset, without "..", "//" or a leading "/" or "-". */
export const GitRef = z
  .string()
  .min(1)
  .max(255)
  .regex(/^(?![/-])(?!.*\.\.)(?!.*\/\/)(?!.*[/.]$)[A-Za-z0-9._/-]+$/, 'a branch, tag or commit SHA')
  .describe('branch, tag or commit SHA; omit for the default branch');

export function safeRepoPath(path: string): boolean {
  if (path.startsWith('/') || path.includes('\\') || ID_CONTROL_CHARS.test(path)) return false;
  return path.split('/').every((segment) => segment.length > 0 && segment !== '.' && segment !== '..');
}

/** `owner/repo` (or `owner/*` for every repository of an owner), as an allow-list entry. */
export function isAllowListEntry(entry: string): boolean {
  const [owner, repo, ...rest] = entry.split('/');
  return rest.length === 0 && OWNER_PATTERN.test(owner ?? '') && (repo === '*' || REPO_PATTERN.test(repo ?? ''));
}
