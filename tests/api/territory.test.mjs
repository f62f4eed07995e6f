// The demo county's territory: regions, grids and locate, departments,
// households with sealed personal data, and imports that are all or nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, runCli, login, DEMO_PASSWORD } from './lib/server.mjs';

let s;
before(async () => { s = await startServer({ demo: true }); });
after(async () => { await s.cleanup(); });

const sql = (q) => execFileSync('sqlite3', [s.db, q], { encoding: 'utf8' }).trim();

test('the region tree: county > towns > villages > grids', async () => {
  const top = await s.get('/api/v1/regions');
  assert.equal(top.status, 200);
  assert.deepEqual(top.json.items.map((r) => [r.code, r.name, r.level, r.children]), [['379901000000', '青禾县', 'county', 2]]);
  const towns = (await s.get('/api/v1/regions?parent=379901000000')).json.items;
  assert.deepEqual(towns.map((t) => t.name), ['临河街道', '石桥镇']);
  const villages = (await s.get('/api/v1/regions?parent=379901101000')).json.items;
  assert.equal(villages.length, 6);
  assert.ok(villages.every((v) => v.level === 'village' && v.parent_code === '379901101000'));
  const one = await s.get('/api/v1/regions/379901001001');
  assert.equal(one.json.name, '福安社区');
  assert.equal(one.json.children, 8); // its grids
  assert.equal((await s.get('/api/v1/regions/379901001099')).status, 404);
  assert.equal((await s.get('/api/v1/regions?parent=12345')).status, 400);
});

test('grids carry polygons, workers and household counts', async () => {
  const all = (await s.get('/api/v1/grids')).json.items;
  assert.equal(all.length, 80);
  const town = (await s.get('/api/v1/grids?region=379901101000&geometry=0')).json.items;
  assert.equal(town.length, 39);
  assert.ok(town.every((g) => g.code.startsWith('379901101') && g.geometry === undefined));
  const g = (await s.get('/api/v1/grids/379901001001001')).json;
  assert.equal(g.name, '福安社区第一网格');
  assert.equal(g.geometry.type, 'Polygon');
  assert.equal(g.workers.length, 1);
  assert.match(g.workers[0].display_name, /网格员/);
  assert.ok(g.households >= 56 && g.households <= 70);
  const total = all.reduce((n, x) => n + x.households, 0);
  assert.ok(total > 4800 && total < 5200, `${total} households`);
  assert.equal((await s.get('/api/v1/grids/379901001001999')).status, 404);
});

test('locate: inside, on a shared border, on a corner, and outside', async () => {
  const grids = (await s.get('/api/v1/grids?region=379901001001')).json.items;
  const [a, b] = [grids[0], grids[1]]; // 第一网格 (lower row) and 第二网格 (upper row) share an edge
  const [minx, miny, maxx, maxy] = a.bbox;
  const mid = (lo, hi) => (lo + hi) / 2;

  const inside = await s.get(`/api/v1/grids/locate?lat=${mid(miny, maxy)}&lng=${mid(minx, maxx)}`);
  assert.equal(inside.status, 200);
  assert.equal(inside.json.grid.code, a.code);
  assert.equal(inside.json.position, 'inside');

  const insideB = await s.get(`/api/v1/grids/locate?lat=${mid(b.bbox[1], b.bbox[3])}&lng=${mid(b.bbox[0], b.bbox[2])}`);
  assert.equal(insideB.json.grid.code, b.code);

  // The edge between them: both claim it; the lowest code wins, flagged as boundary.
  assert.equal(b.bbox[1], maxy);
  const border = await s.get(`/api/v1/grids/locate?lat=${maxy}&lng=${mid(minx, maxx)}`);
  assert.equal(border.status, 200);
  assert.equal(border.json.grid.code, a.code);
  assert.equal(border.json.position, 'boundary');

  const corner = await s.get(`/api/v1/grids/locate?lat=${miny}&lng=${minx}`);
  assert.equal(corner.json.grid.code, a.code);
  assert.equal(corner.json.position, 'boundary');

  const outside = await s.get('/api/v1/grids/locate?lat=39.9042&lng=116.4074');
  assert.equal(outside.status, 404);
  assert.match(outside.json.error.message, /outside every grid/);

  for (const q of ['lat=abc&lng=118.9', 'lat=36.7', 'lat=91&lng=118.9', 'lat=36.7&lng=181', 'lat=36.7&lng=nan']) {
    const r = await s.get(`/api/v1/grids/locate?${q}`);
    assert.equal(r.status, 400, q);
    assert.equal(r.json.error.code, 'bad_parameter');
  }
});

