// The case loop end to end against a real server and a real SQLite file:
// the seeds' wage story, clocks under `gridline sweep --now`, returns,
// rework, merges, supervision, racing transitions, the calendar, the inbox
// and the audit chain.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startServer, login, runCli, DEMO_PASSWORD } from './lib/server.mjs';

let s;
const sql = (q) => execFileSync('sqlite3', [s.db, q], { encoding: 'utf8' }).trim();
const users = {};
const as = async (name) => (users[name] ||= await login(s.url, name, DEMO_PASSWORD));
before(async () => { s = await startServer({ demo: true }); });
after(async () => { await s.cleanup(); });

const GRID1 = '379901001001001'; // 福安社区第一网格: gw01; bbox 118.880-118.883, 36.700-36.7045
const act = (who, k, action, body = {}) => who.post(`/api/v1/cases/${k.id}/${action}`, { if_version: k.version, ...body });
const ok = (res, status = 200) => { assert.equal(res.status, status, res.text); return res.json; };
const inbox = async (who) => ok(await who.get('/api/v1/notifications')).items;

test('the wage story: reported by the grid worker, routed to the labour bureau, paid, verified, rated 满意', async () => {
  const gw = await as('gw01');
  let k = ok(await gw.post('/api/v1/cases', {
    category: '0101', description: '锦绣花园三期工地12名农民工反映被拖欠工资三个月，共约38万元',
    lat: 36.7012, lng: 118.8815, address: '锦绣花园三期工地', reporter_name: '张建国', reporter_phone: '13905361234',
  }), 201);
  assert.match(k.code, /^379901\d{8}\d{4}$/);
  assert.equal(k.state, 'reported');
  assert.equal(k.grid.code, GRID1, 'the grid comes from the location');
  assert.equal(k.channel, 'grid_worker');
  assert.equal(k.level, 'grid');
  assert.equal(k.clock.warn, 'green');
  assert.equal(k.clock.stage_limit_hours, 2);
  assert.deepEqual(k.duplicates, []);

  const disp = await as('dispatcher');
  k = ok(await act(disp, k, 'accept'));
  assert.equal(k.state, 'accepted');
  const detail = ok(await disp.get(`/api/v1/cases/${k.id}`));
  assert.ok(detail.actions.includes('dispatch'));
  assert.equal(detail.reporter.phone, '139****1234', 'the dispatcher sees the phone masked');
  k = ok(await act(disp, k, 'dispatch', { note: '请人社局劳动监察大队今日介入' }));
  assert.equal(k.state, 'dispatched');
  assert.equal(k.department.name, '县人力资源和社会保障局（劳动保障监察大队）', 'routed by the 01 rule');
  assert.equal(k.limit_hours, 24);
  assert.equal(k.clock.stage_limit_hours, 24);

  // The department head hears of it at once.
  const head = await as('rsj.head');
  const notes = await inbox(head);
  const n = notes.find((x) => x.case_id === k.id);
  assert.ok(n, 'rsj.head was notified');
  assert.equal(n.kind, 'dispatched');
  assert.match(n.title, /拖欠工资/);
  assert.equal(sql(`SELECT count(*) FROM outbox WHERE payload LIKE '%"case_id":${k.id}%' AND kind = 'notification'`) > 0, true);

  const staff = await as('rsj.staff');
  k = ok(await act(staff, k, 'start', { note: '已约谈施工方负责人' }));
  assert.equal(k.state, 'in_progress');
  k = ok(await act(staff, k, 'handle', { note: '施工方已于次日足额发放工资38万元，农民工签字确认' }));
  assert.equal(k.state, 'handled');
  assert.equal(k.clock.deadline_at, null, 'a handled case waits on no clock');
  assert.ok((await inbox(gw)).some((x) => x.case_id === k.id && x.kind === 'handled'), 'the grid worker is asked to verify');

  k = ok(await act(gw, k, 'verify', { note: '已电话回访农民工代表，工资到账' }));
  assert.equal(k.state, 'closed');
  k = ok(await act(gw, k, 'rate', { rating: 'satisfied', note: '群众非常满意，一天就解决了' }));
  assert.equal(k.rating.value, 'satisfied');
  assert.equal(k.state, 'closed');
  assert.deepEqual(k.timeline.map((e) => e.action), ['report', 'accept', 'dispatch', 'start', 'handle', 'verify', 'rate']);
  assert.equal(k.timeline[2].actor.name, '李红梅（县综治中心）');
  assert.equal(k.timeline[2].data.routed, true);
  const again = await act(gw, k, 'rate', { rating: 'dissatisfied' });
  assert.equal(again.status, 409);
  assert.equal(again.json.error.code, 'invalid_transition');
  assert.equal(sql(`SELECT count(*) FROM audit_log WHERE subject = 'case' AND subject_id = ${k.id}`), '7');
});

