import { Global, Module } from '@nestjs/common';
import { ChannelRegistry } from './channel-registry.js';
import { HealthController } from './health.controller.js';

@Global()
@Module({ controllers: [HealthController], providers: [ChannelRegistry], exports: [ChannelRegistry] })
export class HealthModule {}
