import { Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { InFlightRegistry } from '@api/chat/in-flight.registry.js';
import { AppConfig } from '@api/config/app-config.js';
import { SocketServer } from '@api/coordination/socket-server.js';

/**
 * SIGTERM: stop taking work (health says 503 so the load balancer moves on, new turns
 * are refused with a retryable 503), let the answers already streaming finish, then
 * drop socket transports so widgets reconnect elsewhere. Nest closes HTTP afterwards.
 */
@Injectable()
export class ShutdownService implements BeforeApplicationShutdown {
  private readonly logger = new Logger('shutdown');
  get draining(): boolean {
    return !this.inFlight.accepting;
  }

  constructor(
    private readonly inFlight: InFlightRegistry,
    private readonly sockets: SocketServer,
    private readonly config: AppConfig,
  ) {}

  async beforeApplicationShutdown(signal?: string): Promise<void> {
    this.inFlight.accepting = false;
    if (this.inFlight.size > 0) this.logger.log(`${signal ?? 'shutdown'}: finishing ${this.inFlight.size} answer(s) in flight`);
    const drained = await this.inFlight.whenIdle(this.config.env.SHUTDOWN_GRACE_MS);
    if (!drained) this.logger.warn(`gave up waiting for ${this.inFlight.size} answer(s); their user messages are stored and partial text is kept`);
    // A finished turn hands its result to the channel in the microtasks that follow;
    // one macrotask later every `message:done` has been written to its socket.
    await new Promise((resolve) => setImmediate(resolve));
    this.sockets.dropConnectionsForReconnect();
  }
}
