import { Body, Controller, Get, Headers, HttpCode, Post, Query, Req, type RawBodyRequest } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { HandshakeQuery } from '@api/channels/meta/meta-signature.js';
import { WhatsAppChannel } from './whatsapp.service.js';

/** WhatsApp Cloud API webhook callback URL (README "Channels"). Strings go out as text/plain, as Meta expects. */
@Controller('webhooks/whatsapp')
export class WhatsAppController {
  constructor(private readonly whatsapp: WhatsAppChannel) {}

  @Get()
  verify(@Query() query: HandshakeQuery): string {
    return this.whatsapp.handshake(query);
  }

  @Post()
  @HttpCode(200)
  receive(@Req() request: RawBodyRequest<FastifyRequest>, @Headers('x-hub-signature-256') signature: string | undefined, @Body() body: unknown): Promise<string> {
    return this.whatsapp.receive({ rawBody: request.rawBody, signature, body });
  }
}
