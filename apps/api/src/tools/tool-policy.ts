import { CHANNELS, type Channel } from '@threadline/contracts';
import { channelSelectors, type ToolEnv, type ToolSelector } from './tool-config.js';
import type { ToolProvider } from './tool-provider.js';

type PolicyTool = Pick<ToolProvider, 'spec' | 'writes' | 'group'>;

/**
 * Which tools each channel may use and where write tools may write. Built once from
 * validated config and never changed afterwards: nothing a model or a tool result says
 * at run time can reach it, so a README that asks for an issue in another repository
 * is refused like any other call outside the allow-list.
 */
export class ToolPolicy {
  private constructor(
    private readonly selectors: ReadonlyMap<Channel, ReadonlySet<ToolSelector>>,
    private readonly writeRepos: ReadonlySet<string>,
  ) {}

  static fromEnv(env: ToolEnv): ToolPolicy {
    const selectors = new Map(CHANNELS.map((channel) => [channel, new Set(channelSelectors(env, channel).selectors)] as const));
    return new ToolPolicy(selectors, new Set(env.GITHUB_WRITE_REPOS.map((entry) => entry.toLowerCase())));
  }

  enabled(tool: PolicyTool, channel: Channel): boolean {
    const chosen = this.selectors.get(channel);
    if (!chosen) return false;
    if (chosen.has(tool.spec.name as ToolSelector)) return true;
    if (tool.writes) return tool.group !== undefined && (chosen.has(`${tool.group}_write` as ToolSelector) || chosen.has(tool.group as ToolSelector));
    if (chosen.has('read')) return true;
    return tool.group !== undefined && (chosen.has(`${tool.group}_read` as ToolSelector) || chosen.has(tool.group as ToolSelector));
  }

  /** GitHub names are case-insensitive, so the allow-list is too. */
  mayWrite(fullName: string): boolean {
    const [owner = '', repo = ''] = fullName.toLowerCase().split('/');
    return this.writeRepos.has(`${owner}/${repo}`) || this.writeRepos.has(`${owner}/*`);
  }

  /** Why a call may not run, or null when it may. */
  refusal(tool: PolicyTool, channel: Channel): string | null {
    if (this.enabled(tool, channel)) return null;
    return tool.writes
      ? `${tool.spec.name} changes data and is not enabled on the ${channel} channel; write tools are off unless the operator enables them`
      : `${tool.spec.name} is not enabled on the ${channel} channel`;
  }

  writeRefusal(target: string): string | null {
    return this.mayWrite(target) ? null : `${target} is not on this gateway's list of repositories that tools may change; nothing was done`;
  }

  channelsWith(tool: PolicyTool): Channel[] {
    return CHANNELS.filter((channel) => this.enabled(tool, channel));
  }
}
