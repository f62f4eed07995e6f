// Opinions and ideas (民意/金点子) against a real server and SQLite file:
// written down from the six channels, seen only in scope, replied to,
// adopted, rejected with reasons, turned into a case (linked both ways),
// counted per channel and region, and exported as CSV.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startServer, login, DEMO_PASSWORD } from './lib/server.mjs';

let s;
const users = {};
const as = async (name) => (users[name] ||= await login(s.url, name, DEMO_PASSWORD));
const ok = (res, status = 200) => { assert.equal(res.status, status, res.text); return res.json; };
const sql = (q) => execFileSync('sqlite3', [s.db, q], { encoding: 'utf8' }).trim();
const act = (who, o, action, body = {}) => who.post(`/api/v1/opinions/${o.id}/${action}`, { if_version: o.version, ...body });

const GRID = '379901001001001';    // 福安社区第一网格 (gw01)
const FUAN = '379901001001';       // 福安社区 (jm01, dy01)

before(async () => { s = await startServer({ demo: true }); });
after(async () => { await s.cleanup(); });

test('a grid worker writes down what a household said; the street dispatcher hears of it', async () => {
  const gw = await as('gw01');
  const o = ok(await gw.post('/api/v1/opinions', {
    channel: 'visit', category: 'infrastructure', region_code: GRID, author_name: '王大妈',
    body: '小区东门路灯坏了三盏，晚上老人出门不方便',
  }), 201);
  assert.match(o.code, /^YJ379901\d{8}\d{4}$/);
  assert.equal(o.state, 'new');
  assert.equal(o.state_zh, '待答复');
  assert.equal(o.channel_zh, '走访');
  assert.equal(o.region.name, '福安社区第一网格');
  assert.deepEqual(o.actions, [], 'a grid worker records but does not decide');
  assert.equal(o.timeline[0].action, 'record');
  const inbox = ok(await (await as('linhe.dispatcher')).get('/api/v1/notifications'));
  const note = inbox.items.find((n) => n.subject === 'opinion' && n.subject_id === o.id);
  assert.ok(note, 'the street command centre is told');
  assert.match(note.title, /新群众意见/);
  assert.equal(sql(`SELECT action FROM audit_log WHERE subject = 'opinion' AND subject_id = ${o.id}`), 'opinion.record');

  // Refusals change nothing and name the field.
  const before = Number(sql('SELECT count(*) FROM opinions'));
  for (const [body, field, status] of [
    [{ channel: 'fax', category: 'other', region_code: GRID, body: '意见' }, 'channel', 422],
    [{ channel: 'visit', category: 'weather', region_code: GRID, body: '意见' }, 'category', 422],
    [{ channel: 'visit', category: 'other', region_code: '379901001001999', body: '意见' }, 'region_code', 422],
    [{ channel: 'visit', category: 'other', body: '意见' }, 'region_code', 400],
    [{ category: 'other', region_code: GRID, body: '意见' }, 'channel', 400],
    [{ channel: 'visit', category: 'other', region_code: GRID, body: '意见', mood: 'x' }, 'mood', 400],
  ]) {
    const res = await gw.post('/api/v1/opinions', body);
    assert.equal(res.status, status, res.text);
    assert.equal(res.json.error.field, field);
  }
  const far = await gw.post('/api/v1/opinions', { channel: 'visit', category: 'other', region_code: '379901101201001', body: '石桥村的事' });
  assert.equal(far.status, 403, 'a grid worker records only in their own grid');
  assert.equal(Number(sql('SELECT count(*) FROM opinions')), before);
});

test('a resident writes online about their own community and alone sees it among residents', async () => {
  const jm = await as('jm01');
  const o = ok(await jm.post('/api/v1/opinions', { kind: 'idea', category: 'development', body: '建议在社区开设老年人智能手机培训班' }), 201);
  assert.equal(o.channel, 'online');
  assert.equal(o.kind_zh, '金点子');
  assert.equal(o.region.code, FUAN);
  assert.equal(o.author_user_id, jm.user.id);
  const phone = await jm.post('/api/v1/opinions', { channel: 'phone', category: 'other', body: '电话里说的' });
  assert.equal(phone.status, 422);
  assert.equal(phone.json.error.field, 'channel');
  assert.equal((await (await as('jm02')).get(`/api/v1/opinions/${o.id}`)).status, 404);
  assert.equal((await (await as('shiqiao.dispatcher')).get(`/api/v1/opinions/${o.id}`)).status, 404, 'another town cannot see it');
  const mine = ok(await jm.get('/api/v1/opinions'));
  assert.ok(mine.items.length >= 1 && mine.items.every((x) => x.author_user_id === jm.user.id));
  const other = ok(await (await as('jm02')).get('/api/v1/opinions')).items;
  assert.ok(other.every((x) => x.author_user_id === users.jm02.user.id) && !other.some((x) => x.id === o.id));
});

