import { copyWith } from './copy-with.js';

describe('copyWith', () => {
  it('copies the base with the fields on top, leaving both untouched', () => {
    const base = { a: 1, b: 'kept', c: { nested: true } };
    const fields = { a: 2, d: null };
    const copy = copyWith(base, fields);
    expect(copy).toEqual({ a: 2, b: 'kept', c: { nested: true }, d: null });
    expect(copy).not.toBe(base);
    expect(copy.c).toBe(base.c);
    expect(base).toEqual({ a: 1, b: 'kept', c: { nested: true } });
    expect(fields).toEqual({ a: 2, d: null });
  });

  it('keeps a field set to undefined, as a spread would', () => {
    const copy = copyWith({ signal: 'outer' as string | undefined, text: 'x' }, { signal: undefined });
    expect('signal' in copy).toBe(true);
    expect(copy.signal).toBeUndefined();
  });
});
