import 'reflect-metadata';
import fastifyCookie from '@fastify/cookie';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import type { LogLevel } from '@nestjs/common';
import { AppModule } from './app.module.js';
import { Clock, SystemClock } from './common/clock.js';
import { ErrorFilter } from './common/error.filter.js';
import { AppConfig } from './config/app-config.js';
import { DashboardAssets } from './dashboard/dashboard-assets.js';
import { buildOpenApiDocument } from './docs/openapi.js';

export interface CreateAppOptions {
  config: AppConfig;
  clock?: Clock;
  /** false silences Nest's logger (tests) */
  logger?: false;
}

const LOG_LEVELS: Record<string, LogLevel[]> = {
  silent: [],
  error: ['fatal', 'error'],
  warn: ['fatal', 'error', 'warn'],
  info: ['fatal', 'error', 'warn', 'log'],
  debug: ['fatal', 'error', 'warn', 'log', 'debug'],
};

/** The whole gateway, ready to listen: used by main.ts, the integration tests and the bench. */
export async function createApp(options: CreateAppOptions): Promise<NestFastifyApplication> {
  const { config } = options;
  const adapter = new FastifyAdapter({
    // The message itself is limited separately (MAX_MESSAGE_BYTES → 413); this bounds the envelope.
    bodyLimit: Math.max(64 * 1024, config.env.MAX_MESSAGE_BYTES * 4),
    trustProxy: false,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, options.clock ?? new SystemClock()), adapter, {
    logger: options.logger === false ? false : LOG_LEVELS[config.env.LOG_LEVEL],
    bufferLogs: false,
  });
  await app.register(fastifyCookie);
  app.useGlobalFilters(new ErrorFilter());
  SwaggerModule.setup('api/docs', app, buildOpenApiDocument() as never, { jsonDocumentUrl: 'api/docs/openapi.json' });
  const assets = app.get(DashboardAssets);
  if (assets.built) app.useStaticAssets({ root: assets.directory, prefix: '/', wildcard: false, index: false });
  app.enableShutdownHooks();
  return app;
}
