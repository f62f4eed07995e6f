// Every role against every endpoint of territory, people and access, in
// scope and out of scope, with the exact status: 404 where the caller's
// role could act on such a thing but this one lies outside their scope
// (they may not learn it exists), 403 where their role cannot act at all
// or the target is public anyway, 401 without a session.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startServer, login, DEMO_PASSWORD } from './lib/server.mjs';

const USERS = ['admin', 'linhe.admin', 'leader', 'dispatcher', 'linhe.dispatcher', 'supervisor', 'auditor',
  'rsj.head', 'rsj.staff', 'linhe.agent', 'shiqiao.agent', 'gw01', 'dy01', 'jm01'];

let s;
const as = {};
const ids = {};
before(async () => {
  s = await startServer({ demo: true, admin: false });
  for (const u of USERS) as[u] = await login(s.url, u, DEMO_PASSWORD);
  as.anon = s.anon;
  const q = (sql) => execFileSync('sqlite3', [s.db, sql], { encoding: 'utf8' }).trim();
  ids.hhLinked = Number(q("SELECT min(household_id) FROM party_links l JOIN households h ON h.id = l.household_id WHERE h.grid_code = '379901001001001'"));
  ids.hhUnlinked = Number(q(`SELECT min(id) FROM households WHERE grid_code = '379901001001001' AND id NOT IN (SELECT household_id FROM party_links)`));
  ids.hhShiqiao = Number(q("SELECT min(id) FROM households WHERE grid_code LIKE '379901101%'"));
  ids.gw02 = Number(q("SELECT id FROM users WHERE username = 'gw02'"));
  ids.shiqiaoAgent = Number(q("SELECT id FROM users WHERE username = 'shiqiao.agent'"));
});
after(async () => { await s.cleanup(); });

// Expected status per user; `rest` covers everyone not named; anon is 401 unless given.
const allow = (list, yes, rest) => Object.fromEntries(USERS.map((u) => [u, list.includes(u) ? yes : rest]));
const READERS = ['admin', 'linhe.admin', 'leader', 'dispatcher', 'linhe.dispatcher', 'supervisor', 'linhe.agent', 'shiqiao.agent', 'gw01', 'dy01'];
const COUNTY_READERS = ['admin', 'leader', 'dispatcher', 'supervisor'];
const n = (u) => USERS.indexOf(u) + 10; // a distinct number per user, for codes that must not collide

