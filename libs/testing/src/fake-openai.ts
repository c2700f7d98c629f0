// A fake OpenAI Chat Completions upstream on 127.0.0.1 that speaks the real wire format,
// so the gateway's tests and benchmarks exercise the same parsing paths as production.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { listenOnFreePort } from './free-port.js';
import * as wire from './fake-openai.sse.js';

export interface FakeUsage {
  prompt_tokens: number;
  completion_tokens: number;
  cached_tokens?: number;
}

export interface FakeToolCall {
  id?: string;
  name: string;
  arguments: string;
}

/** What the fake recorded for each POST /v1/chat/completions. */
export interface FakeChatRequest {
  /** Parsed JSON body exactly as received. */
   
  body: any;
  headers: Record<string, string | string[] | undefined>;
   
  messages: Array<{ role: string; content: any; tool_calls?: any; tool_call_id?: string }>;
  receivedAt: number;
}

export type FakeReply =
  | {
      kind: 'text';
      text: string;
      /** Omitted: computed like the default responder does. null: no usage on the wire. */
      usage?: FakeUsage | null;
      /** Words per SSE chunk, default 1. */
      chunkSize?: number;
      /** A whole (non-streamed) answer waits as long as all its chunks would, then comes at once. */
      delayMsPerChunk?: number;
    }
  | { kind: 'tool_calls'; calls: FakeToolCall[]; usage?: FakeUsage | null }
  | { kind: 'error'; status: number; body?: unknown; headers?: Record<string, string> }
  /** Accepts the request and never answers; close() tears it down. */
  | { kind: 'hang' }
  /** Streams `afterText` as deltas (a whole answer: sends half of it), then destroys the socket without [DONE]. */
  | { kind: 'break'; afterText: string }
  /** Streams `afterText` as deltas (a whole answer: sends half of it), then goes silent with the connection open until close(). */
  | { kind: 'stall'; afterText: string }
  /** 200 with a body that is neither valid JSON nor valid SSE payloads. */
  | { kind: 'garbage' };

export type FakeResponder = (req: FakeChatRequest, index: number) => FakeReply | Promise<FakeReply>;

export interface FakeOpenAIOptions {
  responder?: FakeResponder;
  /** Delay before the response head of every request. */
  latencyMs?: number;
}

/** prompt_tokens = ceil(characters of all message contents / 4), at least 1. */
export function estimatePromptTokens(messages: FakeChatRequest['messages']): number {
  const chars = messages.reduce((sum, m) => sum + wire.contentText(m?.content).length, 0);
  return Math.max(1, Math.ceil(chars / 4));
}

/** Replies `Echo: <last user message>`; usage is left to the default computation. */
export const echoResponder: FakeResponder = (req) => {
  const lastUser = [...req.messages].reverse().find((m) => m?.role === 'user');
  return { kind: 'text', text: `Echo: ${wire.contentText(lastUser?.content)}` };
};

export class FakeOpenAI {
  readonly baseURL: string;
  readonly requests: FakeChatRequest[] = [];
  private readonly queue: FakeReply[] = [];
  private responder: FakeResponder;
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Map<NodeJS.Timeout, (completed: boolean) => void>();
  private closing: Promise<void> | undefined;
  private responses = 0;

  private constructor(
    private readonly server: Server,
    port: number,
    private readonly initialResponder: FakeResponder,
    private readonly latencyMs: number,
  ) {
    this.baseURL = `http://127.0.0.1:${port}/v1`;
    this.responder = initialResponder;
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    server.on('request', (req: IncomingMessage, res: ServerResponse) => void this.handle(req, res));
  }

  static async start(opts: FakeOpenAIOptions = {}): Promise<FakeOpenAI> {
    const server = createServer();
    const port = await listenOnFreePort(server);
    return new FakeOpenAI(server, port, opts.responder ?? echoResponder, opts.latencyMs ?? 0);
  }

  respondWith(responder: FakeResponder): void {
    this.responder = responder;
  }

  enqueue(...replies: FakeReply[]): void {
    this.queue.push(...replies);
  }

