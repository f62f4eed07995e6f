// One case all the way through the web app, each person on their own
// screen: a resident reports with a photo, the town's command centre sees
// it arrive live and dispatches it (the routed department proposed), the
// department starts and handles it with evidence, the grid worker verifies
// it on a phone, the resident rates it, and the county leader's dashboard
// counts it. Run in Chinese and in English (the two test files).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startServer } from '../../api/lib/server.mjs';
import { png } from '../../api/lib/png.mjs';
import { launch, signIn, openView, row, step, PHONE } from './browser.mjs';

const FUAN_1 = { latitude: 36.7012, longitude: 118.8815 }; // 福安社区第一网格
const photo = (name) => ({ name, mimeType: 'image/png', buffer: png() });
const digits = (s) => Number(s.replace(/[^\d]/g, ''));

// The dashboard's first two figures: received and closed this month.
async function counts(p) {
  const values = p.page.locator('.kpi .kpi-value');
  await values.first().waitFor();
  const all = await values.allTextContents();
  return { received: digits(all[0].split(/[▲▼]/)[0]), closed: digits(all[1].split(/[▲▼]/)[0]) };
}

export async function caseFlow(lang, { tapMap }) {
  const s = await startServer({ demo: true });
  const sql = (q) => execFileSync('sqlite3', [s.db, q], { encoding: 'utf8' }).trim();
  const browser = await launch();
  const pages = [];
  const as = async (user, opts) => { const p = await signIn(browser, s.url, user, { lang, ...opts }); pages.push(p); return p; };
  try {
    const what = lang === 'zh' ? `福安路北段路灯一排都不亮（${Date.now()}）` : `Street lights out on 福安路 (${Date.now()})`;

    const leader = await as('leader');
    await openView(leader, 'dashboard');
    const before = await counts(leader);

    // The command centre's desk is open, listening.
    const desk = await as('linhe.dispatcher');
    const listening = desk.page.waitForResponse((r) => r.url().includes('/api/v1/events'));
    await openView(desk, 'desk');
    await listening;
    await desk.page.locator('ul.cases li').first().waitFor();
    await desk.page.evaluate(() => { window.stillHere = true; });

    // The resident reports from a phone.
    const jm = await as('jm01', { viewport: PHONE, geolocation: FUAN_1 });
    const t = jm.t;
    await jm.page.getByRole('heading', { name: t.reportTitle }).waitFor();
    await jm.page.getByLabel(t.categoryTop).selectOption('04');
    await jm.page.getByLabel(t.categorySub).selectOption('0401');
    await jm.page.getByLabel(t.description).fill(what);
    await jm.page.locator('input[name=photos]').setInputFiles(photo('light.png'));
    await jm.page.getByText(t.photosChosen(1)).waitFor();
    if (tapMap) await jm.page.locator('.map path.leaflet-interactive').first().click();
    else await jm.page.getByRole('button', { name: t.useMyLocation }).click();
    await jm.page.getByTestId('point').waitFor();
    await jm.page.getByRole('button', { name: t.submitReport }).click();
    const done = jm.page.locator('.report .msg.ok');
    await done.waitFor();
    const code = (await done.textContent()).match(/[A-Z0-9-]{8,}/)[0];
    const [id, grid, photos] = sql(`SELECT id, grid_code, (SELECT count(*) FROM case_photos WHERE case_id = cases.id)
      FROM cases WHERE code = '${code}'`).split('|');
    assert.equal(Number(photos), 1, 'the photo went up with the report');
    assert.equal(sql(`SELECT description FROM cases WHERE id = ${id}`), what);

    // It appears on the desk without a reload, marked new.
    const r = row(desk.page, what);
    await r.locator('.badge.new').waitFor();
    assert.equal(await desk.page.evaluate(() => window.stillHere), true, 'no reload');
    await r.getByRole('button').click();
    await desk.page.locator('.case .photos img').first().waitFor();
    assert.ok(await desk.page.locator('.case .photos img').first().evaluate((img) => img.complete && img.naturalWidth === 3));
    await step(desk, 'accept');
    await desk.page.locator('.case .actions button[data-action="dispatch"]').click();
    const dept = desk.page.locator('form.action-form select[name=dept_id]');
    assert.equal(await dept.inputValue(), sql(`SELECT id FROM departments WHERE code = 'zjj'`), 'routed department proposed');
    await desk.page.locator('form.action-form').getByRole('button', { name: t.confirmAction }).click();
    await desk.page.locator('.case .msg.ok', { hasText: t.states.dispatched }).waitFor();

    // The department starts and handles it, with a photo of the repair.
    const zjj = await as('zjj.staff');
    await openView(zjj, 'desk');
    await row(zjj.page, what).getByRole('button').click();
    await step(zjj, 'start');
    await step(zjj, 'handle', async (form) => {
      await form.getByLabel(t.noteRequired).fill(lang === 'zh' ? '已更换 6 盏路灯灯头，夜间复亮' : 'Six lamp heads replaced');
      await form.locator('input[name=photos]').setInputFiles(photo('fixed.png'));
    });
    assert.equal(sql(`SELECT state || '|' || (SELECT count(*) FROM case_photos WHERE case_id = ${id} AND step = 'handle')
      FROM cases WHERE id = ${id}`), 'handled|1');

    // The grid's worker verifies it on a small phone.
    const worker = sql(`SELECT u.username FROM role_assignments r JOIN users u ON u.id = r.user_id
      WHERE r.role = 'grid_worker' AND r.region_code = '${grid}'`);
    const gw = await as(worker, { viewport: PHONE });
    await gw.page.getByRole('heading', { name: t.gridTasks }).waitFor();
    await row(gw.page, what).getByRole('button').click();
    await step(gw, 'verify', (form) => form.getByLabel(t.note).fill(lang === 'zh' ? '现场核实，路灯已亮' : 'Checked on site'));
    await gw.page.locator('.case .badge', { hasText: t.states.closed }).first().waitFor();
    assert.ok(await gw.page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth),
      'nothing runs off a 360 px screen');

    // The resident rates it from their own list.
    await openView(jm, 'mine');
    await row(jm.page, what).getByRole('button').click();
    await step(jm, 'rate', (form) => form.getByLabel(t.note).fill(lang === 'zh' ? '修得快，谢谢' : 'Quick, thanks'));
    await jm.page.locator('.case dd', { hasText: t.ratings.satisfied }).waitFor();
    assert.equal(sql(`SELECT state || '|' || rating || '|' || dept_id FROM cases WHERE id = ${id}`),
      `closed|satisfied|${sql(`SELECT id FROM departments WHERE code = 'zjj'`)}`);

    // The leader's figures count it.
    await leader.page.reload();
    await leader.page.locator('nav.menu').waitFor();
    const after = await counts(leader);
    assert.deepEqual(after, { received: before.received + 1, closed: before.closed + 1 });

    for (const p of pages) assert.deepEqual(p.errors, [], 'no errors in the browser console');
  } finally {
    await browser.close();
    await s.cleanup();
  }
}