test('an untouched case goes yellow, then red, and climbs one level under sweep --now; a second sweep changes nothing', async () => {
  const gw = await as('gw02');
  const grid = sql(`SELECT region_code FROM role_assignments a JOIN users u ON u.id = a.user_id WHERE u.username = 'gw02'`);
  let k = ok(await gw.post('/api/v1/cases', { category: '0401', description: '小区东门路灯连续三晚不亮', grid_code: grid, address: '东门' }), 201);
  const sweep = (at) => runCli(['sweep', '--db', s.db, '--now', at]);

  const early = sweep(k.created_at);
  assert.equal(early.code, 0, early.stderr);
  assert.match(early.stdout, /0 yellow, 0 red, 0 escalated/);

  // The demo county's own open cases tick too: at least this one turns.
  const y = sweep(k.clock.yellow_at);
  assert.equal(y.code, 0, y.stderr);
  assert.match(y.stdout, /[1-9]\d* yellow/);
  k = ok(await gw.get(`/api/v1/cases/${k.id}`));
  assert.equal(k.clock.warn, 'yellow');
  assert.equal(k.level, 'grid');

  const deadline = k.clock.deadline_at;
  const r = sweep(deadline);
  assert.match(r.stdout, /[1-9]\d* red, [1-9]\d* escalated/);
  k = ok(await gw.get(`/api/v1/cases/${k.id}`));
  assert.equal(k.clock.warn, 'red');
  assert.equal(k.overdue, true);
  assert.equal(k.level, 'village', 'up one level');
  assert.equal(k.escalations, 1);
  assert.equal(k.state, 'reported');
  assert.equal(k.clock.stage_started_at, deadline, 'the next stage starts at the deadline that passed');
  const last = k.timeline.at(-1);
  assert.equal(last.action, 'escalate');
  assert.equal(last.actor, null, 'done by the system');
  assert.equal(last.data.automatic, true);

  const twice = sweep(deadline);
  assert.match(twice.stdout, /0 yellow, 0 red, 0 escalated/);
  assert.equal(ok(await gw.get(`/api/v1/cases/${k.id}`)).version, k.version);

  // The street's command centre answers for a village without its own.
  const town = await as('linhe.dispatcher');
  assert.ok((await inbox(town)).some((x) => x.case_id === k.id && x.kind === 'red'));
  const bad = runCli(['sweep', '--db', s.db, '--now', 'tomorrow']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /RFC 3339/);
  // Overdue cases are a filter of their own.
  const overdue = ok(await (await as('dispatcher')).get('/api/v1/cases?overdue=1'));
  assert.ok(overdue.items.some((x) => x.id === k.id));
  assert.ok(overdue.items.every((x) => x.overdue));
});

