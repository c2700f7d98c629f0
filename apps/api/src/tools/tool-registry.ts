import { Logger } from '@nestjs/common';
import type { Channel, ToolCall } from '@threadline/contracts';
import type { ToolSpec } from '@api/llm/chat-model.port.js';
import { ToolPolicy } from './tool-policy.js';
import { describeArgumentIssues, ToolError, type ToolContext, type ToolOutcome, type ToolProvider } from './tool-provider.js';

export type { ToolContext, ToolOutcome, ToolProvider } from './tool-provider.js';

export interface ToolLimits {
  /** calls past this in one round are answered with an error instead of running */
  maxCallsPerRound: number;
  /** backstop for any tool's result; built-in tools trim their own content well below it */
  maxResultChars: number;
}

type Prepared = { outcome: ToolOutcome } | { provider: ToolProvider; args: unknown; status: string };

/**
 * The tools a turn may offer and run. Every call goes through the same gate, in this
 * order: known tool, enabled on the channel, arguments parse and validate, and for write
 * tools a target on the allow-list. Whatever fails becomes an error result for the
 * model and the turn goes on. Built in ToolsModule's factory from config.
 */
export class ToolRegistry {
  private readonly logger = new Logger('tools');
  private readonly providers = new Map<string, ToolProvider>();

  constructor(
    private readonly policy: ToolPolicy,
    private readonly limits: ToolLimits,
  ) {}

  register<Args>(provider: ToolProvider<Args>): void {
    if (provider.writes && !provider.writeTarget) throw new Error(`write tool ${provider.spec.name} must name its writeTarget so policy can check it`);
    this.providers.set(provider.spec.name, provider as ToolProvider);
  }

  /** What the model is offered on a channel: only tools the policy enables there. */
  specsFor(channel: Channel): ToolSpec[] {
    return [...this.providers.values()].filter((p) => this.policy.enabled(p, channel)).map((p) => p.spec);
  }

  /** Tool families in use on some channel, for /api/health. */
  features(): string[] {
    const live = [...this.providers.values()].filter((p) => p.group && this.policy.channelsWith(p).length > 0);
    return [...new Set(live.map((p) => (p.writes ? `${p.group}_write` : `${p.group}_tools`)))];
  }

  async run(name: string, rawArguments: string, context: ToolContext): Promise<ToolOutcome> {
    return this.runCalls([{ id: 'single', name, arguments: rawArguments }], context, () => undefined)[0]!;
  }

  /**
   * Runs one round's calls concurrently. Status lines go out in call order before anything
   * starts; the returned promises (one per call, same order, never rejecting) let the caller
   * store results in call order however the calls finish.
   */
  runCalls(calls: ToolCall[], context: ToolContext, onStatus: (text: string) => void): Promise<ToolOutcome>[] {
    const prepared = calls.map((call, index) =>
      index < this.limits.maxCallsPerRound
        ? this.prepare(call, context)
        : { outcome: failure(`too many tool calls in one round (at most ${this.limits.maxCallsPerRound}); call ${call.name} again after reading these results`) },
    );
    for (const p of prepared) if ('status' in p) onStatus(p.status);
    return prepared.map((p) => ('outcome' in p ? Promise.resolve(p.outcome) : this.execute(p.provider, p.args, context)));
  }

  private prepare(call: ToolCall, context: ToolContext): Prepared {
    const provider = this.providers.get(call.name);
    if (!provider) return { outcome: failure(`unknown tool ${JSON.stringify(call.name)}`) };
    const refusal = this.policy.refusal(provider, context.channel);
    if (refusal) return this.refuse(call, context, refusal);
    let raw: unknown;
    try {
      raw = call.arguments.trim() ? JSON.parse(call.arguments) : {};
    } catch {
      return { outcome: failure(`arguments for ${call.name} are not valid JSON`) };
    }
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return { outcome: failure(`arguments for ${call.name} must be a JSON object`) };
    let args: unknown = raw;
    if (provider.args) {
      const parsed = provider.args.safeParse(raw);
      if (!parsed.success) return { outcome: failure(`invalid arguments for ${call.name}: ${describeArgumentIssues(parsed.error)}`) };
      args = parsed.data;
    }
    if (provider.writes) {
      // Checked here, against config only: the model may have been talked into any target.
      const writeRefusal = this.policy.writeRefusal(provider.writeTarget!(args));
      if (writeRefusal) return this.refuse(call, context, writeRefusal);
    }
    return { provider, args, status: provider.status?.(args) ?? provider.statusText ?? `Running ${call.name}…` };
  }

  private async execute(provider: ToolProvider, args: unknown, context: ToolContext): Promise<ToolOutcome> {
    try {
      const content = await provider.run(args, context);
      return { ok: true, content: capped(content, this.limits.maxResultChars) };
    } catch (error) {
      if (!(error instanceof ToolError)) this.logger.warn(`${provider.spec.name} failed in session ${context.sessionId}: ${(error as Error).message}`);
      return failure((error as Error).message || `${provider.spec.name} failed`);
    }
  }

  private refuse(call: ToolCall, context: ToolContext, reason: string): Prepared {
    this.logger.warn(`refused ${call.name} on ${context.channel} session ${context.sessionId}: ${reason}`);
    return { outcome: { ...failure(`refused: ${reason}`), refused: true } };
  }
}

function failure(message: string): ToolOutcome {
  return { ok: false, content: JSON.stringify({ error: message }) };
}

function capped(content: string, max: number): string {
  if (content.length <= max) return content;
  return `${content.slice(0, max)}\n[cut at ${max} of ${content.length} characters]`;
}
