import type { Browser, BrowserContext } from 'playwright-core';
import { FakeOpenAI } from '@threadline/testing';
import { ManualClock } from '../src/common/clock.js';
import { SessionSweeper } from '../src/sessions/session-sweeper.js';
import { backends } from './backends.js';
import { describeInBrowser, launchBrowser, screenshot } from './browser.js';
import { provisionStorage, startGateway, upstreamContents, type Gateway, type StorageHandle } from './harness.js';
import { assertWidgetBuilt, eventually, HostSite, WidgetPage } from './widget.e2e-helpers.js';

const HOUR = 3_600_000;

/** Seed 001's six test scenarios, driven through the widget in Chromium on a page of another site. */
describeInBrowser('widget: seed 001 scenarios', () => {
  describe.each(backends())('%s', (backend) => {
    let fake: FakeOpenAI;
    let storage: StorageHandle;
    let gateway: Gateway;
    let browser: Browser;
    let context: BrowserContext;
    let site: HostSite;
    const clock = new ManualClock(Date.now());

    beforeAll(async () => {
      assertWidgetBuilt();
      fake = await FakeOpenAI.start();
      storage = await provisionStorage(backend);
      gateway = await startGateway({ storage, fake, clock, env: { CONTEXT_MAX_MESSAGES: '10', SESSION_TTL_WEB: '1h' } });
      browser = await launchBrowser();
      site = await HostSite.start();
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
      await gateway?.close();
      await fake?.close();
      await storage?.dispose();
    });

    it('1. multi-turn: the second question reaches the model with the first exchange', async () => {
      const widget = await site.open(context, gateway, { attrs: { title: 'Voice agent' } });
      await widget.open();
      await widget.ask("What's your pricing?");
      await widget.ask('What about the middle tier?');
      expect(upstreamContents(fake, -1).slice(1)).toEqual([
        "user: What's your pricing?",
        "assistant: Echo: What's your pricing?",
        'user: What about the middle tier?',
      ]);
      expect(await widget.transcript()).toEqual([
        "user: What's your pricing?",
        "assistant: Echo: What's your pricing?",
        'user: What about the middle tier?',
        'assistant: Echo: What about the middle tier?',
      ]);
      await screenshot(widget.page, 'widget-conversation');
    });

    it('2. refresh: the conversation comes back and the next question has its context', async () => {
      const widget = await site.open(context, gateway);
      const sessionId = await widget.open();
      await widget.ask('My name is Mike');
      await widget.ask('I like tea');
      await widget.page.reload();
      // The panel was open, so it comes back open, with its history and the same session.
      expect(await widget.connected()).toBe(sessionId);
      await eventually(async () => expect(await widget.transcript()).toEqual(['user: My name is Mike', 'assistant: Echo: My name is Mike', 'user: I like tea', 'assistant: Echo: I like tea']));
      await widget.ask("What's my name?");
      expect(upstreamContents(fake, -1)).toContain('user: My name is Mike');
      expect(upstreamContents(fake, -1)).toHaveLength(6);
    });

    it('3. a new tab starts fresh (sessionStorage, the default)', async () => {
      const first = await site.open(context, gateway, { path: '/same' });
      const firstSession = await first.open();
      await first.ask('Remember: blue');
      await first.page.close();
      const second = new WidgetPage(await context.newPage(), gateway);
      await second.page.goto(`${site.origin}/same`);
      await second.launcher.click();
      const secondSession = await second.connected();
      expect(secondSession).not.toBe(firstSession);
      expect(await second.transcript()).toEqual([]);
      await second.ask('What colour?');
      expect(upstreamContents(fake, -1).slice(1)).toEqual(['user: What colour?']);
    });

    it('3b. with data-storage="local" a new tab continues the conversation (seed 000)', async () => {
      const url = site.serve(gateway, { attrs: { storage: 'local' } });
      const first = new WidgetPage(await context.newPage(), gateway);
      await first.page.goto(url);
      const sessionId = await first.open();
      await first.ask('Remember: green');
      await first.page.close();
      const second = new WidgetPage(await context.newPage(), gateway);
      await second.page.goto(url);
      await second.launcher.click();
      expect(await second.connected()).toBe(sessionId);
      await eventually(async () => expect(await second.transcript()).toEqual(['user: Remember: green', 'assistant: Echo: Remember: green']));
      expect(await second.stored('local')).toMatchObject({ sessionId });
    });

    it('5. manual close with data-clear-on-close ends the conversation; reopening starts fresh', async () => {
      const widget = await site.open(context, gateway, { attrs: { 'clear-on-close': 'true' } });
      const oldSession = await widget.open();
      const old = (await widget.stored())!;
      await widget.ask('Something private');
      await widget.page.getByRole('button', { name: 'Close chat' }).click();
      await expect(widget.panel.isVisible()).resolves.toBe(false);
      expect(await widget.stored()).toBeNull();
      // The old thread was ended on the server too, not just forgotten by the page.
      await eventually(async () => {
        const history = await gateway.request('GET', `/api/sessions/${oldSession}/messages`, { headers: { authorization: `Bearer ${old.token}` } });
        expect(history.body.status).toBe('cleared');
      });
      await widget.launcher.click();
      const newSession = await widget.connected();
      expect(newSession).not.toBe(oldSession);
      expect(await widget.transcript()).toEqual([]);
      await widget.ask('Hello again');
      expect(upstreamContents(fake, -1).slice(1)).toEqual(['user: Hello again']);
    });

    it('6. the 10-message limit: after 15 exchanges the model sees the newest 10, the widget shows all 30', async () => {
      const widget = await site.open(context, gateway);
      await widget.open();
      for (let i = 1; i <= 15; i++) await widget.ask(`question ${i}`);
      const last = upstreamContents(fake, -1);
      expect(last).toHaveLength(11);
      expect(last.slice(1, 3)).toEqual(['assistant: Echo: question 10', 'user: question 11']);
      expect(last.at(-1)).toBe('user: question 15');
      const shown = await widget.transcript();
      expect(shown).toHaveLength(30);
      expect(shown[0]).toBe('user: question 1');
    });

    // Last: moving the clock past the TTL ends every open session of this gateway.
    it('4. expiry: past SESSION_TTL_WEB the widget says so and the next message has no old context', async () => {
      const widget = await site.open(context, gateway);
      const sessionId = await widget.open();
      await widget.ask('Before the break');
      clock.advance(HOUR + 60_000);
      await gateway.app.get(SessionSweeper).sweepOnce();
      await widget.notices.filter({ hasText: /expired/ }).waitFor();
      await screenshot(widget.page, 'widget-expired');
      await widget.ask('After the break');
      expect(upstreamContents(fake, -1).slice(1)).toEqual(['user: After the break']);
      // Same session id, new thread: the history shows only the new thread after a refresh.
      await widget.page.reload();
      expect(await widget.connected()).toBe(sessionId);
      await eventually(async () => expect(await widget.transcript()).toEqual(['user: After the break', 'assistant: Echo: After the break']));
    });
  });
});
