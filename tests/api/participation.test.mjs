// Participation against a real server and SQLite file: polls (百姓点菜)
// with one ballot per resident even under a burst of concurrent sends,
// public commitments going overdue and carrying the veto, household visits
// (an offline resend answered once, a visit turned into a case and into an
// opinion, coverage), and residents' evaluation of cadres.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startServer, login, runCli, DEMO_PASSWORD } from './lib/server.mjs';

let s;
const users = {};
const as = async (name) => (users[name] ||= await login(s.url, name, DEMO_PASSWORD));
const ok = (res, status = 200) => { assert.equal(res.status, status, res.text); return res.json; };
const sql = (q) => execFileSync('sqlite3', [s.db, q], { encoding: 'utf8' }).trim();
const uid = (name) => Number(sql(`SELECT id FROM users WHERE username = '${name}'`));
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
const HOUR = 3600e3;
const DAY = 24 * HOUR;

const SHIQIAO = '379901101000';   // 石桥镇: jm07..jm12 live in its villages
const SHIQIAO_VILLAGE = '379901101201'; // 石桥村 (jm07, dy07, gw42..gw48)
const GRID = '379901101201001';   // 石桥村第一网格 (gw42)

before(async () => { s = await startServer({ demo: true }); });
after(async () => { await s.cleanup(); });

