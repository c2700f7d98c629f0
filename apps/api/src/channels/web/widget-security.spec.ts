import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '@api/common/api-error.js';
import { ManualClock } from '@api/common/clock.js';
import { AppConfig, ConfigError } from '@api/config/app-config.js';
import { InProcessCoordination } from '@api/coordination/in-process.coordination.js';
import { WebRateLimiter } from './web-rate-limiter.js';
import { WidgetAssetsController } from './widget-assets.controller.js';
import { WidgetOrigins } from './widget-origins.js';

const rejection = (promise: Promise<unknown>) => promise.then(() => null, (error: unknown) => error as ApiError);

describe('WidgetOrigins', () => {
  it('defaults to any origin outside production and to the api itself (and PUBLIC_URL) in production', () => {
    expect(new WidgetOrigins(AppConfig.fromEnv({ NODE_ENV: 'development' })).allows('https://anyone.example', 'api.example')).toBe(true);
    const prod = new WidgetOrigins(AppConfig.fromEnv({ NODE_ENV: 'production', PUBLIC_URL: 'https://chat.example.com' }));
    expect(prod.allows('https://anyone.example', 'api.internal:3000')).toBe(false);
    expect(prod.allows('https://chat.example.com', 'api.internal:3000')).toBe(true);
    expect(prod.allows('http://api.internal:3000', 'api.internal:3000')).toBe(true);
    // No Origin header: not a cross-site browser request (curl, a server, a same-origin GET).
    expect(prod.allows(undefined, 'api.internal:3000')).toBe(true);
  });

  it('WIDGET_ALLOWED_ORIGINS lists exact origins, or * for any', () => {
    const listed = new WidgetOrigins(AppConfig.fromEnv({ WIDGET_ALLOWED_ORIGINS: 'https://a.example, https://b.example:8443' }));
    expect(listed.allows('https://a.example', 'api')).toBe(true);
    expect(listed.allows('https://b.example:8443', 'api')).toBe(true);
    expect(listed.allows('https://b.example', 'api')).toBe(false);
    expect(listed.allows('http://a.example', 'api')).toBe(false);
    expect(listed.allows('null', 'api')).toBe(false);
    expect(new WidgetOrigins(AppConfig.fromEnv({ NODE_ENV: 'production', WIDGET_ALLOWED_ORIGINS: '*' })).allows('https://x.example', 'api')).toBe(true);
  });

  it('a malformed list stops boot with one clear line', () => {
    expect(() => AppConfig.fromEnv({ WIDGET_ALLOWED_ORIGINS: 'https://a.example/path' })).toThrow(ConfigError);
    expect(() => AppConfig.fromEnv({ WIDGET_ALLOWED_ORIGINS: 'a.example' })).toThrow(/WIDGET_ALLOWED_ORIGINS must be a comma-separated list of origins/);
    expect(() => AppConfig.fromEnv({ WIDGET_RATE_PER_MINUTE: '-1' })).toThrow(/WIDGET_RATE_PER_MINUTE/);
  });
});

describe('WebRateLimiter', () => {
  const limiter = (env: Record<string, string>, clock: ManualClock) => new WebRateLimiter(new InProcessCoordination(), AppConfig.fromEnv(env), clock);

  it('allows N messages a minute per session, then answers rate_limited with Retry-After until the next minute', async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1, 12, 0, 15));
    const rate = limiter({ WIDGET_RATE_PER_MINUTE: '2', WIDGET_RATE_PER_MINUTE_PER_ADDRESS: '0' }, clock);
    await rate.take('s1', '10.0.0.1');
    await rate.take('s1', '10.0.0.1');
    const refused = await rejection(rate.take('s1', '10.0.0.1'));
    expect(refused).toBeInstanceOf(ApiError);
    expect(refused).toMatchObject({ code: 'rate_limited', status: 429, headers: { 'retry-after': '45' } });
    expect(refused!.message).toMatch(/in this conversation: at most 2 a minute/);
    await rate.take('s2', '10.0.0.1'); // another session has its own budget
    clock.advance(45_000);
    await rate.take('s1', '10.0.0.1');
  });

  it('counts every session of one address together', async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1, 12, 0, 0));
    const rate = limiter({ WIDGET_RATE_PER_MINUTE: '0', WIDGET_RATE_PER_MINUTE_PER_ADDRESS: '3' }, clock);
    for (const session of ['a', 'b', 'c']) await rate.take(session, '10.0.0.9');
    expect((await rejection(rate.take('d', '10.0.0.9')))?.message).toMatch(/from your network address/);
    await rate.take('d', '10.0.0.10');
  });

  it('defaults to 20 per session and 60 per address, and is off under NODE_ENV=test unless set', () => {
    const clock = new ManualClock();
    expect(limiter({}, clock)).toMatchObject({ perSession: 20, perAddress: 60 });
    expect(limiter({ NODE_ENV: 'test' }, clock)).toMatchObject({ perSession: 0, perAddress: 0 });
    expect(limiter({ NODE_ENV: 'test', WIDGET_RATE_PER_MINUTE: '5' }, clock)).toMatchObject({ perSession: 5, perAddress: 0 });
  });
});

describe('WidgetAssetsController', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tl-widget-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const reply = () => {
    const sent: { status: number; headers: Record<string, string>; body?: unknown } = { status: 200, headers: {} };
    const r = {
      header: (name: string, value: string) => ((sent.headers[name] = value), r),
      status: (code: number) => ((sent.status = code), r),
      send: async (body?: unknown) => void (sent.body = body),
    };
    return { sent, reply: r as unknown as FastifyReply };
  };
  const request = (headers: Record<string, string> = {}) => ({ headers }) as unknown as FastifyRequest;

  it('404s with how to build it when the widget is not built', async () => {
    const controller = new WidgetAssetsController(AppConfig.fromEnv({ WIDGET_DIR: join(dir, 'missing') }));
    const error = await rejection(controller.script(request(), reply().reply));
    expect(error).toMatchObject({ code: 'not_found' });
    expect(error!.message).toMatch(/npm run build/);
  });

  it('serves the file as JavaScript with an ETag, answers 304 to a matching If-None-Match, and picks up a rebuild', async () => {
    await writeFile(join(dir, 'widget.js'), 'console.log(1)');
    const controller = new WidgetAssetsController(AppConfig.fromEnv({ WIDGET_DIR: dir }));
    const first = reply();
    await controller.script(request(), first.reply);
    expect(first.sent.headers).toMatchObject({ 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'public, max-age=300, must-revalidate' });
    expect(String(first.sent.body)).toBe('console.log(1)');
    const etag = first.sent.headers.etag!;
    const again = reply();
    await controller.script(request({ 'if-none-match': etag }), again.reply);
    expect(again.sent.status).toBe(304);
    await writeFile(join(dir, 'widget.js'), 'console.log(22)');
    const rebuilt = reply();
    await controller.script(request({ 'if-none-match': etag }), rebuilt.reply);
    expect(rebuilt.sent.status).toBe(200);
    expect(rebuilt.sent.headers.etag).not.toBe(etag);
    // mid-rebuild (dist emptied) the last good copy is still served
    await rm(join(dir, 'widget.js'));
    const during = reply();
    await controller.script(request(), during.reply);
    expect(String(during.sent.body)).toBe('console.log(22)');
  });
});
