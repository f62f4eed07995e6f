// A grid worker in a village with no signal: the app opens from the
// service worker's copy, a report with its photo waits on the phone, and
// when the network returns it goes out once, even when the answer to the
// first send is lost on the way back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startServer } from '../api/lib/server.mjs';
import { png } from '../api/lib/png.mjs';
import { launch, signIn, openView, PHONE } from './lib/browser.mjs';

test('offline: the app opens, the report waits on the phone, and is written exactly once', async () => {
  const s = await startServer({ demo: true });
  const sql = (q) => execFileSync('sqlite3', [s.db, q], { encoding: 'utf8' }).trim();
  const browser = await launch();
  try {
    const gw = await signIn(browser, s.url, 'gw01', { viewport: PHONE, geolocation: { latitude: 36.7012, longitude: 118.8815 } });
    const { page, t, ctx } = gw;
    await openView(gw, 'report');
    // Once the service worker holds the app, load it through the worker so
    // the reference lists (categories, grids) are kept too.
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
    await page.reload();
    await page.locator('select[name=top] option[value="04"]').waitFor({ state: 'attached' });

    await ctx.setOffline(true);
    await page.locator('header .badge.offline', { hasText: t.offline }).waitFor();
    await page.reload(); // no network at all: the app still opens, signed in
    await page.getByRole('heading', { name: t.reportTitle }).waitFor();
    await page.locator('header .badge.offline').waitFor();

    const what = `石桥村东头下水井盖缺失，离线上报（${Date.now()}）`;
    await page.getByLabel(t.categoryTop).selectOption('04');
    await page.getByLabel(t.categorySub).selectOption('0403');
    await page.getByLabel(t.description).fill(what);
    await page.locator('input[name=photos]').setInputFiles({ name: 'well.png', mimeType: 'image/png', buffer: png() });
    await page.getByRole('button', { name: t.useMyLocation }).click();
    await page.getByTestId('point').waitFor();
    await page.getByRole('button', { name: t.submitReport }).click();
    await page.locator('.report .msg.ok', { hasText: t.queuedReport }).waitFor();
    await page.getByText(t.pendingCount(1)).waitFor();
    const count = () => Number(sql(`SELECT count(*) FROM cases WHERE description = '${what}'`));
    assert.equal(count(), 0, 'nothing reached the server');

    // The network returns, but the answer to the first send is lost: the
    // server wrote the case, the phone never heard.
    let sends = 0;
    let lost; // the first answer, which the phone never sees
    const answered = new Promise((resolve) => { lost = resolve; });
    await page.route('**/api/v1/cases', async (route) => {
      if (route.request().method() !== 'POST' || sends++ > 0) return route.continue();
      const res = await route.fetch();
      await route.abort('connectionreset');
      return lost(res.status());
    });
    await ctx.setOffline(false);
    await page.locator('header .badge.offline').waitFor({ state: 'detached' });
    assert.equal(await answered, 201);
    assert.equal(count(), 1, 'the server took the first send');
    await page.getByText(t.pendingCount(1)).waitFor(); // still waiting: no answer came

    // Sending again answers the case already written, and the photo follows.
    await page.getByRole('button', { name: t.syncNow }).click();
    await page.locator('.msg.ok', { hasText: t.synced(1) }).first().waitFor();
    await page.locator('.pending').waitFor({ state: 'detached' });
    assert.equal(sends, 2);
    assert.equal(count(), 1, 'one case, not two');
    assert.equal(sql(`SELECT count(*) || '|' || c.grid_code || '|' || c.channel FROM case_photos p JOIN cases c ON c.id = p.case_id
      WHERE c.description = '${what}'`), '1|379901001001001|grid_worker');
    const leftovers = gw.errors.filter((e) => !/ERR_INTERNET_DISCONNECTED|ERR_CONNECTION_RESET|Failed to fetch/.test(e));
    assert.deepEqual(leftovers, []);
  } finally {
    await browser.close();
    await s.cleanup();
  }
});
