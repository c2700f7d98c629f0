import { hashPassword, safeEqual, sha256, verifyPassword } from './secrets.js';

describe('secrets', () => {
  it('sha256 is the base64url SHA-256 of the text (the form stored for API keys and sessions)', () => {
    expect(sha256('abc')).toBe('ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0');
    expect(sha256('')).toBe('47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU');
    expect(sha256('é')).not.toBe(sha256('e'));
  });

  it('safeEqual compares whole strings of any length', () => {
    expect(safeEqual('master-key', 'master-key')).toBe(true);
    expect(safeEqual('master-key', 'master-kez')).toBe(false);
    expect(safeEqual('master-key', 'master-key-longer')).toBe(false);
    expect(safeEqual('', '')).toBe(true);
  });

  it('a password verifies against its own scrypt string only', async () => {
    const stored = await hashPassword('correct horse');
    expect(stored).toMatch(/^scrypt\$16384\$8\$1\$/);
    await expect(verifyPassword('correct horse', stored)).resolves.toBe(true);
    await expect(verifyPassword('correct horsf', stored)).resolves.toBe(false);
    await expect(verifyPassword('correct horse', 'md5$abc')).resolves.toBe(false);
  });
});