  /** Restores the responder given to start() (the echo responder if none was). */
  reset(): void {
    // Emptied in place so callers holding `fake.requests` keep seeing the live list.
    this.requests.length = 0;
    this.queue.length = 0;
    this.responder = this.initialResponder;
  }

  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      for (const [timer, settle] of this.timers) {
        clearTimeout(timer);
        settle(false);
      }
      this.timers.clear();
      this.server.close(() => resolve());
      // server.close() alone would wait for keep-alive and hanging sockets and keep jest alive.
      for (const socket of this.sockets) socket.destroy();
    });
    return this.closing;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const raw = await readBody(req);
      const path = new URL(req.url ?? '/', 'http://fake').pathname;
      if (req.method === 'POST' && path === '/v1/chat/completions') return await this.chat(raw, req, res);
      if (!(await this.delayHead(res))) return;
      if (req.method === 'GET' && path === '/v1/models') return sendJson(res, 200, wire.modelList(1_700_000_000));
      sendJson(res, 404, wire.errorBody(404, `Invalid URL (${req.method} ${path})`, null));
    } catch (err) {
      // A throwing responder must surface as a server error, not an unhandled rejection.
      if (res.headersSent || isGone(res)) res.destroy();
      else sendJson(res, 500, wire.errorBody(500, `fake-openai: ${err instanceof Error ? err.message : String(err)}`));
    }
  }

  private async chat(raw: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      return sendJson(res, 400, wire.errorBody(400, 'We could not parse the JSON body of your request.'));
    }
    if (!body || typeof body !== 'object' || !Array.isArray((body as { messages?: unknown }).messages)) {
      return sendJson(res, 400, wire.errorBody(400, "'messages' is a required property"));
    }
    const record: FakeChatRequest = {
      body,
      headers: { ...req.headers },
      messages: (body as { messages: FakeChatRequest['messages'] }).messages,
      receivedAt: Date.now(),
    };
    const index = this.requests.push(record) - 1;
    const reply = this.queue.shift() ?? (await this.responder(record, index));
    if (reply.kind === 'hang' || !(await this.delayHead(res))) return;
    await this.reply(res, record, reply);
  }

  private async reply(res: ServerResponse, record: FakeChatRequest, reply: FakeReply): Promise<void> {
    const stream = record.body.stream === true;
    const ctx: wire.ResponseContext = {
      id: `chatcmpl-fake${String(++this.responses).padStart(8, '0')}`,
      created: Math.floor(Date.now() / 1000),
      model: typeof record.body.model === 'string' ? record.body.model : 'unknown',
      includeUsage: stream && record.body.stream_options?.include_usage === true,
    };
    const head = { 'x-request-id': `req_${ctx.id}` };
    switch (reply.kind) {
      case 'error':
        return sendJson(res, reply.status, reply.body ?? wire.errorBody(reply.status), { ...head, ...reply.headers });
      case 'garbage':
        res.writeHead(200, { ...head, 'content-type': stream ? 'text/event-stream; charset=utf-8' : 'application/json' });
        res.end(stream ? 'this is not an event stream\ndata: {"choices": [{"delta":\n\n' : '<html>upstream exploded{"id":');
        return;
      case 'text': {
        const usage = reply.usage === undefined ? defaultUsage(record, wire.countWords(reply.text)) : reply.usage;
        const deltas = wire.textDeltas(reply.text, reply.chunkSize);
        if (!stream) {
          // A whole answer takes as long as its stream would have.
          const generating = (reply.delayMsPerChunk ?? 0) * deltas.length;
          if (generating > 0 && (!(await this.pause(generating)) || isGone(res))) return;
          return sendJson(res, 200, wire.completion(ctx, { content: reply.text }, 'stop', usage), head);
        }
        return this.stream(res, ctx, head, deltas, 'stop', usage, reply.delayMsPerChunk ?? 0);
      }
      case 'tool_calls': {
        const calls = reply.calls.map((c, i) => ({ ...c, id: c.id ?? `call_${ctx.id.slice(9)}_${i}` }));
        const argChars = calls.reduce((sum, c) => sum + c.arguments.length, 0);
        const usage = reply.usage === undefined ? defaultUsage(record, Math.max(1, Math.ceil(argChars / 4))) : reply.usage;
        if (!stream) {
          const message = { content: null, tool_calls: wire.wireToolCalls(calls) };
          return sendJson(res, 200, wire.completion(ctx, message, 'tool_calls', usage), head);
        }
        return this.stream(res, ctx, head, wire.toolCallDeltas(calls), 'tool_calls', usage, 0);
      }
      case 'break':
        return this.breakMidway(res, ctx, head, stream, reply.afterText);
      case 'stall':
        // The rest never comes; the connection stays open.
        res.write(writePartHead(res, ctx, head, stream, reply.afterText));
        return;
    }
  }

  private async stream(
    res: ServerResponse,
    ctx: wire.ResponseContext,
    head: Record<string, string>,
    deltas: wire.Delta[],
    finishReason: 'stop' | 'tool_calls',
    usage: FakeUsage | null,
    delayMsPerChunk: number,
  ): Promise<void> {
    writeSseHead(res, head);
    res.write(wire.sseFrame(wire.chunk(ctx, { role: 'assistant', content: '' })));
    for (const delta of deltas) {
      if (delayMsPerChunk > 0 && !(await this.pause(delayMsPerChunk))) return;
      if (isGone(res)) return;
      res.write(wire.sseFrame(wire.chunk(ctx, delta)));
    }
    res.write(wire.sseFrame(wire.chunk(ctx, {}, finishReason)));
    if (ctx.includeUsage && usage) res.write(wire.sseFrame(wire.usageChunk(ctx, usage)));
    res.end(wire.SSE_DONE);
  }

  private async breakMidway(
    res: ServerResponse,
    ctx: wire.ResponseContext,
    head: Record<string, string>,
    stream: boolean,
    text: string,
  ): Promise<void> {
    const payload = writePartHead(res, ctx, head, stream, text);
    // Destroying before the write is flushed would discard the partial text the client must see.
    await new Promise<void>((resolve) => res.write(payload, () => resolve()));
    res.socket?.destroy();
  }

  /** Resolves false when close() interrupted the wait or the client went away. */
  private async delayHead(res: ServerResponse): Promise<boolean> {
    if (this.latencyMs > 0 && !(await this.pause(this.latencyMs))) return false;
    return !isGone(res);
  }

  /** A timer close() can cancel, so pending delays never keep the process alive. */
  private pause(ms: number): Promise<boolean> {
    if (this.closing) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve(true);
      }, ms);
      this.timers.set(timer, resolve);
    });
  }
}

