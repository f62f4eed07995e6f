// Points (积分) against a fixture computed by hand. In 北岭村 three grid
// workers do known deeds through the real API; the ranking for the village
// must match the totals worked out below, with the default rule values and
// again after an admin changes them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startServer, login, DEMO_PASSWORD } from './lib/server.mjs';

let s;
const users = {};
const as = async (name) => (users[name] ||= await login(s.url, name, DEMO_PASSWORD));
const ok = (res, status = 200) => { assert.equal(res.status, status, res.text); return res.json; };
const sql = (q) => execFileSync('sqlite3', [s.db, q], { encoding: 'utf8' }).trim();
const uid = (name) => Number(sql(`SELECT id FROM users WHERE username = '${name}'`));
const step = async (who, k, action, body = {}) => ok(await who.post(`/api/v1/cases/${k.id}/${action}`, { if_version: k.version, ...body }));

const VILLAGE = '379901101206'; // 北岭村: grids 001..007, grid workers gw74..gw80 in that order
const grid = (n) => `${VILLAGE}00${n}`;
let from;

before(async () => {
  s = await startServer({ demo: true });
  from = new Date(Date.now() - 1000).toISOString();
});
after(async () => { await s.cleanup(); });

async function visits(name, n) {
  const gw = await as(name);
  const g = sql(`SELECT region_code FROM role_assignments WHERE user_id = ${uid(name)}`);
  const hh = sql(`SELECT id FROM households WHERE grid_code = '${g}' ORDER BY id LIMIT ${n}`).split('\n').map(Number);
  for (const h of hh) ok(await gw.post('/api/v1/visits', { household_id: h, heard: '家中一切正常，老人身体还好' }), 201);
}

// A case the grid worker reports, accepts, solves at grid level and verifies.
async function selfHandled(name, n, rating) {
  const gw = await as(name);
  let k = ok(await gw.post('/api/v1/cases', { category: '0401', grid_code: grid(n), description: '村道路灯不亮' }), 201);
  k = await step(gw, k, 'accept');
  k = await step(gw, k, 'self_handle', { note: '已更换灯泡' });
  k = await step(gw, k, 'verify');
  assert.equal(k.state, 'closed');
  if (rating) k = await step(gw, k, 'rate', { rating });
  return k;
}

