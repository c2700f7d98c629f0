import { z } from 'zod';
import { CHANNELS, type Channel } from '@threadline/contracts';
import { usageEnvShape } from '@api/usage/usage.env.js';
import { authEnvShape } from '@api/admin/admin.env.js';
import { checkToolEnv, toolEnvShape } from '@api/tools/tool-config.js';
import { widgetEnvShape } from '@api/channels/web/widget.env.js';
import { metaEnvShape } from '@api/channels/meta/meta.env.js';
import { slackEnvShape } from '@api/channels/slack/slack.env.js';
import { openaiCompatEnvShape } from '@api/channels/openai-compat/openai-compat.env.js';
import { parseDurationSeconds } from './duration.js';

const int = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce
    .number({ message: `a whole number from ${min} to ${max}` })
    .int(`a whole number from ${min} to ${max}`)
    .min(min, `a whole number from ${min} to ${max}`)
    .max(max, `a whole number from ${min} to ${max}`);

const duration = z
  .string()
  .transform((text, ctx) => {
    const seconds = parseDurationSeconds(text);
    if (seconds === null || seconds < 1) {
      ctx.addIssue({ code: 'custom', message: 'a duration such as 3600, 90s, 30m, 24h or 7d' });
      return z.NEVER;
    }
    return seconds;
  });

const url = z.string().url('a URL such as http://127.0.0.1:11434/v1');
const onOff = z.enum(['on', 'off'], { message: '"on" or "off"' });
const secret = (min: number) => z.string().min(min, `at least ${min} characters`);

const channelTtlDefaults: Record<Channel, string> = {
  web: '1h',
  api: '24h',
  slack: '24h',
  messenger: '24h',
  whatsapp: '24h',
  openai: '24h',
};

const channelTtlShape = Object.fromEntries(
  CHANNELS.flatMap((channel) => [
    [`SESSION_TTL_${channel.toUpperCase()}`, duration.prefault(channelTtlDefaults[channel])],
    [`SESSION_MAX_AGE_${channel.toUpperCase()}`, duration.prefault('7d')],
  ]),
) as Record<string, z.ZodType<number>>;

export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: int(0, 65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  PUBLIC_URL: url.optional(),
  DATA_DIR: z.string().min(1).default('./.data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'a postgres:// URL')
    .optional(),
  /** the main pool's connections per instance; the write lanes add WRITE_LANE_CONNECTIONS */
  DATABASE_POOL_SIZE: int(1, 1000).default(20),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'a redis:// URL')
    .optional(),
  REDIS_KEY_PREFIX: z.string().regex(/^[A-Za-z0-9:_-]{1,64}$/, 'letters, digits, ":", "_" or "-"').default('tl:'),
  OPENAI_API_KEY: z.string().min(1).optional(),
  OPENAI_BASE_URL: url.optional(),
  OPENAI_MODEL: z.string().min(1).default('gpt-4.1-nano'),
  LLM_TIMEOUT_MS: int(100).default(60_000),
  LLM_MAX_RETRIES: int(0, 10).default(3),
  LLM_RETRY_BASE_MS: int(0).default(500),
  LLM_MAX_OUTPUT_TOKENS: int(1).default(2000),
  LLM_HTTP_CLIENT: z.enum(['node', 'fetch'], { message: '"node" or "fetch"' }).default('node'),
  LLM_STREAM: z.enum(['auto', 'always'], { message: '"auto" or "always"' }).default('auto'),
  LLM_ANSWER_TIMEOUT_MS: int(100).default(300_000),
  SYSTEM_PROMPT: z
    .string()
    .min(1)
    .default('You are a helpful assistant. Use the conversation so far to answer the latest message.'),
  CONTEXT_MAX_MESSAGES: int(1, 1000).default(20),
  CONTEXT_MAX_TOKENS: int(100).default(8000),
  CONTEXT_SUMMARY: onOff.default('off'),
  MAX_MESSAGE_BYTES: int(1, 1024 * 1024).default(16 * 1024),
  TOOL_MAX_ROUNDS: int(1, 20).default(5),
  /** async: an answer's commit does not wait for the WAL flush (user messages always do) */
  ANSWER_COMMIT: z.enum(['async', 'sync'], { message: '"async" or "sync"' }).default('async'),
  TURN_LOCK_LEASE_MS: int(1000).default(30_000),
  TURN_LOCK_WAIT_MS: int(100).default(120_000),
  SWEEP_INTERVAL: duration.prefault('30s'),
  /** on: the api folds the search index's new entries in the background (SearchIndexUpkeep); off: the inserts and autovacuum do */
  SEARCH_INDEX_UPKEEP: onOff.default('on'),
  SHUTDOWN_GRACE_MS: int(0).default(25_000),
  RETENTION_DAYS: int(0).default(0),
  MASTER_KEY: secret(16).optional(),
  ADMIN_EMAIL: z.string().email('an email address').optional(),
  ADMIN_PASSWORD: secret(8).optional(),
  SESSION_SECRET: secret(32).optional(),
  LOG_LEVEL: z.enum(['silent', 'error', 'warn', 'info', 'debug']).default('warn'),
  /** json: one pino line per event with request and session ids (default in production) */
  LOG_FORMAT: z.enum(['json', 'text'], { message: '"json" or "text"' }).optional(),
  /**
   * on: every line logged while a request runs carries its ids (AsyncLocalStorage, whose
   * promise hooks cost every request; measured on Node 20: 0.4-1 ms per turn at c=1, 7-12% of
   * turns/s at c=50). off: a request's error line carries its requestId, a turn's lines its session.
   */
  LOG_REQUEST_CONTEXT: z.enum(['on', 'off']).default('off'),
  /** behind a proxy (nginx, a cloud LB): trust X-Forwarded-For for client addresses and rate limits */
  TRUST_PROXY: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
  ...usageEnvShape,
  ...authEnvShape,
  ...channelTtlShape,
  ...toolEnvShape,
  ...slackEnvShape,
  ...metaEnvShape,
  ...widgetEnvShape,
  ...openaiCompatEnvShape,
}).superRefine(checkToolEnv);

export type Env = z.infer<typeof envSchema>;