test('households are masked by default; unmasking needs the permission and is logged', async () => {
  const gw = await login(s.url, 'gw01', DEMO_PASSWORD);
  const list = await gw.get('/api/v1/households?limit=5');
  assert.equal(list.status, 200);
  assert.equal(list.json.items.length, 5);
  const h = list.json.items[0];
  assert.equal(h.grid_code, '379901001001001');
  assert.match(h.head_id_number, /^3\*{13}[0-9X]{4}$/);
  assert.match(h.phone, /^1\d\d\*{4}\d{4}$/);
  assert.equal(h.address_detail, '****');
  assert.equal(h.masked, true);

  const before = Number(sql('SELECT count(*) FROM pii_access_log'));
  const full = await gw.get(`/api/v1/households/${h.id}?unmask=1`);
  assert.equal(full.status, 200);
  assert.equal(full.json.masked, false);
  assert.match(full.json.head_id_number, /^379901\d{11}[0-9X]$/);
  assert.equal(full.json.head_id_number.slice(-4), h.head_id_number.slice(-4));
  assert.match(full.json.phone, /^1\d{10}$/);
  assert.equal(Number(sql('SELECT count(*) FROM pii_access_log')), before + 1);
  assert.equal(sql(`SELECT subject || ':' || subject_id || ':' || user_id FROM pii_access_log ORDER BY id DESC LIMIT 1`),
    `household:${h.id}:${gw.user.id}`);

  // At rest the numbers are ciphertext: the plain phone appears nowhere in the file.
  const rawPhone = sql(`SELECT hex(phone) FROM households WHERE id = ${h.id}`);
  assert.ok(!rawPhone.includes(Buffer.from(full.json.phone).toString('hex').toUpperCase()));
  const dump = execFileSync('sqlite3', [s.db, '.dump households'], { encoding: 'utf8', maxBuffer: 1 << 28 });
  assert.ok(!dump.includes(full.json.phone));
  assert.ok(!dump.includes(full.json.head_id_number));

  // An admin manages households but may not unmask them; nothing is logged.
  const denied = await s.get(`/api/v1/households/${h.id}?unmask=1`);
  assert.equal(denied.status, 403);
  assert.equal(Number(sql('SELECT count(*) FROM pii_access_log')), before + 1);
});

test('paging through a grid worker\'s households with the cursor', async () => {
  const gw = await login(s.url, 'gw02', DEMO_PASSWORD);
  const seen = [];
  let cursor = '';
  for (let page = 0; page < 20; page++) {
    const r = await gw.get(`/api/v1/households?limit=25${cursor ? `&cursor=${cursor}` : ''}`);
    assert.equal(r.status, 200);
    seen.push(...r.json.items.map((x) => x.id));
    if (!r.json.next_cursor) break;
    cursor = r.json.next_cursor;
  }
  const expected = Number(sql("SELECT count(*) FROM households WHERE grid_code = '379901001001002'"));
  assert.equal(seen.length, expected);
  assert.equal(new Set(seen).size, expected);
  assert.deepEqual(seen, [...seen].sort((x, y) => x - y));
  const byName = await gw.get(`/api/v1/households?q=${encodeURIComponent('王')}`);
  assert.ok(byName.json.items.every((x) => x.head_name.includes('王')));
  for (const q of ['limit=0', 'limit=500', 'cursor=abc', 'region=123']) {
    assert.equal((await gw.get(`/api/v1/households?${q}`)).status, 400, q);
  }
});

