import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import type { Gateway } from './harness.js';

export function assertWidgetBuilt(): void {
  if (!existsSync(resolve('libs/widget/dist/widget.js'))) throw new Error('the widget is not built: run `npm run build` first (npm test does)');
}

export interface HostPage {
  /** data-attributes of the script tag, without the data- prefix */
  attrs?: Record<string, string>;
  head?: string;
  body?: string;
  path?: string;
}

/** The one tag an integrator pastes, on a page the browser's router serves as SHOP. */
export function hostHtml(gateway: Gateway, { attrs = {}, head = '', body = '' }: HostPage): string {
  const data = Object.entries(attrs)
    .map(([name, value]) => ` data-${name}="${value}"`)
    .join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Shop</title>${head}</head>
<body><h1>Shop</h1>${body}<script src="${gateway.url}/widget.js"${data} async></script></body></html>`;
}

/**
 * The site that embeds the widget: a real local server on another origin than the api
 * (localhost:<port> vs 127.0.0.1:<port>), as in production. Real, not a routed fake:
 * Chromium lets only pages in the loopback address space reach the loopback api.
 */
export class HostSite {
  private count = 0;

  private constructor(
    private readonly server: Server,
    private readonly pages: Map<string, string>,
    readonly origin: string,
  ) {}

  static async start(): Promise<HostSite> {
    const pages = new Map<string, string>();
    const server = createServer((req, res) => {
      const html = pages.get(new URL(req.url ?? '/', 'http://x').pathname);
      res.writeHead(html ? 200 : 404, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(html ?? 'no such page');
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    return new HostSite(server, pages, `http://localhost:${(server.address() as AddressInfo).port}`);
  }

  /** Serves a host page (at `path`, or a fresh one) and returns its URL. */
  serve(gateway: Gateway, host: HostPage = {}): string {
    const path = host.path ?? `/page-${++this.count}`;
    this.pages.set(path, hostHtml(gateway, host));
    return `${this.origin}${path}`;
  }

  /** Serves a host page and opens it in a new tab of `context`. */
  async open(context: BrowserContext, gateway: Gateway, host: HostPage = {}): Promise<WidgetPage> {
    const url = this.serve(gateway, host);
    const page = await context.newPage();
    await page.goto(url);
    return new WidgetPage(page, gateway);
  }

  close(): Promise<void> {
    return new Promise((done) => this.server.close(() => done()));
  }
}

/** Retries an assertion until it passes: for what the page shows after events arrive. */
export async function eventually(check: () => Promise<void> | void, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** The widget as a user (and a screen reader) finds it: by roles and labels, through its shadow root. */
export class WidgetPage {
  constructor(
    readonly page: Page,
    private readonly gateway: Gateway,
  ) {}

  get launcher(): Locator {
    return this.page.getByRole('button', { name: /^Chat: / });
  }
  get panel(): Locator {
    return this.page.getByRole('dialog');
  }
  get input(): Locator {
    return this.page.getByRole('textbox', { name: 'Message' });
  }
  get connection(): Locator {
    return this.page.locator('threadline-widget .conn');
  }
  get notices(): Locator {
    return this.page.locator('threadline-widget .notice');
  }
  get answers(): Locator {
    return this.page.locator('threadline-widget .msg.assistant[data-state="complete"]');
  }

  async open(): Promise<string> {
    if (!(await this.panel.isVisible())) await this.launcher.click();
    return this.connected();
  }

  /** Waits for the connection status and returns the session id it shows. */
  async connected(): Promise<string> {
    const status = this.page.locator('threadline-widget .conn[data-state="connected"]');
    await status.waitFor();
    return (await status.getAttribute('data-session-id'))!;
  }

  async send(text: string): Promise<void> {
    await this.input.fill(text);
    await this.input.press('Enter');
  }

  /** Sends and waits for the answer to be complete. */
  async ask(text: string): Promise<void> {
    const before = await this.answers.count();
    await this.send(text);
    await this.answers.nth(before).waitFor();
  }

  /** What the conversation shows, one line per message. */
  transcript(): Promise<string[]> {
    return this.page
      .locator('threadline-widget .msg')
      .evaluateAll((items) => items.map((li) => `${li.classList.contains('user') ? 'user' : 'assistant'}: ${li.querySelector('.bubble')?.textContent ?? ''}`));
  }

  /** The session the widget keeps in the page's storage (session or local). */
  stored(kind: 'session' | 'local' = 'session'): Promise<{ sessionId: string; token: string } | null> {
    return this.page.evaluate(
      ([key, which]) => {
        // Runs in the page; the api's tsconfig has no DOM library, hence the cast.
        const browser = globalThis as unknown as Record<'localStorage' | 'sessionStorage', { getItem(key: string): string | null }>;
        const raw = browser[which === 'local' ? 'localStorage' : 'sessionStorage'].getItem(key);
        return raw ? ((JSON.parse(raw) as { session?: { sessionId: string; token: string } }).session ?? null) : null;
      },
      [`threadline:${new URL(this.gateway.url).origin}`, kind] as const,
    );
  }
}
