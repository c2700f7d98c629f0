import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { ApiError } from '@api/common/api-error.js';
import { Clock } from '@api/common/clock.js';
import { parseInput } from '@api/common/validate.js';
import { AppConfig } from '@api/config/app-config.js';
import { TurnService } from '@api/chat/turn.service.js';
import { ChannelRegistry } from '@api/health/channel-registry.js';
import { SessionsService } from '@api/sessions/sessions.service.js';
import { answerText, failureText, missingSettings } from '@api/channels/webhooks/answer-text.js';
import { cleanInboundText, TOO_LONG_NOTICE } from '@api/channels/webhooks/inbound-text.js';
import { WebhookEvents } from '@api/channels/webhooks/webhook-events.service.js';
import { WebhookWork } from '@api/channels/webhooks/webhook-work.js';
import { SlackClient } from './slack.client.js';
import { classifySlackEvent, SlackEnvelope, slackSessionKey, type SlackInbound } from './slack-events.js';
import { SlackReply } from './slack-reply.js';
import { verifySlackSignature, type SlackSignatureCheck } from './slack-signature.js';

/** Slack allows about one chat.update per second per message. */
const UPDATE_INTERVAL_MS = 1_000;
/** Well under Slack's 40,000-character cap, and readable; longer answers continue below. */
const MESSAGE_CHARS = 3_500;
const EMPTY_MENTION = 'Hi! Ask me anything here, or say `help` for what else I can do.';

const REFUSALS: Record<Exclude<SlackSignatureCheck, 'ok'>, string> = {
  missing: 'X-Slack-Signature and X-Slack-Request-Timestamp are required',
  stale: 'X-Slack-Request-Timestamp is more than 5 minutes from now',
  mismatch: 'X-Slack-Signature does not match the request',
};

export interface SlackRequest {
  rawBody: Buffer | undefined;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

/**
 * The Slack Events API (seed 004): one session per thread, `{team}:{channel}:{thread_ts or ts}`,
 * answered in the thread. Requests are checked, deduplicated and acknowledged at once;
 * the turn runs after the 200.
 */
@Injectable()
export class SlackChannel implements OnApplicationBootstrap {
  private readonly logger = new Logger('slack');
  private readonly secret: string | null;
  private readonly client: SlackClient | null;
  private readonly off: string | null;
  private readonly staff: ReadonlySet<string>;
  private readonly maxMessageBytes: number;

  constructor(
    config: AppConfig,
    registry: ChannelRegistry,
    private readonly clock: Clock,
    private readonly events: WebhookEvents,
    private readonly work: WebhookWork,
    private readonly turns: TurnService,
    private readonly sessions: SessionsService,
  ) {
    const env = config.env;
    this.off = missingSettings({ SLACK_SIGNING_SECRET: env.SLACK_SIGNING_SECRET, SLACK_BOT_TOKEN: env.SLACK_BOT_TOKEN });
    this.secret = this.off ? null : env.SLACK_SIGNING_SECRET!;
    this.client = this.off ? null : new SlackClient({ baseUrl: env.SLACK_API_URL, token: env.SLACK_BOT_TOKEN! });
    this.staff = new Set(env.SLACK_STAFF_USERS);
    this.maxMessageBytes = env.MAX_MESSAGE_BYTES;
    registry.set('slack', this.off ? { enabled: false, reason: this.off } : { enabled: true });
  }

  onApplicationBootstrap(): void {
    // Learnt early so the first mention can be recognised without a call before the ack.
    void this.client?.ownUserId();
  }

  /** The HTTP answer to one Events API request; the turn, if any, runs afterwards. */
  async receive(request: SlackRequest): Promise<Record<string, unknown>> {
    if (!this.secret || !this.client) throw new ApiError('not_found', `the Slack channel is off: ${this.off} (see README "Channels")`);
    const header = (name: string) => {
      const value = request.headers[name];
      return Array.isArray(value) ? value[0] : value;
    };
    const check = verifySlackSignature(
      { rawBody: request.rawBody ?? Buffer.alloc(0), timestamp: header('x-slack-request-timestamp'), signature: header('x-slack-signature') },
      this.secret,
      Math.floor(this.clock.now().getTime() / 1000),
    );
    if (check !== 'ok') throw new ApiError('unauthorized', REFUSALS[check]);

    const envelope = parseInput(SlackEnvelope, request.body);
    if (envelope.type === 'url_verification' && 'challenge' in envelope) return { challenge: envelope.challenge };
    if (envelope.type !== 'event_callback' || !('event' in envelope)) return { ok: true };

    this.work.assertAccepting();
    const botUserId = envelope.authorizations?.[0]?.user_id ?? this.client.knownUserId;
    if (!botUserId) void this.client.ownUserId();
    const decision = classifySlackEvent(envelope.team_id, envelope.event, botUserId);
    if (decision.kind === 'ignore') return { ok: true };
    const { inbound } = decision;
    // A reply in a thread is for the bot only where the bot already holds a session.
    if (inbound.via === 'thread' && !(await this.sessions.findLatest('slack', slackSessionKey(inbound)))) return { ok: true };
    // A mention in a channel the bot reads arrives twice (app_mention and message), and
    // Slack retries what it thinks went unanswered: the message is answered once either way.
    const fresh = await this.events.claim([
      { provider: 'slack', eventId: envelope.event_id },
      { provider: 'slack-message', eventId: `${inbound.team}:${inbound.channel}:${inbound.ts}` },
    ]);
    if (!fresh) {
      this.logger.debug(`event ${envelope.event_id} (retry ${header('x-slack-retry-num') ?? 0}) already taken`);
      return { ok: true };
    }
    const client = this.client;
    this.work.run(`slack event ${envelope.event_id}`, (signal) => this.answer(client, inbound, signal));
    return { ok: true };
  }

  private async answer(client: SlackClient, inbound: SlackInbound, signal: AbortSignal): Promise<void> {
    const reply = new SlackReply(client, inbound.channel, inbound.root, { intervalMs: UPDATE_INTERVAL_MS, maxChars: MESSAGE_CHARS });
    const text = cleanInboundText(inbound.text, this.maxMessageBytes);
    if (!text) return reply.finish(text === null ? TOO_LONG_NOTICE : EMPTY_MENTION);
    let answer: string;
    try {
      const result = await this.turns.run({
        identity: { channel: 'slack', key: slackSessionKey(inbound), tenant: `slack:${inbound.team}`, endUserId: inbound.user },
        text,
        participant: inbound.user,
        isStaff: this.staff.has(inbound.user),
        sink: reply,
        signal,
      });
      answer = answerText(result);
    } catch (error) {
      answer = failureText(error, `slack turn in ${slackSessionKey(inbound)}`);
    }
    await reply.finish(answer);
  }
}
