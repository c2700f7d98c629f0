import type { ErrorPayload, MessageDto, ToolCall, Usage } from '@threadline/contracts';
import type { ToolSpec, UpstreamError } from '@api/llm/chat-model.port.js';
import type { SessionIdentity } from '@api/sessions/session.repository.js';
import type { SessionRow } from '@api/sessions/session.types.js';

/** How a channel hears about a turn while it runs. */
export interface TurnSink {
  started?(event: { turnId: string; session: SessionRow; userMessage: MessageDto; newThread: boolean }): void;
  status(text: string): void;
  /** Text as it streams. A channel without it shows only the whole answer (the turn's result). */
  delta?(text: string): void;
}

export interface TurnInput {
  identity: SessionIdentity;
  text: string;
  participant?: string | null;
  /** a client's id for this message: a resend after a reconnect is answered once */
  clientMessageId?: string | null;
  /** may run staff-only commands (`all sessions`) */
  isStaff?: boolean;
  sink: TurnSink;
  signal?: AbortSignal;
  /** a client that brings its own messages, system prompt, tools and model parameters */
  client?: ClientTurn;
}

/** A message a client sends into its thread: user text, the result of one of its own tool calls, or (history only) an answer. */
export type ClientMessage =
  | { role: 'user'; content: string }
  | { role: 'tool'; content: string; toolCallId: string }
  | { role: 'assistant'; content: string; toolCalls?: ToolCall[] };

/**
 * A turn shaped by the client (the OpenAI-compatible channel). Its messages are stored
 * in place of `text`, except those already waiting unanswered at the end of the thread
 * (a retry); `text` is then only looked at for commands.
 */
export interface ClientTurn {
  /** what the client adds now: user messages and tool results */
  messages: ClientMessage[];
  /**
   * What the client sent before them (its own copy of the history): it seeds a thread
   * that holds nothing yet (new, expired or cleared), and is ignored otherwise.
   */
  earlier?: ClientMessage[];
  /** replaces SYSTEM_PROMPT for this turn */
  systemPrompt?: string;
  /**
   * Tools defined by the client: offered instead of Threadline's, and a call to them
   * ends the turn (stored, and returned for the client to run). Undefined: the
   * channel's own tools, run by Threadline.
   */
  tools?: ToolSpec[];
  /** upstream model for this turn */
  model?: string;
  /** at most LLM_MAX_OUTPUT_TOKENS */
  maxOutputTokens?: number;
  /** further upstream request fields, already checked by the channel */
  params?: Record<string, unknown>;
}

export interface TurnResult {
  turnId: string;
  session: SessionRow;
  userMessage: MessageDto | null;
  assistant: MessageDto;
  newThread: boolean;
  /** whole turn, over every model round */
  usage: Usage | null;
  costMicros: number | null;
  /** set when the answer is partial or missing */
  error: ErrorPayload | null;
  /** the text was a command (help, session info, ...), answered without the model and not stored */
  command: string | null;
  /** the model that answered, and why it stopped (stop, length, tool_calls, ...) */
  model?: string;
  finishReason?: string | null;
  /** the upstream failure behind `error`, for channels that report it in their own terms */
  upstreamError?: UpstreamError | null;
}

/** A channel that shows nothing before the answer is whole. */
export const NULL_SINK: TurnSink = { status: () => undefined };
