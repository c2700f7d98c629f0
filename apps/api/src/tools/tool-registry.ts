import { Injectable } from '@nestjs/common';
import type { Channel } from '@threadline/contracts';
import type { ToolSpec } from '@api/llm/chat-model.port.js';

export interface ToolContext {
  channel: Channel;
  sessionId: string;
  signal?: AbortSignal;
}

export interface ToolProvider {
  readonly spec: ToolSpec;
  /** shown to the user while the tool runs, e.g. "Searching GitHub…" */
  readonly statusText: string;
  /** write tools are off unless policy enables them */
  readonly writes: boolean;
  run(args: unknown, context: ToolContext): Promise<string>;
}

export interface ToolOutcome {
  content: string;
  ok: boolean;
}

/** The tools a turn may offer the model, per channel. Providers register themselves. */
@Injectable()
export class ToolRegistry {
  private readonly providers = new Map<string, ToolProvider>();

  register(provider: ToolProvider): void {
    this.providers.set(provider.spec.name, provider);
  }

  specsFor(_channel: Channel): ToolSpec[] {
    return [...this.providers.values()].map((p) => p.spec);
  }

  statusFor(name: string): string {
    return this.providers.get(name)?.statusText ?? `Running ${name}…`;
  }

  /** A failing or unknown tool becomes an error result for the model; the turn goes on. */
  async run(name: string, rawArguments: string, context: ToolContext): Promise<ToolOutcome> {
    const provider = this.providers.get(name);
    if (!provider) return { ok: false, content: JSON.stringify({ error: `unknown tool ${name}` }) };
    let args: unknown;
    try {
      args = rawArguments ? JSON.parse(rawArguments) : {};
    } catch {
      return { ok: false, content: JSON.stringify({ error: 'arguments are not valid JSON' }) };
    }
    try {
      return { ok: true, content: await provider.run(args, context) };
    } catch (error) {
      return { ok: false, content: JSON.stringify({ error: (error as Error).message || 'tool failed' }) };
    }
  }
}
