// What the web app needs of the API: a queued report resent with its
// client key answers the case already written (even several resends at
// once), a case that may be dispatched proposes its routed department, and
// a resident asks for an errand for themselves.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startServer, login, DEMO_PASSWORD } from './lib/server.mjs';

let s;
const users = {};
const as = async (name) => (users[name] ||= await login(s.url, name, DEMO_PASSWORD));
const ok = (res, status = 200) => { assert.equal(res.status, status, res.text); return res.json; };
const sql = (q) => execFileSync('sqlite3', [s.db, q], { encoding: 'utf8' }).trim();
const GRID = '379901001001001';

before(async () => { s = await startServer({ demo: true }); });
after(async () => { await s.cleanup(); });

test('a report resent with its client key is the same case, however many resends race', async () => {
  const gw = await as('gw01');
  const body = { category: '0401', description: '离线时拍的：路灯不亮', grid_code: GRID, client_key: 'gw01-offline-0001' };
  const first = ok(await gw.post('/api/v1/cases', body), 201);
  const again = ok(await gw.post('/api/v1/cases', body), 200);
  assert.equal(again.id, first.id);
  const burst = await Promise.all(Array.from({ length: 6 }, (_, i) => gw.post('/api/v1/cases', { ...body, client_key: 'gw01-offline-0002', description: `并发重发 ${i}` })));
  assert.deepEqual(burst.map((r) => r.status).sort(), [200, 200, 200, 200, 200, 201]);
  assert.equal(new Set(burst.map((r) => r.json.id)).size, 1);
  assert.equal(Number(sql(`SELECT count(*) FROM cases WHERE client_key = 'gw01-offline-0002'`)), 1);
  // Keys are the reporter's own: another reporter's key is a new case.
  const other = ok(await (await as('gw02')).post('/api/v1/cases', { ...body, grid_code: '379901001001002' }), 201);
  assert.notEqual(other.id, first.id);
  const short = await gw.post('/api/v1/cases', { ...body, client_key: 'x' });
  assert.equal(short.status, 422);
  assert.equal(short.json.error.field, 'client_key');
});

test('a case the caller may dispatch proposes its routed department', async () => {
  const disp = await as('linhe.dispatcher');
  let k = ok(await (await as('gw01')).post('/api/v1/cases', { category: '0101', description: '工地拖欠工资', grid_code: GRID }), 201);
  assert.equal(k.routed, undefined, 'not before it can be dispatched');
  k = ok(await disp.post(`/api/v1/cases/${k.id}/accept`, { if_version: k.version }));
  assert.ok(k.actions.includes('dispatch'));
  assert.equal(k.routed.dept_id, Number(sql(`SELECT id FROM departments WHERE code = 'rsj'`)));
  assert.match(k.routed.name, /人力资源和社会保障局/);
  assert.equal(ok(await (await as('gw01')).get(`/api/v1/cases/${k.id}`)).routed, undefined, 'a grid worker cannot dispatch');
});

test('a resident asks for an errand for themselves, online', async () => {
  const jm = await as('jm07');
  const svc = Number(sql(`SELECT id FROM services WHERE code = 'DB002'`));
  const e = ok(await jm.post('/api/v1/errands', { service_id: svc, grid_code: '379901101201002', notes: '我年满60周岁，想办理养老金领取' }), 201);
  assert.equal(e.channel, 'online');
  assert.equal(e.resident.user_id, jm.user.id);
  assert.equal(e.resident.name, jm.user.display_name);
  assert.equal(e.state, 'registered');
  assert.deepEqual(e.actions, [], 'the agent takes it from here');
  for (const [body, field, status] of [
    [{ service_id: svc, grid_code: '379901101201002', channel: 'center' }, 'channel', 422],
    [{ service_id: svc, grid_code: '379901101201002', resident_user_id: 1 }, 'resident_user_id', 403],
    [{ service_id: svc, grid_code: '379901001001001' }, 'grid_code', 403],
  ]) {
    const res = await jm.post('/api/v1/errands', body);
    assert.equal(res.status, status, field);
    assert.equal(res.json.error.field, field);
  }
  const agent = await as('shiqiao.agent');
  assert.ok(ok(await agent.get('/api/v1/notifications')).items.some((n) => n.errand_id === e.id), 'the town agent hears of it');
  assert.ok(ok(await jm.get('/api/v1/errands')).items.some((x) => x.id === e.id), 'and the resident follows it');
});

test('state=open lists what is still being worked on, whatever came after it', async () => {
  const gw = await as('gw01');
  const open = ok(await gw.post('/api/v1/cases', { category: '0402', description: '社区门口道路破损', grid_code: GRID }), 201);
  const all = ok(await gw.get(`/api/v1/cases?region=${GRID}&limit=100`)).items;
  const listed = ok(await gw.get(`/api/v1/cases?region=${GRID}&state=open&limit=100`)).items;
  const expected = Number(sql(`SELECT count(*) FROM cases WHERE grid_code = '${GRID}'
    AND state IN ('reported', 'accepted', 'dispatched', 'in_progress', 'handled')`));
  assert.equal(listed.length, expected);
  assert.ok(listed.some((k) => k.id === open.id));
  assert.ok(listed.every((k) => !['closed', 'rejected', 'merged'].includes(k.state)));
  assert.ok(all.some((k) => k.state === 'closed'), 'the grid has closed cases the filter leaves out');
  const summary = ok(await gw.get(`/api/v1/cases/summary?region=${GRID}&state=open`));
  assert.equal(summary.total, expected);
  const bad = await gw.get('/api/v1/cases?state=opened');
  assert.equal(bad.status, 400);
  assert.equal(bad.json.error.field, 'state');
});
