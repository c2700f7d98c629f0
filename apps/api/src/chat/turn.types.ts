import type { ErrorPayload, MessageDto, Usage } from '@threadline/contracts';
import type { SessionIdentity } from '@api/sessions/session.repository.js';
import type { SessionRow } from '@api/sessions/session.types.js';

/** How a channel hears about a turn while it runs. */
export interface TurnSink {
  started?(event: { turnId: string; session: SessionRow; userMessage: MessageDto; newThread: boolean }): void;
  status(text: string): void;
  delta(text: string): void;
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
}

export const NULL_SINK: TurnSink = { status: () => undefined, delta: () => undefined };