test('百姓点菜: a leader opens a poll; each resident of the town casts exactly one ballot, even sending it ten times at once', async () => {
  const leader = await as('leader');
  const body = {
    title: '2027年石桥镇民生实事项目征集', region_code: SHIQIAO, closes_at: iso(Date.now() + 2 * HOUR),
    max_picks: 2, top_n: 2, description: '请选出您最期盼的两件民生实事',
    options: [
      { title: '优化城乡公交线路', description: '增开石桥镇至县城早晚班车' },
      '安置房建设', '农村道路硬化', '村卫生室提档升级', { title: '农贸市场改造' },
    ],
  };
  for (const [who, status] of [['linhe.admin', 403], ['gw42', 403], ['jm07', 403]]) {
    assert.equal((await (await as(who)).post('/api/v1/polls', body)).status, status, who);
  }
  for (const [patch, field] of [
    [{ options: ['只有一个'] }, 'options'],
    [{ options: ['甲', '甲'] }, 'options'],
    [{ max_picks: 6 }, 'max_picks'],
    [{ closes_at: iso(Date.now() - HOUR) }, 'closes_at'],
    [{ closes_at: '下周五' }, 'closes_at'],
    [{ region_code: '379901101299' }, 'region_code'],
  ]) {
    const res = await leader.post('/api/v1/polls', { ...body, ...patch });
    assert.equal(res.status, 422, `${field}: ${res.text}`);
    assert.equal(res.json.error.field, field);
  }
  assert.equal(Number(sql(`SELECT count(*) FROM polls WHERE title = '${body.title}'`)), 0, 'refused polls leave nothing behind');
  const poll = ok(await leader.post('/api/v1/polls', body), 201);
  assert.equal(poll.phase, 'open');
  assert.equal(poll.options.length, 5);
  assert.deepEqual(poll.actions, ['close']);
  const [bus, housing, road] = [...poll.options].sort((a, b) => a.id - b.id);

  const jm07 = await as('jm07');
  let seen = ok(await jm07.get(`/api/v1/polls/${poll.id}`));
  assert.deepEqual(seen.actions, ['vote']);
  assert.equal(seen.my_picks, null);
  for (const [ids, why] of [[[bus.id, housing.id, road.id], 'three picks'], [[bus.id, bus.id], 'twice'], [[999999], 'stranger'], [[], 'none']]) {
    const res = await jm07.post(`/api/v1/polls/${poll.id}/votes`, { option_ids: ids });
    assert.equal(res.status, 422, why);
    assert.equal(res.json.error.field, 'option_ids');
  }
  assert.equal((await (await as('jm01')).post(`/api/v1/polls/${poll.id}/votes`, { option_ids: [bus.id] })).status, 403,
    'a resident of 临河街道 does not vote in 石桥镇');
  assert.equal((await (await as('gw42')).post(`/api/v1/polls/${poll.id}/votes`, { option_ids: [bus.id] })).status, 403,
    'grid workers do not vote');

  // Ten sends of one ballot at once: one lands, nine are refused.
  const burst = await Promise.all(Array.from({ length: 10 }, () =>
    jm07.post(`/api/v1/polls/${poll.id}/votes`, { option_ids: [bus.id, housing.id] })));
  const statuses = burst.map((r) => r.status).sort();
  assert.deepEqual(statuses, [201, 409, 409, 409, 409, 409, 409, 409, 409, 409]);
  for (const r of burst.filter((x) => x.status === 409)) assert.equal(r.json.error.code, 'already_voted');
  assert.equal(Number(sql(`SELECT count(*) FROM poll_ballots WHERE poll_id = ${poll.id}`)), 1);
  assert.equal(Number(sql(`SELECT count(*) FROM poll_picks WHERE poll_id = ${poll.id}`)), 2);

  // Five more residents of the town, each once, in parallel.
  await Promise.all([
    ['jm08', [bus.id, road.id]], ['jm09', [road.id]], ['jm10', [road.id, housing.id]], ['jm11', [bus.id]], ['jm12', [housing.id]],
  ].map(async ([who, ids]) => ok(await (await as(who)).post(`/api/v1/polls/${poll.id}/votes`, { option_ids: ids }), 201)));
  seen = ok(await jm07.get(`/api/v1/polls/${poll.id}`));
  assert.equal(seen.ballots, 6);
  assert.deepEqual(seen.my_picks.sort(), [bus.id, housing.id].sort());
  assert.deepEqual(seen.actions, []);
  // Live ranking: 公交 (jm07, jm08, jm11), 安置房 (jm07, jm10, jm12) and 道路 (jm08, jm09, jm10) have 3 each.
  const top = seen.options.slice(0, 3);
  assert.deepEqual(top.map((o) => o.votes), [3, 3, 3]);
  assert.deepEqual(top.map((o) => o.rank), [1, 1, 1], 'equal votes share a rank');
  assert.ok(top.every((o) => o.selected), 'ties at the cut all go through');
  assert.equal(seen.options[3].votes, 0);
  assert.equal(seen.options[3].rank, 4);
  assert.equal(top[0].share, 0.5);

  // Closing publishes; then no more ballots.
  const stale = await leader.post(`/api/v1/polls/${poll.id}/close`, { if_version: poll.version + 1 });
  assert.equal(stale.status, 409);
  const closed = ok(await leader.post(`/api/v1/polls/${poll.id}/close`, { if_version: poll.version }));
  assert.equal(closed.phase, 'closed');
  assert.equal(closed.results.ballots, 6);
  assert.deepEqual(closed.results.items.filter((o) => o.selected).map((o) => o.title).sort(), ['优化城乡公交线路', '农村道路硬化', '安置房建设'].sort());
  const late = await (await as('jm12')).post(`/api/v1/polls/${poll.id}/votes`, { option_ids: [bus.id] });
  assert.equal(late.status, 409);
  assert.equal(late.json.error.code, 'invalid_transition');
  assert.equal(sql(`SELECT action FROM audit_log WHERE subject = 'poll' AND subject_id = ${poll.id} ORDER BY id DESC LIMIT 1`), 'poll.close');

  const csv = (await leader.get(`/api/v1/polls/${poll.id}/results?format=csv`)).body.toString('utf8').slice(1).trim().split('\r\n');
  assert.equal(csv[0], '排名,项目,票数,得票率,是否入选');
  assert.equal(csv.length, 6);
  assert.match(csv[1], /^1,.*,3,50\.0%,是$/);
  assert.ok(ok(await jm07.get(`/api/v1/polls?region=${SHIQIAO_VILLAGE}`)).items.some((p) => p.id === poll.id),
    'a village resident finds the polls of their town');
  assert.ok(!ok(await jm07.get('/api/v1/polls?region=379901001001')).items.some((p) => p.id === poll.id));
});

