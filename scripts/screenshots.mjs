// `make screenshots`: every view of the web app as its users see it, taken
// from a fresh demo county by the system's Chromium, into docs/screenshots/
// (phones at 360 px, desks at 1280 px; Chinese, and the leader's dashboard
// once in English). Look at them after changing the app.
import { mkdirSync } from 'node:fs';
import { startServer, login, DEMO_PASSWORD } from '../tests/api/lib/server.mjs';
import { launch, signIn, openView, PHONE, DESK } from '../tests/browser/lib/browser.mjs';

// --out DIR --png: somewhere else, as PNG (for viewers that show no JPEG).
const arg = (name) => { const i = process.argv.indexOf(name); return i > 0 ? process.argv[i + 1] : undefined; };
const OUT = `${arg('--out') || new URL('../docs/screenshots', import.meta.url).pathname}/`;
const PNG = process.argv.includes('--png');
const FUAN_1 = { latitude: 36.7012, longitude: 118.8815 };

// name, user, view, options: phone, lang, open (text of the row to open),
// step (a step button to press in it), tab (a tab to pick), then (a last touch).
const SHOTS = [
  ['01-resident-report', 'jm01', 'report', { phone: true, then: (p) => p.getByRole('button', { name: '使用我的位置' }).click() }],
  ['02-resident-my-cases', 'jm01', 'mine', { phone: true, open: 0 }],
  ['03-resident-votes', 'jm07', 'votes', { phone: true }],
  ['04-resident-errands', 'jm07', 'errands', { phone: true }],
  ['05-worker-tasks-verify', 'gw01', 'tasks', { phone: true, open: '待核查', step: 'verify' }],
  ['06-worker-visit-log', 'gw01', 'visits', { phone: true }],
  ['07-desk-dispatch', 'linhe.dispatcher', 'desk', { open: '待受理', step: 'accept' }],
  ['08-desk-department', 'zjj.staff', 'desk', { open: '处置中', step: 'handle' }],
  ['09-desk-supervisor', 'supervisor', 'desk', { open: 0, step: 'supervise' }],
  ['10-errand-desk', 'shiqiao.agent', 'errands', { openErrand: true }],
  ['11-opinions-to-answer', 'linhe.dispatcher', 'decide', {}],
  ['12-leader-dashboard', 'leader', 'dashboard', {}],
  ['13-leader-dashboard-en', 'leader', 'dashboard', { lang: 'en' }],
  ['14-admin-routing', 'admin', 'admin', { tab: '类别与派遣规则' }],
  ['15-admin-grids', 'admin', 'admin', { tab: '网格' }],
];

mkdirSync(OUT, { recursive: true });
const s = await startServer({ demo: true });
// One case waiting for gw01's check whatever the clock says: reported,
// dispatched to the routed department and handled, through the API.
async function handledCase() {
  const as = (u) => login(s.url, u, DEMO_PASSWORD);
  const step = async (who, k, action, body = {}) => (await who.post(`/api/v1/cases/${k.id}/${action}`, { if_version: k.version, ...body })).json;
  let k = (await (await as('gw01')).post('/api/v1/cases', { category: '0401', description: '福安路北段路灯三盏不亮，夜间行人看不清路', address: '福安路北段', lat: FUAN_1.latitude, lng: FUAN_1.longitude })).json;
  const disp = await as('linhe.dispatcher'), staff = await as('zjj.staff');
  k = await step(disp, k, 'accept');
  k = await step(disp, k, 'dispatch');
  k = await step(staff, k, 'start');
  await step(staff, k, 'handle', { note: '已更换灯头 3 个，线路检修完毕，夜间复亮' });
}

const browser = await launch();
try {
  await handledCase();
  for (const [name, user, view, o] of SHOTS) {
    const p = await signIn(browser, s.url, user, { viewport: o.phone ? PHONE : DESK, lang: o.lang || 'zh', geolocation: FUAN_1 });
    const { page } = p;
    await openView(p, view);
    await page.waitForTimeout(800); // (the live views never go network-idle)
    if (o.open !== undefined) {
      const rows = page.locator('ul.cases li');
      await rows.first().waitFor();
      // The demo's states follow the clock: take the row asked for when
      // there is one, else the first; press the step when it is offered.
      const wanted = typeof o.open === 'number' ? rows.nth(o.open) : rows.filter({ hasText: o.open }).first();
      await ((await wanted.count()) ? wanted : rows.first()).getByRole('button').click();
      await page.locator('.case').waitFor();
      const step = page.locator(`.case .actions button[data-action="${o.step}"]`);
      if (o.step && await step.count()) await step.click();
    }
    if (o.openErrand) await page.locator('.queue button.case-row').first().click();
    if (o.tab) await page.getByRole('button', { name: o.tab, exact: true }).click();
    if (o.then) await o.then(page);
    await page.waitForTimeout(1200); // data, charts and the map settle
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    const file = `${OUT}${name}.${PNG ? 'png' : 'jpg'}`;
    await page.screenshot({ path: file, ...(PNG ? {} : { type: 'jpeg', quality: 70 }), fullPage: true,
      clip: { x: 0, y: 0, width: o.phone ? PHONE.width : DESK.width, height: Math.min(height, o.phone ? 1800 : 1400) } });
    if (p.errors.length) console.error(`${name}: ${p.errors.join('; ')}`);
    console.log(file);
    await p.ctx.close();
  }
} finally {
  await browser.close();
  await s.cleanup();
}
