import type { LoggerService } from '@nestjs/common';
import pino, { type Logger } from 'pino';
import { requestContext } from './request-context.js';

const LEVELS: Record<string, string> = { silent: 'silent', error: 'error', warn: 'warn', info: 'info', debug: 'debug' };

/**
 * Nest's logger as JSON lines through pino, each carrying the request id and session
 * id of the request it belongs to. Secrets never reach it: callers log ids, not bodies.
 */
export class PinoLogger implements LoggerService {
  readonly pino: Logger;

  constructor(level: string, destination?: pino.DestinationStream) {
    this.pino = pino(
      {
        level: LEVELS[level] ?? 'info',
        base: { service: 'threadline' },
        timestamp: pino.stdTimeFunctions.isoTime,
        mixin: () => {
          const store = requestContext.getStore();
          return store ? { requestId: store.requestId, ...(store.sessionId ? { sessionId: store.sessionId } : {}) } : {};
        },
        redact: { paths: ['authorization', 'headers.authorization', 'headers.cookie', '*.token', '*.secret', '*.password'], censor: '[redacted]' },
      },
      destination,
    );
  }

  log(message: unknown, ...rest: unknown[]): void {
    this.write('info', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }

  // Nest passes the context (the logger's name) last.
  private write(level: pino.Level, message: unknown, rest: unknown[]): void {
    const context = typeof rest.at(-1) === 'string' ? (rest.at(-1) as string) : undefined;
    const fields = { ...(context ? { context } : {}) };
    if (message && typeof message === 'object' && !(message instanceof Error)) this.pino[level]({ ...fields, ...(message as object) });
    else if (message instanceof Error) this.pino[level]({ ...fields, err: message }, message.message);
    else this.pino[level](fields, String(message));
  }
}