test('reply, adopt and reject: only deciders, at the version read, from a state that allows it', async () => {
  const gw = await as('gw01');
  const disp = await as('linhe.dispatcher');
  let o = ok(await gw.post('/api/v1/opinions', { channel: 'meeting', category: 'environment', region_code: GRID, body: '垃圾清运不及时，夏天有异味' }), 201);
  assert.equal((await act(gw, o, 'reply', { reply: '收到' })).status, 403);
  const none = await act(disp, o, 'reply');
  assert.equal(none.status, 400);
  assert.equal(none.json.error.field, 'reply');
  const stray = await act(disp, o, 'reply', { reply: '收到', category: '0101' });
  assert.equal(stray.status, 400);
  assert.equal(stray.json.error.field, 'category');
  o = ok(await act(disp, o, 'reply', { reply: '已协调环卫所每日早晚各清运一次' }));
  assert.equal(o.state, 'replied');
  assert.equal(o.decided_by.name, disp.user.display_name);
  assert.deepEqual(o.actions, ['adopt', 'reject', 'to_case']);
  const again = await act(disp, o, 'reply', { reply: '再答复' });
  assert.equal(again.status, 409);
  assert.equal(again.json.error.code, 'invalid_transition');
  const stale = await act(disp, { ...o, version: o.version - 1 }, 'adopt', { reply: '采纳' });
  assert.equal(stale.status, 409);
  assert.equal(stale.json.error.code, 'version_conflict');
  o = ok(await act(disp, o, 'reject', { reply: '清运频次已按最高标准执行，暂不增加' }));
  assert.equal(o.state, 'not_adopted');
  assert.equal(o.state_zh, '未采纳');
  assert.deepEqual(o.timeline.map((e) => e.action), ['record', 'reply', 'reject']);
  assert.deepEqual(o.actions, []);
  const inbox = ok(await gw.get('/api/v1/notifications'));
  assert.ok(inbox.items.some((n) => n.subject_id === o.id && /未被采纳/.test(n.title)), 'the recorder hears the outcome');
});

test('an opinion turned into a case: the case names the opinion and the opinion its case', async () => {
  const jm = await as('jm01');
  const disp = await as('linhe.dispatcher');
  let o = ok(await jm.post('/api/v1/opinions', { category: 'safety', body: '文昌路与福安街路口没有红绿灯，孩子上学过马路危险' }), 201);
  const nogrid = await act(disp, o, 'to_case', { category: '1001' });
  assert.equal(nogrid.status, 400, 'a community-wide opinion needs a grid for its case');
  assert.equal(nogrid.json.error.field, 'grid_code');
  const badcat = await act(disp, o, 'to_case', { category: '9999', grid_code: GRID });
  assert.equal(badcat.status, 422);
  assert.equal(badcat.json.error.field, 'category');
  assert.equal(Number(sql(`SELECT count(*) FROM cases WHERE description LIKE '%红绿灯%'`)), 0, 'a refused step writes no case');
  o = ok(await act(disp, o, 'to_case', { category: '1001', grid_code: GRID, address: '文昌路与福安街路口' }));
  assert.equal(o.state, 'adopted');
  assert.match(o.reply, /已转为案件 379901\d{12}/);
  const k = ok(await disp.get(`/api/v1/cases/${o.case.id}`));
  assert.equal(k.state, 'reported');
  assert.equal(k.grid.code, GRID);
  assert.deepEqual(k.origin, { kind: 'opinion', id: o.id, code: o.code });
  assert.equal(k.timeline[0].data.opinion, o.id);
  const inbox = ok(await jm.get('/api/v1/notifications'));
  assert.ok(inbox.items.some((n) => n.subject_id === o.id && /已转为案件办理/.test(n.title)));
  // The case clock and routing are the case loop's own.
  assert.ok(k.clock.deadline_at);
});

test('counts per channel and per region, and the list as a CSV a clerk opens in Excel', async () => {
  const disp = await as('linhe.dispatcher');
  const stats = ok(await disp.get(`/api/v1/opinions/stats?region=${FUAN}`));
  assert.deepEqual(stats.by_channel.map((c) => c.channel), ['collection', 'meeting', 'letter', 'visit', 'phone', 'online']);
  const count = (ch) => Number(sql(`SELECT count(*) FROM opinions WHERE channel = '${ch}' AND region_code LIKE '${FUAN}%'`));
  for (const c of stats.by_channel) assert.equal(c.total, count(c.channel), c.channel);
  assert.equal(stats.total, Number(sql(`SELECT count(*) FROM opinions WHERE region_code LIKE '${FUAN}%'`)));
  const grid = stats.by_region.find((x) => x.code === GRID);
  assert.equal(grid.name, '福安社区第一网格');
  const self = stats.by_region.find((x) => x.code === FUAN);
  assert.ok(self, 'opinions about the whole community count apart from its grids');
  assert.equal(stats.by_region.reduce((n, x) => n + x.total, 0), stats.total);
  const bad = await disp.get('/api/v1/opinions/stats?channel=fax');
  assert.equal(bad.status, 400);
  assert.equal(bad.json.error.field, 'channel');

  const csv = await disp.get('/api/v1/opinions?format=csv');
  assert.equal(csv.status, 200);
  assert.match(csv.headers['content-type'], /text\/csv/);
  assert.match(csv.headers['content-disposition'], /filename="opinions.csv"/);
  const text = csv.body.toString('utf8');
  assert.equal(text.charCodeAt(0), 0xfeff, 'a byte order mark so Excel reads UTF-8');
  const lines = text.slice(1).trim().split('\r\n');
  assert.equal(lines[0], '编号,类型,渠道,类别,内容,所在地区,反映人,记录人,记录时间,状态,答复或理由,办理人,办理时间,转办案件');
  assert.equal(lines.length - 1, Number(sql(`SELECT count(*) FROM opinions WHERE region_code LIKE '379901001%'`)));
  assert.ok(lines.some((l) => l.includes('未采纳') && l.includes('清运频次')));
});
