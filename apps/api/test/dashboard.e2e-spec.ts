import { readFile } from 'node:fs/promises';
import { io, type Socket } from 'socket.io-client';
import type { Browser, Page } from 'playwright-core';
import { FakeOpenAI } from '@threadline/testing';
import type { ChatClientToServer, ChatServerToClient, SessionEnded } from '@threadline/contracts';
import { DashboardAssets } from '../src/dashboard/dashboard-assets.js';
import { backends } from './backends.js';
import { describeInBrowser, launchBrowser, screenshot } from './browser.js';
import { openWebSession, provisionStorage, startGateway, type Gateway, type StorageHandle } from './harness.js';

type WidgetSocket = Socket<ChatServerToClient, ChatClientToServer>;
const words = (n: number) => Array.from({ length: n }, (_, i) => `word${i + 1}`).join(' ');

/** Staff watch a widget conversation live, read and export its transcript, and end it. */
describeInBrowser('dashboard in Chromium', () => {
  describe.each(backends())('%s', (backend) => {
    let fake: FakeOpenAI;
    let storage: StorageHandle;
    let gateway: Gateway;
    let browser: Browser;
    let page: Page;
    const widgets: WidgetSocket[] = [];

    /** A widget's socket.io client, as the embed script would open it. */
    async function widget(): Promise<{ sessionId: string; socket: WidgetSocket; say(text: string): Promise<void> }> {
      const { sessionId, token } = await openWebSession(gateway);
      const socket = io(`${gateway.url}/chat`, { auth: { sessionId, token }, transports: ['websocket'] }) as unknown as WidgetSocket;
      widgets.push(socket);
      const say = async (text: string) => {
        const done = new Promise((resolve) => socket.once('message:done', resolve));
        const ack = await socket.emitWithAck('message:send', { text });
        if (!ack.ok) throw new Error(`send failed: ${ack.error.message}`);
        await done;
      };
      return { sessionId, socket, say };
    }

    beforeAll(async () => {
      fake = await FakeOpenAI.start();
      storage = await provisionStorage(backend);
      gateway = await startGateway({ storage, fake, env: { ADMIN_EMAIL: 'ops@example.com', ADMIN_PASSWORD: 'correct horse battery' } });
      if (!gateway.app.get(DashboardAssets).built) throw new Error('the dashboard is not built: run `npm run build` first (npm test does)');
      browser = await launchBrowser();
      page = await browser.newPage({ viewport: { width: 1400, height: 860 }, acceptDownloads: true });
    });
    afterAll(async () => {
      for (const socket of widgets) socket.disconnect();
      await browser?.close();
      await gateway?.close();
      await fake?.close();
      await storage?.dispose();
    });

    it('refuses a wrong password, then logs in', async () => {
      await page.goto(gateway.url);
      await page.getByLabel('Email').fill('ops@example.com');
      await page.getByLabel('Password').fill('wrong password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('alert').getByText('wrong email or password').waitFor();
      await screenshot(page, 'dashboard-login');
      await page.getByLabel('Password').fill('correct horse battery');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByText('No sessions.').waitFor();
      await page.locator('.live.on').waitFor();
    });

    it('shows a widget conversation live, without a reload, and its transcript as text', async () => {
      const chat = await widget();
      await chat.say('Hello <b>bold</b> from the widget');
      const row = page.getByRole('row', { name: new RegExp(chat.sessionId) });
      await row.waitFor();
      await row.getByText('2', { exact: true }).waitFor(); // message count ticks up live
      await row.click();
      // The transcript has its own address (the session's row id, not the widget's secret key).
      expect(new URL(page.url()).hash).toMatch(/^#\/sessions\/[0-9a-f-]{36}$/);
      const transcript = page.getByLabel('Transcript');
      await transcript.getByText('Hello <b>bold</b> from the widget', { exact: true }).waitFor();
      await transcript.getByText('Echo: Hello <b>bold</b> from the widget', { exact: true }).waitFor();
      expect(await transcript.locator('b').count()).toBe(0);
      // every message says who, when, tokens and cost; the answer also the price that applied
      await transcript.locator('.message-assistant .price').getByText(/^priced as .+ per 1M tokens$/).waitFor();
      await transcript.locator('.message-assistant [title="cost"]').getByText(/^\$0\.\d{6}$/).waitFor();

      // The answer streams into the open transcript before it is stored.
      const text = words(14);
      fake.enqueue({ kind: 'text', text, delayMsPerChunk: 250 });
      const answered = chat.say('Stream to the staff too');
      const draft = transcript.getByRole('listitem', { name: 'Answer in progress' });
      await draft.getByText(/^word1 word2 word3/).waitFor();
      await screenshot(page, 'dashboard-transcript-streaming');
      await answered;
      await transcript.locator('.message-assistant .text').getByText(text, { exact: true }).waitFor();
      await draft.waitFor({ state: 'detached' });
      await row.getByText('4', { exact: true }).waitFor();
      await screenshot(page, 'dashboard-sessions');
    });

    it('exports the open transcript as Markdown and JSON', async () => {
      const transcript = page.getByLabel('Transcript');
      const [md] = await Promise.all([page.waitForEvent('download'), transcript.getByRole('button', { name: 'Export Markdown' }).click()]);
      expect(md.suggestedFilename()).toMatch(/^transcript-web-\d{4}-\d{2}-\d{2}-[0-9a-f-]{36}\.md$/);
      const markdown = await readFile((await md.path())!, 'utf8');
      expect(markdown).toContain('```\nHello <b>bold</b> from the widget\n```');
      const [json] = await Promise.all([page.waitForEvent('download'), transcript.getByRole('button', { name: 'Export JSON' }).click()]);
      const exported = JSON.parse(await readFile((await json.path())!, 'utf8'));
      expect(exported.messages.map((m: { role: string }) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
    });

    it('clears the conversation after confirmation, and the widget is told at once', async () => {
      const chat = await widget();
      await chat.say('Please end this one');
      const ended = new Promise<SessionEnded>((resolve) => chat.socket.once('session:expired', resolve));
      const row = page.getByRole('row', { name: new RegExp(chat.sessionId) });
      await row.getByText('2', { exact: true }).waitFor();
      await row.click();
      const transcript = page.getByLabel('Transcript');
      await transcript.getByText('Please end this one', { exact: true }).waitFor();
      await transcript.getByRole('button', { name: 'Clear' }).click();
      const dialog = page.getByRole('dialog', { name: 'Clear this session?' });
      await dialog.waitFor();
      await screenshot(page, 'dashboard-confirm-clear');
      await dialog.getByRole('button', { name: 'Clear' }).click();
      expect(await ended).toEqual({ sessionId: chat.sessionId, reason: 'cleared', by: 'staff' });
      await transcript.locator('.status-cleared').first().waitFor();
      await row.locator('.status-cleared').waitFor();
      expect(await transcript.getByRole('button', { name: 'Clear' }).isDisabled()).toBe(true);
      // Staff keep the transcript of a cleared session.
      await transcript.getByText('Please end this one', { exact: true }).waitFor();
    });

    it('deletes a conversation for good (admin), and its transcript is gone', async () => {
      const chat = await widget();
      await chat.say('Forget everything about me');
      const ended = new Promise<SessionEnded>((resolve) => chat.socket.once('session:expired', resolve));
      await page.getByRole('row', { name: new RegExp(chat.sessionId) }).click();
      const transcript = page.getByLabel('Transcript');
      await transcript.getByText('Forget everything about me', { exact: true }).waitFor();
      await transcript.getByRole('button', { name: 'Delete' }).click();
      await page.getByRole('dialog', { name: 'Delete this session for good?' }).getByRole('button', { name: 'Delete' }).click();
      expect(await ended).toMatchObject({ sessionId: chat.sessionId, reason: 'deleted', by: 'staff' });
      await transcript.getByText('The messages of this session were deleted.').waitFor();
      expect(await transcript.getByText('Forget everything about me').count()).toBe(0);
    });
  });
});
