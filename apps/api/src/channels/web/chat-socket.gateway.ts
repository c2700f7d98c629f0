import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import {
  CHAT_NAMESPACE,
  ChatHandshakeAuth,
  ResyncPayload,
  SendMessagePayload,
  type Ack,
  type ChatClientToServer,
  type ChatServerToClient,
  type ErrorPayload,
  type TurnStarted,
} from '@threadline/contracts';
import type { Namespace, Socket } from 'socket.io';
import { toErrorResponse } from '@api/common/error.filter.js';
import { parseInput } from '@api/common/validate.js';
import { InFlightRegistry } from '@api/chat/in-flight.registry.js';
import { SocketServer } from '@api/coordination/socket-server.js';
import { SessionEvents } from '@api/sessions/session-events.js';
import { AppConfig } from '@api/config/app-config.js';
import { WebChatService } from './web-chat.service.js';
import { WidgetOrigins } from './widget-origins.js';
import { WebTokenService } from './web-token.service.js';
import { WEB_SESSION_ID } from './web-auth.js';

type ChatSocket = Socket<ChatClientToServer, ChatServerToClient, Record<string, never>, { sessionId: string }>;
type ChatNamespace = Namespace<ChatClientToServer, ChatServerToClient, Record<string, never>, { sessionId: string }>;

export const webRoom = (sessionId: string) => `web:${sessionId}`;

/** socket.io `/chat`: the widget's live channel. Every tab of one session shares a room. */
@Injectable()
export class ChatSocketGateway implements OnModuleInit {
  private readonly logger = new Logger('chat-socket');
  private namespace!: ChatNamespace;

  constructor(
    private readonly server: SocketServer,
    private readonly tokens: WebTokenService,
    private readonly chat: WebChatService,
    private readonly events: SessionEvents,
    private readonly inFlight: InFlightRegistry,
    private readonly origins: WidgetOrigins,
    private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.server.restrictOrigins((origin, host) => this.origins.allows(origin, host));
    this.namespace = this.server.io.of(CHAT_NAMESPACE) as ChatNamespace;
    this.namespace.use((socket, next) => {
      const auth = ChatHandshakeAuth.safeParse(socket.handshake.auth);
      if (!auth.success || !WEB_SESSION_ID.test(auth.data.sessionId) || !this.tokens.verify(auth.data.sessionId, auth.data.token)) {
        return next(Object.assign(new Error('unauthorized'), { data: { code: 'unauthorized', message: 'a valid sessionId and token are required' } }));
      }
      socket.data.sessionId = auth.data.sessionId;
      next();
    });
    this.namespace.on('connection', (socket) => this.onConnection(socket));
    // Whoever ended the thread (TTL, staff, another tab), its open widgets hear it.
    this.events.on('ended', (session, by) => {
      if (session.channel !== 'web') return;
      const reason = session.status === 'active' ? 'expired' : session.status;
      this.namespace.to(webRoom(session.key)).emit('session:expired', { sessionId: session.key, reason, by });
    });
  }

  private onConnection(socket: ChatSocket): void {
    const sessionId = socket.data.sessionId;
    void socket.join(webRoom(sessionId));
    socket.on('message:send', (payload, ack) => void this.onSend(socket, payload, ack));
    socket.on('session:clear', (ack) => void this.guard(ack, async () => ({ cleared: await this.chat.clear(sessionId) })));
    socket.on('session:resync', (payload, ack) =>
      void this.guard(ack, async () => {
        const { afterSeq } = parseInput(ResyncPayload, payload ?? {}, 'payload');
        const history = await this.chat.history(sessionId, afterSeq, 1000);
        const inFlight = this.inFlight.get(`web:${sessionId}`);
        return { ...history, inFlight: inFlight ? { turnId: inFlight.turnId, text: inFlight.text } : null };
      }),
    );
  }

  private async onSend(socket: ChatSocket, payload: unknown, ack: Ack<TurnStarted> | undefined): Promise<void> {
    const sessionId = socket.data.sessionId;
    const room = this.namespace.to(webRoom(sessionId));
    let turnId: string | null = null;
    try {
      const { text, clientMessageId } = parseInput(SendMessagePayload, payload, 'payload');
      const result = await this.chat.send(sessionId, text, {
        clientMessageId,
        address: clientAddress(socket, this.config.env.TRUST_PROXY),
        sink: {
          started: ({ turnId: id, userMessage, newThread }) => {
            turnId = id;
            const started = { turnId: id, userMessage, newThread };
            room.emit('message:user', started);
            respond(ack, { ok: true, data: started });
          },
          delta: (delta) => turnId && room.emit('message:delta', { turnId, text: delta }),
          status: (status) => room.emit('status', { turnId, text: status }),
        },
      });
      if (result.command) {
        // Commands answer only the asker and are not part of the thread.
        respond(ack, { ok: true, data: { turnId: result.turnId, userMessage: null, newThread: false } });
        socket.emit('message:done', { turnId: result.turnId, message: result.assistant, usage: null, costMicros: 0 });
        return;
      }
      room.emit('message:done', { turnId: result.turnId, message: result.assistant, usage: result.usage, costMicros: result.costMicros });
      // A resend of a message already answered never reaches `started`: its ack is the earlier answer.
      respond(ack, { ok: true, data: { turnId: result.turnId, userMessage: result.userMessage, newThread: result.newThread } });
      if (result.error) room.emit('error', { ...result.error, turnId: result.turnId });
    } catch (error) {
      const payloadOut = errorPayload(error, this.logger);
      if (!respond(ack, { ok: false, error: payloadOut })) socket.emit('error', { ...payloadOut, turnId });
    }
  }

  private async guard<T>(ack: Ack<T> | undefined, work: () => Promise<T>): Promise<void> {
    try {
      respond(ack, { ok: true, data: await work() });
    } catch (error) {
      respond(ack, { ok: false, error: errorPayload(error, this.logger) });
    }
  }
}

/** Acks fire once; a second call (after `started`) is ignored. Returns whether this call answered. */
const answered = new WeakSet<object>();
function respond<T>(ack: Ack<T> | undefined, reply: Parameters<Ack<T>>[0]): boolean {
  if (typeof ack !== 'function' || answered.has(ack)) return false;
  answered.add(ack);
  ack(reply);
  return true;
}

/** Behind a trusted proxy the client is the first X-Forwarded-For hop, as for REST (fastify trustProxy). */
function clientAddress(socket: ChatSocket, trustProxy: boolean): string {
  const forwarded = socket.handshake.headers['x-forwarded-for'];
  const first = trustProxy && typeof forwarded === 'string' ? forwarded.split(',')[0]?.trim() : undefined;
  return first || socket.handshake.address;
}

function errorPayload(error: unknown, logger: Logger): ErrorPayload {
  const { status, body } = toErrorResponse(error);
  if (status >= 500 && status !== 502 && status !== 503 && status !== 504) logger.error((error as Error)?.stack ?? String(error));
  return body.error;
}
