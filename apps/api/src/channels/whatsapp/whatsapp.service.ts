import { Injectable } from '@nestjs/common';
import { AppConfig } from '@api/config/app-config.js';
import { TurnService } from '@api/chat/turn.service.js';
import { ChannelRegistry } from '@api/health/channel-registry.js';
import { MetaChannel } from '@api/channels/meta/meta-channel.js';
import { markdownFor } from '@api/channels/meta/meta-format.js';
import type { MetaInbound } from '@api/channels/meta/meta-inbound.js';
import { WebhookEvents } from '@api/channels/webhooks/webhook-events.service.js';
import { WebhookWork } from '@api/channels/webhooks/webhook-work.js';
import { parseWhatsAppPayload } from './whatsapp-events.js';

/** The Cloud API's limit on text.body. */
export const WHATSAPP_MAX_CHARS = 4_096;

/** WhatsApp through the Cloud API (seed 003): one session per business number and sender. */
@Injectable()
export class WhatsAppChannel extends MetaChannel {
  constructor(config: AppConfig, registry: ChannelRegistry, events: WebhookEvents, work: WebhookWork, turns: TurnService) {
    const env = config.env;
    super(
      {
        channel: 'whatsapp',
        label: 'WhatsApp',
        required: {
          appSecret: ['WHATSAPP_APP_SECRET', env.WHATSAPP_APP_SECRET],
          verifyToken: ['WHATSAPP_VERIFY_TOKEN', env.WHATSAPP_VERIFY_TOKEN],
          token: ['WHATSAPP_TOKEN', env.WHATSAPP_TOKEN],
        },
        graphApiUrl: env.GRAPH_API_URL,
        maxChars: WHATSAPP_MAX_CHARS,
        maxMessageBytes: env.MAX_MESSAGE_BYTES,
      },
      registry,
      events,
      work,
      turns,
    );
  }

  protected parse(body: unknown): MetaInbound[] {
    return parseWhatsAppPayload(body);
  }

  protected format(markdown: string): string {
    return markdownFor('whatsapp', markdown);
  }

  protected sendText(inbound: MetaInbound, token: string, text: string): Promise<boolean> {
    return this.graph.sendMessage(inbound.accountId, token, {
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: inbound.senderId,
      type: 'text',
      text: { preview_url: false, body: text },
    });
  }
}
