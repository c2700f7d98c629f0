import { z } from 'zod';
import { defineTool, type ToolProvider } from '../tool-provider.js';
import type { GitHubClient } from './github.client.js';
import { GitRef, Owner, Repo, RepoPath } from './github-names.js';

export const SearchRepositoriesArgs = z.object({
  query: z.string().trim().min(1).max(256).describe('keywords, optionally with GitHub qualifiers such as "language:python"'),
  limit: z.number().int().min(1).max(10).default(5).describe('how many repositories to return, 1 to 10'),
  sort: z.enum(['best-match', 'stars', 'updated']).default('best-match').describe('order of the results'),
});

export const GetFileArgs = z.object({
  owner: Owner,
  repo: Repo,
  path: RepoPath.optional(),
  ref: GitRef.optional(),
});

export const CreateIssueArgs = z.object({
  owner: Owner,
  repo: Repo,
  title: z.string().trim().min(1).max(256).describe('issue title'),
  body: z.string().max(20_000).optional().describe('issue description, Markdown'),
});

const GROUP = 'github';

/** search_repositories, get_file and create_issue on one GitHub client. */
export function githubTools(github: GitHubClient): ToolProvider[] {
  return [
    defineTool({
      name: 'search_repositories',
      description: 'Search GitHub repositories by keywords. Returns the best matches with name, description, stars, language and URL.',
      args: SearchRepositoriesArgs,
      writes: false,
      group: GROUP,
      status: ({ query }) => `Searching GitHub for "${short(query)}"…`,
      run: async (args, { signal }) => JSON.stringify(await github.searchRepositories(args, signal)),
    }),
    defineTool({
      name: 'get_file',
      description:
        "Read from a GitHub repository: its README when no path is given, otherwise the file's text or a directory's entries. Long files are cut.",
      args: GetFileArgs,
      writes: false,
      group: GROUP,
      status: ({ owner, repo, path }) => (path ? `Reading ${owner}/${repo}/${short(path)}…` : `Reading ${owner}/${repo} README…`),
      run: async (args, { signal }) => JSON.stringify(await github.getFile(args, signal)),
    }),
    defineTool({
      name: 'create_issue',
      description: 'Open a new issue in a GitHub repository. Only repositories the operator has allowed can be changed.',
      args: CreateIssueArgs,
      writes: true,
      group: GROUP,
      writeTarget: ({ owner, repo }) => `${owner}/${repo}`,
      status: ({ owner, repo }) => `Creating an issue in ${owner}/${repo}…`,
      run: async (args, { signal }) => JSON.stringify(await github.createIssue(args, signal)),
    }),
  ];
}

function short(text: string, max = 60): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
