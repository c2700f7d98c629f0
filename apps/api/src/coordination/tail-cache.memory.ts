import type { TailCacheOptions } from './coordination.port.js';

interface Entry {
  /** last seq reported; out of step when `dirty` */
  seq: number;
  dirty: boolean;
  items: string[];
  expiresAt: number;
}

/** The in-process tail cache: the same rules as the Redis scripts, bounded by entry count (LRU). */
export class MemoryTailCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly maxEntries = 20_000) {}

  append(key: string, seq: number, item: string | null, options: TailCacheOptions & { read?: boolean }): string[] | null {
    const entry = this.live(key);
    const expiresAt = Date.now() + options.ttlSeconds * 1000;
    if (entry && !entry.dirty && entry.seq === seq - 1) {
      if (item !== null) {
        entry.items.push(item);
        if (entry.items.length > options.maxItems) entry.items.splice(0, entry.items.length - options.maxItems);
      }
      entry.seq = seq;
      entry.expiresAt = expiresAt;
      this.touch(key, entry);
      return options.read ? [...entry.items] : [];
    }
    this.touch(key, { seq: Math.max(seq, entry?.seq ?? 0), dirty: true, items: [], expiresAt });
    return null;
  }

  read(key: string): string[] | null {
    const entry = this.live(key);
    return entry && !entry.dirty ? [...entry.items] : null;
  }

  fill(key: string, throughSeq: number, items: string[], options: TailCacheOptions): void {
    const entry = this.live(key);
    if (entry && (!entry.dirty || entry.seq > throughSeq)) return;
    this.touch(key, { seq: throughSeq, dirty: false, items: items.slice(-options.maxItems), expiresAt: Date.now() + options.ttlSeconds * 1000 });
  }

  drop(key: string): void {
    this.entries.delete(key);
  }

  private live(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt <= Date.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  /** Moves the entry to the young end; the oldest goes when the map is full. */
  private touch(key: string, entry: Entry): void {
    this.entries.delete(key);
    this.entries.set(key, entry);
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }
}
