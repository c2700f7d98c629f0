import { Logger } from '@nestjs/common';
import { postJson } from '@api/channels/webhooks/outbound-http.js';

export interface SlackClientOptions {
  /** e.g. https://slack.com/api (SLACK_API_URL) */
  baseUrl: string;
  /** the bot token, xoxb-... (SLACK_BOT_TOKEN) */
  token: string;
}

interface SlackResult {
  ok?: boolean;
  error?: string;
  ts?: string;
  user_id?: string;
}

/**
 * The few Slack Web API methods the channel calls. Slack answers 200 with
 * `{ ok: false, error }` for most failures: those are logged and reported as null/false
 * so an answer that cannot be updated is still posted at the end.
 */
export class SlackClient {
  private readonly logger = new Logger('slack');
  private botUserId: Promise<string | null> | null = null;
  /** the bot's user id once auth.test has answered */
  knownUserId: string | null = null;

  constructor(private readonly options: SlackClientOptions) {}

  /** Posts in a thread; the new message's ts, or null when Slack refused. */
  async postMessage(channel: string, threadTs: string, text: string): Promise<string | null> {
    const result = await this.call('chat.postMessage', { channel, thread_ts: threadTs, text, unfurl_links: false, unfurl_media: false });
    return result?.ts ?? null;
  }

  async update(channel: string, ts: string, text: string): Promise<boolean> {
    return (await this.call('chat.update', { channel, ts, text })) !== null;
  }

  /** The bot's own user id (to recognise its mention and its messages), asked once. */
  ownUserId(): Promise<string | null> {
    this.botUserId ??= this.call('auth.test', undefined).then((result) => {
      // Asked again next time when Slack could not say.
      if (!result?.user_id) this.botUserId = null;
      this.knownUserId = result?.user_id ?? null;
      return this.knownUserId;
    });
    return this.botUserId;
  }

  private async call(method: string, body: Record<string, unknown> | undefined): Promise<SlackResult | null> {
    try {
      const response = await postJson(`${this.options.baseUrl.replace(/\/+$/, '')}/${method}`, body, { headers: { authorization: `Bearer ${this.options.token}` } });
      const result = (response.body ?? {}) as SlackResult;
      if (response.status === 200 && result.ok === true) return result;
      this.logger.warn(`${method} failed: ${result.error ?? `HTTP ${response.status}`}`);
    } catch (error) {
      this.logger.warn(`${method} failed: ${(error as Error).message}`);
    }
    return null;
  }
}
