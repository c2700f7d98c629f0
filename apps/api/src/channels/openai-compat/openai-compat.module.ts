import { Module } from '@nestjs/common';
import { ChatModule } from '@api/chat/chat.module.js';
import { ChannelRegistry } from '@api/health/channel-registry.js';
import { ChatCompletionsController, OpenAIFallbackController } from './chat-completions.controller.js';
import { ChatCompletionsService } from './chat-completions.service.js';
import { ConversationsService } from './conversations.service.js';
import { DirectCompletionService } from './direct-completion.service.js';
import { OpenAICompatRepository } from './openai-compat.repository.js';
import { OpenAIErrorFilter } from './openai-errors.js';
import { OpenAIRouteOptions } from './openai-routes.js';
import { ConversationsController, ResponsesController } from './responses.controller.js';
import { ResponsesService } from './responses.service.js';

/** OpenAI-compatible endpoints under /v1: any OpenAI SDK gets Threadline's threads, usage and dashboard. */
@Module({
  imports: [ChatModule],
  controllers: [ChatCompletionsController, ResponsesController, ConversationsController, OpenAIFallbackController],
  providers: [OpenAIRouteOptions, OpenAIErrorFilter, ChatCompletionsService, DirectCompletionService, ResponsesService, ConversationsService, OpenAICompatRepository],
})
export class OpenAICompatModule {
  constructor(channels: ChannelRegistry) {
    channels.set('openai', { enabled: true });
  }
}
