import type { Coordination, Unsubscribe } from '@api/coordination/coordination.port.js';
import { newId } from '@api/common/ids.js';

const CHANNEL = 'admin-watchers';
/** A watching instance says so this often; one silent for EXPIRE_MS (it died) counts no more. */
const HEARTBEAT_MS = 5_000;
const EXPIRE_MS = 15_000;
/** Until the other instances have answered the start-up question, assume someone watches. */
export const STARTUP_GRACE_MS = 1_000;

interface Announcement {
  instance: string;
  watching?: boolean;
  ask?: boolean;
}

/**
 * Whether any staff member has `/admin` open on any instance. Every message of every
 * turn would otherwise be encoded, published through Redis and decoded by every
 * instance (and re-read for the list's counters) for nobody: with no one watching,
 * live events cost nothing. Instances announce when their first watcher joins and their
 * last one leaves, repeat it while watched, and a new instance asks who is watching.
 */
export class AdminWatchers {
  private readonly instance = newId();
  private readonly remote = new Map<string, number>();
  private readonly startedAt = Date.now();
  /** what we last told the others about this instance */
  private announced = false;
  private heartbeat: NodeJS.Timeout | undefined;
  private unsubscribe: Unsubscribe | undefined;

  /** `localWatchers`: staff connected to this instance (the namespace's own count). */
  constructor(
    private readonly coordination: Coordination,
    private readonly localWatchers: () => number,
    private readonly startupGraceMs = STARTUP_GRACE_MS,
  ) {}

  async start(): Promise<void> {
    this.unsubscribe = await this.coordination.subscribe(CHANNEL, (payload) => this.heard(payload as Announcement));
    this.heartbeat = setInterval(() => this.announced && this.announce(true), HEARTBEAT_MS);
    this.heartbeat.unref();
    this.send({ instance: this.instance, ask: true });
  }

  async stop(): Promise<void> {
    clearInterval(this.heartbeat);
    if (this.announced) this.announce(false);
    await this.unsubscribe?.().catch(() => undefined);
  }

  /** Someone watches here or, as last heard, on another instance. */
  get any(): boolean {
    if (this.localWatchers() > 0) return true;
    const now = Date.now();
    if (now - this.startedAt < this.startupGraceMs) return true;
    for (const [instance, until] of this.remote) {
      if (until > now) return true;
      this.remote.delete(instance);
    }
    return false;
  }

  /** A staff socket joined or left here: tell the others when this instance starts or stops being watched. */
  changed(): void {
    const watching = this.localWatchers() > 0;
    if (watching !== this.announced) this.announce(watching);
  }

  private heard(message: Announcement): void {
    if (!message || typeof message.instance !== 'string' || message.instance === this.instance) return;
    if (message.ask) {
      if (this.announced) this.announce(true);
      return;
    }
    if (message.watching) this.remote.set(message.instance, Date.now() + EXPIRE_MS);
    else this.remote.delete(message.instance);
  }

  private announce(watching: boolean): void {
    this.announced = watching;
    this.send({ instance: this.instance, watching });
  }

  private send(message: Announcement): void {
    // A lost announcement costs at most one heartbeat of missed (or needless) events.
    this.coordination.publish(CHANNEL, message).catch(() => undefined);
  }
}
