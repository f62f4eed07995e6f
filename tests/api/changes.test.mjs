// Changing records: optimistic concurrency with if_version (one winner,
// 409 for the rest), clearing sealed fields, 联户 links, and deactivating
// or re-scoping a user.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startServer, login, DEMO_PASSWORD } from './lib/server.mjs';

let s;
const sql = (q) => execFileSync('sqlite3', [s.db, q], { encoding: 'utf8' }).trim();
before(async () => { s = await startServer({ demo: true }); });
after(async () => { await s.cleanup(); });

const gridOf = (g) => Number(sql(`SELECT min(id) FROM households WHERE grid_code = '${g}' AND id NOT IN (SELECT household_id FROM party_links)`));

test('a household changes only at the version the writer read', async () => {
  const gw = await login(s.url, 'gw01', DEMO_PASSWORD);
  const id = gridOf('379901001001001');
  const h = (await gw.get(`/api/v1/households/${id}`)).json;
  const ok = await gw.request('PATCH', `/api/v1/households/${id}`, { body: { if_version: h.version, members: 5, tags: ['独居老人'] } });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.json.version, h.version + 1);
  assert.equal(ok.json.members, 5);
  assert.deepEqual(ok.json.tags, ['独居老人']);
  assert.equal(ok.json.head_name, h.head_name); // untouched fields stay
  const stale = await gw.request('PATCH', `/api/v1/households/${id}`, { body: { if_version: h.version, members: 2 } });
  assert.equal(stale.status, 409);
  assert.equal(stale.json.error.code, 'version_conflict');
  assert.equal(stale.json.error.field, 'if_version');
  assert.match(stale.json.error.message, new RegExp(`version ${h.version + 1}`));
  const cleared = await gw.request('PATCH', `/api/v1/households/${id}`, { body: { if_version: h.version + 1, phone: null } });
  assert.equal(cleared.status, 200);
  assert.equal(cleared.json.phone, null);
  assert.equal(sql(`SELECT phone IS NULL FROM households WHERE id = ${id}`), '1');
  const missing = await gw.request('PATCH', `/api/v1/households/${id}`, { body: { members: 2 } });
  assert.equal(missing.status, 400);
  assert.equal(missing.json.error.field, 'if_version');
});

test('racing writers on one household: exactly one wins', async () => {
  const id = gridOf('379901001001002');
  const v = (await s.get(`/api/v1/households/${id}`)).json.version;
  const results = await Promise.all(Array.from({ length: 8 }, (_, i) =>
    s.request('PATCH', `/api/v1/households/${id}`, { body: { if_version: v, members: i + 1 } })));
  const codes = results.map((r) => r.status).sort();
  assert.deepEqual(codes, [200, 409, 409, 409, 409, 409, 409, 409]);
  const winner = results.find((r) => r.status === 200).json.members;
  assert.equal(Number(sql(`SELECT members FROM households WHERE id = ${id}`)), winner);
  assert.equal(Number(sql(`SELECT version FROM households WHERE id = ${id}`)), v + 1);
});

test('who may change a household', async () => {
  const other = gridOf('379901001001003');
  const gw = await login(s.url, 'gw01', DEMO_PASSWORD);
  assert.equal((await gw.request('PATCH', `/api/v1/households/${other}`, { body: { if_version: 1, members: 2 } })).status, 404);
  const disp = await login(s.url, 'dispatcher', DEMO_PASSWORD);
  assert.equal((await disp.request('PATCH', `/api/v1/households/${other}`, { body: { if_version: 1, members: 2 } })).status, 403);
  assert.equal(sql(`SELECT version FROM households WHERE id = ${other}`), '1');
});

test('联户 links: an admin links a party member, who then sees the household', async () => {
  const id = gridOf('379901001001004');
  const dy = await login(s.url, 'dy01', DEMO_PASSWORD);
  assert.equal((await dy.get(`/api/v1/households/${id}`)).status, 404);
  const link = await s.post(`/api/v1/households/${id}/links`, { user_id: dy.user.id });
  assert.equal(link.status, 201, link.text);
  assert.equal((await dy.get(`/api/v1/households/${id}`)).status, 200);
  const gw = await login(s.url, 'gw01', DEMO_PASSWORD);
  const notMember = await s.post(`/api/v1/households/${id}/links`, { user_id: gw.user.id });
  assert.equal(notMember.status, 422);
  assert.equal(notMember.json.error.field, 'user_id');
  assert.equal((await gw.post(`/api/v1/households/${id}/links`, { user_id: dy.user.id })).status, 404); // not his grid
  const own = gridOf('379901001001001');
  assert.equal((await gw.post(`/api/v1/households/${own}/links`, { user_id: dy.user.id })).status, 403); // his, but not his to link
  const unlink = await s.request('DELETE', `/api/v1/households/${id}/links/${dy.user.id}`);
  assert.equal(unlink.status, 204);
  assert.equal((await dy.get(`/api/v1/households/${id}`)).status, 404);
  assert.equal((await s.request('DELETE', `/api/v1/households/${id}/links/${dy.user.id}`)).status, 404);
});

test('deactivating a user ends their sessions; re-scoping moves what they see', async () => {
  const gw3 = await login(s.url, 'gw03', DEMO_PASSWORD);
  const before = (await gw3.get('/api/v1/households?limit=1')).json.items[0].grid_code;
  assert.equal(before, '379901001001003');
  let u = (await s.get(`/api/v1/users/${gw3.user.id}`)).json;
  const moved = await s.request('PATCH', `/api/v1/users/${gw3.user.id}`, {
    body: { if_version: u.version, roles: [{ role: 'grid_worker', region_code: '379901101201001' }] },
  });
  assert.equal(moved.status, 200, moved.text);
  assert.deepEqual(moved.json.roles, [{ role: 'grid_worker', region_code: '379901101201001', dept_id: null }]);
  assert.equal((await gw3.get('/api/v1/households?limit=1')).json.items[0].grid_code, '379901101201001');

  const off = await s.request('PATCH', `/api/v1/users/${gw3.user.id}`, { body: { if_version: moved.json.version, active: false } });
  assert.equal(off.status, 200);
  assert.equal(off.json.active, false);
  assert.equal((await gw3.get('/api/v1/me')).status, 401);
  const again = await s.anon.post('/api/v1/session', { username: 'gw03', password: DEMO_PASSWORD });
  assert.equal(again.status, 401);

  const self = await s.request('PATCH', `/api/v1/users/${s.admin.user.id}`, {
    body: { if_version: (await s.get(`/api/v1/users/${s.admin.user.id}`)).json.version, active: false },
  });
  assert.equal(self.status, 422);
  const town = await login(s.url, 'linhe.admin', DEMO_PASSWORD);
  const agent = Number(sql("SELECT id FROM users WHERE username = 'shiqiao.agent'"));
  assert.equal((await town.request('PATCH', `/api/v1/users/${agent}`, { body: { if_version: 1, display_name: 'x' } })).status, 404);
  u = (await s.get(`/api/v1/users/${agent}`)).json;
  const stale = await s.request('PATCH', `/api/v1/users/${agent}`, { body: { if_version: u.version + 5, display_name: 'x' } });
  assert.equal(stale.status, 409);
  // Granting outside one's own scope is refused even on an in-scope user.
  const gw4 = Number(sql("SELECT id FROM users WHERE username = 'gw04'"));
  const v4 = (await town.get(`/api/v1/users/${gw4}`)).json.version;
  const widen = await town.request('PATCH', `/api/v1/users/${gw4}`, { body: { if_version: v4, roles: [{ role: 'admin' }] } });
  assert.equal(widen.status, 403);
});
