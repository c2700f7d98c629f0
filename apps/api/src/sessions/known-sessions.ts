import type { Channel } from '@threadline/contracts';
import type { SessionRow } from './session.types.js';

/** Active sessions by thread key, most recently used last; the oldest go past `max`. */
export class KnownSessions {
  private readonly rows = new Map<string, SessionRow>();

  constructor(private readonly max = 10_000) {}

  get(channel: Channel, key: string): SessionRow | undefined {
    const id = `${channel}:${key}`;
    const row = this.rows.get(id);
    if (row) {
      this.rows.delete(id);
      this.rows.set(id, row);
    }
    return row?.status === 'active' ? row : undefined;
  }

  remember(row: SessionRow): void {
    const id = `${row.channel}:${row.key}`;
    this.rows.delete(id);
    if (row.status !== 'active') return;
    this.rows.set(id, row);
    if (this.rows.size > this.max) this.rows.delete(this.rows.keys().next().value!);
  }

  forget(channel: Channel, key: string): void {
    this.rows.delete(`${channel}:${key}`);
  }
}