test('a department returns a case that is not its own; the dispatcher re-routes it by hand', async () => {
  const gw = await as('gw01');
  const disp = await as('dispatcher');
  let k = ok(await gw.post('/api/v1/cases', { category: '0101', description: '某餐馆拖欠两名服务员工资', grid_code: GRID1 }), 201);
  k = ok(await act(disp, k, 'accept'));
  k = ok(await act(disp, k, 'dispatch'));
  const staff = await as('rsj.staff');
  const noNote = await act(staff, k, 'return');
  assert.equal(noNote.status, 400);
  assert.equal(noNote.json.error.field, 'note');
  k = ok(await act(staff, k, 'return', { note: '经核实为个体餐馆雇佣纠纷，建议街道调解' }));
  assert.equal(k.state, 'accepted');
  assert.equal(k.department, null);
  assert.equal(k.return_count, 1);
  assert.equal((await staff.get(`/api/v1/cases/${k.id}`)).status, 404, 'gone from the department once returned');
  const lhjd = sql(`SELECT id FROM departments WHERE code = 'lhjd'`);
  k = ok(await act(disp, k, 'dispatch', { dept_id: Number(lhjd), limit_hours: 16 }));
  assert.equal(k.department.id, Number(lhjd));
  assert.equal(k.limit_hours, 16);
  assert.equal(k.timeline.at(-1).data.routed, false);
  const nobody = await act(disp, { ...k, version: k.version }, 'dispatch');
  assert.equal(nobody.status, 409);
  assert.equal(nobody.json.error.code, 'invalid_transition');
  assert.match(nobody.json.error.message, /dispatched/);
  const noChannel = await disp.post('/api/v1/cases', { category: '0101', description: '来电反映欠薪', grid_code: GRID1 });
  assert.equal(noChannel.status, 400, 'a desk says how the report came in');
  assert.equal(noChannel.json.error.field, 'channel');
  const badDept = await disp.post('/api/v1/cases', { category: '9999', description: '测试', grid_code: GRID1, channel: 'phone' });
  assert.equal(badDept.status, 422);
  assert.equal(badDept.json.error.field, 'category');
});

test('rework: verification fails, the department handles again; a 不满意 rating reopens within 7 days', async () => {
  const jm = await as('jm01'); // a resident of 福安社区
  let k = ok(await jm.post('/api/v1/cases', { category: '0201', description: '小区门口烧烤摊占道经营到深夜', grid_code: GRID1, anonymous: true }), 201);
  assert.equal(k.channel, 'resident_app');
  const disp = await as('dispatcher');
  const seen = ok(await disp.get(`/api/v1/cases/${k.id}`));
  assert.equal(seen.reporter.name, '匿名', 'anonymous to those handling it');
  assert.equal(seen.reporter.phone, null);
  k = ok(await act(disp, k, 'accept'));
  k = ok(await act(disp, k, 'dispatch'));
  assert.equal(k.department.name, '县综合行政执法局（城管）');
  assert.equal((await act(s.admin, k, 'start')).status, 403, 'admins do not work cases');
  assert.equal((await act(disp, k, 'start')).status, 403, 'nor do dispatchers');
  const zfj = await as('zfj.staff');
  k = ok(await act(zfj, k, 'start'));
  k = ok(await act(zfj, k, 'handle', { note: '已劝离烧烤摊' }));
  k = ok(await jm.get(`/api/v1/cases/${k.id}`));
  k = ok(await act(jm, k, 'reopen', { note: '第二天晚上又来了' }));
  assert.equal(k.state, 'in_progress');
  assert.equal(k.rework_count, 1);
  assert.ok((await inbox(zfj)).some((x) => x.case_id === k.id && x.kind === 'reopened'));
  k = ok(await act(zfj, k, 'handle', { note: '已依法暂扣烧烤设备' }));
  k = ok(await act(jm, k, 'verify'));
  assert.equal(k.state, 'closed');
  const early = await act(jm, k, 'reopen', { note: '又来了' });
  assert.equal(early.status, 409, 'a closed case reopens only after 不满意');
  assert.match(early.json.error.message, /dissatisfied/);
  k = ok(await act(jm, k, 'rate', { rating: 'dissatisfied', note: '治标不治本' }));
  assert.ok(k.actions.includes('reopen'));
  sql(`UPDATE cases SET closed_at = closed_at - 8 * 86400 WHERE id = ${k.id}`);
  const late = await act(jm, k, 'reopen', { note: '又来了' });
  assert.equal(late.status, 409);
  assert.match(late.json.error.message, /7 days/);
  sql(`UPDATE cases SET closed_at = closed_at + 8 * 86400 WHERE id = ${k.id}`);
  k = ok(await act(jm, k, 'reopen', { note: '又来了' }));
  assert.equal(k.state, 'in_progress');
  assert.equal(k.rework_count, 2);
  assert.equal(k.closed_at, null);
  const other = await as('jm02');
  assert.equal((await other.get(`/api/v1/cases/${k.id}`)).status, 404, 'residents see only their own cases');
  const mine = ok(await jm.get('/api/v1/cases')).items;
  assert.ok(mine.some((x) => x.id === k.id));
  assert.ok(!ok(await other.get('/api/v1/cases')).items.some((x) => x.id === k.id));
});

