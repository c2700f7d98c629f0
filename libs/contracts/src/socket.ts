import { z } from 'zod';
import type { ErrorPayload } from './errors.js';
import type { MessageDto } from './messages.js';
import { MessageText } from './messages.js';
import type { SessionSummaryDto } from './admin.js';
import type { Usage } from './common.js';

/** socket.io namespaces */
export const CHAT_NAMESPACE = '/chat';
export const ADMIN_NAMESPACE = '/admin';

/** handshake `auth` of the /chat namespace */
export const ChatHandshakeAuth = z.object({ sessionId: z.string().min(1).max(64), token: z.string().min(1).max(128) });
export type ChatHandshakeAuth = z.infer<typeof ChatHandshakeAuth>;

export const SendMessagePayload = z.object({
  text: MessageText,
  /** lets a client that resends after a reconnect be answered once */
  clientMessageId: z.string().min(1).max(64).optional(),
});
export type SendMessagePayload = z.infer<typeof SendMessagePayload>;

export const ResyncPayload = z.object({ afterSeq: z.number().int().nonnegative().default(0) });
export type ResyncPayload = z.infer<typeof ResyncPayload>;

export type Ack<T> = (reply: { ok: true; data: T } | { ok: false; error: ErrorPayload }) => void;

export interface TurnStarted {
  turnId: string;
  /** null for commands (help, session info, ...), which are answered but not stored */
  userMessage: MessageDto | null;
  newThread: boolean;
}
export interface MessageDelta {
  turnId: string;
  text: string;
}
export interface MessageDone {
  turnId: string;
  message: MessageDto;
  usage: Usage | null;
  costMicros: number | null;
}
export interface ChatStatus {
  turnId: string | null;
  text: string;
}
export interface SessionEnded {
  sessionId: string;
  reason: 'expired' | 'cleared' | 'deleted';
  by: 'user' | 'staff' | 'ttl' | 'retention';
}
export interface ResyncResult {
  sessionId: string;
  status: 'active' | 'expired' | 'cleared' | 'deleted' | null;
  messages: MessageDto[];
  /** the text streamed so far of an answer still being written, if any */
  inFlight: { turnId: string; text: string } | null;
}

export interface ChatClientToServer {
  'message:send': (payload: SendMessagePayload, ack?: Ack<TurnStarted>) => void;
  'session:clear': (ack?: Ack<{ cleared: boolean }>) => void;
  'session:resync': (payload: ResyncPayload, ack: Ack<ResyncResult>) => void;
}

export interface ChatServerToClient {
  'message:user': (payload: TurnStarted) => void;
  'message:delta': (payload: MessageDelta) => void;
  'message:done': (payload: MessageDone) => void;
  status: (payload: ChatStatus) => void;
  error: (payload: ErrorPayload & { turnId?: string | null }) => void;
  'session:expired': (payload: SessionEnded) => void;
}

export interface AdminServerToClient {
  'session:created': (payload: SessionSummaryDto) => void;
  'session:updated': (payload: SessionSummaryDto) => void;
  'message:created': (payload: { sessionId: string; message: MessageDto }) => void;
  'message:delta': (payload: { sessionId: string; turnId: string; text: string }) => void;
}
// The dashboard only listens; every staff action goes through the audited REST API.
export type AdminClientToServer = Record<string, never>;
