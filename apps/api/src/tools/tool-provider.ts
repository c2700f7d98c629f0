import { z } from 'zod';
import type { Channel } from '@threadline/contracts';
import type { ToolSpec } from '@api/llm/chat-model.port.js';

export interface ToolContext {
  channel: Channel;
  sessionId: string;
  signal?: AbortSignal;
}

/**
 * One tool the model may call (DESIGN §6): a name, a JSON schema of arguments, and run().
 * Arguments come from the model and are untrusted: `args` validates them before run(),
 * and a write tool names the repository it would change so policy can check it first.
 */
export interface ToolProvider<Args = unknown> {
  readonly spec: ToolSpec;
  /** changes something outside the gateway: off unless an operator enables it */
  readonly writes: boolean;
  /** family for policy groups such as `github_read` */
  readonly group?: string;
  /** validates the model's arguments; built-in tools generate spec.parameters from it */
  readonly args?: z.ZodType<Args>;
  /** shown while the tool runs when there is no status(): "Searching GitHub…" */
  readonly statusText?: string;
  /** what the user sees while this call runs, e.g. "Reading octo/demo README…" */
  status?(args: Args): string;
  /** write tools: the `owner/repo` a call would change, checked against the allow-list before run() */
  writeTarget?(args: Args): string;
  run(args: Args, context: ToolContext): Promise<string>;
}

/** What the model gets back for one call. */
export interface ToolOutcome {
  content: string;
  ok: boolean;
  /** policy said no; nothing ran */
  refused?: boolean;
}

/** A failure the tool explains itself (not found, rate limited); its message goes to the model. */
export class ToolError extends Error {
  override name = 'ToolError';
}

export interface ToolDefinition<S extends z.ZodObject> {
  name: string;
  description: string;
  args: S;
  writes: boolean;
  group?: string;
  status(args: z.output<S>): string;
  writeTarget?(args: z.output<S>): string;
  run(args: z.output<S>, context: ToolContext): Promise<string>;
}

/** A provider whose JSON schema for the model comes from the same zod schema that validates the call. */
export function defineTool<S extends z.ZodObject>(definition: ToolDefinition<S>): ToolProvider<z.output<S>> {
  const { name, description, args, ...rest } = definition;
  // io 'input': fields with defaults are optional for the model; `$schema` is noise in a tool spec.
  const { $schema: _ignored, ...parameters } = z.toJSONSchema(args, { io: 'input' }) as Record<string, unknown>;
  return { ...rest, args: args as unknown as z.ZodType<z.output<S>>, spec: { name, description, parameters: { ...parameters, additionalProperties: false } } };
}

/** "query: too short; limit: expected number" — short enough for the model to fix its call. */
export function describeArgumentIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
}
