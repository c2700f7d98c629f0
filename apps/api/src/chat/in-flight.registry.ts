import { Injectable } from '@nestjs/common';

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
}
