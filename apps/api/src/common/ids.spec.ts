import { newId, randomToken, UUID_PATTERN } from './ids.js';

describe('ids', () => {
  it('newId gives version-7, RFC-variant UUIDs whose first 48 bits are the time in ms', () => {
    const before = Date.now();
    const id = newId();
    const after = Date.now();
    expect(id).toMatch(UUID_PATTERN);
    expect(id[14]).toBe('7');
    expect('89ab').toContain(id[19]);
    const ms = parseInt(id.replace(/-/g, '').slice(0, 12), 16);
    expect(ms).toBeGreaterThanOrEqual(before);
    expect(ms).toBeLessThanOrEqual(after);
  });

  it('newId is unique and strictly increasing across many ids in the same millisecond', () => {
    const ids = Array.from({ length: 20_000 }, () => newId());
    expect(new Set(ids).size).toBe(ids.length);
    for (let i = 1; i < ids.length; i++) expect(ids[i]! > ids[i - 1]!).toBe(true);
  });

  it('randomToken gives the asked number of bytes, url-safe, never the same twice (across pool refills)', () => {
    const tokens = Array.from({ length: 2_000 }, () => randomToken());
    expect(new Set(tokens).size).toBe(tokens.length);
    for (const token of tokens.slice(0, 10)) expect(token).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(Buffer.from(randomToken(32), 'base64url')).toHaveLength(32);
    expect(Buffer.from(randomToken(4096), 'base64url')).toHaveLength(4096);
    expect(() => randomToken(4097)).toThrow(RangeError);
  });

  it('the bytes are not skewed: every byte value turns up in 64 KB of tokens', () => {
    const seen = new Set(Buffer.concat(Array.from({ length: 64 }, () => Buffer.from(randomToken(1024), 'base64url'))));
    expect(seen.size).toBe(256);
  });
});
