import { EventEmitter } from 'node:events';
import { Injectable } from '@nestjs/common';
import type { Channel, MessageDto, Usage } from '@threadline/contracts';
import type { EndedBy, SessionRow } from './session.types.js';

/** What one turn cost and how long it took, for metrics. */
export interface TurnSample {
  channel: Channel;
  status: 'complete' | 'partial' | 'error';
  model: string;
  durationMs: number;
  usage: Usage | null;
  costMicros: number | null;
  upstream: Array<{ durationMs: number; firstTokenMs: number | null; outcome: 'ok' | string }>;
}

export interface SessionEventMap {
  created: [session: SessionRow];
  updated: [session: SessionRow];
  ended: [session: SessionRow, by: EndedBy];
  message: [session: SessionRow | { id: string }, message: MessageDto];
  delta: [sessionId: string, turnId: string, text: string];
  turn: [sample: TurnSample];
}

/**
 * What happened to sessions, for whoever shows it live (widget rooms, the /admin
 * namespace). Local only: socket.io's adapter carries the resulting emits across instances.
 */
@Injectable()
export class SessionEvents extends EventEmitter<SessionEventMap> {
  private readonly deltaAudiences: Array<() => boolean> = [];

  constructor() {
    super();
    this.setMaxListeners(50);
  }

  /** `watching`: whether this listener to 'delta' shows answers as they stream right now (staff in /admin). */
  addDeltaAudience(watching: () => boolean): void {
    this.deltaAudiences.push(watching);
  }

  /** Someone beyond a turn's own channel sees its answer stream: the model must stream it. */
  get deltasWatched(): boolean {
    return this.deltaAudiences.some((watching) => watching());
  }
}
