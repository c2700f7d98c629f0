import type { ChatStreamEvent } from '@threadline/contracts';
import type { FastifyReply } from 'fastify';

/**
 * Server-sent events on a hijacked reply. Each event carries both `event: <type>` (for
 * EventSource listeners) and `type` inside the JSON data (for seed 002's line parser).
 */
export class SseStream {
  private closed = false;

  constructor(private readonly reply: FastifyReply) {
    reply.hijack();
    reply.raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    reply.raw.on('close', () => (this.closed = true));
  }

  get isClosed(): boolean {
    return this.closed;
  }

  send(event: ChatStreamEvent): void {
    if (this.closed) return;
    this.reply.raw.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
  }

  end(): void {
    if (!this.closed) this.reply.raw.end();
    this.closed = true;
  }
}
