import { BoundedMap } from './bounded-map.js';

describe('BoundedMap', () => {
  it('forgets expired entries and keeps the rest', () => {
    const map = new BoundedMap<number>(10);
    map.set('a', 1, 1000, 0);
    map.set('b', 2, undefined, 0);
    expect(map.get('a', 999)).toBe(1);
    expect(map.get('a', 1000)).toBeUndefined();
    expect(map.size).toBe(1);
    expect(map.get('b', 1e12)).toBe(2);
  });

  it('past maxEntries drops the least recently used', () => {
    const map = new BoundedMap<string>(3);
    map.set('old', 'x', 10, 0);
    map.set('a', 'a', undefined, 0);
    map.set('b', 'b', undefined, 0);
    map.get('a', 0); // a is now the most recently used
    map.set('c', 'c', undefined, 20); // 'old' was least recently used
    expect(map.size).toBe(3);
    map.set('d', 'd', undefined, 20); // then b
    expect(map.get('b', 20)).toBeUndefined();
    expect([map.get('a', 20), map.get('c', 20), map.get('d', 20)]).toEqual(['a', 'c', 'd']);
  });

  it('getOrLoad shares one load among callers while it runs, and keeps no failed load', async () => {
    const map = new BoundedMap<Promise<string>>(10);
    let loads = 0;
    let finish!: (value: string) => void;
    const load = () => {
      loads++;
      return new Promise<string>((resolve) => (finish = resolve));
    };
    const burst = [map.getOrLoad('k', 60_000, load), map.getOrLoad('k', 60_000, load), map.getOrLoad('k', 60_000, load)];
    finish('v');
    expect(await Promise.all(burst)).toEqual(['v', 'v', 'v']);
    expect(loads).toBe(1);

    await expect(map.getOrLoad('bad', 60_000, () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    await Promise.resolve();
    expect(await map.getOrLoad('bad', 60_000, async () => 'up')).toBe('up');
  });

  it('never grows past maxEntries however many keys it sees', () => {
    const map = new BoundedMap<number>(100);
    for (let i = 0; i < 10_000; i++) map.set(`k${i}`, i, 60_000);
    expect(map.size).toBe(100);
  });
});