test('duplicates are hinted at report time and merged by the dispatcher', async () => {
  const gw = await as('gw01');
  const first = ok(await gw.post('/api/v1/cases', { category: '0201', description: '菜市场门口占道摆摊', lat: 36.7030, lng: 118.8820, address: '福安菜市场东门' }), 201);
  const second = ok(await gw.post('/api/v1/cases', { category: '0201', description: '东门又有流动摊贩占道', lat: 36.7032, lng: 118.8821 }), 201);
  const hit = second.duplicates.find((d) => d.id === first.id);
  assert.ok(hit, 'within 50 m');
  assert.ok(hit.distance_m <= 50 && hit.distance_m >= 10, `distance ${hit.distance_m}`);
  const far = ok(await gw.post('/api/v1/cases', { category: '0201', description: '另一处占道', lat: 36.7040, lng: 118.8828 }), 201);
  assert.ok(!far.duplicates.some((d) => d.id === first.id), 'not 100 m away');
  const sameAddress = ok(await gw.post('/api/v1/cases', { category: '0201', description: '占道经营', grid_code: GRID1, address: '福安菜市场东门' }), 201);
  assert.ok(sameAddress.duplicates.some((d) => d.id === first.id), 'the same address');

  const disp = await as('dispatcher');
  const self = await act(disp, second, 'merge', { into: second.id });
  assert.equal(self.status, 422);
  const merged = ok(await act(disp, second, 'merge', { into: first.id, note: '同一问题' }));
  assert.equal(merged.state, 'merged');
  assert.equal(merged.merged_into, first.id);
  const kept = ok(await disp.get(`/api/v1/cases/${first.id}`));
  assert.equal(kept.timeline.at(-1).action, 'merged_in');
  const intoMerged = await act(disp, sameAddress, 'merge', { into: second.id });
  assert.equal(intoMerged.status, 422);
  assert.match(intoMerged.json.error.message, /merged/);
  const rejected = ok(await act(disp, far, 'reject', { note: '经核实已自行离开' }));
  assert.equal(rejected.state, 'rejected');
  assert.deepEqual(rejected.actions, ['comment']);
});

