import type { Browser, BrowserContext } from 'playwright-core';
import { io, type Socket } from 'socket.io-client';
import { FakeOpenAI } from '@threadline/testing';
import { ManualClock } from '../src/common/clock.js';
import { backends } from './backends.js';
import { describeInBrowser, launchBrowser, screenshot } from './browser.js';
import { openWebSession, provisionStorage, startGateway, type Gateway, type StorageHandle } from './harness.js';
import { assertWidgetBuilt, eventually, HostSite, WidgetPage } from './widget.e2e-helpers.js';

const HOSTILE_CSS = `<style>
  * { font-family: "Comic Sans MS", cursive !important; color: rgb(255, 0, 0) !important; line-height: 3 !important; }
  button { display: none !important; background: rgb(0, 255, 0) !important; }
  div, section, ol, li, textarea { border: 7px solid rgb(255, 0, 0) !important; margin: 40px !important; }
  .panel, .launcher, .bubble { display: none !important; }
</style>`;

/** Embedding: the served script, the demo page, isolation from the host page, phones and keyboards, origins and rate limits. */
describeInBrowser('widget: embedding and security', () => {
  describe.each(backends())('%s', (backend) => {
    let fake: FakeOpenAI;
    let storage: StorageHandle;
    let gateway: Gateway;
    let browser: Browser;
    let context: BrowserContext;
    let site: HostSite;
    let foreign: HostSite;
    // Every message this suite gets accepted comes from 127.0.0.1: the per-address budget is shared.
    let accepted = 0;

    beforeAll(async () => {
      assertWidgetBuilt();
      fake = await FakeOpenAI.start();
      site = await HostSite.start();
      foreign = await HostSite.start();
      storage = await provisionStorage(backend);
      gateway = await startGateway({
        storage,
        fake,
        // A frozen clock keeps every message in one rate-limit window, however slow the machine.
        clock: new ManualClock(Date.now()),
        env: { WIDGET_ALLOWED_ORIGINS: site.origin, WIDGET_RATE_PER_MINUTE: '3', WIDGET_RATE_PER_MINUTE_PER_ADDRESS: '14' },
      });
      browser = await launchBrowser();
    });
    beforeEach(async () => {
      fake.reset();
      context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    });
    afterEach(async () => {
      await context?.close();
    });
    afterAll(async () => {
      await browser?.close();
      await site?.close();
      await foreign?.close();
      await gateway?.close();
      await fake?.close();
      await storage?.dispose();
    });

    it('serves /widget.js as JavaScript with a revalidated cache, and /demo embeds it with one tag', async () => {
      const script = await gateway.request('GET', '/widget.js');
      expect(script.status).toBe(200);
      expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
      expect(script.headers.get('cache-control')).toBe('public, max-age=300, must-revalidate');
      expect(script.text.length).toBeLessThan(120_000);
      expect(script.text).not.toMatch(/\bzod\b/);
      const again = await gateway.request('GET', '/widget.js', { headers: { 'if-none-match': script.headers.get('etag')! } });
      expect(again.status).toBe(304);

      const widget = new WidgetPage(await context.newPage(), gateway);
      await widget.page.goto(`${gateway.url}/demo`);
      await widget.open();
      await widget.ask('Hello from the demo');
      accepted++;
      expect(await widget.transcript()).toEqual(['user: Hello from the demo', 'assistant: Echo: Hello from the demo']);
      await screenshot(widget.page, 'widget-demo');
    });

    it('the host page CSS does not reach the widget, and the widget CSS does not reach the page', async () => {
      const widget = await site.open(context, gateway, { head: HOSTILE_CSS, body: '<button id="host-button">Host button</button><p id="host-text">Host text</p>' });
      await widget.open();
      await widget.ask('Styled?');
      accepted++;
      const styles = await widget.page.locator('threadline-widget').evaluate((host) => {
        const root = host.shadowRoot!;
        const css = (selector: string) => (globalThis as any).getComputedStyle(root.querySelector(selector)) as Record<string, string>;
        return {
          launcher: css('.launcher').display,
          panel: css('.panel').display,
          bubbleFont: css('.bubble').fontFamily,
          bubbleColor: css('.msg.assistant .bubble').color,
          logMargin: css('.log').marginTop,
          lineHeight: css('.bubble').lineHeight,
        };
      });
      expect(styles.launcher).toBe('grid');
      expect(styles.panel).toBe('flex');
      expect(styles.bubbleFont).not.toMatch(/Comic Sans/);
      expect(styles.bubbleColor).not.toBe('rgb(255, 0, 0)');
      expect(styles.logMargin).toBe('0px');
      expect(styles.lineHeight).not.toBe('42px');
      // and the other way round: the page's own elements keep the page's styles
      const host = await widget.page.evaluate(() => {
        const browser = globalThis as any;
        const css = (id: string) => browser.getComputedStyle(browser.document.getElementById(id)) as Record<string, string>;
        return { button: css('host-button').display, text: css('host-text').fontFamily };
      });
      expect(host.button).toBe('none');
      expect(host.text).toMatch(/Comic Sans/);
      await screenshot(widget.page, 'widget-hostile-host-css');
    });

    it('phones: the panel fills the screen; keyboard: Enter opens, Escape closes and gives focus back', async () => {
      const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
      try {
        const widget = await site.open(phone, gateway, { attrs: { title: 'Support', accent: '#0a7d5a' } });
        await widget.launcher.focus();
        await widget.page.keyboard.press('Enter');
        await widget.connected();
        // On a phone the open panel covers the launcher, which steps out of the way (and out of the accessibility tree).
        const launcher = widget.page.locator('threadline-widget .launcher');
        await expect(launcher.getAttribute('aria-expanded')).resolves.toBe('true');
        await expect(launcher.isVisible()).resolves.toBe(false);
        expect(await widget.page.locator('threadline-widget').evaluate((host) => host.shadowRoot!.activeElement?.id)).toBe('tl-input');
        const box = await widget.panel.boundingBox();
        expect(box).toMatchObject({ x: 0, y: 0, width: 390, height: 844 });
        await widget.ask('Hi from a phone');
        accepted++;
        await screenshot(widget.page, 'widget-phone');
        await widget.page.keyboard.press('Escape');
        await expect(widget.panel.isVisible()).resolves.toBe(false);
        await expect(launcher.getAttribute('aria-expanded')).resolves.toBe('false');
        expect(await widget.page.locator('threadline-widget').evaluate((host) => host.shadowRoot!.activeElement?.className)).toBe('launcher');
      } finally {
        await phone.close();
      }
    });

    it('allowed origins: CORS and the socket handshake admit listed pages only', async () => {
      const preflight = (origin: string) =>
        fetch(`${gateway.url}/api/sessions`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } });
      expect((await preflight(site.origin)).headers.get('access-control-allow-origin')).toBe(site.origin);
      expect((await preflight(foreign.origin)).headers.get('access-control-allow-origin')).toBeNull();
      const refused = await gateway.request('POST', '/api/sessions', { body: {}, headers: { origin: foreign.origin } });
      expect(refused.status).toBe(403);
      expect(refused.body.error.code).toBe('forbidden');
      expect((await gateway.request('POST', '/api/sessions', { body: {}, headers: { origin: site.origin } })).status).toBe(201);

      const { sessionId, token } = await openWebSession(gateway);
      const handshake = (origin: string) =>
        new Promise<'connected' | 'refused'>((resolve) => {
          const socket: Socket = io(`${gateway.url}/chat`, { auth: { sessionId, token }, transports: ['websocket'], reconnection: false, extraHeaders: { origin } });
          socket.once('connect', () => (socket.disconnect(), resolve('connected')));
          socket.once('connect_error', () => (socket.disconnect(), resolve('refused')));
        });
      expect(await handshake(site.origin)).toBe('connected');
      expect(await handshake(foreign.origin)).toBe('refused');

      // In the browser: a page on a site not in the list gets a widget that says it cannot connect.
      const stranger = await foreign.open(context, gateway);
      await stranger.launcher.click();
      await stranger.page.locator('threadline-widget .conn[data-state="unavailable"]').waitFor();
    });

    it('rate limits: the REST route answers 429 with Retry-After; the widget says so and marks the message', async () => {
      const { sessionId, auth } = await openWebSession(gateway);
      for (let i = 1; i <= 3; i++) {
        expect((await gateway.request('POST', `/api/sessions/${sessionId}/messages`, { headers: auth, body: { message: `m${i}` } })).status).toBe(200);
        accepted++;
      }
      const limited = await gateway.request('POST', `/api/sessions/${sessionId}/messages`, { headers: auth, body: { message: 'one too many' } });
      expect(limited.status).toBe(429);
      expect(limited.body.error.code).toBe('rate_limited');
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);

      const widget = await site.open(context, gateway);
      await widget.open();
      for (let i = 1; i <= 3; i++) {
        await widget.ask(`quick ${i}`);
        accepted++;
      }
      await widget.send('quick 4');
      await widget.notices.filter({ hasText: /Too many messages in this conversation: at most 3 a minute/ }).waitFor();
      await widget.page.locator('threadline-widget .msg.user[data-state="failed"]').filter({ hasText: 'quick 4' }).waitFor();
      await screenshot(widget.page, 'widget-rate-limited');
    });

    it('rate limits: all sessions of one address share a budget', async () => {
      let refusal: { status: number; body: { error: { message: string } } } | null = null;
      let more = 0;
      while (!refusal && more < 20) {
        const { sessionId, auth } = await openWebSession(gateway);
        const reply = await gateway.request('POST', `/api/sessions/${sessionId}/messages`, { headers: auth, body: { message: 'hello' } });
        if (reply.status === 200) more++;
        else refusal = reply;
      }
      expect(refusal).toMatchObject({ status: 429 });
      expect(refusal!.body.error.message).toMatch(/from your network address: at most 14 a minute/);
      expect(accepted + more).toBe(14);
      await eventually(() => expect(fake.requests.length).toBe(more));
    });
  });
});
