// Browser harness: the system's Chromium driven by playwright-core, one
// fresh profile per context, signed in through the real sign-in form of a
// real `gridline serve` (see tests/api/lib/server.mjs). Console errors and
// uncaught exceptions are collected so a test can insist on none.
import { chromium } from 'playwright-core';
import { DEMO_PASSWORD } from '../../api/lib/server.mjs';
import { messages } from '../../../web/i18n.js';

export { messages };
export const PHONE = { width: 360, height: 740 };
export const DESK = { width: 1280, height: 900 };

export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

// A signed-in page: { ctx, page, t, errors }. lang 'en' flips the switch on
// the sign-in screen the way a person would.
export async function signIn(browser, base, username, { viewport = DESK, lang = 'zh', geolocation, password = DEMO_PASSWORD } = {}) {
  const ctx = await browser.newContext({
    viewport, locale: lang === 'zh' ? 'zh-CN' : 'en-GB', timezoneId: 'Asia/Shanghai',
    ...(geolocation ? { geolocation, permissions: ['geolocation'] } : {}),
  });
  const page = await ctx.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${base}/`);
  const t = messages[lang];
  if (lang !== 'zh') await page.getByRole('button', { name: messages.zh.lang }).click();
  await page.getByLabel(t.username).fill(username);
  await page.getByLabel(t.password).fill(password);
  await page.getByRole('button', { name: t.signIn, exact: true }).click();
  await page.locator('nav.menu').waitFor();
  // Before signing in, the app's "who am I?" is answered 401, which the
  // browser logs; that one is expected.
  const expected = errors.findIndex((e) => /status of 401/.test(e));
  if (expected >= 0) errors.splice(expected, 1);
  return { ctx, page, t, errors };
}

// Opens a view by its menu link (as a person would, no reload).
export async function openView(p, view) {
  await p.page.locator('nav.menu').getByRole('link', { name: p.t.views[view], exact: true }).click();
}

// The case list's row for a description (a unique text each test makes).
export const row = (page, text) => page.locator('ul.cases li', { hasText: text });

// Runs one step in the open case: clicks the step's button, fills what
// fill() fills, confirms, and waits for the "done" message.
export async function step(p, action, fill) {
  const { page, t } = p;
  await page.locator(`.case .actions button[data-action="${action}"]`).click();
  const form = page.locator('form.action-form');
  if (fill) await fill(form);
  await form.getByRole('button', { name: t.confirmAction }).click();
  await page.locator('.case .msg.ok', { hasText: t.actions[action] }).waitFor();
}
