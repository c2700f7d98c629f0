import { AppConfig, ConfigError } from './app-config.js';

describe('AppConfig', () => {
  it('applies the documented defaults', () => {
    const config = AppConfig.fromEnv({});
    expect(config.env.PORT).toBe(3000);
    expect(config.env.CONTEXT_MAX_MESSAGES).toBe(20);
    expect(config.storageKind).toBe('pglite');
    expect(config.coordinationKind).toBe('in-process');
    expect(config.modelMode).toBe('simulated');
    expect(config.sessionTtl.web).toEqual({ idleSeconds: 3600, maxAgeSeconds: 7 * 86400 });
    expect(config.sessionTtl.slack.idleSeconds).toBe(86400);
    expect(config.env.ANSWER_COMMIT).toBe('async');
    expect(config.env.LLM_HTTP_CLIENT).toBe('node');
    expect(config.env.DATABASE_POOL_SIZE).toBe(20);
  });

  it('reads durations per channel', () => {
    const config = AppConfig.fromEnv({ SESSION_TTL_WEB: '90s', SESSION_MAX_AGE_API: '2d' });
    expect(config.sessionTtl.web.idleSeconds).toBe(90);
    expect(config.sessionTtl.api.maxAgeSeconds).toBe(172800);
  });

  it.each([
    [{ CONTEXT_MAX_MESSAGES: 'abc' }, /^Invalid configuration: CONTEXT_MAX_MESSAGES must be a whole number from 1 to 1000 \(got "abc"\)$/],
    [{ PORT: '70000' }, /PORT must be a whole number from 0 to 65535/],
    [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL must be a postgres:\/\/ URL/],
    [{ DATABASE_POOL_SIZE: '0' }, /DATABASE_POOL_SIZE must be a whole number from 1 to 1000 \(got "0"\)/],
    [{ SESSION_TTL_WEB: 'soon' }, /SESSION_TTL_WEB must be a duration such as/],
    [{ CONTEXT_SUMMARY: 'yes' }, /CONTEXT_SUMMARY must be "on" or "off"/],
    [{ ANSWER_COMMIT: 'later' }, /ANSWER_COMMIT must be "async" or "sync"/],
    [{ LLM_HTTP_CLIENT: 'curl' }, /LLM_HTTP_CLIENT must be "node" or "fetch" \(got "curl"\)/],
  ])('names the variable and what it expects: %j', (env, message) => {
    expect(() => AppConfig.fromEnv(env)).toThrow(ConfigError);
    expect(() => AppConfig.fromEnv(env)).toThrow(message);
  });

  it('never echoes a secret back', () => {
    expect(() => AppConfig.fromEnv({ MASTER_KEY: 'short' })).toThrow('(got a hidden value)');
  });

  it('treats empty strings as unset', () => {
    expect(AppConfig.fromEnv({ DATABASE_URL: '' }).storageKind).toBe('pglite');
  });
});
