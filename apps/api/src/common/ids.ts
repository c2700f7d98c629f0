import { randomFillSync } from 'node:crypto';
import { V7Generator } from 'uuidv7';

/**
 * Random bytes from the OS CSPRNG, fetched 4 KB at a time: a turn takes several ids and
 * a lock token, and fetching 8–16 bytes per call costs far more than the bytes. Each
 * byte is handed out once.
 */
class RandomPool {
  private readonly bytes = Buffer.allocUnsafe(4096);
  private readonly words = new Uint32Array(this.bytes.buffer, this.bytes.byteOffset, this.bytes.length / 4);
  private offset = this.bytes.length;

  take(length: number): Buffer {
    if (length > this.bytes.length) throw new RangeError(`at most ${this.bytes.length} random bytes at once`);
    this.refillFor(length);
    const out = Buffer.from(this.bytes.subarray(this.offset, this.offset + length));
    this.offset += length;
    return out;
  }

  nextUint32(): number {
    this.offset = Math.ceil(this.offset / 4) * 4;
    this.refillFor(4);
    const word = this.words[this.offset / 4]!;
    this.offset += 4;
    return word;
  }

  private refillFor(length: number): void {
    if (this.offset + length <= this.bytes.length) return;
    randomFillSync(this.bytes);
    this.offset = 0;
  }
}

const pool = new RandomPool();
const generator = new V7Generator(pool);

/** Row ids: UUIDv7, time-ordered (and monotonic within a process) so inserts stay at the right edge of the btree. */
export const newId = (): string => generator.generate().toString();

/** 128 random bits by default, URL-safe: web session ids, tokens, API key secrets. */
export const randomToken = (bytes = 16): string => pool.take(bytes).toString('base64url');

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
