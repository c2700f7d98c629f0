import { splitText } from '@api/channels/webhooks/text-chunks.js';
import type { TurnSink } from '@api/chat/turn.types.js';
import type { SlackClient } from './slack.client.js';
import { markdownToSlack } from './slack-format.js';

export interface SlackReplyOptions {
  /** at most one chat.update per this many ms while the answer streams */
  intervalMs: number;
  /** characters per Slack message; a longer answer continues in further messages */
  maxChars: number;
  now?: () => number;
}

/**
 * One answer in a Slack thread: a placeholder posted when the turn starts, edited with
 * tool status and the text as it streams (throttled, Slack allows about one update a
 * second), and a final edit with the whole answer. Calls are chained so they reach
 * Slack in order, and the final edit always comes last.
 */
export class SlackReply implements TurnSink {
  private ts: string | null = null;
  private postFailed = false;
  private text = '';
  private statusLine: string | null = null;
  private lastSent: string | null = null;
  private lastFlushAt = Number.NEGATIVE_INFINITY;
  private timer: NodeJS.Timeout | null = null;
  private chain: Promise<void> = Promise.resolve();
  private finished = false;
  private readonly now: () => number;

  constructor(
    private readonly client: SlackClient,
    private readonly channel: string,
    private readonly threadTs: string,
    private readonly options: SlackReplyOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  started(): void {
    // Straight away, not on the throttle: the user sees at once that the bot is on it.
    this.enqueueFlush();
  }

  status(text: string): void {
    this.statusLine = text;
    this.schedule();
  }

  delta(text: string): void {
    this.text += text;
    this.statusLine = null;
    this.schedule();
  }

  /** Replaces the streamed text with the whole answer, over as many messages as it needs. */
  async finish(answer: string): Promise<void> {
    this.finished = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.chain;
    const [first = '', ...rest] = splitText(answer, this.options.maxChars).map(markdownToSlack);
    if (this.ts) {
      if (first !== this.lastSent && !(await this.client.update(this.channel, this.ts, first))) await this.post(first);
    } else {
      await this.post(first);
    }
    for (const chunk of rest) await this.post(chunk);
  }

  private schedule(): void {
    if (this.finished || this.timer) return;
    const wait = Math.max(0, this.lastFlushAt + this.options.intervalMs - this.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      this.enqueueFlush();
    }, wait);
  }

  private enqueueFlush(): void {
    this.lastFlushAt = this.now();
    this.chain = this.chain.then(() => this.flush());
  }

  private async flush(): Promise<void> {
    if (this.finished && this.ts) return;
    const body = this.render();
    if (body === this.lastSent) return;
    if (!this.ts) {
      if (this.postFailed) return;
      this.ts = await this.client.postMessage(this.channel, this.threadTs, body);
      this.postFailed = this.ts === null;
      if (this.ts) this.lastSent = body;
      return;
    }
    if (await this.client.update(this.channel, this.ts, body)) this.lastSent = body;
  }

  /** The message while the answer streams: text so far (cut to one message), or the tool status. */
  private render(): string {
    const status = `_${this.statusLine ?? 'Thinking…'}_`;
    if (!this.text.trim()) return status;
    const limit = this.options.maxChars;
    const preview = this.text.length > limit ? `${splitText(this.text, limit - 1)[0]}…` : this.text;
    return markdownToSlack(preview) + (this.statusLine ? `\n\n${status}` : '');
  }

  private async post(text: string): Promise<void> {
    await this.client.postMessage(this.channel, this.threadTs, text);
  }
}
