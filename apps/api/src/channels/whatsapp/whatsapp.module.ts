import { Module } from '@nestjs/common';
import { WebhooksModule } from '@api/channels/webhooks/webhooks.module.js';
import { WhatsAppController } from './whatsapp.controller.js';
import { WhatsAppChannel } from './whatsapp.service.js';

/** WhatsApp Cloud API (seed 003); off, and saying why, without its app secret, verify token and access token. */
@Module({ imports: [WebhooksModule], controllers: [WhatsAppController], providers: [WhatsAppChannel] })
export class WhatsAppChannelModule {}
