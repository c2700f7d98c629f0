import type { Server as HttpServer } from 'node:http';
import { createAdapter } from '@socket.io/redis-adapter';
import { Server } from 'socket.io';
import type { Coordination } from './coordination.port.js';
import { RedisCoordination } from './redis.coordination.js';

/** Whether a browser page on `origin` may open a socket; `host` is the Host header (same-origin pages). */
export type OriginCheck = (origin: string | undefined, host: string | undefined) => boolean;

/**
 * The one socket.io server on the api's HTTP port. Channels and admin each add a
 * namespace. With Redis, rooms span instances through @socket.io/redis-adapter.
 */
export class SocketServer {
  private constructor(
    readonly io: Server,
    private readonly access: { check: OriginCheck },
  ) {}

  static async attach(httpServer: HttpServer, coordination: Coordination): Promise<SocketServer> {
    const redis = coordination instanceof RedisCoordination ? coordination : null;
    // Open until a channel restricts it (the web channel, from WIDGET_ALLOWED_ORIGINS).
    const access: { check: OriginCheck } = { check: () => true };
    const io = new Server(httpServer, {
      serveClient: false,
      // Checked at the handshake, so a refused page gets no socket at all; CORS headers for polling follow the same rule.
      allowRequest: (req, callback) => callback(null, access.check(req.headers.origin, req.headers.host)),
      cors: { origin: (origin, callback) => callback(null, origin ? access.check(origin, undefined) : false), credentials: false },
      maxHttpBufferSize: 64 * 1024,
      pingInterval: 20_000,
      pingTimeout: 20_000,
      // Recovery replays missed packets from this process's memory; across instances
      // (Redis) the client's resync call does that job instead.
      ...(redis ? {} : { connectionStateRecovery: { maxDisconnectionDuration: 2 * 60_000, skipMiddlewares: false } }),
    });
    if (redis) {
      const pub = redis.client.duplicate();
      const sub = redis.client.duplicate();
      pub.on('error', () => undefined);
      sub.on('error', () => undefined);
      // The adapter publishes without awaiting: while Redis is away each emit would be an
      // unhandled rejection, which ends the process. A missed live event is resynced by clients.
      for (const method of ['publish', 'sPublish'] as const) {
        const send = pub[method].bind(pub) as (...args: unknown[]) => Promise<number>;
        (pub as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => send(...args).catch(() => 0);
      }
      await Promise.all([pub.connect(), sub.connect()]);
      io.adapter(createAdapter(pub, sub, { key: `${redis.prefixForAdapter}socket.io` }));
      const closeIo = io.close.bind(io);
      io.close = (fn) => closeIo((err) => void Promise.allSettled([pub.close(), sub.close()]).then(() => fn?.(err)));
    }
    return new SocketServer(io, access);
  }

  restrictOrigins(check: OriginCheck): void {
    this.access.check = check;
  }

  /**
   * Drops every client's transport without saying goodbye at the socket.io level: the
   * clients see "transport close" and reconnect with backoff (to another instance
   * behind the load balancer), where a namespace disconnect would make them give up.
   */
  dropConnectionsForReconnect(): void {
    this.io.engine.close();
  }

  async close(): Promise<void> {
    this.dropConnectionsForReconnect();
    await new Promise<void>((resolve) => this.io.close(() => resolve()));
  }
}
