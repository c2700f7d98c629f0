import { BoundedMap } from '@api/common/bounded-map.js';
import type { TailCacheOptions, TailSnapshot } from './coordination.port.js';

interface Entry {
  /** last seq reported; out of step when `dirty` */
  seq: number;
  dirty: boolean;
  items: string[];
}

/** The in-process tail cache: the same rules as the Redis scripts, bounded by entry count (LRU). */
export class MemoryTailCache {
  private readonly entries: BoundedMap<Entry>;

  constructor(maxEntries = 20_000) {
    this.entries = new BoundedMap(maxEntries);
  }

  append(key: string, firstSeq: number, items: ReadonlyArray<string | null>, options: TailCacheOptions & { read?: boolean }): string[] | null {
    const entry = this.entries.get(key);
    const ttlMs = options.ttlSeconds * 1000;
    const lastSeq = firstSeq + items.length - 1;
    // No entry at seq 1 is a new thread's: in step at 0, as in the Redis script.
    const current = entry ?? (firstSeq === 1 ? { seq: 0, dirty: false, items: [] } : undefined);
    if (current && !current.dirty && current.seq === firstSeq - 1) {
      for (const item of items) if (item !== null) current.items.push(item);
      if (current.items.length > options.maxItems) current.items.splice(0, current.items.length - options.maxItems);
      current.seq = lastSeq;
      this.entries.set(key, current, ttlMs);
      return options.read ? [...current.items] : [];
    }
    this.entries.set(key, { seq: Math.max(lastSeq, entry?.seq ?? 0), dirty: true, items: [] }, ttlMs);
    return null;
  }

  read(key: string): TailSnapshot | null {
    const entry = this.entries.get(key);
    return entry && !entry.dirty ? { throughSeq: entry.seq, items: [...entry.items] } : null;
  }

  fill(key: string, throughSeq: number, items: string[], options: TailCacheOptions): void {
    const entry = this.entries.get(key);
    if (entry && (!entry.dirty || entry.seq > throughSeq)) return;
    this.entries.set(key, { seq: throughSeq, dirty: false, items: items.slice(-options.maxItems) }, options.ttlSeconds * 1000);
  }

  drop(key: string): void {
    this.entries.delete(key);
  }
}
