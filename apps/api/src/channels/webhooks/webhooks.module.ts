import { Module } from '@nestjs/common';
import { ChatModule } from '@api/chat/chat.module.js';
import { WebhookEvents } from './webhook-events.service.js';
import { WebhookWork } from './webhook-work.js';

/** What every webhook channel shares: delivery dedupe across instances and work after the ack. */
@Module({ imports: [ChatModule], providers: [WebhookEvents, WebhookWork], exports: [WebhookEvents, WebhookWork, ChatModule] })
export class WebhooksModule {}
