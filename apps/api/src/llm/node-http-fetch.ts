// The `fetch` the openai SDK calls for every model round. Global fetch (undici) wraps each
// response in web streams, a Headers object and a Response; on a 2-core box that was 1.15 ms of
// CPU per streamed round against 0.69 ms for this, which hands the SDK node:http's response
// itself (the SDK iterates any body that is async-iterable, skipping its web-stream reader).
// Connections are kept alive per origin, as undici does.
import http, { type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import zlib from 'node:zlib';

export type NodeHttpFetch = typeof fetch & { close(): void };

/** `sendAfter`: the request is built and its socket taken at once, but written only once this resolves. */
export type GatedRequestInit = RequestInit & { sendAfter?: Promise<void> };

/** Error bodies and JSON answers are read whole; a body past this is a broken upstream. */
const MAX_BUFFERED_BODY_BYTES = 16 * 1024 * 1024;
/** A kept-alive socket the server closed while idle fails the next request at once; one retry on a fresh socket. */
const STALE_SOCKET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);

export function createNodeHttpFetch(): NodeHttpFetch {
  const agents: Record<string, http.Agent> = {
    'http:': new http.Agent({ keepAlive: true, scheduling: 'lifo' }),
    'https:': new https.Agent({ keepAlive: true, scheduling: 'lifo' }),
  };
  const fetchOverNodeHttp = (input: string | URL | Request, gatedInit: GatedRequestInit = {}): Promise<Response> => {
    const { sendAfter, ...init } = gatedInit;
    const body = bufferedBody(init.body);
    const url = typeof input === 'string' || input instanceof URL ? new URL(input) : null;
    const agent = url ? agents[url.protocol] : undefined;
    // Anything the SDK does not send on our paths (uploads, Request objects, other schemes) keeps the standard client.
    if (!url || !agent || body === false) return sendAfter ? sendAfter.then(() => fetch(input, init)) : fetch(input, init);
    if (init.signal?.aborted) return Promise.reject(abortReason(init.signal));
    const headers = plainHeaders(init.headers);
    headers['accept-encoding'] ??= 'identity';
    if (body !== undefined) headers['content-length'] = String(body.byteLength);
    const request = { url, agent, method: (init.method ?? 'GET').toUpperCase(), headers, body, signal: init.signal ?? undefined, sendAfter };
    return send(request, true);
  };
  return Object.assign(fetchOverNodeHttp as typeof fetch, {
    close: () => Object.values(agents).forEach((agent) => agent.destroy()),
  });
}

interface OutgoingRequest {
  url: URL;
  agent: http.Agent;
  method: string;
  headers: Record<string, string>;
  body: Buffer | undefined;
  signal: AbortSignal | undefined;
  sendAfter: Promise<void> | undefined;
}

function send(request: OutgoingRequest, mayRetry: boolean): Promise<Response> {
  const { url, agent, method, headers, body, signal, sendAfter } = request;
  return new Promise((resolve, reject) => {
    const transport = url.protocol === 'https:' ? https : http;
    let response: IncomingMessage | null = null;
    const onAbort = () => {
      const reason = abortReason(signal!);
      if (response) response.destroy(reason);
      else clientRequest.destroy(reason);
    };
    const clientRequest = transport.request(url, { agent, method, headers }, (incoming) => {
      response = incoming;
      incoming.once('close', () => signal?.removeEventListener('abort', onAbort));
      try {
        resolve(new NodeHttpResponse(url.href, incoming) as unknown as Response);
      } catch (error) {
        incoming.destroy();
        reject(error as Error);
      }
    });
    clientRequest.once('error', (error: NodeJS.ErrnoException) => {
      if (response) return; // after the head, errors reach the reader through the body
      signal?.removeEventListener('abort', onAbort);
      if (signal?.aborted) return reject(abortReason(signal));
      if (mayRetry && clientRequest.reusedSocket && STALE_SOCKET_CODES.has(error.code ?? '')) return resolve(send(request, false));
      reject(new TypeError('fetch failed', { cause: error }));
    });
    signal?.addEventListener('abort', onAbort, { once: true });
    // Node writes nothing of a request (head included) before its first write or end.
    if (sendAfter) void sendAfter.then(() => clientRequest.destroyed || clientRequest.end(body));
    else clientRequest.end(body);
  });
}