const matrix = [
  ['list regions', 'GET', () => '/api/v1/regions', null, allow(USERS, 200)],
  ['one grid', 'GET', () => '/api/v1/grids/379901001001001', null, allow(USERS, 200)],
  ['locate', 'GET', () => '/api/v1/grids/locate?lat=36.702&lng=118.881', null, allow(USERS, 200)],
  ['list departments', 'GET', () => '/api/v1/departments', null, allow(USERS, 200)],
  ['me', 'GET', () => '/api/v1/me', null, allow(USERS, 200)],

  ['create village in 临河', 'POST', () => '/api/v1/regions', (u) => ({ code: `379901001${n(u) + 100}`, name: '新社区' }),
    allow(['admin', 'linhe.admin'], 201, 403)],
  ['create village in 石桥', 'POST', () => '/api/v1/regions', (u) => ({ code: `379901101${n(u) + 300}`, name: '新村' }),
    allow(['admin'], 201, 403)],
  ['create grid in 福安社区', 'POST', () => '/api/v1/grids', (u) => ({
    code: `379901001001${n(u) + 100}`, name: '新网格',
    geometry: { type: 'Polygon', coordinates: [[[118.99, 36.79], [118.991, 36.79], [118.991, 36.791], [118.99, 36.79]]] },
  }), allow(['admin', 'linhe.admin'], 201, 403)],
  ['create grid in 石桥村', 'POST', () => '/api/v1/grids', (u) => ({
    code: `379901101201${n(u) + 100}`, name: '新网格',
    geometry: { type: 'Polygon', coordinates: [[[118.99, 36.79], [118.991, 36.79], [118.991, 36.791], [118.99, 36.79]]] },
  }), allow(['admin'], 201, 403)],
  ['create department in 临河', 'POST', () => '/api/v1/departments', (u) => ({ code: `d${n(u)}`, name: '街道城管中队', region_code: '379901001000' }),
    allow(['admin', 'linhe.admin'], 201, 403)],
  ['create department in 石桥', 'POST', () => '/api/v1/departments', (u) => ({ code: `e${n(u)}`, name: '镇应急办', region_code: '379901101000' }),
    allow(['admin'], 201, 403)],

  ['household, linked to dy01', 'GET', () => `/api/v1/households/${ids.hhLinked}`, null,
    { ...allow(READERS, 200, 403), 'shiqiao.agent': 404 }],
  ['household, not linked', 'GET', () => `/api/v1/households/${ids.hhUnlinked}`, null,
    { ...allow(READERS, 200, 403), 'shiqiao.agent': 404, dy01: 404 }],
  ['household in 石桥', 'GET', () => `/api/v1/households/${ids.hhShiqiao}`, null,
    { ...allow([...COUNTY_READERS, 'shiqiao.agent'], 200, 403), 'linhe.admin': 404, 'linhe.dispatcher': 404, 'linhe.agent': 404, gw01: 404, dy01: 404 }],
  ['unmask household', 'GET', () => `/api/v1/households/${ids.hhLinked}?unmask=1`, null,
    { ...allow(['gw01', 'linhe.agent'], 200, 403), 'shiqiao.agent': 404 }],
  ['list households', 'GET', () => '/api/v1/households?limit=1', null, allow(READERS, 200, 403)],
  ['record household in gw01\'s grid', 'POST', () => '/api/v1/households',
    () => ({ grid_code: '379901001001001', address_area: '福安社区3号楼', head_name: '新住户' }),
    allow(['admin', 'linhe.admin', 'gw01'], 201, 403)],
  ['record household in 石桥', 'POST', () => '/api/v1/households',
    () => ({ grid_code: '379901101201001', address_area: '石桥村1组', head_name: '新住户' }),
    allow(['admin'], 201, 403)],

  ['list users', 'GET', () => '/api/v1/users?limit=5', null, allow(['admin', 'linhe.admin', 'auditor'], 200, 403)],
  ['user gw02 (临河)', 'GET', () => `/api/v1/users/${ids.gw02}`, null, allow(['admin', 'linhe.admin', 'auditor'], 200, 403)],
  ['user shiqiao.agent (石桥)', 'GET', () => `/api/v1/users/${ids.shiqiaoAgent}`, null,
    { ...allow(['admin', 'auditor', 'shiqiao.agent'], 200, 403), 'linhe.admin': 404 }],
  ['create grid worker in 临河', 'POST', () => '/api/v1/users', (u) => ({
    username: `new.${n(u)}`, display_name: '新网格员', password: 'first-pass-2026',
    roles: [{ role: 'grid_worker', region_code: '379901001002001' }],
  }), allow(['admin', 'linhe.admin'], 201, 403)],
  ['create grid worker in 石桥', 'POST', () => '/api/v1/users', (u) => ({
    username: `sq.${n(u)}`, display_name: '新网格员', password: 'first-pass-2026',
    roles: [{ role: 'grid_worker', region_code: '379901101201001' }],
  }), allow(['admin'], 201, 403)],
  ['create user with an unscoped role', 'POST', () => '/api/v1/users', (u) => ({
    username: `all.${n(u)}`, display_name: '全县管理员', password: 'first-pass-2026', roles: [{ role: 'admin' }],
  }), allow(['admin'], 201, 403)],
  ['create category', 'POST', () => '/api/v1/categories', (u) => ({ code: `${n(u) + 60}`, name_zh: '新类别', time_limit_hours: 8 }),
    allow(['admin'], 201, 403)],
  ['create API token', 'POST', () => '/api/v1/tokens', () => ({ name: '对接' }), allow(USERS, 201, 201), { jm01: 403 }],
];

test('role x endpoint x scope', async () => {
  const wrong = [];
  let checked = 0;
  for (const [label, method, path, body, expect, override = {}] of matrix) {
    for (const u of [...USERS, 'anon']) {
      const want = override[u] ?? (u === 'anon' ? 401 : expect[u]);
      const b = body ? body(u) : undefined;
      const res = await as[u].request(method, path(), b === undefined ? {} : { body: b });
      checked++;
      if (res.status !== want) wrong.push(`${label} as ${u}: ${res.status} (want ${want}) ${res.text.slice(0, 120)}`);
      else if (want >= 400) assert.ok(res.json?.error?.code, `${label} as ${u}: uniform error body`);
    }
  }
  assert.deepEqual(wrong, []);
  assert.ok(checked >= 300, `${checked} checks`);
});

test('lists show only what is in scope', async () => {
  const gw = (await as.gw01.get('/api/v1/households?limit=200')).json.items;
  assert.ok(gw.length > 50);
  assert.ok(gw.every((h) => h.grid_code === '379901001001001'));
  const dy = (await as.dy01.get('/api/v1/households?limit=200')).json.items;
  assert.equal(dy.length, 30); // exactly the 联户 households
  const linhe = (await as['linhe.dispatcher'].get('/api/v1/households?limit=200&region=379901101000')).json.items;
  assert.deepEqual(linhe, []); // narrowing cannot widen the scope
  const users = (await as['linhe.admin'].get('/api/v1/users?limit=200')).json.items;
  assert.ok(users.length > 40);
  assert.ok(users.every((u) => u.roles.some((r) => r.region_code?.startsWith('379901001'))));
  assert.ok(users.every((u) => u.phone === null || /^\d{3}\*{4}\d{4}$/.test(u.phone)));
  // Anyone may see themselves.
  const self = await as.gw01.get(`/api/v1/users/${as.gw01.user.id}`);
  assert.equal(self.status, 200);
});
