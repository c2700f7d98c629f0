import { io } from 'socket.io-client';
import type { Browser, Page } from 'playwright-core';
import { FakeOpenAI } from '@threadline/testing';
import type { ChatClientToServer, ChatServerToClient } from '@threadline/contracts';
import { DashboardAssets } from '../src/dashboard/dashboard-assets.js';
import { describeInBrowser, launchBrowser, screenshot } from './browser.js';
import { openWebSession, provisionStorage, startGateway, type Gateway, type StorageHandle } from './harness.js';

describeInBrowser('dashboard in Chromium', () => {
  let fake: FakeOpenAI;
  let storage: StorageHandle;
  let gateway: Gateway;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    fake = await FakeOpenAI.start();
    storage = await provisionStorage('embedded');
    gateway = await startGateway({ storage, fake, env: { ADMIN_EMAIL: 'ops@example.com', ADMIN_PASSWORD: 'correct horse battery' } });
    if (!gateway.app.get(DashboardAssets).built) throw new Error('the dashboard is not built: run `npm run build` first (npm test does)');
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  });
  afterAll(async () => {
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
    await screenshot(page, 'login');
    await page.getByLabel('Password').fill('correct horse battery');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('No sessions.').waitFor();
    await page.locator('.live.on').waitFor();
  });

  it('shows a widget conversation live, without a reload, and opens its transcript', async () => {
    const { sessionId, token } = await openWebSession(gateway);
    const socket = io(`${gateway.url}/chat`, { auth: { sessionId, token }, transports: ['websocket'] }) as unknown as import('socket.io-client').Socket<ChatServerToClient, ChatClientToServer>;
    try {
      const done = new Promise((resolve) => socket.once('message:done', resolve));
      await socket.emitWithAck('message:send', { text: 'Hello <b>bold</b> from the widget' });
      await done;
      const row = page.getByRole('row', { name: new RegExp(sessionId) });
      await row.waitFor();
      await row.getByText('2', { exact: true }).waitFor(); // message count ticks up live
      await row.click();
      const transcript = page.getByLabel('Transcript');
      // model and user text is shown as text, never as HTML
      await transcript.getByText('Hello <b>bold</b> from the widget', { exact: true }).waitFor();
      await transcript.getByText('Echo: Hello <b>bold</b> from the widget', { exact: true }).waitFor();
      expect(await transcript.locator('b').count()).toBe(0);
      await screenshot(page, 'sessions-and-transcript');
    } finally {
      socket.disconnect();
    }
  });
});
