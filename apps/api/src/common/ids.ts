import { randomBytes } from 'node:crypto';
import { uuidv7 } from 'uuidv7';

/** Row ids: UUIDv7, time-ordered so inserts stay at the right edge of the btree. */
export const newId = (): string => uuidv7();

/** 128 random bits, URL-safe: web session ids, tokens, API key secrets. */
export const randomToken = (bytes = 16): string => randomBytes(bytes).toString('base64url');

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
