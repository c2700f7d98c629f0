import { Injectable } from '@nestjs/common';

export interface ChannelState {
  enabled: boolean;
  reason?: string;
}

/** Which channels run and, when one is off, why: shown at boot and in /api/health. */
@Injectable()
export class ChannelRegistry {
  private readonly states = new Map<string, ChannelState>([
    ['web', { enabled: true }],
    ['api', { enabled: true }],
  ]);

  set(channel: string, state: ChannelState): void {
    this.states.set(channel, state);
  }

  snapshot(): Record<string, ChannelState> {
    return Object.fromEntries(this.states);
  }
}