test('supervision: a supervisor pins a case; it has its own queue and count; the department head is told', async () => {
  const gw = await as('gw01');
  const disp = await as('dispatcher');
  let k = ok(await gw.post('/api/v1/cases', { category: '0101', description: '物流园拖欠装卸工工资', grid_code: GRID1 }), 201);
  k = ok(await act(disp, k, 'accept'));
  k = ok(await act(disp, k, 'dispatch'));
  const sup = await as('supervisor');
  const before = ok(await sup.get('/api/v1/cases/summary'));
  const past = await act(sup, k, 'supervise', { deadline: '2020-01-01T18:00:00+08:00', note: '限期办结' });
  assert.equal(past.status, 422);
  assert.equal(past.json.error.field, 'deadline');
  const deadline = new Date(Date.now() + 3 * 86400e3).toISOString().replace(/\.\d+Z$/, 'Z');
  k = ok(await act(sup, k, 'supervise', { deadline, note: '县纪委监委挂牌督办，三日内办结' }));
  assert.equal(k.supervised, true);
  assert.equal(k.supervision.note, '县纪委监委挂牌督办，三日内办结');
  const queue = ok(await sup.get('/api/v1/cases?supervised=1'));
  assert.ok(queue.items.some((x) => x.id === k.id));
  assert.ok(queue.items.every((x) => x.supervised));
  const after = ok(await sup.get('/api/v1/cases/summary'));
  assert.equal(after.supervised, before.supervised + 1);
  assert.equal(after.total, before.total);
  const head = await as('rsj.head');
  assert.ok((await inbox(head)).some((x) => x.case_id === k.id && x.kind === 'supervised'));
  assert.equal((await act(gw, k, 'supervise', { deadline, note: 'x' })).status, 403);
  // A long note (cut for the notification title) still goes through whole.
  const long = '请县人社局会同住建局对该项目全部在建标段开展欠薪排查并限期整改。'.repeat(30).slice(0, 1000);
  k = ok(await act(sup, k, 'supervise', { deadline, note: long }));
  assert.equal(k.supervision.note, long);
  const titles = (await inbox(head)).filter((x) => x.case_id === k.id && x.kind === 'supervised').map((x) => x.title);
  assert.ok(titles.some((t) => t.length < long.length && t.startsWith('挂牌督办')));
});

test('two racing transitions on one case: exactly one wins, the rest get 409', async () => {
  const gw = await as('gw01');
  const k = ok(await gw.post('/api/v1/cases', { category: '0601', description: '邻居装修噪音纠纷', grid_code: GRID1 }), 201);
  const a = await as('dispatcher');
  const b = await as('linhe.dispatcher');
  const tries = await Promise.all(Array.from({ length: 12 }, (_, i) =>
    act(i % 2 ? a : b, k, i % 3 ? 'accept' : 'reject', i % 3 ? {} : { note: '不属于受理范围' })));
  const won = tries.filter((r) => r.status === 200);
  assert.equal(won.length, 1, tries.map((r) => r.status).join(','));
  for (const r of tries.filter((x) => x.status !== 200)) {
    assert.equal(r.status, 409);
    assert.equal(r.json.error.code, 'version_conflict');
  }
  const now = ok(await gw.get(`/api/v1/cases/${k.id}`));
  assert.equal(now.version, k.version + 1);
  assert.equal(now.timeline.length, 2);
});

