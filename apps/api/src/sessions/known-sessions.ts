import type { Channel } from '@threadline/contracts';
import { BoundedMap } from '@api/common/bounded-map.js';
import type { SessionRow } from './session.types.js';

/** Active sessions by thread key, the least recently used forgotten past `max`. */
export class KnownSessions {
  private readonly rows: BoundedMap<SessionRow>;

  constructor(max = 10_000) {
    this.rows = new BoundedMap(max);
  }

  get(channel: Channel, key: string): SessionRow | undefined {
    const row = this.rows.get(`${channel}:${key}`);
    return row?.status === 'active' ? row : undefined;
  }

  remember(row: SessionRow): void {
    if (row.status === 'active') this.rows.set(`${row.channel}:${row.key}`, row);
    else this.forget(row.channel, row.key);
  }

  forget(channel: Channel, key: string): void {
    this.rows.delete(`${channel}:${key}`);
  }
}
