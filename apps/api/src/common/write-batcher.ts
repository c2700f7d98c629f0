export interface WriteBatcherOptions<I, O> {
  /** statements of this batcher allowed in flight at once; writes arriving beyond that wait and go together */
  maxInFlight: number;
  /** the most writes one statement carries */
  maxBatch: number;
  /**
   * writes with the same key never share a statement (one statement cannot touch a row
   * twice), and one waits while another with its key is in flight: same-key writes land
   * in the order they were submitted
   */
  keyOf: (item: I) => string;
  /** writes every item in one statement; the results in the items' order */
  run: (items: I[]) => Promise<O[]>;
}

interface Pending<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit in the application: a write goes out at once while fewer than
 * `maxInFlight` statements are running, so a lone write waits for nothing; writes that
 * arrive while the statements are busy queue and leave together as one statement when
 * one comes back. Under load one round trip, one transaction and one commit then serve
 * many writes, which is where a database's CPU per write goes (measured in bench/README.md).
 */
export class WriteBatcher<I, O> {
  private readonly queue: Pending<I, O>[] = [];
  private inFlight = 0;
  private readonly keysInFlight = new Set<string>();

  constructor(private readonly options: WriteBatcherOptions<I, O>) {}

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.pump();
    });
  }

  /** Writes waiting for a statement (not those in flight). */
  get waiting(): number {
    return this.queue.length;
  }

  private pump(): void {
    while (this.inFlight < this.options.maxInFlight && this.queue.length > 0) {
      const batch = this.take();
      if (batch.length === 0) return;
      const keys = batch.map((p) => this.options.keyOf(p.item));
      for (const key of keys) this.keysInFlight.add(key);
      this.inFlight++;
      void this.write(batch).finally(() => {
        for (const key of keys) this.keysInFlight.delete(key);
        this.inFlight--;
        this.pump();
      });
    }
  }

  /** The oldest writes, in order, leaving for a later statement any whose key is in this one or in flight. */
  private take(): Pending<I, O>[] {
    const batch: Pending<I, O>[] = [];
    const keys = new Set<string>();
    for (let index = 0; index < this.queue.length && batch.length < this.options.maxBatch; ) {
      const pending = this.queue[index]!;
      const key = this.options.keyOf(pending.item);
      // A key seen in this pass stays blocked for the rest of it, so a later write of that key never overtakes an earlier one.
      if (keys.has(key) || this.keysInFlight.has(key)) {
        keys.add(key);
        index++;
        continue;
      }
      keys.add(key);
      batch.push(pending);
      this.queue.splice(index, 1);
    }
    return batch;
  }

  private async write(batch: Pending<I, O>[]): Promise<void> {
    try {
      const results = await this.options.run(batch.map((p) => p.item));
      batch.forEach((p, index) => p.resolve(results[index]!));
    } catch (error) {
      if (batch.length === 1) return batch[0]!.reject(error);
      // One bad write (a duplicate key, say) must not fail the writes it happened to share a
      // statement with: the statement rolled back whole, so each is tried again on its own
      // and only the bad one's caller sees the error.
      await Promise.all(batch.map((p) => this.options.run([p.item]).then(([result]) => p.resolve(result!), p.reject)));
    }
  }
}