test('a poll whose time is up is closed by the sweep as of its closing time, with its results', async () => {
  const leader = await as('leader');
  const poll = ok(await leader.post('/api/v1/polls', {
    title: '北岭村文化广场选址', region_code: '379901101206', opens_at: iso(Date.now() - 3 * DAY),
    closes_at: iso(Date.now() - DAY), options: ['村委会东侧', '小学旧址'],
  }), 201);
  assert.equal(poll.phase, 'closed');
  assert.deepEqual(poll.actions, ['close']);
  const r = runCli(['sweep', '--db', s.db]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /[1-9]\d* polls and evaluations closed/);
  const done = ok(await leader.get(`/api/v1/polls/${poll.id}`));
  assert.equal(done.closed_at, poll.closes_at);
  assert.equal(done.results.ballots, 0);
  assert.deepEqual(done.actions, []);
  assert.match(runCli(['sweep', '--db', s.db]).stdout, / 0 polls and evaluations closed/, 'a second sweep changes nothing');
});

test('公开承诺: a commitment past its due date goes overdue and carries the one-vote veto even once kept', async () => {
  const leader = await as('leader');
  const owner = await as('gw42');
  const yesterday = new Date(Date.now() + 8 * HOUR - DAY).toISOString().slice(0, 10);
  const body = { title: '为石桥村一组安装路灯', content: '年底前在一组主街安装太阳能路灯20盏', owner_user_id: uid('gw42'), region_code: SHIQIAO_VILLAGE, due_date: yesterday };
  assert.equal((await (await as('linhe.admin')).post('/api/v1/commitments', body)).status, 403);
  const both = await leader.post('/api/v1/commitments', { ...body, owner_dept_id: 1 });
  assert.equal(both.status, 400);
  assert.equal(both.json.error.field, 'owner_user_id');
  const badday = await leader.post('/api/v1/commitments', { ...body, due_date: '2026-13-40' });
  assert.equal(badday.status, 422);
  assert.equal(badday.json.error.field, 'due_date');
  let k = ok(await leader.post('/api/v1/commitments', body), 201);
  assert.equal(k.state, 'active');
  assert.equal(k.overdue, false);
  assert.equal(k.veto, false);
  assert.equal(k.owner.name, owner.user.display_name);
  assert.deepEqual(k.actions, ['progress', 'complete', 'review']);
  assert.ok(ok(await owner.get('/api/v1/notifications')).items.some((n) => n.subject === 'commitment' && n.subject_id === k.id));

  const r = runCli(['sweep', '--db', s.db]);
  assert.match(r.stdout, /[1-9]\d* commitments overdue/);
  k = ok(await owner.get(`/api/v1/commitments/${k.id}`));
  assert.equal(k.overdue, true);
  assert.equal(k.veto, true);
  assert.equal(k.timeline.at(-1).action, 'overdue');
  assert.deepEqual(k.actions, ['progress', 'complete']);
  assert.ok(ok(await leader.get(`/api/v1/commitments?veto=1&region=${SHIQIAO}`)).items.some((x) => x.id === k.id));

  assert.equal((await (await as('gw43')).post(`/api/v1/commitments/${k.id}/progress`, { if_version: k.version, note: '已采购' })).status, 403,
    'another grid worker does not report on it');
  const nonote = await owner.post(`/api/v1/commitments/${k.id}/progress`, { if_version: k.version });
  assert.equal(nonote.status, 400);
  assert.equal(nonote.json.error.field, 'note');
  k = ok(await owner.post(`/api/v1/commitments/${k.id}/progress`, { if_version: k.version, note: '已安装12盏', evidence: '现场照片见网格群', progress: 60 }));
  assert.equal(k.progress, 60);
  assert.equal(k.timeline.at(-1).data.evidence, '现场照片见网格群');
  assert.equal((await owner.post(`/api/v1/commitments/${k.id}/review`, { if_version: k.version, outcome: 'kept' })).status, 403,
    'an owner does not review themselves');
  const early = await (await as('supervisor')).post(`/api/v1/commitments/${k.id}/review`, { if_version: k.version, outcome: 'kept' });
  assert.equal(early.status, 409, 'kept only once completed');
  k = ok(await owner.post(`/api/v1/commitments/${k.id}/complete`, { if_version: k.version, evidence: '验收单' }));
  assert.equal(k.state, 'completed');
  assert.equal(k.progress, 100);
  k = ok(await (await as('supervisor')).post(`/api/v1/commitments/${k.id}/review`, { if_version: k.version, outcome: 'kept', note: '已兑现，但超期' }));
  assert.equal(k.state, 'kept');
  assert.equal(k.veto, true, 'late is late: the veto stays');
  assert.deepEqual(k.actions, []);

  // A department's commitment kept in time has no veto; one failed has.
  const dept = Number(sql(`SELECT id FROM departments WHERE code = 'jtj'`));
  let d = ok(await leader.post('/api/v1/commitments', { title: '石桥镇至县城公交增开早班', content: '每日6:30增开一班', owner_dept_id: dept, region_code: SHIQIAO, due_date: '2099-06-30' }), 201);
  assert.equal(d.year, 2099);
  assert.equal((await owner.post(`/api/v1/commitments/${d.id}/complete`, { if_version: d.version })).status, 403);
  d = ok(await (await as('supervisor')).post(`/api/v1/commitments/${d.id}/review`, { if_version: d.version, outcome: 'failed', note: '未落实' }));
  assert.equal(d.veto, true);
  assert.ok(ok(await leader.get(`/api/v1/commitments?owner_dept=${dept}&veto=1`)).items.every((x) => x.owner.id === dept));
  const csv = (await leader.get('/api/v1/commitments?format=csv')).body.toString('utf8');
  assert.match(csv.split('\r\n')[0], /承诺事项,承诺内容,责任人或单位/);
  assert.match(csv, /为石桥村一组安装路灯.*已兑现,是,是/);
});

