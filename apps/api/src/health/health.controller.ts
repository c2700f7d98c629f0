import { Controller, Get, Res } from '@nestjs/common';
import type { HealthResponse } from '@threadline/contracts';
import type { FastifyReply } from 'fastify';
import { AppConfig } from '@api/config/app-config.js';
import { Coordination } from '@api/coordination/coordination.port.js';
import { ChatModel } from '@api/llm/chat-model.port.js';
import { Database } from '@api/storage/database.js';
import { ToolRegistry } from '@api/tools/tool-registry.js';
import { ChannelRegistry } from './channel-registry.js';
import { ShutdownService } from './shutdown.service.js';

export const VERSION = '0.1.0';

@Controller()
export class HealthController {
  constructor(
    private readonly config: AppConfig,
    private readonly db: Database,
    private readonly coordination: Coordination,
    private readonly model: ChatModel,
    private readonly channels: ChannelRegistry,
    private readonly tools: ToolRegistry,
    private readonly shutdown: ShutdownService,
  ) {}

  /** 200 when storage and coordination answer and the instance is not shutting down, 503 otherwise, so load balancers can act on it. */
  @Get('api/health')
  async health(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthResponse> {
    const [storageOk, coordinationOk] = await Promise.all([this.db.ping(), this.coordination.ping()]);
    const status = this.shutdown.draining ? 'draining' : storageOk && coordinationOk ? 'healthy' : 'degraded';
    if (status !== 'healthy') void reply.status(503);
    return {
      status,
      model: this.model.mode === 'openai' ? `OpenAI-compatible ${this.model.model}` : 'simulated (no OPENAI_API_KEY)',
      mode: this.model.mode,
      features: ['session_threading', 'conversation_persistence', 'context_window', 'streaming', 'cost_tracking', ...(this.config.env.CONTEXT_SUMMARY === 'on' ? ['context_summary'] : []), ...this.tools.features()],
      storage: { kind: this.db.kind, ok: storageOk },
      coordination: { kind: this.coordination.kind, ok: coordinationOk },
      channels: this.channels.snapshot(),
      version: VERSION,
    };
  }
}
