import { Body, Controller, Delete, Get, Headers, HttpCode, Ip, Param, Post, Query, UseGuards } from '@nestjs/common';
import {
  ClearResponse,
  CreateWebSessionBody,
  PostWebMessageBody,
  type CreateWebSessionResponse,
  type TurnReply,
  type WebHistoryResponse,
} from '@threadline/contracts';
import { z } from 'zod';
import { randomToken } from '@api/common/ids.js';
import { parseInput } from '@api/common/validate.js';
import { WebChatService } from './web-chat.service.js';
import { authorizeWebSession } from './web-auth.js';
import { WebTokenService } from './web-token.service.js';
import { WidgetOriginGuard } from './widget-origins.js';

const HistoryQuery = z.object({
  afterSeq: z.coerce.number().int().nonnegative().default(0),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});

/** Web and voice clients: a server-issued session id plus a token that opens only that thread. */
@Controller()
@UseGuards(WidgetOriginGuard)
export class WebSessionsController {
  constructor(
    private readonly tokens: WebTokenService,
    private readonly chat: WebChatService,
  ) {}

  @Post('api/sessions')
  @HttpCode(201)
  async create(@Body() body: unknown): Promise<CreateWebSessionResponse> {
    parseInput(CreateWebSessionBody, body ?? undefined);
    const sessionId = randomToken(16);
    const session = await this.chat.open(sessionId);
    return { sessionId, token: this.tokens.issue(sessionId), expiresAt: session.expires_at.toISOString() };
  }

  @Post('api/sessions/:id/messages')
  @HttpCode(200)
  async post(@Param('id') id: string, @Headers('authorization') authorization: string | undefined, @Body() body: unknown, @Ip() ip: string): Promise<TurnReply> {
    const sessionId = authorizeWebSession(this.tokens, id, authorization);
    return this.chat.reply(sessionId, parseInput(PostWebMessageBody, body), ip);
  }

  /** Seed 001's voice-agent route, unchanged for its client: `{ question, sessionId }`. */
  @Post('api/voice-agent/chat')
  @HttpCode(200)
  async voice(@Headers('authorization') authorization: string | undefined, @Body() body: unknown, @Ip() ip: string): Promise<TurnReply> {
    const sessionId = (body as { sessionId?: unknown } | null)?.sessionId;
    const id = authorizeWebSession(this.tokens, typeof sessionId === 'string' ? sessionId : undefined, authorization);
    return this.chat.reply(id, parseInput(PostWebMessageBody, body), ip);
  }

  @Get('api/sessions/:id/messages')
  async history(@Param('id') id: string, @Headers('authorization') authorization: string | undefined, @Query() query: unknown): Promise<WebHistoryResponse> {
    const sessionId = authorizeWebSession(this.tokens, id, authorization);
    const { afterSeq, limit } = parseInput(HistoryQuery, query, 'query');
    return this.chat.history(sessionId, afterSeq, limit);
  }

  @Delete('api/sessions/:id')
  async clear(@Param('id') id: string, @Headers('authorization') authorization: string | undefined): Promise<ClearResponse> {
    const sessionId = authorizeWebSession(this.tokens, id, authorization);
    return { sessionId, cleared: await this.chat.clear(sessionId) };
  }
}
