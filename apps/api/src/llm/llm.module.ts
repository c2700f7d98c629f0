import { Global, Module } from '@nestjs/common';
import { AppConfig } from '@api/config/app-config.js';
import { ChatModel } from './chat-model.port.js';
import { OpenAIChatModel } from './openai.chat-model.js';
import { SimulatedChatModel } from './simulated.chat-model.js';

@Global()
@Module({
  providers: [
    {
      provide: ChatModel,
      inject: [AppConfig],
      useFactory: (config: AppConfig): ChatModel => {
        const env = config.env;
        if (!env.OPENAI_API_KEY) return new SimulatedChatModel(env.NODE_ENV === 'test' ? 0 : 25);
        return new OpenAIChatModel({
          apiKey: env.OPENAI_API_KEY,
          baseURL: env.OPENAI_BASE_URL,
          model: env.OPENAI_MODEL,
          idleTimeoutMs: env.LLM_TIMEOUT_MS,
          answerTimeoutMs: env.LLM_ANSWER_TIMEOUT_MS,
          stream: env.LLM_STREAM,
          httpClient: env.LLM_HTTP_CLIENT,
        });
      },
    },
  ],
  exports: [ChatModel],
})
export class LlmModule {}
