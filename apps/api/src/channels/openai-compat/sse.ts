import type { FastifyReply } from 'fastify';

/**
 * Server-sent events the way OpenAI sends them: `data:` lines for Chat Completions,
 * `event:` plus `data:` for the Responses API. Opened on a hijacked reply, so the
 * headers Fastify would have sent (the request id) are copied over.
 */
export class OpenAISse {
  private closed = false;

  constructor(private readonly reply: FastifyReply) {
    const inherited = Object.fromEntries(Object.entries(reply.getHeaders()).filter(([, value]) => value !== undefined));
    reply.hijack();
    reply.raw.writeHead(200, {
      ...inherited,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    reply.raw.on('close', () => (this.closed = true));
  }

  data(payload: unknown): void {
    this.write(`data: ${JSON.stringify(payload)}\n\n`);
  }

  event(name: string, payload: unknown): void {
    this.write(`event: ${name}\ndata: ${JSON.stringify(payload)}\n\n`);
  }

  /** Chat Completions' terminator. */
  done(): void {
    this.write('data: [DONE]\n\n');
    this.end();
  }

  end(): void {
    if (!this.closed) this.reply.raw.end();
    this.closed = true;
  }

  private write(text: string): void {
    if (!this.closed) this.reply.raw.write(text);
  }
}
