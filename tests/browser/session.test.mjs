// Sessions in the browser: when the server no longer knows the session
// (expired, signed out on another device) the app asks to sign in again
// instead of showing errors; signing out forgets the person on the device.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../api/lib/server.mjs';
import { launch, signIn, openView, PHONE } from './lib/browser.mjs';

test('a lost session leads back to the sign-in form; signing out forgets the device user', async () => {
  const s = await startServer({ demo: true });
  const browser = await launch();
  try {
    const gw = await signIn(browser, s.url, 'gw01', { viewport: PHONE });
    const { page, t, ctx } = gw;
    await page.getByRole('heading', { name: t.gridTasks }).waitFor();
    await ctx.clearCookies(); // the server's session is gone for this browser
    await openView(gw, 'visits');
    await page.getByRole('heading', { name: t.signInTitle }).waitFor();
    assert.equal(await page.locator('nav.menu').count(), 0);

    await page.getByLabel(t.username).fill('gw01');
    await page.getByLabel(t.password).fill('demo-pass-2026');
    await page.getByRole('button', { name: t.signIn, exact: true }).click();
    await page.locator('nav.menu').waitFor();
    assert.match(await page.evaluate(() => localStorage.getItem('gridline.user')), /"username":"gw01"/);
    await page.getByRole('button', { name: t.signOut }).click();
    await page.getByRole('heading', { name: t.signInTitle }).waitFor();
    assert.equal(await page.evaluate(() => localStorage.getItem('gridline.user')), null);
    assert.deepEqual(gw.errors.filter((e) => !/status of 401/.test(e)), []);
  } finally {
    await browser.close();
    await s.cleanup();
  }
});
