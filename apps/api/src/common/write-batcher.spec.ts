import { WriteBatcher } from './write-batcher.js';

interface Write {
  key: string;
  value: string;
}

/** A store whose statements finish only when the test says so. */
function harness(options: { maxInFlight?: number; maxBatch?: number; failWhen?: (items: Write[]) => boolean } = {}) {
  const statements: Array<{ items: Write[]; finish: () => void }> = [];
  const batcher = new WriteBatcher<Write, string>({
    maxInFlight: options.maxInFlight ?? 1,
    maxBatch: options.maxBatch ?? 10,
    keyOf: (write) => write.key,
    run: (items) =>
      new Promise((resolve, reject) => {
        statements.push({
          items,
          finish: () => (options.failWhen?.(items) ? reject(new Error(`statement of ${items.map((i) => i.value)} failed`)) : resolve(items.map((i) => `stored ${i.value}`))),
        });
      }),
  });
  const sent = () => statements.map((s) => s.items.map((i) => i.value));
  const settle = () => new Promise((resolve) => setImmediate(resolve));
  return { batcher, statements, sent, settle };
}

const write = (key: string, value = key): Write => ({ key, value });

describe('WriteBatcher', () => {
  it('sends a lone write at once, in its own statement', async () => {
    const { batcher, statements, sent } = harness();
    const stored = batcher.submit(write('a'));
    expect(sent()).toEqual([['a']]);
    statements[0]!.finish();
    await expect(stored).resolves.toBe('stored a');
  });

  it('writes that arrive while the statements are busy leave together, in order, when one comes back', async () => {
    const { batcher, statements, sent, settle } = harness({ maxInFlight: 2 });
    const results = ['a', 'b', 'c', 'd', 'e'].map((k) => batcher.submit(write(k)));
    expect(sent()).toEqual([['a'], ['b']]);
    expect(batcher.waiting).toBe(3);
    statements[1]!.finish();
    await settle();
    expect(sent()).toEqual([['a'], ['b'], ['c', 'd', 'e']]);
    statements[0]!.finish();
    statements[2]!.finish();
    await expect(Promise.all(results)).resolves.toEqual(['stored a', 'stored b', 'stored c', 'stored d', 'stored e']);
    expect(batcher.waiting).toBe(0);
  });

  it('never puts two writes with one key in a statement, nor more than maxBatch', async () => {
    const { batcher, statements, sent, settle } = harness({ maxBatch: 3 });
    const results = [write('busy'), write('s1', 'first'), write('s1', 'again'), write('s2'), write('s3'), write('s4')].map((w) => batcher.submit(w));
    statements[0]!.finish();
    await settle();
    // 'again' waits for the next statement, and s4 is past maxBatch
    expect(sent()).toEqual([['busy'], ['first', 's2', 's3']]);
    statements[1]!.finish();
    await settle();
    expect(sent().at(-1)).toEqual(['again', 's4']);
    statements[2]!.finish();
    await expect(Promise.all(results)).resolves.toHaveLength(6);
  });

  it('a write waits while another with its key is in flight, even with a slot free: one key lands in order', async () => {
    const { batcher, statements, sent, settle } = harness({ maxInFlight: 2 });
    const results = [write('s1', 'first'), write('s1', 'second'), write('s2')].map((w) => batcher.submit(w));
    expect(sent()).toEqual([['first'], ['s2']]);
    statements[1]!.finish();
    await settle();
    expect(sent()).toEqual([['first'], ['s2']]);
    statements[0]!.finish();
    await settle();
    expect(sent().at(-1)).toEqual(['second']);
    statements[2]!.finish();
    await expect(Promise.all(results)).resolves.toEqual(['stored first', 'stored second', 'stored s2']);
  });

  it('when a shared statement fails, tries each write alone: only the bad one fails', async () => {
    const { batcher, statements, sent, settle } = harness({ failWhen: (items) => items.some((i) => i.value === 'bad') });
    const first = batcher.submit(write('a'));
    const results = [write('b'), write('x', 'bad'), write('c')].map((w) => batcher.submit(w));
    statements[0]!.finish();
    await settle();
    statements[1]!.finish();
    await settle();
    expect(sent().slice(2)).toEqual([['b'], ['bad'], ['c']]);
    for (const statement of statements.slice(2)) statement.finish();
    await expect(first).resolves.toBe('stored a');
    await expect(results[0]).resolves.toBe('stored b');
    await expect(results[1]).rejects.toThrow('statement of bad failed');
    await expect(results[2]).resolves.toBe('stored c');
  });

  it('a failed lone write fails its caller once and frees its slot', async () => {
    const { batcher, statements, sent, settle } = harness({ failWhen: (items) => items[0]!.value === 'bad' });
    const bad = batcher.submit(write('x', 'bad'));
    const next = batcher.submit(write('y'));
    statements[0]!.finish();
    await expect(bad).rejects.toThrow('failed');
    await settle();
    expect(sent()).toEqual([['bad'], ['y']]);
    statements[1]!.finish();
    await expect(next).resolves.toBe('stored y');
  });
});
