import { Body, Controller, HttpCode, Post, Req, type RawBodyRequest } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { SlackChannel } from './slack.service.js';

/** Slack Events API request URL (README "Channels"). */
@Controller('webhooks/slack')
export class SlackController {
  constructor(private readonly slack: SlackChannel) {}

  @Post()
  @HttpCode(200)
  receive(@Req() request: RawBodyRequest<FastifyRequest>, @Body() body: unknown): Promise<Record<string, unknown>> {
    return this.slack.receive({ rawBody: request.rawBody, headers: request.headers, body });
  }
}
