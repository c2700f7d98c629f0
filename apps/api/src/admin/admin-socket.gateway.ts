import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { ADMIN_NAMESPACE, type AdminClientToServer, type AdminServerToClient } from '@threadline/contracts';
import type { Namespace } from 'socket.io';
import { ApiError } from '@api/common/api-error.js';
import { AppConfig } from '@api/config/app-config.js';
import { Coordination } from '@api/coordination/coordination.port.js';
import { SocketServer } from '@api/coordination/socket-server.js';
import { SessionEvents } from '@api/sessions/session-events.js';
import { SessionRepository } from '@api/sessions/session.repository.js';
import { toSessionSummary } from '@api/sessions/session.types.js';
import { resolveStaff } from './admin.guard.js';
import { AdminWatchers } from './admin-watchers.js';
import { AuthFailureLimiter } from './auth-failure-limiter.js';
import { DeltaCoalescer } from './delta-coalescer.js';
import { STAFF_COOKIE, StaffAuthService } from './staff-auth.service.js';

const REFRESH_MS = 200;

/** socket.io `/admin`: staff watch sessions and messages as they happen. */
@Injectable()
export class AdminSocketGateway implements OnModuleInit, OnApplicationShutdown {
  private namespace!: Namespace<AdminClientToServer, AdminServerToClient>;
  private readonly refreshTimers = new Map<string, NodeJS.Timeout>();
  private readonly deltas = new DeltaCoalescer((delta) => this.namespace.volatile.emit('message:delta', delta));
  private readonly watchers: AdminWatchers;

  constructor(
    private readonly server: SocketServer,
    private readonly staff: StaffAuthService,
    private readonly config: AppConfig,
    private readonly events: SessionEvents,
    private readonly repo: SessionRepository,
    private readonly limiter: AuthFailureLimiter,
    coordination: Coordination,
  ) {
    this.watchers = new AdminWatchers(coordination, () => this.namespace?.sockets.size ?? 0);
  }

  async onModuleInit(): Promise<void> {
    this.namespace = this.server.io.of(ADMIN_NAMESPACE);
    this.namespace.use((socket, next) => {
      const token = typeof socket.handshake.auth?.token === 'string' ? `Bearer ${socket.handshake.auth.token}` : undefined;
      const cookie = parseCookie(socket.handshake.headers.cookie ?? '')[STAFF_COOKIE];
      const address = handshakeAddress(socket.handshake, this.config.env.TRUST_PROXY);
      resolveStaff({ authorization: token, cookie, address }, this.staff, this.config, this.limiter).then(
        (principal) => (principal ? next() : next(Object.assign(new Error('unauthorized'), { data: { code: 'unauthorized', message: 'log in first' } }))),
        (error: unknown) =>
          error instanceof ApiError && error.code === 'rate_limited'
            ? next(Object.assign(new Error('rate_limited'), { data: { code: 'rate_limited', message: error.message } }))
            : next(new Error('unavailable')),
      );
    });
    // The namespace counts its sockets (a leaving one is gone from it before `disconnect`).
    this.namespace.on('connection', (socket) => {
      this.watchers.changed();
      socket.once('disconnect', () => this.watchers.changed());
    });
    // Nobody watching anywhere: nothing to encode, publish or re-read.
    this.events.on('created', (session) => this.watchers.any && this.namespace.emit('session:created', toSessionSummary(session)));
    this.events.on('updated', (session) => this.watchers.any && this.namespace.emit('session:updated', toSessionSummary(session)));
    this.events.on('message', (session, message) => {
      if (!this.watchers.any) return;
      this.deltas.flushSession(session.id);
      this.namespace.emit('message:created', { sessionId: session.id, message });
      this.refreshSoon(session.id);
    });
    this.events.on('delta', (sessionId, turnId, text) => this.watchers.any && this.deltas.add(sessionId, turnId, text));
    this.events.addDeltaAudience(() => this.watchers.any);
    await this.watchers.start();
  }

  async onApplicationShutdown(): Promise<void> {
    // A refresh firing (or finishing) after the database and Redis closed would fail on closed clients.
    this.closed = true;
    this.deltas.clear();
    for (const timer of this.refreshTimers.values()) clearTimeout(timer);
    this.refreshTimers.clear();
    await this.watchers.stop();
  }

  private closed = false;

  /** Counters and cost change with every message; one re-read per burst keeps the list current off the turn's path. */
  private refreshSoon(sessionId: string): void {
    if (this.refreshTimers.has(sessionId)) return;
    const timer = setTimeout(() => {
      this.refreshTimers.delete(sessionId);
      void this.repo
        .findById(sessionId)
        .then((row) => row && !this.closed && this.namespace.emit('session:updated', toSessionSummary(row)))
        .catch(() => undefined);
    }, REFRESH_MS);
    timer.unref();
    this.refreshTimers.set(sessionId, timer);
  }
}

/** Behind a trusted proxy the client is the first X-Forwarded-For hop, as for REST (fastify trustProxy). */
function handshakeAddress(handshake: { address: string; headers: Record<string, string | string[] | undefined> }, trustProxy: boolean): string {
  const forwarded = handshake.headers['x-forwarded-for'];
  const first = trustProxy && typeof forwarded === 'string' ? forwarded.split(',')[0]?.trim() : undefined;
  return first || handshake.address;
}

function parseCookie(header: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of header.split(';')) {
    const at = part.indexOf('=');
    if (at <= 0) continue;
    // A malformed escape is no cookie of ours; decodeURIComponent would throw, and a throw here would bring the process down.
    try {
      out[part.slice(0, at).trim()] = decodeURIComponent(part.slice(at + 1).trim());
    } catch {
      /* skipped */
    }
  }
  return out;
}
