// A fake Graph API on 127.0.0.1 for the send endpoints the gateway calls: the Messenger
// Send API and the WhatsApp Cloud API, both `POST /{version}/{id}/messages`, with their
// real response and error shapes and text limits. Point GRAPH_API_URL at `baseURL`.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { listenOnFreePort } from './free-port.js';

/** Every send the fake received, in order. */
export interface FakeGraphCall {
  path: string;
  /** the page id (Messenger) or phone number id (WhatsApp) in the path */
  accountId: string;
  product: 'messenger' | 'whatsapp';
  body: any;
  authorization: string | null;
  /** the text sent, when the call sent one */
  text: string | null;
  /** the user it went to: recipient.id (Messenger) or to (WhatsApp) */
  recipient: string | null;
}

export interface FakeGraphOptions {
  /** when set, any other token gets Graph's OAuthException 190 */
  token?: string;
  /** the version segment of `baseURL`, default v21.0 */
  version?: string;
}

export interface FakeGraphFailure {
  status: number;
  message?: string;
  code?: number;
}

const MESSENGER_MAX_TEXT = 2_000;
const WHATSAPP_MAX_TEXT = 4_096;

export class FakeGraph {
  readonly baseURL: string;
  readonly calls: FakeGraphCall[] = [];
  private readonly failures: Array<{ failure: FakeGraphFailure; times: number }> = [];
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    port: number,
    private readonly options: FakeGraphOptions,
  ) {
    this.baseURL = `http://127.0.0.1:${port}/${options.version ?? 'v21.0'}`;
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    server.on('request', (req: IncomingMessage, res: ServerResponse) => void this.handle(req, res));
  }

  static async start(options: FakeGraphOptions = {}): Promise<FakeGraph> {
    const server = createServer();
    const port = await listenOnFreePort(server);
    return new FakeGraph(server, port, options);
  }

  /** The texts sent on a product, optionally to one user, in order. */
  texts(product: 'messenger' | 'whatsapp', recipient?: string): string[] {
    return this.calls.filter((c) => c.product === product && c.text !== null && (recipient === undefined || c.recipient === recipient)).map((c) => c.text!);
  }

  /** The next `times` sends fail with this Graph error. */
  failNext(failure: FakeGraphFailure, times = 1): void {
    this.failures.push({ failure, times });
  }

  reset(): void {
    this.calls.length = 0;
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
      const match = /^\/(?:v\d+\.\d+\/)?([^/]+)\/messages$/.exec(url.pathname);
      if (req.method !== 'POST' || !match) return send(res, 400, graphError('Unsupported request - method type or path not supported by the fake', 100));
      let body: any;
      try {
        body = JSON.parse(await readBody(req));
      } catch {
        return send(res, 400, graphError('(#100) The parameter body must be valid JSON', 100));
      }
      const authorization = typeof req.headers.authorization === 'string' ? req.headers.authorization : null;
      const product = body?.messaging_product === 'whatsapp' ? 'whatsapp' : 'messenger';
      const text = product === 'whatsapp' ? (body?.text?.body ?? null) : (body?.message?.text ?? null);
      const recipient = product === 'whatsapp' ? (body?.to ?? null) : (body?.recipient?.id ?? null);
      this.calls.push({ path: url.pathname, accountId: decodeURIComponent(match[1]!), product, body, authorization, text, recipient });

      const token = authorization?.replace(/^Bearer\s+/i, '') ?? url.searchParams.get('access_token');
      if (!token) return send(res, 400, graphError('An active access token must be used to query information about the current user.', 2500));
      if (this.options.token !== undefined && token !== this.options.token) return send(res, 401, graphError('Invalid OAuth access token - Cannot parse access token', 190));
      const failure = this.takeFailure();
      if (failure) return send(res, failure.status, graphError(failure.message ?? 'An unexpected error has occurred. Please retry your request later.', failure.code ?? 2));
      if (product === 'whatsapp') return this.whatsapp(body, res);
      this.messenger(body, res);
    } catch (error) {
      send(res, 500, graphError(`fake-graph: ${(error as Error).message}`, 1));
    }
  }

  private messenger(body: any, res: ServerResponse): void {
    const recipient = body?.recipient?.id;
    if (typeof recipient !== 'string' || !recipient) return send(res, 400, graphError('(#100) The parameter recipient is required', 100));
    if (body.sender_action) return send(res, 200, { recipient_id: recipient });
    const text = body?.message?.text;
    if (typeof text !== 'string' || !text) return send(res, 400, graphError('(#100) Param message must be non-empty', 100));
    if (text.length > MESSENGER_MAX_TEXT) return send(res, 400, graphError(`(#100) Length of param message[text] must be less than or equal to ${MESSENGER_MAX_TEXT}`, 100));
    send(res, 200, { recipient_id: recipient, message_id: `m_${randomBytes(18).toString('base64url')}` });
  }

  private whatsapp(body: any, res: ServerResponse): void {
    if (body.status === 'read') return send(res, 200, { success: true });
    const to = body?.to;
    if (typeof to !== 'string' || !to) return send(res, 400, graphError('(#100) The parameter to is required.', 100));
    if (body.type !== 'text') return send(res, 400, graphError(`(#100) Param type must be text in this fake, got ${String(body.type)}`, 100));
    const text = body?.text?.body;
    if (typeof text !== 'string' || !text) return send(res, 400, graphError("(#100) The parameter text['body'] is required.", 100));
    if (text.length > WHATSAPP_MAX_TEXT) return send(res, 400, graphError(`(#100) Param text['body'] must be at most ${WHATSAPP_MAX_TEXT} characters long.`, 100));
    send(res, 200, { messaging_product: 'whatsapp', contacts: [{ input: to, wa_id: to }], messages: [{ id: `wamid.${randomBytes(24).toString('base64')}` }] });
  }

  private takeFailure(): FakeGraphFailure | null {
    const rule = this.failures.find((r) => r.times > 0);
    if (!rule) return null;
    rule.times--;
    return rule.failure;
  }
}

function graphError(message: string, code: number): Record<string, unknown> {
  return { error: { message, type: 'OAuthException', code, fbtrace_id: randomBytes(8).toString('base64url') } };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' });
  res.end(JSON.stringify(body));
}
