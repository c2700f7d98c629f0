import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import net, { type AddressInfo, type Socket } from 'node:net';
import zlib from 'node:zlib';
import { createNodeHttpFetch, type GatedRequestInit, type NodeHttpFetch } from './node-http-fetch.js';

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

describe('createNodeHttpFetch', () => {
  let server: http.Server;
  let baseURL: string;
  let handler: Handler;
  let connections: Socket[];
  let requests: Array<{ method: string; url: string; headers: http.IncomingHttpHeaders; body: string; socket: Socket }>;
  let client: NodeHttpFetch;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk));
      req.on('end', () => {
        requests.push({ method: req.method!, url: req.url!, headers: req.headers, body, socket: req.socket });
        handler(req, res, body);
      });
    });
    server.on('connection', (socket) => connections.push(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  beforeEach(() => {
    connections = [];
    requests = [];
    handler = (_req, res) => res.end('ok');
    client = createNodeHttpFetch();
  });
  afterEach(() => {
    client.close();
    server.closeAllConnections();
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('sends method, headers and body, and reads status, headers and JSON', async () => {
    handler = (_req, res, body) => {
      res.writeHead(201, { 'content-type': 'application/json', 'x-request-id': 'req_1', 'retry-after': '2' });
      res.end(JSON.stringify({ echoed: JSON.parse(body) }));
    };
    const headers = new Headers({ 'Content-Type': 'application/json', Authorization: 'Bearer k' });
    const response = await client(`${baseURL}/v1/chat?x=1`, { method: 'post', headers, body: JSON.stringify({ hi: 'é' }) });
    expect(requests[0]).toMatchObject({ method: 'POST', url: '/v1/chat?x=1', body: '{"hi":"é"}' });
    expect(requests[0]!.headers).toMatchObject({ 'content-type': 'application/json', authorization: 'Bearer k', 'content-length': '11', 'accept-encoding': 'identity' });
    expect(response.status).toBe(201);
    expect(response.ok).toBe(true);
    expect(response.url).toBe(`${baseURL}/v1/chat?x=1`);
    expect(response.headers.get('X-Request-Id')).toBe('req_1');
    expect(response.headers.has('retry-after')).toBe(true);
    expect(response.headers.get('missing')).toBeNull();
    expect([...response.headers.entries()].map(([name]) => name)).toEqual(expect.arrayContaining(['content-type', 'retry-after', 'x-request-id']));
    expect(await response.json()).toEqual({ echoed: { hi: 'é' } });
  });

  it('hands over the body as it arrives, chunk by chunk', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: one\n\n');
      void released.then(() => res.end('data: two\n\n'));
    };
    const response = await client(`${baseURL}/stream`, { method: 'POST', body: '{}' });
    const iterator = (response.body as unknown as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
    // The first event is readable while the server still holds the second back.
    expect(String((await iterator.next()).value)).toBe('data: one\n\n');
    release();
    expect(String((await iterator.next()).value)).toBe('data: two\n\n');
    expect((await iterator.next()).done).toBe(true);
  });

  it('reuses one kept-alive connection for requests in sequence', async () => {
    for (let i = 0; i < 5; i++) expect(await (await client(`${baseURL}/n${i}`, { method: 'GET' })).text()).toBe('ok');
    expect(connections).toHaveLength(1);
  });

  it('retries once on a fresh connection when a kept-alive one turns out dead, and no more', async () => {
    await (await client(`${baseURL}/warm`)).text();
    // The server drops the reused connection the moment the next request lands on it.
    const warmSocket = requests[0]!.socket;
    handler = (req, res) => (req.socket === warmSocket ? req.socket.destroy() : res.end('fresh'));
    const response = await client(`${baseURL}/again`, { method: 'POST', body: 'x' });
    expect(await response.text()).toBe('fresh');
    expect(connections).toHaveLength(2);

    // A fresh connection that fails is a failure, not another retry.
    handler = (req) => req.socket.destroy();
    await expect(client(`${baseURL}/broken`, { method: 'POST', body: 'x' })).rejects.toMatchObject({ name: 'TypeError', message: 'fetch failed' });
    expect(requests.filter((r) => r.url === '/broken').length).toBeLessThanOrEqual(2);
  });

  it('rejects with an AbortError when aborted before the answer, and ends the body when aborted during it', async () => {
    handler = () => undefined; // never answers
    const early = new AbortController();
    const pending = client(`${baseURL}/hang`, { method: 'POST', body: '{}', signal: early.signal });
    await new Promise((resolve) => setTimeout(resolve, 20));
    early.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    await expect(client(`${baseURL}/hang`, { signal: early.signal })).rejects.toMatchObject({ name: 'AbortError' });

    handler = (_req, res) => res.write('data: first\n\n');
    const late = new AbortController();
    const response = await client(`${baseURL}/half`, { method: 'POST', body: '{}', signal: late.signal });
    const iterator = (response.body as unknown as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
    expect(String((await iterator.next()).value)).toBe('data: first\n\n');
    late.abort();
    await expect(iterator.next()).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('reports an unreachable server as fetch does', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    await expect(client(`http://127.0.0.1:${port}/`)).rejects.toMatchObject({ name: 'TypeError', cause: { code: 'ECONNREFUSED' } });
  });

  it('decodes a body the server compressed although identity was asked for', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-encoding': 'gzip' });
      res.end(zlib.gzipSync('squeezed'));
    };
    expect(await (await client(`${baseURL}/gz`)).text()).toBe('squeezed');
  });

  it('refuses to buffer a body past its limit', async () => {
    handler = (_req, res) => {
      const chunk = Buffer.alloc(1024 * 1024, 97);
      let sent = 0;
      const pump = () => {
        while (sent < 20 && res.write(chunk)) sent++;
        if (sent < 20) res.once('drain', pump);
        else res.end();
      };
      pump();
    };
    await expect((await client(`${baseURL}/huge`)).text()).rejects.toThrow(/larger than/);
  });

  it('leaves kinds of request it does not speak to the global fetch', async () => {
    const response = await client(new Request(`${baseURL}/as-request`, { method: 'PUT', body: 'r' }));
    expect(await response.text()).toBe('ok');
    expect(requests[0]).toMatchObject({ method: 'PUT', url: '/as-request', body: 'r' });
    expect(requests[0]!.headers['accept-encoding']).not.toBe('identity');
  });

  describe('with sendAfter', () => {
    // A raw server, so every byte that reaches it counts, the request head included.
    let raw: net.Server;
    let rawURL: string;
    let received: string;
    beforeAll(async () => {
      raw = net.createServer((socket) =>
        socket.on('data', (chunk: Buffer) => {
          received += String(chunk);
          if (received.endsWith('\r\n\r\ngated')) socket.end('HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok');
        }),
      );
      await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
      rawURL = `http://127.0.0.1:${(raw.address() as AddressInfo).port}`;
    });
    beforeEach(() => (received = ''));
    afterAll(() => new Promise((resolve) => raw.close(resolve)));

    it('writes nothing until sendAfter resolves, then sends the request whole', async () => {
      let open!: () => void;
      const init: GatedRequestInit = { method: 'POST', body: 'gated', sendAfter: new Promise<void>((resolve) => (open = resolve)) };
      const pending = client(`${rawURL}/v1/chat`, init);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(received).toBe('');
      open();
      expect(await (await pending).text()).toBe('ok');
      expect(received).toMatch(/^POST \/v1\/chat HTTP\/1\.1\r\n[\s\S]*content-length: 5\r\n[\s\S]*\r\n\r\ngated$/);
    });

    it('sends nothing when aborted while waiting, and rejects with an AbortError', async () => {
      const abort = new AbortController();
      const init: GatedRequestInit = { method: 'POST', body: 'gated', signal: abort.signal, sendAfter: new Promise<void>(() => undefined) };
      const pending = client(`${rawURL}/v1/chat`, init);
      await new Promise((resolve) => setTimeout(resolve, 20));
      abort.abort();
      await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(received).toBe('');
    });
  });
});
