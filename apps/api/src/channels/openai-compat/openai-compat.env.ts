import { z } from 'zod';

/** Settings of the OpenAI-compatible endpoints (/v1/*), spread into the env schema (README "OpenAI-compatible API"). */
export const openaiCompatEnvShape = {
  /**
   * Largest request body on /v1/*, in bytes. Larger than the other routes' limit because
   * OpenAI clients resend their whole history with every request; each message that is
   * stored is still held to MAX_MESSAGE_BYTES.
   */
  OPENAI_COMPAT_MAX_BODY_BYTES: z.coerce
    .number()
    .int('a whole number of bytes from 65536 to 33554432')
    .min(64 * 1024, 'a whole number of bytes from 65536 to 33554432')
    .max(32 * 1024 * 1024, 'a whole number of bytes from 65536 to 33554432')
    .default(1024 * 1024),
};