test('走访: a resend of a queued visit answers the first; a visit becomes a case and an opinion; coverage counts households', async () => {
  const gw = await as('gw42');
  const since = encodeURIComponent(iso(Date.now() - 3 * HOUR));
  const hh = Number(sql(`SELECT id FROM households WHERE grid_code = '${GRID}' ORDER BY id LIMIT 1`));
  const other = Number(sql(`SELECT id FROM households WHERE grid_code = '379901101201002' ORDER BY id LIMIT 1`));
  const visit = { household_id: hh, kind: 'night', heard: '老人反映自来水压力小，二楼上不去水', follow_up: '联系水利局查看管网', client_key: 'gw42-20261123-0001', visited_at: iso(Date.now() - 2 * HOUR) };
  const first = ok(await gw.post('/api/v1/visits', visit), 201);
  assert.equal(first.kind_zh, '夜访');
  assert.equal(first.grid.code, GRID);
  const again = ok(await gw.post('/api/v1/visits', visit), 200);
  assert.equal(again.id, first.id, 'the resend is the same visit');
  assert.equal(Number(sql(`SELECT count(*) FROM visits WHERE client_key = '${visit.client_key}'`)), 1);
  assert.equal((await gw.post('/api/v1/visits', { ...visit, client_key: 'gw42-x-0002', household_id: other })).status, 403, 'not a household of their grid');
  for (const [patch, field, status] of [[{ kind: 'dance' }, 'kind', 422], [{ visited_at: iso(Date.now() + DAY) }, 'visited_at', 422], [{ heard: undefined }, 'heard', 400]]) {
    const res = await gw.post('/api/v1/visits', { ...visit, client_key: undefined, ...patch });
    assert.equal(res.status, status, field);
    assert.equal(res.json.error.field, field);
  }
  // A 联户 party member visits only the households linked to them.
  const dy = await as('dy07');
  const linked = Number(sql(`SELECT household_id FROM party_links WHERE user_id = ${uid('dy07')} AND household_id <> ${hh} LIMIT 1`));
  const unlinked = Number(sql(`SELECT id FROM households WHERE grid_code LIKE '${SHIQIAO_VILLAGE}%' AND id NOT IN (SELECT household_id FROM party_links) LIMIT 1`));
  const dyVisit = ok(await dy.post('/api/v1/visits', { household_id: linked, heard: '家里孩子考上大学，想了解助学贷款' }), 201);
  assert.equal((await dy.post('/api/v1/visits', { household_id: unlinked, heard: '随便问问' })).status, 403);
  const mine = new Set(sql(`SELECT household_id FROM party_links WHERE user_id = ${uid('dy07')}`).split('\n').map(Number));
  const theirs = ok(await dy.get(`/api/v1/visits?from=${since}`)).items.map((x) => x.id);
  assert.ok(theirs.includes(dyVisit.id) && theirs.includes(first.id), "their own visit and the grid worker's to a household linked to them");
  assert.ok(ok(await dy.get('/api/v1/visits?limit=200')).items.every((v) => mine.has(v.household.id)));

  let v = ok(await gw.post(`/api/v1/visits/${first.id}/to_case`, { if_version: first.version, category: '0404' }));
  assert.ok(v.case.code);
  const k = ok(await gw.get(`/api/v1/cases/${v.case.id}`));
  assert.deepEqual(k.origin, { kind: 'visit', id: v.id, code: '' });
  assert.equal(k.channel, 'visit');
  assert.equal(k.description, visit.heard);
  const twice = await gw.post(`/api/v1/visits/${v.id}/to_case`, { if_version: v.version, category: '0404' });
  assert.equal(twice.status, 409);
  v = ok(await gw.post(`/api/v1/visits/${v.id}/to_opinion`, { if_version: v.version, category: 'infrastructure', description: '建议对石桥村老旧管网整体改造' }));
  const o = ok(await gw.get(`/api/v1/opinions/${v.opinion.id}`));
  assert.equal(o.channel, 'visit');
  assert.equal(o.visit_id, v.id);
  v = ok(await gw.post(`/api/v1/visits/${v.id}/follow_up_done`, { if_version: v.version, note: '水利局已加装增压泵' }));
  assert.ok(v.follow_up_done_at);
  assert.equal((await gw.post(`/api/v1/visits/${v.id}/follow_up_done`, { if_version: v.version })).status, 409);

  const sqd = await as('shiqiao.dispatcher');
  const cov = ok(await sqd.get(`/api/v1/visits/coverage?region=${SHIQIAO_VILLAGE}&from=${since}`));
  // The same figures worked out from the visit list itself.
  const listed = [];
  for (let cursor = ''; ;) {
    const page = ok(await sqd.get(`/api/v1/visits?region=${SHIQIAO_VILLAGE}&from=${since}&limit=200${cursor}`));
    listed.push(...page.items);
    if (!page.next_cursor) break;
    cursor = `&cursor=${page.next_cursor}`;
  }
  for (const g of cov.items) {
    const seen = new Set(listed.filter((v) => v.grid.code === g.grid_code).map((v) => v.household.id));
    assert.equal(g.visited, seen.size, g.grid_code);
    assert.equal(g.households, Number(sql(`SELECT count(*) FROM households WHERE grid_code = '${g.grid_code}'`)));
    assert.equal(g.rate, Math.round(10000 * seen.size / g.households) / 10000);
  }
  assert.equal(cov.total.visited, cov.items.reduce((n, g) => n + g.visited, 0));
  const mineSeen = listed.filter((v) => v.id === first.id || v.household.id === linked);
  assert.ok(mineSeen.length >= 2, 'the visits logged here are counted');
  assert.equal(cov.items.length, 7);
  assert.equal((await (await as('linhe.dispatcher')).get(`/api/v1/visits/coverage?region=${SHIQIAO_VILLAGE}`)).status, 403);
  const xlsx = await (await as('shiqiao.dispatcher')).get(`/api/v1/visits?format=xlsx`);
  assert.equal(xlsx.status, 200);
  assert.equal(xlsx.body.subarray(0, 2).toString(), 'PK');
});