function defaultUsage(record: FakeChatRequest, completionTokens: number): FakeUsage {
  return { prompt_tokens: estimatePromptTokens(record.messages), completion_tokens: completionTokens };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function isGone(res: ServerResponse): boolean {
  return res.destroyed || !res.socket || res.socket.destroyed;
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  // Caller headers may override content-type, e.g. to imitate a proxy's HTML error page.
  res.writeHead(status, { 'content-type': 'application/json', ...headers, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function writeSseHead(res: ServerResponse, headers: Record<string, string>): void {
  res.writeHead(200, { ...headers, 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
}

/**
 * Writes the head of an answer that will not be finished and returns the part of it to
 * send: a stream's opening frames with `text`, or half of a whole answer's promised body
 * (the client sees a truncated message, not a short one).
 */
function writePartHead(res: ServerResponse, ctx: wire.ResponseContext, head: Record<string, string>, stream: boolean, text: string): string {
  if (stream) {
    writeSseHead(res, head);
    return openingFrames(ctx, text);
  }
  const full = JSON.stringify(wire.completion(ctx, { content: text }, 'stop', null));
  res.writeHead(200, { ...head, 'content-type': 'application/json', 'content-length': Buffer.byteLength(full) });
  return full.slice(0, Math.floor(full.length / 2));
}

/** The first frames of a streamed text answer: the role, then `text` as deltas (no finish, no [DONE]). */
function openingFrames(ctx: wire.ResponseContext, text: string): string {
  return [{ role: 'assistant', content: '' }, ...wire.textDeltas(text)].map((d) => wire.sseFrame(wire.chunk(ctx, d))).join('');
}
