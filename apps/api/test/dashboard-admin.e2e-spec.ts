import type { Browser, Page } from 'playwright-core';
import { FakeOpenAI } from '@threadline/testing';
import { ManualClock } from '../src/common/clock.js';
import { DashboardAssets } from '../src/dashboard/dashboard-assets.js';
import { backends } from './backends.js';
import { describeInBrowser, launchBrowser, screenshot } from './browser.js';
import { masterAuth, openWebSession, provisionStorage, startGateway, type Gateway, type StorageHandle } from './harness.js';

const DAY = 86_400_000;
const ADMIN = { email: 'admin@example.com', password: 'admin password 123' };
const VIEWER = { email: 'viewer@example.com', password: 'viewer password 123' };

/** The admin side of the dashboard: usage, API keys, roles, staff and the audit log. */
describeInBrowser('dashboard admin pages in Chromium', () => {
  describe.each(backends())('%s', (backend) => {
    let fake: FakeOpenAI;
    let storage: StorageHandle;
    let gateway: Gateway;
    let browser: Browser;
    let admin: Page;
    const clock = new ManualClock(Date.now() - 3 * DAY);
    /** the widget's key, as the list shows it, and the session's row id, as the admin API takes it */
    let active: { key: string; id: string };

    async function signIn(who: { email: string; password: string }): Promise<Page> {
      const page = await (await browser.newContext({ viewport: { width: 1400, height: 860 } })).newPage();
      await page.goto(gateway.url);
      await page.getByLabel('Email').fill(who.email);
      await page.getByLabel('Password').fill(who.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('navigation', { name: 'Pages' }).waitFor();
      return page;
    }

    const goTo = async (page: Page, hash: string) => {
      await page.goto(`${gateway.url}/${hash}`);
      await page.getByRole('navigation', { name: 'Pages' }).waitFor();
    };

    beforeAll(async () => {
      fake = await FakeOpenAI.start();
      storage = await provisionStorage(backend);
      gateway = await startGateway({ storage, fake, clock, env: { ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password } });
      if (!gateway.app.get(DashboardAssets).built) throw new Error('the dashboard is not built: run `npm run build` first (npm test does)');
      // Something to count, on three days: web conversations with priced answers (gpt-4.1-nano).
      const talk = async (message: string, usage: { prompt_tokens: number; completion_tokens: number; cached_tokens: number }) => {
        const { sessionId, auth } = await openWebSession(gateway);
        fake.enqueue({ kind: 'text', text: 'A priced answer', usage });
        await gateway.request('POST', `/api/sessions/${sessionId}/messages`, { headers: auth, body: { message } });
        return sessionId;
      };
      await talk('three days ago', { prompt_tokens: 4_000, completion_tokens: 1_000, cached_tokens: 0 }); // $0.000800
      clock.advance(DAY);
      await talk('two days ago', { prompt_tokens: 8_000, completion_tokens: 2_000, cached_tokens: 0 }); // $0.001600
      // Back to the present, so the staff cookie's expiry means the same to the browser.
      clock.advance(2 * DAY);
      // 10,000 × $0.10 + 2,000 × $0.025 + 3,000 × $0.40 per million = $0.002250
      const key = await talk('count me', { prompt_tokens: 12_000, completion_tokens: 3_000, cached_tokens: 2_000 });
      const listed = await gateway.request('GET', `/api/admin/sessions?q=${encodeURIComponent('count me')}`, { headers: masterAuth });
      active = { key, id: listed.body.sessions[0].id };
      browser = await launchBrowser();
      admin = await signIn(ADMIN);
    });
    afterAll(async () => {
      await browser?.close();
      await gateway?.close();
      await fake?.close();
      await storage?.dispose();
    });

    it('shows usage and cost with a per-day chart', async () => {
      await goTo(admin, '#/usage');
      const totals = admin.getByRole('region', { name: 'Totals' });
      await totals.waitFor();
      await totals.getByText('$0.004650', { exact: true }).waitFor();
      const chart = admin.getByRole('region', { name: 'Per-day chart' });
      await chart.locator('svg.recharts-surface').first().waitFor();
      // one bar per day that cost something
      await chart.locator('.recharts-bar-rectangle path').nth(2).waitFor();
      expect(await chart.locator('.recharts-bar-rectangle').count()).toBe(3);
      await admin.getByRole('table', { name: 'Per model' }).getByText(/per 1M tokens$/).waitFor();
      await screenshot(admin, 'dashboard-usage');
    });

    it('creates an API key, shows its secret once, and revokes it', async () => {
      await goTo(admin, '#/keys');
      await admin.getByLabel('Key name').fill('e2e key');
      await admin.getByRole('button', { name: 'Create key' }).click();
      const secret = await admin.getByLabel('Secret of "e2e key".').inputValue();
      expect(secret).toMatch(/^tl_/);
      await screenshot(admin, 'dashboard-api-keys');
      const asKey = { authorization: `Bearer ${secret}`, 'x-user-id': 'e2e-user' };
      expect((await gateway.request('POST', '/api/chat', { headers: asKey, body: { message: 'hi' } })).status).toBe(200);

      await admin.getByRole('button', { name: 'Done' }).click();
      expect(await admin.getByText(secret).count()).toBe(0);
      await admin.getByRole('button', { name: 'Revoke e2e key' }).click();
      await admin.getByRole('dialog', { name: 'Revoke this API key?' }).getByRole('button', { name: 'Revoke' }).click();
      await admin.getByRole('row', { name: /e2e key/ }).getByText(/^revoked /).waitFor();
      expect((await gateway.request('POST', '/api/chat', { headers: asKey, body: { message: 'hi again' } })).status).toBe(401);
    });

    it('a viewer sees sessions but cannot clear them, and the API refuses a forced call', async () => {
      const created = await gateway.request('POST', '/api/admin/staff', { headers: masterAuth, body: { ...VIEWER, role: 'viewer' } });
      expect(created.status).toBe(201);
      const viewer = await signIn(VIEWER);
      try {
        const nav = viewer.getByRole('navigation', { name: 'Pages' });
        expect(await nav.getByRole('link').allTextContents()).toEqual(['Sessions', 'Usage & cost']);
        await viewer.getByRole('row', { name: new RegExp(active.key) }).click();
        const transcript = viewer.getByLabel('Transcript');
        await transcript.getByText('count me', { exact: true }).waitFor();
        for (const name of ['Clear', 'Expire', 'Delete']) expect(await transcript.getByRole('button', { name }).isDisabled()).toBe(true);
        await screenshot(viewer, 'dashboard-viewer');
        const forced = await viewer.evaluate(async (id) => {
          const res = await fetch(`/api/admin/sessions/${id}/clear`, { method: 'POST' });
          return { status: res.status, body: (await res.json()) as { error: { code: string } } };
        }, active.id);
        expect(forced).toEqual({ status: 403, body: { error: { code: 'forbidden', message: 'this needs the operator role; you are viewer' } } });
        const still = await gateway.request('GET', `/api/admin/sessions/${active.id}`, { headers: masterAuth });
        expect(still.body.session.status).toBe('active');
      } finally {
        await viewer.context().close();
      }
    });

    it('lists staff for admins and records every change in the audit log', async () => {
      await goTo(admin, '#/staff');
      await admin.getByLabel(`Role of ${VIEWER.email}`).waitFor();
      expect(await admin.getByLabel(`Role of ${ADMIN.email}`).isDisabled()).toBe(true);
      await admin.getByLabel('New staff email').fill('ops@example.com');
      await admin.getByLabel('New staff role').selectOption('operator');
      await admin.getByRole('button', { name: 'Add account' }).click();
      expect(await admin.getByLabel('Password of ops@example.com.').inputValue()).toMatch(/.{12,}/);
      await screenshot(admin, 'dashboard-staff');

      await goTo(admin, '#/audit');
      const log = admin.getByRole('table', { name: 'Audit log' });
      for (const action of ['staff.create', 'api-key.revoke', 'api-key.create']) await log.getByRole('cell', { name: action, exact: true }).first().waitFor();
      const actions = await log.locator('tbody tr td:nth-child(3)').allTextContents();
      expect(actions.slice(0, 4)).toEqual(['staff.create', 'staff.create', 'api-key.revoke', 'api-key.create']);
      await screenshot(admin, 'dashboard-audit');
    });
  });
});
