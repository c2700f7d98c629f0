import { All, Body, Controller, Get, Headers, Ip, Param, Post, Req, Res, UseFilters } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiKeysService } from '@api/admin/api-keys.service.js';
import { ChatModel, UpstreamError, type ModelInfo } from '@api/llm/chat-model.port.js';
import { ChatCompletionBody } from './chat-completions.schema.js';
import { ChatCompletionsService } from './chat-completions.service.js';
import { authorizeOpenAI, sessionIdOf } from './openai-auth.js';
import { OpenAIError, OpenAIErrorFilter, notFound, parseOpenAI, upstreamFailure } from './openai-errors.js';

type RequestHeaders = Record<string, string | undefined>;

/** Chat Completions and the model list, for any OpenAI SDK pointed at `<gateway>/v1`. */
@Controller('v1')
@UseFilters(OpenAIErrorFilter)
export class ChatCompletionsController {
  constructor(
    private readonly keys: ApiKeysService,
    private readonly completions: ChatCompletionsService,
    private readonly model: ChatModel,
  ) {}

  @Post('chat/completions')
  async create(@Headers() headers: RequestHeaders, @Ip() ip: string, @Body() body: unknown, @Res() reply: FastifyReply): Promise<void> {
    const caller = await authorizeOpenAI(this.keys, headers.authorization, ip);
    const request = parseOpenAI(ChatCompletionBody, body);
    const sessionId = sessionIdOf(headers['x-session-id'], request.metadata, request.user);
    const completion = await this.completions.complete(caller, request, sessionId, reply);
    if (completion) await reply.send(completion);
  }

  @Get('models')
  async models(@Headers() headers: RequestHeaders, @Ip() ip: string): Promise<{ object: 'list'; data: ModelInfo[] }> {
    await authorizeOpenAI(this.keys, headers.authorization, ip);
    return { object: 'list', data: await this.listModels() };
  }

  @Get('models/:id')
  async oneModel(@Headers() headers: RequestHeaders, @Ip() ip: string, @Param('id') id: string): Promise<ModelInfo> {
    await authorizeOpenAI(this.keys, headers.authorization, ip);
    const model = (await this.listModels()).find((m) => m.id === id);
    if (!model) throw new OpenAIError(404, `The model '${id}' does not exist`, 'model', 'model_not_found');
    return model;
  }

  private async listModels(): Promise<ModelInfo[]> {
    return this.model.listModels().catch((error: unknown) => {
      throw error instanceof UpstreamError ? upstreamFailure(error, false) : error;
    });
  }
}

/** Any other /v1 path: an OpenAI-shaped 404 rather than Threadline's (or the dashboard's). */
@Controller('v1')
@UseFilters(OpenAIErrorFilter)
export class OpenAIFallbackController {
  @All('*')
  missing(@Req() request: FastifyRequest): never {
    throw notFound(`Threadline does not implement ${request.method} ${request.url.split('?')[0]}; its OpenAI-compatible routes are listed at /api/docs`);
  }
}
