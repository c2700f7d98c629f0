import { Logger } from '@nestjs/common';
import type { Channel } from '@threadline/contracts';
import { ApiError } from '@api/common/api-error.js';
import { TurnService } from '@api/chat/turn.service.js';
import { NULL_SINK } from '@api/chat/turn.types.js';
import { ChannelRegistry } from '@api/health/channel-registry.js';
import { answerText, failureText, missingSettings } from '@api/channels/webhooks/answer-text.js';
import { cleanInboundText, TOO_LONG_NOTICE } from '@api/channels/webhooks/inbound-text.js';
import { splitText } from '@api/channels/webhooks/text-chunks.js';
import { WebhookEvents } from '@api/channels/webhooks/webhook-events.service.js';
import { WebhookWork } from '@api/channels/webhooks/webhook-work.js';
import { GraphClient } from './graph.client.js';
import { metaSessionKey, unsupportedNotice, type MetaInbound } from './meta-inbound.js';
import { answerHandshake, verifyMetaSignature, type HandshakeQuery } from './meta-signature.js';

export interface MetaChannelSettings {
  channel: Extract<Channel, 'messenger' | 'whatsapp'>;
  /** what the boot banner and errors call it */
  label: string;
  /** env name → value: the channel is off unless all are set */
  required: { appSecret: [string, string | undefined]; verifyToken: [string, string | undefined]; token: [string, string | undefined] };
  graphApiUrl: string;
  /** the platform's longest text message */
  maxChars: number;
  maxMessageBytes: number;
}

export interface MetaRequest {
  rawBody: Buffer | undefined;
  signature: string | undefined;
  body: unknown;
}

/**
 * What Messenger and the WhatsApp Cloud API share (seed 003): the verify-token handshake,
 * X-Hub-Signature-256 over the raw body, one session per sender, duplicate deliveries
 * answered once, replies sent through the Graph API after the 200.
 */
export abstract class MetaChannel {
  protected readonly logger: Logger;
  protected readonly graph: GraphClient;
  private readonly secrets: { appSecret: string; verifyToken: string; token: string } | null;
  private readonly off: string | null;

  constructor(
    protected readonly settings: MetaChannelSettings,
    registry: ChannelRegistry,
    private readonly events: WebhookEvents,
    private readonly work: WebhookWork,
    private readonly turns: TurnService,
  ) {
    this.logger = new Logger(settings.channel);
    this.graph = new GraphClient(settings.graphApiUrl);
    const { appSecret, verifyToken, token } = settings.required;
    this.off = missingSettings(Object.fromEntries([appSecret, verifyToken, token]));
    this.secrets = this.off ? null : { appSecret: appSecret[1]!, verifyToken: verifyToken[1]!, token: token[1]! };
    registry.set(settings.channel, this.off ? { enabled: false, reason: this.off } : { enabled: true });
  }

  /** The messages in a verified delivery, in order; anything else in it (receipts, echoes) left out. */
  protected abstract parse(body: unknown): MetaInbound[];

  /** Sends one text message of at most `maxChars`; false when the platform refused it. */
  protected abstract sendText(inbound: MetaInbound, token: string, text: string): Promise<boolean>;

  protected abstract format(markdown: string): string;

  /** Called before a turn starts (Messenger shows "typing"). */
  protected beforeTurn(_inbound: MetaInbound, _token: string): Promise<void> {
    return Promise.resolve();
  }

  /** GET: the subscription handshake; the challenge, or 403 for a wrong verify token. */
  handshake(query: HandshakeQuery): string {
    const secrets = this.enabled();
    const challenge = answerHandshake(query, secrets.verifyToken);
    if (challenge === null) throw new ApiError('forbidden', 'hub.mode must be "subscribe" and hub.verify_token must match the configured verify token');
    return challenge;
  }

  /** POST: checks the signature, takes each new message on and acknowledges; answers run after. */
  async receive(request: MetaRequest): Promise<string> {
    const secrets = this.enabled();
    const check = verifyMetaSignature(request.rawBody ?? Buffer.alloc(0), request.signature, secrets.appSecret);
    if (check === 'missing') throw new ApiError('unauthorized', 'X-Hub-Signature-256 is required');
    if (check !== 'ok') throw new ApiError('forbidden', 'X-Hub-Signature-256 does not match the request');
    const inbound = this.parse(request.body);
    if (inbound.length === 0) return 'EVENT_RECEIVED';
    this.work.assertAccepting();
    const bySender = new Map<string, MetaInbound[]>();
    for (const message of inbound) {
      if (!(await this.events.claim([{ provider: this.settings.channel, eventId: message.messageId }]))) continue;
      const key = metaSessionKey(message);
      bySender.set(key, [...(bySender.get(key) ?? []), message]);
    }
    // One sender's messages in one delivery are answered in the order they were written.
    for (const [key, messages] of bySender) {
      this.work.run(`${this.settings.channel} messages from ${key}`, async (signal) => {
        for (const message of messages) await this.answer(message, secrets.token, signal);
      });
    }
    return 'EVENT_RECEIVED';
  }

  private async answer(inbound: MetaInbound, token: string, signal: AbortSignal): Promise<void> {
    if (inbound.kind === 'unsupported') return this.deliver(inbound, token, unsupportedNotice(inbound.what));
    const text = cleanInboundText(inbound.text, this.settings.maxMessageBytes);
    if (text === null) return this.deliver(inbound, token, TOO_LONG_NOTICE);
    if (!text) return;
    await this.beforeTurn(inbound, token);
    const key = metaSessionKey(inbound);
    let answer: string;
    try {
      const result = await this.turns.run({
        identity: { channel: this.settings.channel, key, tenant: `${this.settings.channel}:${inbound.accountId}`, endUserId: inbound.senderId },
        text,
        participant: inbound.senderId,
        sink: NULL_SINK,
        signal,
      });
      answer = answerText(result);
    } catch (error) {
      answer = failureText(error, `${this.settings.channel} turn in ${key}`);
    }
    await this.deliver(inbound, token, answer);
  }

  /** Long answers go out as several messages, in order; a refused piece stops the rest. */
  private async deliver(inbound: MetaInbound, token: string, text: string): Promise<void> {
    for (const chunk of splitText(this.format(text), this.settings.maxChars)) {
      if (!(await this.sendText(inbound, token, chunk))) return;
    }
  }

  private enabled(): { appSecret: string; verifyToken: string; token: string } {
    if (!this.secrets) throw new ApiError('not_found', `the ${this.settings.label} channel is off: ${this.off} (see README "Channels")`);
    return this.secrets;
  }
}