test('a grid worker records a household; bad personal data is refused by name', async () => {
  const gw = await login(s.url, 'gw01', DEMO_PASSWORD);
  const base = { grid_code: '379901001001001', address_area: '福安社区2号楼', head_name: '测试户主', members: 3 };
  const bad = [
    [{ ...base, head_id_number: `37990119900101123${checkDigit('37990119900101123') === '0' ? '1' : '0'}` }, 'head_id_number'], // wrong check digit
    [{ ...base, phone: '1381234567x' }, 'phone'],
    [{ ...base, tags: [1] }, 'tags'],
    [{ ...base, members: 0 }, 'members'],
  ];
  for (const [body, field] of bad) {
    const r = await gw.post('/api/v1/households', body);
    assert.equal(r.status, 422, JSON.stringify(body));
    assert.equal(r.json.error.field, field);
  }
  const ok = await gw.post('/api/v1/households', { ...base, head_id_number: `37990119900101123${checkDigit('37990119900101123')}`, phone: '13912345678', address_detail: '2单元302室', tags: ['独居老人'] });
  assert.equal(ok.status, 201, ok.text);
  assert.equal(ok.json.phone, '139****5678');
  assert.deepEqual(ok.json.tags, ['独居老人']);
  const other = await gw.post('/api/v1/households', { ...base, grid_code: '379901001001002' });
  assert.equal(other.status, 403);
});

function checkDigit(s17) {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...s17].reduce((n, d, i) => n + Number(d) * w[i], 0);
  return '10X98765432'[sum % 11];
}

test('an import with one bad row changes nothing and names the row', async () => {
  const csv = join(s.dir, 'regions.csv');
  writeFileSync(csv, '\ufeffcode,name,parent_code\n379901101207,南洼村,379901101000\n379901101208,,379901101000\n379901101209,河口村,379901001000\n379901101210,新村,\n');
  const before = sql('SELECT count(*) FROM regions');
  const r = runCli(['import', 'regions', csv, '--db', s.db]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /nothing was imported; 2 row\(s\) need fixing/);
  assert.match(r.stderr, /line 3: name is empty/);
  assert.match(r.stderr, /line 4: parent_code 379901001000 does not match/);
  assert.doesNotMatch(r.stderr, /line 2|line 5/);
  assert.equal(sql('SELECT count(*) FROM regions'), before);

  writeFileSync(csv, 'name,code\n南洼村,379901101207\n河口村,379901101208\n');
  const ok = runCli(['import', 'regions', csv, '--db', s.db]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /imported 2 regions/);
  assert.equal((await s.get('/api/v1/regions/379901101208')).json.parent_code, '379901101000');

  const dup = runCli(['import', 'regions', csv, '--db', s.db]);
  assert.equal(dup.code, 1);
  assert.match(dup.stderr, /line 2: region \(or its parent\) already exists/);

  writeFileSync(csv, 'code,name,colour\n');
  const unknown = runCli(['import', 'regions', csv, '--db', s.db]);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /line 1: unknown column "colour"/);
});

