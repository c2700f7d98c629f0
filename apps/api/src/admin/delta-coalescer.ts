export interface CoalescedDelta {
  sessionId: string;
  turnId: string;
  text: string;
}

/**
 * Joins the streamed pieces of one answer into at most one event per `windowMs`.
 * Staff watching a transcript do not need every token on its own, and with Redis
 * every emit on a namespace is a PUBLISH, whether or not anyone is watching.
 */
export class DeltaCoalescer {
  private readonly pending = new Map<string, CoalescedDelta & { timer: NodeJS.Timeout }>();

  constructor(
    private readonly emit: (delta: CoalescedDelta) => void,
    private readonly windowMs = 100,
  ) {}

  add(sessionId: string, turnId: string, text: string): void {
    const entry = this.pending.get(turnId);
    if (entry) {
      entry.text += text;
      return;
    }
    const timer = setTimeout(() => this.flushTurn(turnId), this.windowMs);
    timer.unref();
    this.pending.set(turnId, { sessionId, turnId, text, timer });
  }

  /** Sends what a session has buffered now, so it arrives before the stored message. */
  flushSession(sessionId: string): void {
    for (const entry of [...this.pending.values()]) if (entry.sessionId === sessionId) this.flushTurn(entry.turnId);
  }

  /** Drops everything buffered (shutdown). */
  clear(): void {
    for (const entry of this.pending.values()) clearTimeout(entry.timer);
    this.pending.clear();
  }

  private flushTurn(turnId: string): void {
    const entry = this.pending.get(turnId);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.pending.delete(turnId);
    this.emit({ sessionId: entry.sessionId, turnId: entry.turnId, text: entry.text });
  }
}