test('bad requests name the problem and change nothing', async () => {
  const gw = await as('gw01');
  const k = ok(await gw.post('/api/v1/cases', { category: '0403', description: '井盖缺失', grid_code: GRID1 }), 201);
  const cases = [
    [await gw.post(`/api/v1/cases/${k.id}/accept`, {}), 400, 'missing_field', 'if_version'],
    [await gw.post(`/api/v1/cases/${k.id}/approve`, { if_version: 1 }), 404, 'not_found'],
    [await gw.post(`/api/v1/cases/${k.id}/accept`, { if_version: 1, rating: 'satisfied' }), 400, 'unknown_field', 'rating'],
    [await gw.post(`/api/v1/cases/${k.id}/accept`, { if_version: 9 }), 409, 'version_conflict', 'if_version'],
    [await gw.post(`/api/v1/cases/${k.id}/handle`, { if_version: 1, note: 'x' }), 403, 'forbidden'],
    [await gw.post(`/api/v1/cases/${k.id}/verify`, { if_version: 1 }), 409, 'invalid_transition'],
    [await gw.post('/api/v1/cases/999999/accept', { if_version: 1 }), 404, 'not_found'],
    [await gw.post('/api/v1/cases', { category: '0403', description: '井盖', lat: 30.1, lng: 110.2 }), 422, 'invalid_value', 'lat'],
    [await gw.post('/api/v1/cases', { category: '0403', description: '井盖', lat: 36.7 }), 400, 'missing_field', 'lng'],
    [await gw.post('/api/v1/cases', { category: '0403', description: '井盖' }), 400, 'missing_field', 'lat'],
    [await gw.post('/api/v1/cases', { category: '0403', description: '井盖', grid_code: GRID1, channel: 'fax' }), 422, 'invalid_value', 'channel'],
    [await gw.post('/api/v1/cases', { category: '0403', description: '井盖', grid_code: '379901101201001' }), 403, 'forbidden', 'grid_code'],
    [await gw.get('/api/v1/cases?state=done'), 400, 'bad_parameter', 'state'],
    [await gw.get('/api/v1/cases?category=99'), 400, 'bad_parameter', 'category'],
    [await gw.get('/api/v1/cases?from=yesterday'), 400, 'bad_parameter', 'from'],
  ];
  for (const [res, status, code, field] of cases) {
    assert.equal(res.status, status, res.text);
    assert.equal(res.json.error.code, code, res.text);
    if (field) assert.equal(res.json.error.field, field, res.text);
  }
  const invalid = cases[5][0].json.error.message;
  assert.match(invalid, /reported/, 'names the current state');
  assert.equal(ok(await gw.get(`/api/v1/cases/${k.id}`)).version, 1, 'nothing changed');
});

test('lists are scoped and filtered; the cursor pages without gaps', async () => {
  const gw = await as('gw01');
  for (let i = 0; i < 5; i++) ok(await gw.post('/api/v1/cases', { category: '0204', description: `共享单车乱停放 ${i}`, grid_code: GRID1 }), 201);
  const disp = await as('dispatcher');
  const all = ok(await disp.get('/api/v1/cases?category=0204&limit=200')).items;
  assert.ok(all.length >= 5);
  const seen = [];
  let cursor = '';
  for (;;) {
    const page = ok(await disp.get(`/api/v1/cases?category=02&limit=2${cursor}`));
    seen.push(...page.items.map((x) => x.id));
    if (!page.next_cursor) break;
    cursor = `&cursor=${page.next_cursor}`;
  }
  assert.equal(new Set(seen).size, seen.length, 'no repeats');
  for (const k of all) assert.ok(seen.includes(k.id), 'a parent category holds its children');
  const text = ok(await disp.get(`/api/v1/cases?q=${encodeURIComponent('共享单车乱停放 3')}`)).items;
  assert.equal(text.length, 1);
  // The other town's dispatcher and grid workers elsewhere see none of them.
  const other = await as('shiqiao.dispatcher');
  assert.equal(ok(await other.get('/api/v1/cases?category=0204')).items.length, 0);
  assert.equal((await other.get(`/api/v1/cases/${all[0].id}`)).status, 404);
  const zfj = await as('zfj.staff');
  assert.equal(ok(await zfj.get('/api/v1/cases?category=0204')).items.length, 0, 'departments see what is sent to them');
  const inTown = ok(await disp.get('/api/v1/cases?region=379901101000&category=0204')).items;
  assert.equal(inTown.length, 0);
  const sum = ok(await disp.get('/api/v1/cases/summary?category=0204'));
  assert.equal(sum.by_state.reported, all.filter((x) => x.state === 'reported').length);
  assert.equal(sum.total, all.length);
});

