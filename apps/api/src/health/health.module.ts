import { Global, Module } from '@nestjs/common';
import { ChatModule } from '@api/chat/chat.module.js';
import { ChannelRegistry } from './channel-registry.js';
import { HealthController } from './health.controller.js';
import { MetricsController } from './metrics.controller.js';
import { MetricsService } from './metrics.service.js';
import { ShutdownService } from './shutdown.service.js';

@Global()
@Module({ imports: [ChatModule], controllers: [HealthController, MetricsController], providers: [ChannelRegistry, ShutdownService, MetricsService], exports: [ChannelRegistry, MetricsService] })
export class HealthModule {}