test('the deeds of three grid workers, ranked as worked out by hand', async () => {
  // gw74: 3 visits; a case solved at grid level; a report the town turns away.
  await visits('gw74', 3);
  await selfHandled('gw74', 1);
  const gw74 = await as('gw74');
  let junk = ok(await gw74.post('/api/v1/cases', { category: '0401', grid_code: grid(1), description: '重复上报' }), 201);
  await step(await as('shiqiao.dispatcher'), junk, 'reject', { note: '与已办结事项重复' });
  // gw75: 1 visit; a case solved but rated 不满意 by the reporter; a commitment failed at review.
  await visits('gw75', 1);
  await selfHandled('gw75', 2, 'dissatisfied');
  const leader = await as('leader');
  const k = ok(await leader.post('/api/v1/commitments', { title: '北岭村二组修路', content: '修复二组出村路', owner_user_id: uid('gw75'), region_code: VILLAGE, due_date: '2099-12-31' }), 201);
  ok(await (await as('supervisor')).post(`/api/v1/commitments/${k.id}/review`, { if_version: k.version, outcome: 'failed' }));
  // gw76: 1 visit and a report still open.
  await visits('gw76', 1);
  ok(await (await as('gw76')).post('/api/v1/cases', { category: '0402', grid_code: grid(3), description: '出村路面塌陷' }), 201);

  // By hand, with the default rules (visit 1, report 2, closed on time 5,
  // 不满意 -5, commitment failed -10):
  //   gw74 = 3×1 + 1×2 + 1×5            = 10   (the rejected report does not count)
  //   gw76 = 1×1 + 1×2                  =  3
  //   gw77..gw80                        =  0
  //   gw75 = 1×1 + 1×2 + 1×5 - 5 - 10   = -7
  const to = new Date(Date.now() + 3600e3).toISOString();
  const q = `/api/v1/points/ranking?region=${VILLAGE}&role=grid_worker&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;
  let r = ok(await (await as('shiqiao.dispatcher')).get(q));
  const table = (x) => x.items.map((i) => [i.user.id, i.points, i.rank]);
  const zeros = ['gw77', 'gw78', 'gw79', 'gw80'].map((n) => [uid(n), 0, 3]);
  assert.deepEqual(table(r), [[uid('gw74'), 10, 1], [uid('gw76'), 3, 2], ...zeros, [uid('gw75'), -7, 7]]);
  assert.equal(r.people, 7);
  const a = r.items[0];
  assert.deepEqual(a.deeds, { visit_logged: 3, case_reported: 1, case_closed_on_time: 1, errand_confirmed: 0, commitment_kept: 0, case_overdue: 0, case_unsatisfied: 0, errand_overdue: 0, commitment_failed: 0 });
  assert.equal(r.items.at(-1).deeds.case_unsatisfied, 1);
  assert.equal(r.items.at(-1).deeds.commitment_failed, 1);

  // An admin makes a visit worth 3 and switches 不满意 off:
  //   gw74 = 9 + 2 + 5 = 16; gw76 = 3 + 2 = 5; gw75 = 3 + 2 + 5 - 10 = 0 (ties with the four).
  const admin = await as('admin');
  assert.equal((await (await as('linhe.admin')).request('PUT', '/api/v1/points/rules/visit_logged', { body: { points: 3, if_version: 0 } })).status, 403);
  const rule = ok(await admin.request('PUT', '/api/v1/points/rules/visit_logged', { body: { points: 3, if_version: 0 } }));
  assert.deepEqual([rule.points, rule.default_points, rule.version], [3, 1, 1]);
  const stale = await admin.request('PUT', '/api/v1/points/rules/visit_logged', { body: { points: 4, if_version: 0 } });
  assert.equal(stale.status, 409);
  assert.equal(stale.json.error.code, 'version_conflict');
  ok(await admin.request('PUT', '/api/v1/points/rules/case_unsatisfied', { body: { points: -5, active: false, if_version: 0 } }));
  assert.equal((await admin.request('PUT', '/api/v1/points/rules/flattery', { body: { points: 1, if_version: 0 } })).status, 404);
  r = ok(await (await as('shiqiao.dispatcher')).get(q));
  const tied = [...['gw77', 'gw78', 'gw79', 'gw80'].map(uid), uid('gw75')].sort((x, y) => x - y).map((id) => [id, 0, 3]);
  assert.deepEqual(table(r), [[uid('gw74'), 16, 1], [uid('gw76'), 5, 2], ...tied]);
  const rules = ok(await admin.get('/api/v1/points/rules')).items;
  assert.equal(rules.find((x) => x.code === 'case_unsatisfied').active, false);

  // A period before any of it: everyone at 0, all sharing rank 1.
  const early = ok(await (await as('shiqiao.dispatcher')).get(`/api/v1/points/ranking?region=${VILLAGE}&role=grid_worker&from=2020-01-01T00:00:00%2B08:00&to=2020-12-31T00:00:00%2B08:00`));
  assert.ok(early.items.every((i) => i.points === 0 && i.rank === 1));
  // Scope: another town's dispatcher cannot rank this village; residents cannot rank at all.
  assert.equal((await (await as('linhe.dispatcher')).get(`/api/v1/points/ranking?region=${VILLAGE}`)).status, 403);
  assert.equal((await (await as('jm12')).get(`/api/v1/points/ranking?region=${VILLAGE}`)).status, 403);
  const bad = await (await as('leader')).get('/api/v1/points/ranking?from=yesterday');
  assert.equal(bad.status, 400);
  assert.equal(bad.json.error.field, 'from');
  // The export a clerk prints.
  const csv = (await (await as('shiqiao.dispatcher')).get(`${q}&format=csv`)).body.toString('utf8').slice(1).split('\r\n');
  assert.equal(csv[0], '排名,姓名,角色,所在区域,积分,走访入户,上报事件,按期办结,代办签收,承诺兑现,办理超期,群众不满意,代办超期,承诺未兑现');
  assert.match(csv[1], new RegExp(`^1,[^,]+,网格员,${grid(1)},16,3,1,1,0,0,0,0,0,0$`));
});