test('grids import from GeoJSON, households and users from CSV', async () => {
  const gj = join(s.dir, 'grids.geojson');
  const square = (x, y) => ({ type: 'Polygon', coordinates: [[[x, y], [x + 0.004, y], [x + 0.004, y + 0.004], [x, y + 0.004], [x, y]]] });
  writeFileSync(gj, JSON.stringify({
    type: 'FeatureCollection',
    features: [
      { type: 'Feature', properties: { code: '379901101207001', name: '南洼村第一网格', duty_phone: '0536-7259001' }, geometry: square(118.964, 36.700) },
      { type: 'Feature', properties: { code: '379901101207002', name: '南洼村第二网格' }, geometry: square(118.968, 36.700) },
    ],
  }));
  const g = runCli(['import', 'grids', gj, '--db', s.db]);
  assert.equal(g.code, 0, g.stderr);
  const located = await s.get('/api/v1/grids/locate?lat=36.702&lng=118.970');
  assert.equal(located.json.grid.code, '379901101207002');

  const hh = join(s.dir, 'households.csv');
  writeFileSync(hh, 'grid_code,address_area,head_name,phone,members,tags\n379901101207001,南洼村1组,李秀英,13800001111,2,低保户、独居老人\n379901101207002,南洼村2组,赵长江,,4,\n');
  const h = runCli(['import', 'households', hh, '--db', s.db]);
  assert.equal(h.code, 0, h.stderr);
  assert.equal(sql("SELECT tags FROM households WHERE grid_code = '379901101207001'"), '["低保户","独居老人"]');
  assert.equal(sql("SELECT tags FROM households WHERE grid_code = '379901101207002'"), '[]');

  const users = join(s.dir, 'users.csv');
  writeFileSync(users, 'username,display_name,role,scope,dept_code\nnw.gw1,南洼网格员,grid_worker,379901101207001,\nnw.staff,劳动监察员,dept_staff,379901000000,rsj\n');
  const u = runCli(['import', 'users', users, '--db', s.db, '--password-stdin'], { input: 'first-pass-2026\n' });
  assert.equal(u.code, 0, u.stderr);
  const c = await login(s.url, 'nw.gw1', 'first-pass-2026');
  const mine = await c.get('/api/v1/households');
  assert.deepEqual(mine.json.items.map((x) => x.head_name), ['李秀英']);
  const staff = await login(s.url, 'nw.staff', 'first-pass-2026');
  assert.ok(staff.user.roles[0].dept_id > 0);
});

test('the web admin imports grids from GeoJSON in one request, all or nothing', async () => {
  const square = (x, y) => ({ type: 'Polygon', coordinates: [[[x, y], [x + 0.004, y], [x + 0.004, y + 0.004], [x, y + 0.004], [x, y]]] });
  const feature = (code, name, geometry) => ({ type: 'Feature', properties: { code, name }, geometry });
  const fc = (...features) => ({ type: 'FeatureCollection', features });
  const count = () => Number(sql("SELECT count(*) FROM grids WHERE code LIKE '37990110120701_'"));
  const a = feature('379901101207011', '南洼村第十一网格', square(118.980, 36.700));
  const b = feature('379901101207012', '南洼村第十二网格', square(118.984, 36.700));
  const before = count();
  const refusals = [
    [fc(a, feature('379901101207012', '南洼村第十二网格', { type: 'Polygon', coordinates: [[[118.9, 36.7], [118.91, 36.7]]] })), 422, 'geometry', /^feature 2: /],
    [fc(a, { ...b, properties: { name: '没有编码' } }), 400, 'code', /^feature 2: /],
    [fc(a, { ...a, properties: { ...a.properties, name: '重复' } }), 409, 'code', /^feature 2: grid 379901101207011 exists/],
    [fc(a, 'not a feature'), 422, 'features', /^feature 2: not a Feature/],
    [{ type: 'Feature', features: [a] }, 422, 'type', /FeatureCollection/],
    [fc(), 422, 'features', /1 to 5000/],
  ];
  for (const [body, status, field, message] of refusals) {
    const res = await s.post('/api/v1/grids/import', body);
    assert.equal(res.status, status, res.text);
    assert.equal(res.json.error.field, field, res.text);
    assert.match(res.json.error.message, message);
    assert.equal(count(), before, 'nothing was imported');
  }
  const linhe = await login(s.url, 'linhe.admin', DEMO_PASSWORD);
  const outside = await linhe.post('/api/v1/grids/import', fc(a, b));
  assert.equal(outside.status, 403);
  assert.match(outside.json.error.message, /^feature 1: grid 379901101207011 is outside/);
  assert.equal(count(), before);

  const res = await s.post('/api/v1/grids/import', fc(a, b));
  assert.equal(res.status, 201, res.text);
  assert.deepEqual(res.json, { imported: 2 });
  assert.equal(count(), before + 2);
  assert.equal((await s.get('/api/v1/grids/locate?lat=36.702&lng=118.986')).json.grid.code, '379901101207012');
});
