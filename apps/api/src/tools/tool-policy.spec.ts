import { AppConfig } from '@api/config/app-config.js';
import { ToolPolicy } from './tool-policy.js';

const tool = (name: string, writes = false, group: string | null = 'github') => ({ spec: { name, description: '', parameters: {} }, writes, group: group ?? undefined });
const search = tool('search_repositories');
const getFile = tool('get_file');
const createIssue = tool('create_issue', true);
const custom = tool('lookup', false, null);
const customWrite = tool('delete_everything', true, null);

const policyFrom = (env: Record<string, string>) => ToolPolicy.fromEnv(AppConfig.fromEnv(env).env);
const writeEnv = { GITHUB_TOKEN: 'ghp_test', GITHUB_WRITE_REPOS: 'MCERQUA/echo2' };

describe('ToolPolicy', () => {
  it('by default enables every read-only tool on every channel and no write tool anywhere', () => {
    const policy = policyFrom({});
    for (const channel of ['web', 'api', 'slack', 'messenger', 'whatsapp', 'openai'] as const) {
      expect(policy.enabled(search, channel)).toBe(true);
      expect(policy.enabled(getFile, channel)).toBe(true);
      expect(policy.enabled(custom, channel)).toBe(true);
      expect(policy.enabled(createIssue, channel)).toBe(false);
      expect(policy.enabled(customWrite, channel)).toBe(false);
    }
    expect(policy.refusal(createIssue, 'web')).toMatch(/create_issue changes data and is not enabled on the web channel/);
  });

  it('an allow-list alone enables no write tool', () => {
    const policy = policyFrom(writeEnv);
    expect(policy.channelsWith(createIssue)).toEqual([]);
    expect(policy.mayWrite('MCERQUA/echo2')).toBe(true);
  });

  it('TOOLS_<CHANNEL> overrides TOOLS for that channel only', () => {
    const policy = policyFrom({ ...writeEnv, TOOLS: 'github_read', TOOLS_WEB: 'github', TOOLS_API: 'search_repositories', TOOLS_SLACK: 'none' });
    expect(policy.channelsWith(search)).toEqual(['web', 'api', 'messenger', 'whatsapp', 'openai']);
    expect(policy.channelsWith(getFile)).toEqual(['web', 'messenger', 'whatsapp', 'openai']);
    expect(policy.channelsWith(createIssue)).toEqual(['web']);
    // github_read names the GitHub family: other read tools are not part of it
    expect(policy.channelsWith(custom)).toEqual([]);
    expect(policy.refusal(getFile, 'api')).toBe('get_file is not enabled on the api channel');
  });

  it('"read" never covers a write tool; github_write, github or the name do', () => {
    expect(policyFrom({ ...writeEnv, TOOLS_WEB: 'read' }).enabled(createIssue, 'web')).toBe(false);
    expect(policyFrom({ ...writeEnv, TOOLS_WEB: 'github_write' }).enabled(createIssue, 'web')).toBe(true);
    expect(policyFrom({ ...writeEnv, TOOLS_WEB: 'github_write' }).enabled(search, 'web')).toBe(false);
    expect(policyFrom({ ...writeEnv, TOOLS_WEB: 'read, create_issue' }).enabled(createIssue, 'web')).toBe(true);
    // a write tool outside any group can only be enabled by a name config accepts, which it is not
    expect(policyFrom({ ...writeEnv, TOOLS: 'github,read' }).enabled(customWrite, 'web')).toBe(false);
  });

  it('matches the write allow-list case-insensitively, exactly, or by owner/*', () => {
    const policy = policyFrom({ GITHUB_WRITE_REPOS: 'MCERQUA/echo2, acme/*' });
    expect(policy.mayWrite('mcerqua/ECHO2')).toBe(true);
    expect(policy.mayWrite('MCERQUA/echo3')).toBe(false);
    expect(policy.mayWrite('other/echo2')).toBe(false);
    expect(policy.mayWrite('ACME/anything')).toBe(true);
    expect(policy.writeRefusal('other/repo')).toMatch(/other\/repo is not on this gateway's list of repositories/);
    expect(policyFrom({}).mayWrite('MCERQUA/echo2')).toBe(false);
  });
});

describe('tool settings', () => {
  const bootError = (env: Record<string, string>) => {
    try {
      AppConfig.fromEnv(env);
    } catch (error) {
      return (error as Error).message;
    }
    return null;
  };

  it('rejects an unknown tool or group, naming the variable', () => {
    expect(bootError({ TOOLS_WEB: 'github_read,delete_repo' })).toMatch(/^Invalid configuration: TOOLS_WEB must be a comma-separated list of tool names or groups: none, read, github,/);
  });

  it('stops boot when a write tool is enabled without an allow-list or a token', () => {
    expect(bootError({ TOOLS_WEB: 'github', GITHUB_TOKEN: 'ghp_x' })).toBe(
      'Invalid configuration: GITHUB_WRITE_REPOS must be the repositories write tools may change (owner/repo,...) because TOOLS_WEB enables create_issue (got nothing)',
    );
    expect(bootError({ TOOLS: 'read,create_issue', GITHUB_WRITE_REPOS: 'a/b' })).toBe(
      'Invalid configuration: GITHUB_TOKEN must be a GitHub token because TOOLS enables create_issue (got nothing)',
    );
    expect(bootError({ TOOLS_API: 'github', ...writeEnv })).toBeNull();
  });

  it('rejects allow-list entries that are not owner/repo', () => {
    for (const entry of ['echo2', 'a/b/c', '../x', 'a/..', '-a/b', 'a/b c', '*/*']) {
      expect(bootError({ GITHUB_WRITE_REPOS: entry })).toMatch(/^Invalid configuration: GITHUB_WRITE_REPOS must be a comma-separated list of owner\/repo/);
    }
  });

  it('defaults to api.github.com and reads GITHUB_API_URL for Enterprise', () => {
    expect(AppConfig.fromEnv({}).env.GITHUB_API_URL).toBe('https://api.github.com');
    expect(AppConfig.fromEnv({ GITHUB_API_URL: 'https://ghe.example.com/api/v3' }).env.GITHUB_API_URL).toBe('https://ghe.example.com/api/v3');
    expect(bootError({ GITHUB_API_URL: 'not a url' })).toMatch(/^Invalid configuration: GITHUB_API_URL must be a URL/);
  });
});
