import { Injectable } from '@nestjs/common';
import { ApiError } from '@api/common/api-error.js';

export interface InFlightTurn {
  turnId: string;
  sessionId: string;
  text: string;
}

/**
 * Answers being streamed by this instance, by thread, so a client that reconnects
 * mid-answer can be sent what it missed before the rest streams on.
 */
@Injectable()
export class InFlightRegistry {
  private readonly turns = new Map<string, InFlightTurn>();
  /** false once the instance is shutting down: new turns go to another instance */
  accepting = true;

  begin(threadKey: string, turnId: string, sessionId: string): void {
    this.turns.set(threadKey, { turnId, sessionId, text: '' });
  }

  append(threadKey: string, text: string): void {
    const turn = this.turns.get(threadKey);
    if (turn) turn.text += text;
  }

  get(threadKey: string): InFlightTurn | null {
    return this.turns.get(threadKey) ?? null;
  }

  end(threadKey: string, turnId: string): void {
    if (this.turns.get(threadKey)?.turnId === turnId) this.turns.delete(threadKey);
  }

  /**
   * Counts a whole turn, lock wait and release included, so shutdown can wait for it. A
   * draining instance takes no new ones: the client retries and lands on another instance.
   */
  async track<T>(work: () => Promise<T>): Promise<T> {
    if (!this.accepting) throw new ApiError('unavailable', 'this instance is restarting; please retry', { 'retry-after': '1' });
    this.active++;
    try {
      return await work();
    } finally {
      this.settled();
    }
  }

  private settled(): void {
    if (--this.active === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  /** Work a turn left running after its reply (its lock release): counted until it settles. */
  settleLater(work: Promise<unknown>): void {
    this.active++;
    void work.catch(() => undefined).finally(() => this.settled());
  }

  /** turns running on this instance, from lock request to lock release */
  get size(): number {
    return this.active;
  }

  /** Resolves when no turn is running here any more, or after `timeoutMs`; true when drained. */
  whenIdle(timeoutMs: number): Promise<boolean> {
    if (this.active === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.idleWaiters.push(() => (clearTimeout(timer), resolve(true)));
    });
  }

  private readonly idleWaiters: Array<() => void> = [];
  private active = 0;
}