test('群众评议: residents grade cadres once; results combine score, points and the veto', async () => {
  const leader = await as('leader');
  const body = {
    title: '2026年度石桥村干部群众评议', region_code: SHIQIAO_VILLAGE, year: new Date().getFullYear(),
    closes_at: iso(Date.now() + DAY), targets: [{ user_id: uid('gw42') }, { user_id: uid('gw43') }, { dept_id: Number(sql(`SELECT id FROM departments WHERE code = 'sqz'`)) }],
  };
  assert.equal((await (await as('gw42')).post('/api/v1/evaluations', body)).status, 403);
  const dup = await leader.post('/api/v1/evaluations', { ...body, targets: [{ user_id: uid('gw42') }, { user_id: uid('gw42') }] });
  assert.equal(dup.status, 422);
  assert.equal(dup.json.error.field, 'targets');
  const ghost = await leader.post('/api/v1/evaluations', { ...body, targets: [{ user_id: 999999 }] });
  assert.equal(ghost.status, 422);
  const ev = ok(await leader.post('/api/v1/evaluations', body), 201);
  assert.equal(ev.targets.length, 3);
  const [t42, t43, tdept] = ev.targets;
  const jm07 = await as('jm07');
  const seen = ok(await jm07.get(`/api/v1/evaluations/${ev.id}`));
  assert.deepEqual(seen.actions, ['vote']);
  assert.equal(seen.results, null, 'residents see results once published');
  const grades = [{ target_id: t42.id, grade: 'satisfied' }, { target_id: t43.id, grade: 'basically_satisfied' }, { target_id: tdept.id, grade: 'dissatisfied' }];
  const partial = await jm07.post(`/api/v1/evaluations/${ev.id}/ballots`, { grades: grades.slice(0, 2) });
  assert.equal(partial.status, 422);
  const wrong = await jm07.post(`/api/v1/evaluations/${ev.id}/ballots`, { grades: [...grades.slice(0, 2), { target_id: t42.id, grade: 'satisfied' }] });
  assert.equal(wrong.status, 422);
  const burst = await Promise.all(Array.from({ length: 5 }, () => jm07.post(`/api/v1/evaluations/${ev.id}/ballots`, { grades })));
  assert.deepEqual(burst.map((r) => r.status).sort(), [201, 409, 409, 409, 409]);
  assert.equal((await (await as('jm08')).post(`/api/v1/evaluations/${ev.id}/ballots`, { grades })).status, 403, 'a resident of another village');
  const live = ok(await leader.get(`/api/v1/evaluations/${ev.id}`)).results;
  assert.equal(live.ballots, 1);
  const of = (id) => live.items.find((x) => x.target_id === id);
  assert.equal(of(t42.id).score, 100);
  assert.equal(of(t43.id).score, 60);
  assert.equal(of(tdept.id).score, 0);
  // gw42 owns a commitment that went overdue this year (the test above): vetoed.
  assert.equal(of(t42.id).veto, true);
  assert.equal(of(t42.id).combined, 0);
  assert.equal(of(t43.id).veto, false);
  assert.equal(live.items[0].target_id, t43.id, 'the vetoed cadre falls below');
  const closed = ok(await leader.post(`/api/v1/evaluations/${ev.id}/close`, { if_version: ev.version }));
  assert.ok(closed.results.published_at);
  assert.deepEqual(ok(await jm07.get(`/api/v1/evaluations/${ev.id}`)).results.items.map((x) => x.target_id), live.items.map((x) => x.target_id));
  const csv = (await jm07.get(`/api/v1/evaluations/${ev.id}/results?format=csv`)).body.toString('utf8');
  assert.match(csv.split('\r\n')[0], /排名,评议对象,类型,评议票数,满意,基本满意,不满意,满意度得分,积分,一票否决,综合得分/);
});
