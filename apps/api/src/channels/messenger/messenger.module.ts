import { Module } from '@nestjs/common';
import { WebhooksModule } from '@api/channels/webhooks/webhooks.module.js';
import { MessengerController } from './messenger.controller.js';
import { MessengerChannel } from './messenger.service.js';

/** Messenger (seed 003); off, and saying why, without its app secret, verify token and page token. */
@Module({ imports: [WebhooksModule], controllers: [MessengerController], providers: [MessengerChannel] })
export class MessengerChannelModule {}
