import { Module } from '@nestjs/common';
import { WebhooksModule } from '@api/channels/webhooks/webhooks.module.js';
import { SlackController } from './slack.controller.js';
import { SlackChannel } from './slack.service.js';

/** Slack threads as sessions (seed 004); off, and saying why, without SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN. */
@Module({ imports: [WebhooksModule], controllers: [SlackController], providers: [SlackChannel] })
export class SlackChannelModule {}
