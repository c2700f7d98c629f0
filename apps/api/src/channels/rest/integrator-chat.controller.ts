import { Body, Controller, Delete, Get, Headers, HttpCode, Ip, Post, Query, Res } from '@nestjs/common';
import { ChatBody, HistoryQuery, type ChatResponse, type HistoryResponse, type SessionStatsResponse } from '@threadline/contracts';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { toErrorResponse } from '@api/common/error.filter.js';
import { parseInput } from '@api/common/validate.js';
import { ApiKeysService } from '@api/admin/api-keys.service.js';
import { IntegratorChatService } from './integrator-chat.service.js';
import { authorizeIntegrator, threadOf } from './integrator-auth.js';

const ThreadQuery = z.object({ thread_id: ChatBody.shape.thread_id });

/** Seed 002's integrator API: a thread per end user, behind an API key and X-User-Id. */
@Controller('api/chat')
export class IntegratorChatController {
  constructor(
    private readonly keys: ApiKeysService,
    private readonly chat: IntegratorChatService,
  ) {}

  @Post()
  @HttpCode(200)
  async chatOnce(@Headers() headers: Record<string, string | undefined>, @Ip() ip: string, @Body() body: unknown): Promise<ChatResponse> {
    const caller = await authorizeIntegrator(this.keys, headers.authorization, headers['x-user-id'], ip);
    const { message, thread_id } = parseInput(ChatBody, body);
    return this.chat.reply(caller, threadOf(caller, thread_id), message);
  }

  @Post('stream')
  async chatStream(@Headers() headers: Record<string, string | undefined>, @Ip() ip: string, @Body() body: unknown, @Res() reply: FastifyReply): Promise<void> {
    // Everything that can be refused is refused before the stream opens, as a plain HTTP error.
    const caller = await authorizeIntegrator(this.keys, headers.authorization, headers['x-user-id'], ip);
    const { message, thread_id } = parseInput(ChatBody, body);
    this.chat.checkMessage(message);
    await this.chat.stream(caller, threadOf(caller, thread_id), message, reply).catch((error: unknown) => {
      if (!reply.raw.headersSent) throw error;
      const { body: errorBody } = toErrorResponse(error);
      reply.raw.end(`event: error\ndata: ${JSON.stringify({ type: 'error', ...errorBody.error })}\n\n`);
    });
  }

  @Get('history')
  async history(@Headers() headers: Record<string, string | undefined>, @Ip() ip: string, @Query() query: unknown): Promise<HistoryResponse> {
    const caller = await authorizeIntegrator(this.keys, headers.authorization, headers['x-user-id'], ip);
    const { limit, thread_id } = parseInput(HistoryQuery, query, 'query');
    return this.chat.history(threadOf(caller, thread_id), limit);
  }

  @Delete('history')
  async clearHistory(@Headers() headers: Record<string, string | undefined>, @Ip() ip: string, @Query() query: unknown): Promise<{ success: boolean; message: string; thread_id: string }> {
    const caller = await authorizeIntegrator(this.keys, headers.authorization, headers['x-user-id'], ip);
    const { thread_id } = parseInput(ThreadQuery, query, 'query');
    const thread = threadOf(caller, thread_id);
    const cleared = await this.chat.clear(thread);
    return { success: true, message: cleared ? 'Chat history cleared successfully' : 'There was no history to clear', thread_id: thread.threadId };
  }

  @Get('sessions')
  async stats(@Headers() headers: Record<string, string | undefined>, @Ip() ip: string): Promise<SessionStatsResponse> {
    const caller = await authorizeIntegrator(this.keys, headers.authorization, headers['x-user-id'], ip);
    return this.chat.stats(caller, threadOf(caller));
  }
}