test('the working-time calendar: admins mark holidays and make-up days; others read it', async () => {
  const admin = s.admin;
  const cal = ok(await admin.get('/api/v1/calendar?from=2026-10-01&to=2026-10-31'));
  assert.deepEqual(cal.periods, ['08:30-12:00', '13:30-18:00']);
  assert.deepEqual(cal.weekdays, [1, 2, 3, 4, 5]);
  assert.ok(cal.days.some((d) => d.day === '2026-10-10' && d.works), '国庆 make-up Saturday');
  ok(await admin.request('PUT', '/api/v1/calendar/days/2026-12-31', { body: { works: false, note: '测试假日' } }));
  let dec = ok(await admin.get('/api/v1/calendar?from=2026-12-01&to=2026-12-31'));
  assert.deepEqual(dec.days, [{ day: '2026-12-31', works: false, note: '测试假日' }]);
  assert.equal((await admin.request('DELETE', '/api/v1/calendar/days/2026-12-31')).status, 204);
  assert.equal((await admin.request('DELETE', '/api/v1/calendar/days/2026-12-31')).status, 404);
  assert.equal((await admin.request('PUT', '/api/v1/calendar/days/2026-02-30', { body: { works: false } })).status, 400);
  const bad = await admin.request('PUT', '/api/v1/calendar/hours', { body: { periods: ['13:30-18:00', '08:30-12:00'], weekdays: [1, 2, 3, 4, 5] } });
  assert.equal(bad.status, 422);
  assert.match(bad.json.error.message, /order/);
  const town = await as('linhe.admin');
  assert.equal((await town.request('PUT', '/api/v1/calendar/days/2026-12-30', { body: { works: false } })).status, 403);
  const gw = await as('gw01');
  assert.equal((await gw.request('PUT', '/api/v1/calendar/days/2026-12-30', { body: { works: false } })).status, 403);
  assert.equal((await gw.get('/api/v1/calendar')).status, 200);
  const rules = ok(await gw.get('/api/v1/routing-rules')).items;
  assert.ok(rules.some((r) => r.category === '01' && r.department.name.includes('人力资源')));
  const put = await town.request('PUT', '/api/v1/routing-rules', { body: { category: '0601', region_code: '379901001001', dept_id: Number(sql(`SELECT id FROM departments WHERE code = 'lhjd'`)), limit_hours: 12 } });
  assert.equal(put.status, 200, put.text);
  const outside = await town.request('PUT', '/api/v1/routing-rules', { body: { category: '0601', region_code: '379901101201', dept_id: 1 } });
  assert.equal(outside.status, 403);
});

test('the inbox: unread count, paging, mark read', async () => {
  const head = await as('rsj.head');
  const box = ok(await head.get('/api/v1/notifications'));
  assert.ok(box.unread >= 1);
  const top = box.items[0].id;
  const marked = ok(await head.post('/api/v1/notifications/read', { up_to_id: top }));
  assert.equal(marked.marked, box.unread);
  const after = ok(await head.get('/api/v1/notifications?unread=1'));
  assert.equal(after.unread, 0);
  assert.deepEqual(after.items, []);
  const gw = await as('gw01');
  ok(await gw.post('/api/v1/notifications/read', { up_to_id: top }));
  assert.ok(ok(await head.get('/api/v1/notifications')).items.every((n) => n.read_at), 'one user cannot touch another inbox');
});

test('the audit chain verifies whole, and a tampered row is caught', async () => {
  const whole = runCli(['audit', 'verify', '--db', s.db]);
  assert.equal(whole.code, 0, whole.stderr);
  const rows = Number(whole.stdout.match(/(\d+) rows/)[1]);
  assert.ok(rows >= 20);
  assert.throws(() => sql(`UPDATE audit_log SET data = '{}' WHERE id = 3`), /append-only/);
  sql(`DROP TRIGGER audit_log_no_update; UPDATE audit_log SET data = json_set(data, '$.dept', '县民政局') WHERE id = 3`);
  const broken = runCli(['audit', 'verify', '--db', s.db]);
  assert.equal(broken.code, 1);
  assert.match(broken.stdout, /BROKEN at row 3/);
});
