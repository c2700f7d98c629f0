import { z } from 'zod';
import { CHANNELS, type Channel } from '@threadline/contracts';
import { isAllowListEntry } from './github/github-names.js';

/**
 * What TOOLS and TOOLS_<CHANNEL> may list (README "Tools"):
 * - `none`: no tools;
 * - `read`: every read-only tool (never a write tool);
 * - `github_read` / `github_write` / `github`: the GitHub read tools, the write tools, both;
 * - a tool's own name.
 * Write tools are enabled only by `github_write`, `github` or their name.
 */
export const TOOL_SELECTORS = ['none', 'read', 'github', 'github_read', 'github_write', 'search_repositories', 'get_file', 'create_issue'] as const;
export type ToolSelector = (typeof TOOL_SELECTORS)[number];
const WRITE_SELECTORS: ReadonlySet<string> = new Set<ToolSelector>(['github', 'github_write', 'create_issue']);

const commaList = z.string().transform((text) =>
  text
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean),
);

const selectorList = commaList.pipe(
  z.array(z.enum(TOOL_SELECTORS, { message: `a comma-separated list of tool names or groups: ${TOOL_SELECTORS.join(', ')}` })),
);

const repoAllowList = commaList.pipe(
  z.array(z.string().refine(isAllowListEntry, 'a comma-separated list of owner/repo (or owner/*)')),
);

const int = (min: number, max: number) => z.coerce.number().int().min(min, `a whole number from ${min} to ${max}`).max(max, `a whole number from ${min} to ${max}`);

type ChannelToolsKey = `TOOLS_${Uppercase<Channel>}`;
export const channelToolsKey = (channel: Channel) => `TOOLS_${channel.toUpperCase()}` as ChannelToolsKey;

const perChannel = Object.fromEntries(CHANNELS.map((channel) => [channelToolsKey(channel), selectorList.optional()])) as Record<
  ChannelToolsKey,
  z.ZodOptional<typeof selectorList>
>;

/** The environment variables of the tools capability, spread into the app's env schema. */
export const toolEnvShape = {
  /** tools for every channel without its own TOOLS_<CHANNEL> */
  TOOLS: selectorList.prefault('read'),
  ...perChannel,
  /** calls beyond this in one model round get an error result instead of running */
  TOOL_MAX_CALLS_PER_ROUND: int(1, 32).default(8),
  /** longest tool result the model sees; longer file contents are cut with a note */
  TOOL_RESULT_MAX_CHARS: int(500, 200_000).default(8000),
  GITHUB_TOKEN: z.string().min(1).optional(),
  GITHUB_API_URL: z.string().url('a URL such as https://github.example.com/api/v3').default('https://api.github.com'),
  GITHUB_TIMEOUT_MS: int(100, 120_000).default(10_000),
  /** the only repositories write tools may change */
  GITHUB_WRITE_REPOS: repoAllowList.prefault(''),
};

export type ToolEnv = z.infer<z.ZodObject<typeof toolEnvShape>>;

/** The selectors in force for a channel, and the variable they came from. */
export function channelSelectors(env: ToolEnv, channel: Channel): { variable: string; selectors: ToolSelector[] } {
  const key = channelToolsKey(channel);
  const own = env[key];
  return own ? { variable: key, selectors: own } : { variable: 'TOOLS', selectors: env.TOOLS };
}

export function enablesWrites(selectors: readonly string[]): boolean {
  return selectors.some((s) => WRITE_SELECTORS.has(s));
}

/** Enabling a write tool without saying where it may write, or with no credential, stops boot. */
export function checkToolEnv(env: ToolEnv, ctx: z.RefinementCtx): void {
  const writer = CHANNELS.map((channel) => channelSelectors(env, channel)).find(({ selectors }) => enablesWrites(selectors));
  if (!writer) return;
  if (env.GITHUB_WRITE_REPOS.length === 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['GITHUB_WRITE_REPOS'],
      message: `the repositories write tools may change (owner/repo,...) because ${writer.variable} enables create_issue`,
    });
  }
  if (!env.GITHUB_TOKEN) {
    ctx.addIssue({ code: 'custom', path: ['GITHUB_TOKEN'], message: `a GitHub token because ${writer.variable} enables create_issue` });
  }
}
