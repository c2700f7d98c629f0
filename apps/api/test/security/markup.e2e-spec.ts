import type { Browser } from 'playwright-core';
import { FakeOpenAI } from '@threadline/testing';
import { DashboardAssets } from '@api/dashboard/dashboard-assets.js';
import { backends } from '../backends.js';
import { describeInBrowser, launchBrowser } from '../browser.js';
import { provisionStorage, startGateway, type Gateway, type StorageHandle } from '../harness.js';
import { assertWidgetBuilt, HostSite } from '../widget.e2e-helpers.js';

const HOSTILE = '<img src=x onerror=window.__pwned=1><script>window.__pwned=1</script>';
const pwned = () => (globalThis as { __pwned?: unknown }).__pwned;

/** A visitor types markup into the widget; the widget and the staff dashboard both show it as text, and none of it runs. */
describeInBrowser('script and HTML in a message are shown as text', () => {
  describe.each(backends())('%s', (backend) => {
    let fake: FakeOpenAI;
    let storage: StorageHandle;
    let gateway: Gateway;
    let browser: Browser;
    let site: HostSite;

    beforeAll(async () => {
      assertWidgetBuilt();
      fake = await FakeOpenAI.start();
      storage = await provisionStorage(backend);
      gateway = await startGateway({ storage, fake, env: { ADMIN_EMAIL: 'ops@example.com', ADMIN_PASSWORD: 'correct horse battery' } });
      if (!gateway.app.get(DashboardAssets).built) throw new Error('the dashboard is not built: run `npm run build` first (npm test does)');
      browser = await launchBrowser();
      site = await HostSite.start();
    });
    afterAll(async () => {
      await browser?.close();
      await site?.close();
      await gateway?.close();
      await fake?.close();
      await storage?.dispose();
    });

    it('in the widget and in the dashboard transcript: literal text, no element made, window.__pwned never set', async () => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const widget = await site.open(context, gateway);
      const sessionId = await widget.open();
      await widget.ask(HOSTILE);
      // The fake model echoes, so the answer carries the markup too.
      expect(await widget.transcript()).toEqual([`user: ${HOSTILE}`, `assistant: Echo: ${HOSTILE}`]);
      const made = await widget.page.locator('threadline-widget').evaluate((host) => host.shadowRoot!.querySelectorAll('img, script:not([src])').length);
      expect(made).toBe(0);
      expect(await widget.page.evaluate(pwned)).toBeUndefined();

      const page = await context.newPage();
      await page.goto(gateway.url);
      await page.getByLabel('Email').fill('ops@example.com');
      await page.getByLabel('Password').fill('correct horse battery');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('row', { name: new RegExp(sessionId) }).click();
      const transcript = page.getByLabel('Transcript');
      await transcript.getByText(HOSTILE, { exact: true }).waitFor();
      await transcript.getByText(`Echo: ${HOSTILE}`, { exact: true }).waitFor();
      expect(await transcript.locator('img, script').count()).toBe(0);
      expect(await page.locator('img[src="x"]').count()).toBe(0);
      expect(await page.evaluate(pwned)).toBeUndefined();
      await context.close();
    });
  });
});
