import { Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { AppConfig } from '@api/config/app-config.js';
import { toOpenAIErrorResponse } from './openai-errors.js';

/**
 * Route options for every /v1 route, set as Fastify registers it (this provider is
 * built before the app registers its routes):
 * - a larger body limit, since OpenAI clients resend their whole history;
 * - OpenAI's error shape for what fails before a handler runs (malformed JSON, body
 *   too large), which the controllers' filter never sees.
 */
@Injectable()
export class OpenAIRouteOptions {
  constructor(host: HttpAdapterHost, config: AppConfig) {
    const fastify = host.httpAdapter.getInstance<FastifyInstance>();
    fastify.addHook('onRoute', (route) => {
      if (!route.url.startsWith('/v1/')) return;
      route.bodyLimit = config.env.OPENAI_COMPAT_MAX_BODY_BYTES;
      route.errorHandler = (error, _request, reply) => {
        const { status, body, headers } = toOpenAIErrorResponse(error);
        void reply.status(status).headers(headers).send(body);
      };
    });
  }
}
