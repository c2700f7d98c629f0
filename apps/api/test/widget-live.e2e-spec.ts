import type { Browser, BrowserContext } from 'playwright-core';
import { io, type Socket } from 'socket.io-client';
import type { ChatClientToServer, ChatServerToClient } from '@threadline/contracts';
import { FakeGitHub, FakeOpenAI } from '@threadline/testing';
import { InFlightRegistry } from '../src/chat/in-flight.registry.js';
import { WidgetOrigins } from '../src/channels/web/widget-origins.js';
import { SocketServer } from '../src/coordination/socket-server.js';
import { backends } from './backends.js';
import { describeInBrowser, launchBrowser, screenshot } from './browser.js';
import { masterAuth, openWebSession, provisionStorage, startGateway, upstreamContents, type Gateway, type StorageHandle } from './harness.js';
import { assertWidgetBuilt, eventually, HostSite, type WidgetPage } from './widget.e2e-helpers.js';

const words = (n: number) => Array.from({ length: n }, (_, i) => `word${i + 1}`).join(' ');

/** The live side of the widget: streaming, status, cost, clearing, staff actions, voice, and a link that drops mid-answer. */
describeInBrowser('widget: live behaviour', () => {
  describe.each(backends())('%s', (backend) => {
    let fake: FakeOpenAI;
    let github: FakeGitHub;
    let storage: StorageHandle;
    let gateway: Gateway;
    let browser: Browser;
    let context: BrowserContext;
    let site: HostSite;

    beforeAll(async () => {
      assertWidgetBuilt();
      fake = await FakeOpenAI.start();
      github = await FakeGitHub.start({ repos: [{ owner: 'big', name: 'ai-toolkit', description: 'Tools for AI agents', stars: 900 }] });
      storage = await provisionStorage(backend);
      gateway = await startGateway({ storage, fake, env: { GITHUB_API_URL: github.baseURL, TOOLS: 'read' } });
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
      await github?.close();
      await fake?.close();
      await storage?.dispose();
    });

    const streamingBubble = (widget: WidgetPage) => widget.page.locator('threadline-widget .msg.assistant[data-state="streaming"] .bubble');

    /** Drops every /chat connection the way a network failure would, and refuses new ones until `restore`. */
    function cutTheLink(): { restore(): void } {
      const server = gateway.app.get(SocketServer);
      const origins = gateway.app.get(WidgetOrigins);
      server.restrictOrigins(() => false);
      for (const socket of server.io.of('/chat').sockets.values()) socket.conn.close();
      return { restore: () => server.restrictOrigins((origin, host) => origins.allows(origin, host)) };
    }

    it('streams the answer token by token, then shows its cost on demand', async () => {
      const text = words(16);
      fake.enqueue({ kind: 'text', text, delayMsPerChunk: 100 });
      const widget = await site.open(context, gateway, { attrs: { title: 'Support' } });
      await widget.open();
      await widget.send('Stream please');
      const partials = new Set<string>();
      await eventually(async () => {
        const shown = (await streamingBubble(widget).textContent({ timeout: 1000 }).catch(() => null)) ?? '';
        if (shown && shown !== text) partials.add(shown);
        expect(partials.size).toBeGreaterThanOrEqual(2);
      });
      await widget.answers.first().waitFor();
      expect(await widget.transcript()).toEqual(['user: Stream please', `assistant: ${text}`]);
      const toggle = widget.page.getByRole('button', { name: 'Cost of this answer' });
      await expect(toggle.getAttribute('aria-expanded')).resolves.toBe('false');
      await toggle.click();
      await expect(toggle.getAttribute('aria-expanded')).resolves.toBe('true');
      await widget.page.locator('threadline-widget .cost').filter({ hasText: /^\$0\.\d+ · \d+ tokens \(\d+ in, \d+ out\)$/ }).waitFor();
      await screenshot(widget.page, 'widget-cost');
    });

    it('shows a status line while a tool runs, and clears it with the answer', async () => {
      let release!: () => void;
      github.failWith({ heldUntil: new Promise<void>((resolve) => (release = resolve)) }, { path: '/search/repositories' });
      fake.enqueue({ kind: 'tool_calls', calls: [{ name: 'search_repositories', arguments: JSON.stringify({ query: 'ai agents' }) }] }, { kind: 'text', text: 'Try big/ai-toolkit.' });
      const widget = await site.open(context, gateway);
      await widget.open();
      await widget.send('Search for repositories about AI');
      const status = widget.page.getByRole('status').filter({ hasText: 'Searching GitHub for "ai agents"…' });
      await status.waitFor();
      await screenshot(widget.page, 'widget-tool-status');
      release();
      await widget.answers.first().waitFor();
      expect(await widget.transcript()).toEqual(['user: Search for repositories about AI', 'assistant: Try big/ai-toolkit.']);
      await eventually(async () => expect(await widget.page.locator('threadline-widget .status').textContent()).toBe(''));
    });

    it('Ctrl/Cmd+K and the Clear button start a new conversation', async () => {
      const widget = await site.open(context, gateway);
      await widget.open();
      await widget.ask('Remember: seven');
      await widget.input.focus();
      await widget.page.keyboard.press('ControlOrMeta+K');
      await widget.notices.filter({ hasText: 'Conversation cleared.' }).waitFor();
      expect(await widget.transcript()).toEqual([]);
      await widget.ask('What number?');
      expect(upstreamContents(fake, -1).slice(1)).toEqual(['user: What number?']);
      await widget.page.getByRole('button', { name: 'Clear' }).click();
      await eventually(async () => expect(await widget.transcript()).toEqual([]));
      await widget.ask('And now?');
      expect(upstreamContents(fake, -1).slice(1)).toEqual(['user: And now?']);
    });

    it('a staff clear from the dashboard reaches the open widget as "conversation ended"', async () => {
      const widget = await site.open(context, gateway);
      const sessionId = await widget.open();
      await widget.ask('Staff will end this');
      const list = await gateway.request('GET', `/api/admin/sessions?channel=web&q=${encodeURIComponent(sessionId)}`, { headers: masterAuth });
      const row = (list.body.sessions as Array<{ id: string; key: string }>).find((s) => s.key === sessionId)!;
      expect((await gateway.request('POST', `/api/admin/sessions/${row.id}/clear`, { headers: masterAuth })).status).toBe(200);
      await widget.notices.filter({ hasText: /conversation ended by our team/i }).waitFor();
      await widget.ask('Hello?');
      expect(upstreamContents(fake, -1).slice(1)).toEqual(['user: Hello?']);
    });

    it('renders what the model writes as text: markup in an answer never runs', async () => {
      const hostile = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script> <b>bold</b>';
      fake.enqueue({ kind: 'text', text: hostile });
      const widget = await site.open(context, gateway);
      await widget.open();
      await widget.ask('<i>hi</i>');
      expect(await widget.transcript()).toEqual(['user: <i>hi</i>', `assistant: ${hostile}`]);
      const injected = await widget.page.locator('threadline-widget').evaluate((host) => host.shadowRoot!.querySelectorAll('.log img, .log script, .log b, .log i').length);
      expect(injected).toBe(0);
      expect(await widget.page.evaluate(() => (globalThis as { __pwned?: number }).__pwned)).toBeUndefined();
    });

    it('voice input: speech is transcribed into the box and sent; no mic where the browser has no recognition', async () => {
      await context.addInitScript(() => {
        class FakeRecognition {
          onresult: ((event: unknown) => void) | null = null;
          onend: (() => void) | null = null;
          onerror: ((event: unknown) => void) | null = null;
          start() {
            (globalThis as unknown as { __recognition: FakeRecognition }).__recognition = this;
          }
          stop() {
            this.onend?.();
          }
          abort() {}
          say(text: string, isFinal: boolean) {
            this.onresult?.({ resultIndex: 0, results: [Object.assign([{ transcript: text }], { isFinal })] });
          }
        }
        Object.assign(globalThis, { SpeechRecognition: FakeRecognition, webkitSpeechRecognition: FakeRecognition });
      });
      const widget = await site.open(context, gateway);
      await widget.open();
      const mic = widget.page.getByRole('button', { name: 'Start voice input' });
      await mic.click();
      await widget.page.getByRole('button', { name: 'Stop voice input' }).waitFor();
      type Rec = { say(text: string, isFinal: boolean): void; onend: () => void };
      await widget.page.evaluate(() => (globalThis as unknown as { __recognition: Rec }).__recognition.say('what is the', false));
      await eventually(async () => expect(await widget.input.inputValue()).toBe('what is the'));
      await widget.page.evaluate(() => {
        const recognition = (globalThis as unknown as { __recognition: Rec }).__recognition;
        recognition.say('what is the weather', true);
        recognition.onend();
      });
      await widget.answers.first().waitFor();
      expect(await widget.transcript()).toEqual(['user: what is the weather', 'assistant: Echo: what is the weather']);

      const plain = await browser.newContext();
      try {
        await plain.addInitScript(() => {
          delete (globalThis as { SpeechRecognition?: unknown }).SpeechRecognition;
          delete (globalThis as { webkitSpeechRecognition?: unknown }).webkitSpeechRecognition;
        });
        const without = await site.open(plain, gateway);
        await without.open();
        expect(await without.page.getByRole('button', { name: 'Start voice input' }).count()).toBe(0);
        const optedOut = await site.open(context, gateway, { attrs: { voice: 'false' } });
        await optedOut.open();
        expect(await optedOut.page.getByRole('button', { name: 'Start voice input' }).count()).toBe(0);
      } finally {
        await plain.close();
      }
    });

    it('reconnect mid-answer: the link drops while streaming, the answer arrives whole and once', async () => {
      const text = words(80);
      fake.enqueue({ kind: 'text', text, delayMsPerChunk: 120 });
      const widget = await site.open(context, gateway);
      const sessionId = await widget.open();
      await widget.send('Tell me a long story');
      await eventually(async () => expect(((await streamingBubble(widget).textContent({ timeout: 1000 })) ?? '').length).toBeGreaterThan(0));
      const inFlight = gateway.app.get(InFlightRegistry);
      const link = cutTheLink();
      await widget.page.locator('threadline-widget .conn[data-state="reconnecting"]').waitFor();
      const seenBefore = (await streamingBubble(widget).textContent()) ?? '';
      // The answer moves on while the widget is away: those deltas are what it must not lose.
      await eventually(() => expect(inFlight.get(`web:${sessionId}`)?.text.length ?? 0).toBeGreaterThan(seenBefore.length + 20));
      await screenshot(widget.page, 'widget-reconnecting');
      link.restore();
      await widget.connected();
      const reconnectedMidAnswer = inFlight.get(`web:${sessionId}`) !== null;
      // While it streams on, what is shown is always a prefix of the answer: nothing missed, nothing twice.
      const observed: string[] = [];
      while ((await widget.answers.count()) === 0) {
        const shown = await streamingBubble(widget).textContent({ timeout: 250 }).catch(() => null);
        if (shown) observed.push(shown);
      }
      expect(observed.filter((shown) => !text.startsWith(shown))).toEqual([]);
      expect(observed.some((shown) => shown.length > seenBefore.length)).toBe(true);
      expect(await widget.transcript()).toEqual(['user: Tell me a long story', `assistant: ${text}`]);
      // The case under test: the widget came back while the answer was still being written.
      expect(reconnectedMidAnswer).toBe(true);
    });

    it('reconnect after the answer finished while the link was down: it is shown whole and once', async () => {
      const text = words(15);
      fake.enqueue({ kind: 'text', text, delayMsPerChunk: 40 });
      const widget = await site.open(context, gateway);
      const sessionId = await widget.open();
      await widget.send('Quick one');
      await eventually(async () => expect(((await streamingBubble(widget).textContent({ timeout: 1000 })) ?? '').length).toBeGreaterThan(0));
      const link = cutTheLink();
      const inFlight = gateway.app.get(InFlightRegistry);
      await eventually(() => expect(inFlight.get(`web:${sessionId}`)).toBeNull());
      link.restore();
      await widget.answers.first().waitFor();
      expect(await widget.transcript()).toEqual(['user: Quick one', `assistant: ${text}`]);
    });

    it('a message resent after a lost ack (same clientMessageId) is acked with its first answer, not run twice', async () => {
      const { sessionId, token } = await openWebSession(gateway);
      const socket: Socket<ChatServerToClient, ChatClientToServer> = io(`${gateway.url}/chat`, { auth: { sessionId, token }, transports: ['websocket'], reconnection: false });
      try {
        const first = await socket.emitWithAck('message:send', { text: 'only once', clientMessageId: 'c-resend-1' });
        await eventually(() => expect(fake.requests).toHaveLength(1));
        const done = new Promise((resolve) => socket.once('message:done', resolve));
        const again = await socket.timeout(10_000).emitWithAck('message:send', { text: 'only once', clientMessageId: 'c-resend-1' });
        await done;
        expect(first.ok && again.ok && again.data.userMessage?.id).toBe(first.ok && first.data.userMessage?.id);
        expect(fake.requests).toHaveLength(1);
      } finally {
        socket.disconnect();
      }
    });

    it('a refresh mid-answer brings back the history and the rest of the answer', async () => {
      const text = words(40);
      fake.enqueue({ kind: 'text', text, delayMsPerChunk: 100 });
      const widget = await site.open(context, gateway);
      await widget.open();
      await widget.send('Long answer please');
      await eventually(async () => expect(((await streamingBubble(widget).textContent({ timeout: 1000 })) ?? '').length).toBeGreaterThan(0));
      await widget.page.reload();
      await widget.connected();
      await widget.answers.first().waitFor();
      expect(await widget.transcript()).toEqual(['user: Long answer please', `assistant: ${text}`]);
    });
  });
});
