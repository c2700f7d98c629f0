import 'reflect-metadata';
import fastifyCookie from '@fastify/cookie';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import type { LogLevel } from '@nestjs/common';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppModule } from './app.module.js';
import { Clock, SystemClock } from './common/clock.js';
import { ErrorFilter, toErrorResponse } from './common/error.filter.js';
import { toOpenAIErrorResponse } from './channels/openai-compat/openai-errors.js';
import { newId } from './common/ids.js';
import { PinoLogger } from './common/pino-logger.js';
import { requestContext } from './common/request-context.js';
import { MetricsService } from './health/metrics.service.js';
import { AppConfig } from './config/app-config.js';
import { DashboardAssets } from './dashboard/dashboard-assets.js';
import { WidgetOrigins } from './channels/web/widget-origins.js';
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
    trustProxy: config.env.TRUST_PROXY,
    requestIdHeader: 'x-request-id',
    genReqId: () => newId(),
    // What Fastify refuses before routing (a path that does not decode): the same safe shapes as every other error.
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      const { status, body, headers } = request.url.startsWith('/v1/') ? toOpenAIErrorResponse(error) : toErrorResponse(error);
      void reply.status(status).headers(headers).send(body);
    },
  });
  const logger = options.logger === false ? false : config.logFormat === 'json' ? new PinoLogger(config.env.LOG_LEVEL) : LOG_LEVELS[config.env.LOG_LEVEL];
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, options.clock ?? new SystemClock()), adapter, {
    logger,
    bufferLogs: false,
    // Webhook signatures (Slack, Meta) are HMACs over the exact bytes received: req.rawBody.
    rawBody: true,
  });
  const fastify = app.getHttpAdapter().getInstance();
  // LOG_REQUEST_CONTEXT=on: every log line of a request carries its id (and the session's, once the turn knows it).
  const everyLine = config.env.LOG_REQUEST_CONTEXT === 'on';
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id);
    if (everyLine) requestContext.run({ requestId: String(request.id) }, done);
    else done();
  });
  await app.register(fastifyCookie);
  // Pages on other sites call the web-session routes: CORS for the origins WIDGET_ALLOWED_ORIGINS allows.
  app.enableCors(app.get(WidgetOrigins).corsOptions());
  app.useGlobalFilters(new ErrorFilter(app.get(MetricsService)));
  SwaggerModule.setup('api/docs', app, buildOpenApiDocument() as never, { jsonDocumentUrl: 'api/docs/openapi.json' });
  const assets = app.get(DashboardAssets);
  if (assets.built) app.useStaticAssets({ root: assets.directory, prefix: '/', wildcard: false, index: false });
  // process.exit(0) after a clean shutdown (not a re-raised signal): orchestrators see success, pino flushes.
  app.enableShutdownHooks(undefined, { useProcessExit: true });
  return app;
}