/** What the SDK reads of a Response: status, headers, and the body streamed or whole. */
class NodeHttpResponse {
  readonly status: number;
  readonly statusText: string;
  readonly ok: boolean;
  readonly headers: ResponseHeaders;
  readonly redirected = false;
  readonly type = 'basic';
  readonly body: Readable;

  constructor(
    readonly url: string,
    incoming: IncomingMessage,
  ) {
    this.status = incoming.statusCode ?? 0;
    this.statusText = incoming.statusMessage ?? '';
    this.ok = this.status >= 200 && this.status < 300;
    this.headers = new ResponseHeaders(incoming.headers);
    this.body = decoded(incoming);
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of this.body as AsyncIterable<Buffer>) {
      size += chunk.byteLength;
      if (size > MAX_BUFFERED_BODY_BYTES) {
        this.body.destroy();
        throw new TypeError(`the response body is larger than ${MAX_BUFFERED_BODY_BYTES} bytes`);
      }
      chunks.push(chunk);
    }
    const whole = Buffer.concat(chunks, size);
    return whole.buffer.slice(whole.byteOffset, whole.byteOffset + size) as ArrayBuffer;
  }

  async text(): Promise<string> {
    return new TextDecoder().decode(await this.arrayBuffer());
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }
}

/** What the SDK and our error mapping read of response headers (get, entries), over node's lower-cased record: no copy per response. */
class ResponseHeaders {
  constructor(private readonly raw: IncomingHttpHeaders) {}

  get(name: string): string | null {
    const value = this.raw[name.toLowerCase()];
    if (value === undefined) return null;
    return Array.isArray(value) ? value.join(', ') : value;
  }

  has(name: string): boolean {
    return this.raw[name.toLowerCase()] !== undefined;
  }

  *entries(): IterableIterator<[string, string]> {
    for (const name of Object.keys(this.raw).sort()) yield [name, this.get(name)!];
  }
}

/** We ask for identity; a server that compresses anyway is still read correctly. */
function decoded(incoming: IncomingMessage): Readable {
  const encoding = incoming.headers['content-encoding']?.trim().toLowerCase();
  if (!encoding || encoding === 'identity') return incoming;
  const decoder = encoding === 'gzip' || encoding === 'x-gzip' ? zlib.createGunzip() : encoding === 'deflate' ? zlib.createInflate() : encoding === 'br' ? zlib.createBrotliDecompress() : null;
  if (!decoder) throw new TypeError(`unsupported content-encoding "${encoding}"`);
  incoming.once('error', (error) => decoder.destroy(error));
  decoder.once('close', () => incoming.destroy());
  return incoming.pipe(decoder);
}

/** undefined: no body; false: a kind this client does not send (the caller falls back to fetch). */
function bufferedBody(body: RequestInit['body']): Buffer | undefined | false {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return Buffer.from(body);
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  if (ArrayBuffer.isView(body)) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  return false;
}

function plainHeaders(headers: RequestInit['headers']): Record<string, string> {
  const plain: Record<string, string> = {};
  if (!headers) return plain;
  if (headers instanceof Headers) headers.forEach((value, name) => (plain[name] = value));
  else if (Array.isArray(headers)) for (const [name, value] of headers) plain[String(name).toLowerCase()] = String(value);
  else for (const [name, value] of Object.entries(headers)) plain[name.toLowerCase()] = String(value);
  return plain;
}

/** fetch rejects with the signal's reason, an AbortError unless the caller gave one. */
function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new DOMException('This operation was aborted', 'AbortError');
}
