import type { Channel } from '@threadline/contracts';
import { CHANNELS } from '@threadline/contracts';
import { envSchema, type Env } from './config.schema.js';

export interface ChannelTtl {
  /** sliding inactivity TTL, seconds */
  idleSeconds: number;
  /** absolute maximum age, seconds */
  maxAgeSeconds: number;
}

/**
 * Settings read once from the environment. Injected everywhere as the DI token,
 * so tests build one from a plain object instead of mutating process.env.
 */
export class AppConfig {
  readonly env: Env;
  readonly sessionTtl: Record<Channel, ChannelTtl>;

  constructor(env: Env) {
    this.env = env;
    this.sessionTtl = Object.fromEntries(
      CHANNELS.map((channel) => {
        const upper = channel.toUpperCase();
        const raw = env as unknown as Record<string, number>;
        return [channel, { idleSeconds: raw[`SESSION_TTL_${upper}`]!, maxAgeSeconds: raw[`SESSION_MAX_AGE_${upper}`]! }];
      }),
    ) as Record<Channel, ChannelTtl>;
  }

  get storageKind(): 'postgres' | 'pglite' {
    return this.env.DATABASE_URL ? 'postgres' : 'pglite';
  }

  get coordinationKind(): 'redis' | 'in-process' {
    return this.env.REDIS_URL ? 'redis' : 'in-process';
  }

  /** JSON lines in production (for log shippers), readable text while developing. */
  get logFormat(): 'json' | 'text' {
    return this.env.LOG_FORMAT ?? (this.env.NODE_ENV === 'production' ? 'json' : 'text');
  }

  get modelMode(): 'openai' | 'simulated' {
    return this.env.OPENAI_API_KEY ? 'openai' : 'simulated';
  }

  static fromEnv(source: Record<string, string | undefined>): AppConfig {
    // Empty strings are how compose files and shells say "unset".
    const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
    const parsed = envSchema.safeParse(cleaned);
    if (!parsed.success) throw new ConfigError(describeIssue(parsed.error.issues[0]!, cleaned));
    return new AppConfig(parsed.data);
  }
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function describeIssue(issue: { path: PropertyKey[]; message: string }, source: Record<string, string | undefined>): string {
  const variable = String(issue.path[0] ?? 'environment');
  const got = source[variable];
  const shown = got === undefined ? 'nothing' : /KEY|SECRET|PASSWORD/.test(variable) ? 'a hidden value' : JSON.stringify(got);
  return `Invalid configuration: ${variable} must be ${issue.message} (got ${shown})`;
}
