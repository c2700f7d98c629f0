// A fake Slack Web API on 127.0.0.1 with the real response shapes for the methods the
// gateway calls (chat.postMessage, chat.update, auth.test). Point SLACK_API_URL at `baseURL`.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { listenOnFreePort } from './free-port.js';

/** Every Web API call the fake received, in order. */
export interface FakeSlackCall {
  /** e.g. chat.postMessage */
  method: string;
  /** the arguments, from a JSON or a form-encoded body (and the query string) */
  body: Record<string, any>;
  authorization: string | null;
  contentType: string | null;
}

/** A message the bot posted, with its text as last updated. */
export interface FakeSlackMessage {
  channel: string;
  ts: string;
  threadTs: string | null;
  text: string;
  /** every text it has shown, first the posted one, then each update */
  history: string[];
}

export interface FakeSlackOptions {
  /** when set, any other token gets `invalid_auth` */
  token?: string;
  botUserId?: string;
  botId?: string;
  teamId?: string;
}

export interface FakeSlackFailure {
  /** Slack's error code in `{ ok: false, error }`, e.g. `ratelimited`, `channel_not_found` */
  error: string;
  /** HTTP status, 200 unless given (Slack answers most errors with 200; rate limits with 429) */
  status?: number;
  retryAfterSeconds?: number;
}

/** Slack's limit on `text`; longer is refused with msg_too_long. */
const MAX_TEXT = 40_000;

export class FakeSlack {
  readonly baseURL: string;
  readonly calls: FakeSlackCall[] = [];
  readonly messages: FakeSlackMessage[] = [];
  readonly botUserId: string;
  readonly botId: string;
  readonly teamId: string;
  private readonly failures: Array<{ method: string; failure: FakeSlackFailure; times: number }> = [];
  private readonly sockets = new Set<Socket>();
  private readonly baseSeconds = 1_700_000_000;
  private sequence = 0;

  private constructor(
    private readonly server: Server,
    port: number,
    private readonly options: FakeSlackOptions,
  ) {
    this.baseURL = `http://127.0.0.1:${port}/api`;
    this.botUserId = options.botUserId ?? 'UBOT0001';
    this.botId = options.botId ?? 'BBOT0001';
    this.teamId = options.teamId ?? 'T0000001';
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    server.on('request', (req: IncomingMessage, res: ServerResponse) => void this.handle(req, res));
  }

  static async start(options: FakeSlackOptions = {}): Promise<FakeSlack> {
    const server = createServer();
    const port = await listenOnFreePort(server);
    return new FakeSlack(server, port, options);
  }

  /** The next `times` calls of `method` fail as given. */
  failNext(method: string, failure: FakeSlackFailure, times = 1): void {
    this.failures.push({ method, failure, times });
  }

  callsOf(method: string): FakeSlackCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** The bot's messages in one thread (its root ts), oldest first. */
  thread(channel: string, threadTs: string): FakeSlackMessage[] {
    return this.messages.filter((m) => m.channel === channel && m.threadTs === threadTs);
  }

  /** Forgets calls, messages and pending failures. */
  reset(): void {
    this.calls.length = 0;
    this.messages.length = 0;
    this.failures.length = 0;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      for (const socket of this.sockets) socket.destroy();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? '/', 'http://fake');
      const match = /^\/api\/([a-zA-Z.]+)$/.exec(url.pathname);
      if (!match) return send(res, 404, { ok: false, error: 'unknown_method' });
      const contentType = typeof req.headers['content-type'] === 'string' ? req.headers['content-type'] : null;
      const raw = await readBody(req);
      let body: Record<string, any> = Object.fromEntries(url.searchParams);
      if (raw && contentType?.startsWith('application/json')) {
        try {
          body = { ...body, ...(JSON.parse(raw) as Record<string, unknown>) };
        } catch {
          return send(res, 200, { ok: false, error: 'invalid_json' });
        }
      } else if (raw) {
        body = { ...body, ...Object.fromEntries(new URLSearchParams(raw)) };
      }
      const authorization = typeof req.headers.authorization === 'string' ? req.headers.authorization : null;
      const call: FakeSlackCall = { method: match[1]!, body, authorization, contentType };
      this.calls.push(call);

      const failure = this.takeFailure(call.method);
      if (failure) return send(res, failure.status ?? 200, { ok: false, error: failure.error }, failure.retryAfterSeconds !== undefined ? { 'retry-after': String(failure.retryAfterSeconds) } : {});
      const token = authorization?.replace(/^Bearer\s+/i, '') ?? (typeof body.token === 'string' ? body.token : null);
      if (!token) return send(res, 200, { ok: false, error: 'not_authed' });
      if (this.options.token !== undefined && token !== this.options.token) return send(res, 200, { ok: false, error: 'invalid_auth' });
      send(res, 200, this.route(call));
    } catch (error) {
      send(res, 500, { ok: false, error: `fake-slack: ${(error as Error).message}` });
    }
  }

  private route(call: FakeSlackCall): Record<string, unknown> {
    switch (call.method) {
      case 'auth.test':
        return { ok: true, url: 'https://fake-team.slack.com/', team: 'Fake Team', user: 'threadline', team_id: this.teamId, user_id: this.botUserId, bot_id: this.botId, is_enterprise_install: false };
      case 'chat.postMessage':
        return this.post(call.body);
      case 'chat.update':
        return this.update(call.body);
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }

  private post(args: Record<string, any>): Record<string, unknown> {
    const channel = typeof args.channel === 'string' ? args.channel : '';
    if (!channel) return { ok: false, error: 'channel_not_found' };
    const text = typeof args.text === 'string' ? args.text : '';
    if (!text && !args.blocks) return { ok: false, error: 'no_text' };
    if (text.length > MAX_TEXT) return { ok: false, error: 'msg_too_long' };
    const ts = this.nextTs();
    const threadTs = typeof args.thread_ts === 'string' && args.thread_ts ? args.thread_ts : null;
    this.messages.push({ channel, ts, threadTs, text, history: [text] });
    return { ok: true, channel, ts, message: this.wireMessage(text, ts, threadTs) };
  }

  private update(args: Record<string, any>): Record<string, unknown> {
    const message = this.messages.find((m) => m.channel === args.channel && m.ts === args.ts);
    if (!message) return { ok: false, error: args.channel ? 'message_not_found' : 'channel_not_found' };
    const text = typeof args.text === 'string' ? args.text : '';
    if (!text && !args.blocks) return { ok: false, error: 'no_text' };
    if (text.length > MAX_TEXT) return { ok: false, error: 'msg_too_long' };
    message.text = text;
    message.history.push(text);
    return { ok: true, channel: message.channel, ts: message.ts, text, message: this.wireMessage(text, message.ts, message.threadTs) };
  }

  private wireMessage(text: string, ts: string, threadTs: string | null): Record<string, unknown> {
    return { type: 'message', user: this.botUserId, bot_id: this.botId, app_id: 'AFAKE0001', text, ts, team: this.teamId, ...(threadTs ? { thread_ts: threadTs } : {}) };
  }

  private nextTs(): string {
    this.sequence += 1;
    return `${this.baseSeconds + Math.floor(this.sequence / 1_000_000)}.${String(this.sequence % 1_000_000).padStart(6, '0')}`;
  }

  private takeFailure(method: string): FakeSlackFailure | null {
    const rule = this.failures.find((r) => r.times > 0 && r.method === method);
    if (!rule) return null;
    rule.times--;
    return rule.failure;
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}
