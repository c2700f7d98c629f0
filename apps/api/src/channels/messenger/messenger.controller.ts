import { Body, Controller, Get, Headers, HttpCode, Post, Query, Req, type RawBodyRequest } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { HandshakeQuery } from '@api/channels/meta/meta-signature.js';
import { MessengerChannel } from './messenger.service.js';

/** Messenger webhook callback URL (README "Channels"). Strings go out as text/plain, as Meta expects. */
@Controller('webhooks/messenger')
export class MessengerController {
  constructor(private readonly messenger: MessengerChannel) {}

  @Get()
  verify(@Query() query: HandshakeQuery): string {
    return this.messenger.handshake(query);
  }

  @Post()
  @HttpCode(200)
  receive(@Req() request: RawBodyRequest<FastifyRequest>, @Headers('x-hub-signature-256') signature: string | undefined, @Body() body: unknown): Promise<string> {
    return this.messenger.receive({ rawBody: request.rawBody, signature, body });
  }
}
