import { Injectable } from '@nestjs/common';
import { AppConfig } from '@api/config/app-config.js';
import { TurnService } from '@api/chat/turn.service.js';
import { ChannelRegistry } from '@api/health/channel-registry.js';
import { MetaChannel } from '@api/channels/meta/meta-channel.js';
import { markdownFor } from '@api/channels/meta/meta-format.js';
import type { MetaInbound } from '@api/channels/meta/meta-inbound.js';
import { WebhookEvents } from '@api/channels/webhooks/webhook-events.service.js';
import { WebhookWork } from '@api/channels/webhooks/webhook-work.js';
import { parseMessengerPayload } from './messenger-events.js';

/** The Messenger Send API's limit on message.text. */
export const MESSENGER_MAX_CHARS = 2_000;

/** Facebook Messenger through a page (seed 003): one session per page and sender. */
@Injectable()
export class MessengerChannel extends MetaChannel {
  constructor(config: AppConfig, registry: ChannelRegistry, events: WebhookEvents, work: WebhookWork, turns: TurnService) {
    const env = config.env;
    super(
      {
        channel: 'messenger',
        label: 'Messenger',
        required: {
          appSecret: ['MESSENGER_APP_SECRET', env.MESSENGER_APP_SECRET],
          verifyToken: ['MESSENGER_VERIFY_TOKEN', env.MESSENGER_VERIFY_TOKEN],
          token: ['MESSENGER_PAGE_TOKEN', env.MESSENGER_PAGE_TOKEN],
        },
        graphApiUrl: env.GRAPH_API_URL,
        maxChars: MESSENGER_MAX_CHARS,
        maxMessageBytes: env.MAX_MESSAGE_BYTES,
      },
      registry,
      events,
      work,
      turns,
    );
  }

  protected parse(body: unknown): MetaInbound[] {
    return parseMessengerPayload(body);
  }

  protected format(markdown: string): string {
    return markdownFor('messenger', markdown);
  }

  protected override async beforeTurn(inbound: MetaInbound, token: string): Promise<void> {
    await this.graph.sendMessage(inbound.accountId, token, { recipient: { id: inbound.senderId }, sender_action: 'typing_on' });
  }

  protected sendText(inbound: MetaInbound, token: string, text: string): Promise<boolean> {
    return this.graph.sendMessage(inbound.accountId, token, { recipient: { id: inbound.senderId }, messaging_type: 'RESPONSE', message: { text } });
  }
}
