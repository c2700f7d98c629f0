/**
 * An in-process map that cannot grow without bound: entries may expire, and past
 * `maxEntries` the least recently used goes. Every per-key cache and counter kept in
 * one process uses it, so a long-lived instance's memory stays flat however many
 * sessions, keys, addresses or rate windows it has seen.
 */
export class BoundedMap<V> {
  private readonly entries = new Map<string, { value: V; expiresAt: number }>();

  constructor(private readonly maxEntries: number) {}

  /** The live value (refreshed as most recently used), or undefined. */
  get(key: string, now = Date.now()): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (entry.expiresAt <= now) return undefined;
    this.entries.set(key, entry);
    return entry.value;
  }

  /** `ttlMs` omitted: kept until evicted or deleted. */
  set(key: string, value: V, ttlMs = Infinity, now = Date.now()): void {
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAt: now + ttlMs });
    // The least recently used goes: O(1), and an entry nobody reads again ages to the front.
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  /**
   * The value under `key`, or `load()`'s, shared while in flight: a burst of callers
   * that find no entry (as when one lapses under load) makes one load, not one each.
   * A failed load is not kept, so the next caller tries again.
   */
  getOrLoad<T>(this: BoundedMap<Promise<T>>, key: string, ttlMs: number, load: () => Promise<T>): Promise<T> {
    const known = this.get(key);
    if (known) return known;
    const loading = load();
    this.set(key, loading, ttlMs);
    loading.catch(() => {
      if (this.entries.get(key)?.value === loading) this.entries.delete(key);
    });
    return loading;
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
