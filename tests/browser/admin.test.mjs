// The administrator at a desk: adds a grid worker who can then sign in, and
// imports grids from a GeoJSON file — a file with one bad feature changes
// nothing and says which feature, a good one imports them all.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startServer, DEMO_PASSWORD } from '../api/lib/server.mjs';
import { launch, signIn, openView } from './lib/browser.mjs';

const square = (x, y) => ({ type: 'Polygon', coordinates: [[[x, y], [x + 0.004, y], [x + 0.004, y + 0.004], [x, y + 0.004], [x, y]]] });
const grid = (code, name, geometry) => ({ type: 'Feature', properties: { code, name }, geometry });
const file = (name, ...features) => ({ name, mimeType: 'application/geo+json',
  buffer: Buffer.from(JSON.stringify({ type: 'FeatureCollection', features })) });

test('admin: a new grid worker signs in; grids import from GeoJSON all or nothing', async () => {
  const s = await startServer({ demo: true });
  const sql = (q) => execFileSync('sqlite3', [s.db, q], { encoding: 'utf8' }).trim();
  const browser = await launch();
  try {
    const admin = await signIn(browser, s.url, 'admin');
    const { page, t } = admin;
    await openView(admin, 'admin');
    const form = page.locator('form', { has: page.getByRole('heading', { name: t.addUser }) });
    await form.getByLabel(t.username).fill('fa.gw2');
    await form.getByLabel(t.displayName).fill('宋晓燕（网格员）');
    await form.getByLabel(t.password).fill('first-pass-2026');
    await form.getByLabel(t.role).selectOption('grid_worker');
    await form.getByLabel(t.regionCode).fill('379901001001002');
    await form.getByRole('button', { name: t.save }).click();
    await form.locator('.msg.ok', { hasText: t.saved }).waitFor();
    await page.getByRole('cell', { name: 'fa.gw2', exact: true }).waitFor();
    const gw = await signIn(browser, s.url, 'fa.gw2', { password: 'first-pass-2026' });
    await gw.page.getByRole('heading', { name: gw.t.gridTasks }).waitFor();

    await page.getByRole('button', { name: t.gridList, exact: true }).click();
    const input = page.getByLabel(t.geojsonFile);
    const count = () => Number(sql("SELECT count(*) FROM grids WHERE code IN ('379901101206021', '379901101206022')"));
    const before = count();
    const a = grid('379901101206021', '北岭村第二十一网格', square(118.990, 36.700));
    await input.setInputFiles(file('bad.geojson', a, grid('379901101206022', '北岭村第二十二网格', { type: 'Polygon', coordinates: [] })));
    await page.locator('.msg.bad', { hasText: 'feature 2' }).waitFor();
    assert.equal(count(), before, 'nothing imported');
    await input.setInputFiles(file('good.geojson', a, grid('379901101206022', '北岭村第二十二网格', square(118.994, 36.700))));
    await page.locator('.msg.ok', { hasText: t.imported(2) }).waitFor();
    await page.getByText('379901101206022 北岭村第二十二网格').waitFor();
    assert.equal(count(), before + 2);
    assert.deepEqual([...admin.errors, ...gw.errors].filter((e) => !/status of 4\d\d/.test(e)), []);
  } finally {
    await browser.close();
    await s.cleanup();
  }
});
