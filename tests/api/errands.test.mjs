// Errands (全程代办) end to end against a real server and a real SQLite file:
// the seeds' pension story from the village's red box to the resident's
// sign-off, the ledger as JSON, CSV and XLSX, refusals, cancelling, a
// signature sign-off, the overdue sweep, the catalog, and the grid's
// service card whose QR code is decoded by zbarimg.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { execFileSync } from 'node:child_process';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, login, runCli, DEMO_PASSWORD } from './lib/server.mjs';
import { png } from './lib/png.mjs';

let s;
let hook;
const sms = [];
const users = {};
const as = async (name) => (users[name] ||= await login(s.url, name, DEMO_PASSWORD));
const sql = (q) => execFileSync('sqlite3', [s.db, q], { encoding: 'utf8' }).trim();
const ok = (res, status = 200) => { assert.equal(res.status, status, res.text); return res.json; };
const act = (who, e, action, body = {}) => who.post(`/api/v1/errands/${e.id}/${action}`, { if_version: e.version, ...body });
const until = async (what, fn, ms = 15000) => {
  const end = Date.now() + ms;
  while (Date.now() < end) { if (fn()) return; await new Promise((r) => setTimeout(r, 100)); }
  throw new Error(`timed out waiting for ${what}`);
};
const dir = mkdtempSync(join(tmpdir(), 'gridline-errands-'));

const GRID = '379901101201001'; // 石桥村第一网格 (石桥镇)
const PENSION = 'DB002';        // 城乡居民基本养老保险待遇申领（年满60周岁）

before(async () => {
  hook = http.createServer((req, res) => {
    const parts = [];
    req.on('data', (c) => parts.push(c));
    req.on('end', () => { const m = JSON.parse(Buffer.concat(parts).toString()); if (m.kind === 'sms') sms.push(m.data); res.writeHead(200).end(); });
  });
  await new Promise((r) => hook.listen(0, '127.0.0.1', r));
  s = await startServer({ demo: true, env: { GRIDLINE_WEBHOOK_URL: `http://127.0.0.1:${hook.address().port}/sms` } });
});
after(async () => { await s.cleanup(); hook.close(); rmSync(dir, { recursive: true, force: true }); });

const service = (code) => Number(sql(`SELECT id FROM services WHERE code = '${code}'`));

test('the catalog holds the demo county\'s 94 items; only an admin without a region limit changes it', async () => {
  const jm = await as('jm07');
  const all = ok(await jm.get('/api/v1/services'));
  assert.equal(all.count, 94);
  const pension = all.items.find((x) => x.code === PENSION);
  assert.match(pension.name, /养老保险待遇申领/);
  assert.equal(pension.promised_days, 10);
  assert.deepEqual(pension.materials, ['居民身份证', '户口簿', '社会保障卡', '一寸免冠照片']);
  assert.ok(ok(await jm.get('/api/v1/services?category=户籍证照')).items.every((x) => x.category === '户籍证照'));

  const admin = await as('admin');
  const dept = Number(sql(`SELECT id FROM departments WHERE code = 'mzj'`));
  const body = { code: 'DB901', name: '尊老金发放登记', category: '民政救助', dept_id: dept, promised_days: 5, materials: ['居民身份证'], venues: ['village'] };
  assert.equal((await (await as('linhe.admin')).post('/api/v1/services', body)).status, 403, 'a street admin cannot change the county catalog');
  assert.equal((await (await as('shiqiao.agent')).post('/api/v1/services', body)).status, 403);
  const bad = await admin.post('/api/v1/services', { ...body, venues: ['mars'] });
  assert.equal(bad.status, 422);
  assert.equal(bad.json.error.field, 'venues');
  const made = ok(await admin.post('/api/v1/services', body), 201);
  assert.equal((await admin.post('/api/v1/services', body)).status, 409, 'codes are unique');
  const patch = (b) => admin.request('PATCH', `/api/v1/services/${made.id}`, { body: b });
  const retired = ok(await patch({ if_version: made.version, active: false }));
  assert.equal(retired.active, false);
  assert.equal((await patch({ if_version: made.version, active: true })).status, 409, 'a stale version is refused');
  assert.equal(ok(await jm.get('/api/v1/services')).count, 94, 'a retired item leaves the list');
  const e = await (await as('shiqiao.agent')).post('/api/v1/errands', { service_id: made.id, grid_code: GRID, resident_name: '李四' });
  assert.equal(e.status, 422);
  assert.match(e.json.error.message, /no longer offered/);
});

test('the pension story: registered at the village, done by the agent, the resident notified and confirming', async () => {
  const agent = await as('shiqiao.agent');
  const jm = await as('jm07'); // a resident of 石桥村
  let e = ok(await agent.post('/api/v1/errands', {
    service_id: service(PENSION), grid_code: GRID, resident_name: '王秀英', resident_phone: '13905367788',
    resident_user_id: jm.user.id, notes: '本人今年满60周岁，行动不便，委托代办养老金领取', materials: ['居民身份证', '户口簿', '社会保障卡'],
  }), 201);
  assert.match(e.code, /^DB379901\d{8}\d{4}$/);
  assert.equal(e.state, 'registered');
  assert.equal(e.box, 'red');
  assert.equal(e.resident.phone, '139****7788', 'the phone is masked');
  assert.deepEqual(e.materials.map((m) => [m.name, m.received]),
    [['居民身份证', true], ['户口簿', true], ['社会保障卡', true], ['一寸免冠照片', false]]);
  assert.ok(new Date(e.deadline_at) - new Date(e.created_at) >= 10 * 86400e3, 'ten working days lie at least two weeks ahead');
  assert.deepEqual(e.actions, ['accept', 'cancel']);

  // Who sees it: the resident (read-only), not another town's agent nor another resident.
  assert.equal((await (await as('linhe.agent')).get(`/api/v1/errands/${e.id}`)).status, 404);
  assert.equal((await (await as('jm01')).get(`/api/v1/errands/${e.id}`)).status, 404);
  const mine = ok(await jm.get(`/api/v1/errands/${e.id}`));
  assert.deepEqual(mine.actions, []);
  assert.equal((await act(jm, e, 'accept')).status, 403);
  assert.equal((await act(await as('linhe.agent'), e, 'accept')).status, 404);

  e = ok(await act(agent, e, 'accept', { note: '材料已收，缺照片由代办员代为拍摄' }));
  assert.equal(e.state, 'accepted');
  assert.equal(e.agent.name, agent.user.display_name);
  const stale = await act(agent, { ...e, version: e.version - 1 }, 'submit');
  assert.equal(stale.status, 409);
  assert.equal(stale.json.error.code, 'version_conflict');
  const early = await act(agent, e, 'complete');
  assert.equal(early.status, 409);
  assert.equal(early.json.error.code, 'invalid_transition');
  assert.match(early.json.error.message, /it is accepted/);

  e = ok(await act(agent, e, 'submit', { dept_ref: 'RS2026-11-0386' }));
  assert.equal(e.state, 'submitted');
  assert.equal((await act(agent, e, 'confirm', { code: '123456' })).status, 409);
  e = ok(await act(agent, e, 'complete', { result: '待遇核定通过，次月起按月发放' }));
  assert.equal(e.state, 'completed');
  assert.equal(e.box, 'blue');
  assert.equal((await act(agent, e, 'confirm', { code: '123456' })).status, 409, 'the resident is told first');

  e = ok(await act(agent, e, 'notify'));
  assert.equal(e.state, 'notified');
  assert.equal(e.code_sent_to, '139****7788');
  assert.ok(!JSON.stringify(e).match(/验证码 \d{6}/), 'the agent never sees the code');
  await until('the code reaches the SMS gateway', () => sms.some((m) => m.errand_id === e.id));
  const text = sms.find((m) => m.errand_id === e.id).text;
  assert.equal(sms.find((m) => m.errand_id === e.id).phone, '13905367788');
  const code = text.match(/验证码 (\d{6})/)[1];
  const inbox = ok(await jm.get('/api/v1/notifications')).items;
  assert.ok(inbox.some((n) => n.errand_id === e.id && n.kind === 'errand_code'), 'the resident\'s app has it too');

  const none = await act(agent, e, 'confirm');
  assert.equal(none.status, 400);
  const wrong = await act(agent, e, 'confirm', { code: code === '000000' ? '000001' : '000000' });
  assert.equal(wrong.status, 422);
  assert.match(wrong.json.error.message, /4 tries left/);
  const still = ok(await agent.get(`/api/v1/errands/${e.id}`));
  assert.equal(still.state, 'notified');
  assert.equal(still.version, e.version, 'a wrong code does not move the errand');
  assert.ok(still.timeline.some((t) => t.action === 'confirm_refused'));

  e = ok(await act(jm, e, 'confirm', { code }));
  assert.equal(e.state, 'confirmed');
  assert.equal(e.box, 'closed');
  assert.equal(e.confirm_method, 'code');
  assert.deepEqual(e.timeline.filter((t) => t.from !== t.to || t.action === 'register').map((t) => t.action),
    ['register', 'accept', 'submit', 'complete', 'notify', 'confirm']);
  assert.ok((await act(jm, e, 'confirm', { code })).status === 409, 'closed is closed');

  e = ok(await act(agent, e, 'return_materials', { items: ['户口簿'] }));
  assert.deepEqual(e.materials.filter((m) => m.returned).map((m) => m.name), ['户口簿']);
  e = ok(await act(agent, e, 'return_materials'));
  assert.equal(e.materials.filter((m) => m.received && !m.returned).length, 0);
  assert.equal((await act(agent, e, 'return_materials')).status, 409, 'nothing left to return');

  // The ledger: who received, who handled, each step's time.
  const ledger = ok(await agent.get(`/api/v1/errands/ledger?q=${e.code}`));
  const col = (name) => ledger.columns.indexOf(name);
  assert.equal(ledger.rows.length, 1);
  const row = ledger.rows[0];
  assert.equal(row[col('编号')], e.code);
  assert.equal(row[col('接件人')], agent.user.display_name);
  assert.equal(row[col('代办员')], agent.user.display_name);
  assert.equal(row[col('部门受理号')], 'RS2026-11-0386');
  assert.equal(row[col('签收方式')], '短信验证码');
  assert.equal(row[col('联系电话')], '139****7788');
  for (const c of ['登记时间', '受理时间', '报送时间', '办结时间', '通知时间', '签收时间', '材料退还时间'])
    assert.match(row[col(c)], /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/, c);
  assert.equal(row[col('状态')], '已签收销号');

  const csv = await agent.get(`/api/v1/errands/ledger?format=csv&q=${e.code}`);
  assert.equal(csv.status, 200);
  assert.match(csv.headers['content-type'], /^text\/csv/);
  assert.ok(csv.body.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf])), 'a BOM, so Excel reads UTF-8');
  const lines = csv.text.slice(1).trim().split('\r\n');
  assert.equal(lines.length, 2);
  assert.ok(lines[0].startsWith('编号,事项,办理部门,群众姓名'));
  assert.ok(lines[1].startsWith(`${e.code},城乡居民基本养老保险待遇申领（年满60周岁）,县人力资源和社会保障局`));

  const xlsx = await agent.get(`/api/v1/errands/ledger?format=xlsx&q=${e.code}`);
  assert.equal(xlsx.status, 200);
  assert.match(xlsx.headers['content-disposition'], /attachment/);
  const file = join(dir, 'ledger.xlsx');
  writeFileSync(file, xlsx.body);
  const strings = execFileSync('unzip', ['-p', file, 'xl/worksheets/sheet1.xml'], { encoding: 'utf8' });
  for (const v of [e.code, '王秀英', '接件人', '短信验证码']) assert.ok(strings.includes(v), v);
  assert.ok(execFileSync('unzip', ['-p', file, 'xl/workbook.xml'], { encoding: 'utf8' }).includes('代办台账'));
  assert.equal((await agent.get('/api/v1/errands/ledger?format=pdf')).status, 400);
});

test('cancelling keeps the history; every step after it is refused with 409', async () => {
  const agent = await as('shiqiao.agent');
  let e = ok(await agent.post('/api/v1/errands', { service_id: service('DB046'), grid_code: GRID, resident_name: '刘桂兰', materials: ['户口簿'] }), 201);
  e = ok(await act(agent, e, 'accept'));
  const why = await act(agent, e, 'cancel');
  assert.equal(why.status, 400, 'a cancel needs its reason');
  assert.equal(why.json.error.field, 'note');
  e = ok(await act(agent, e, 'cancel', { note: '群众已自行到派出所办理' }));
  assert.equal(e.state, 'cancelled');
  assert.deepEqual(e.timeline.map((t) => t.action), ['register', 'accept', 'cancel']);
  for (const a of ['accept', 'submit', 'complete', 'notify', 'cancel']) {
    const res = await act(agent, e, a, a === 'cancel' ? { note: '再次撤销' } : {});
    assert.equal(res.status, 409, a);
    assert.match(res.json.error.message, /it is cancelled/);
  }
  assert.equal((await act(agent, e, 'confirm', { code: '123456' })).status, 409);
  e = ok(await act(agent, e, 'return_materials'));
  assert.ok(e.materials.find((m) => m.name === '户口簿').returned, 'the household register goes back');
  const row = ok(await agent.get(`/api/v1/errands/ledger?q=${e.code}`));
  assert.match(row.rows[0][row.columns.indexOf('撤销时间')], /^\d{4}-/);
  assert.equal(Number(sql(`SELECT count(*) FROM errand_events WHERE errand_id = ${e.id}`)), 4);
  assert.equal(Number(sql(`SELECT count(*) FROM audit_log WHERE subject = 'errand' AND subject_id = ${e.id}`)), 4);
});

test('without a phone the resident signs: the signature is cleaned, kept and shown to those who see the errand', async () => {
  const agent = await as('shiqiao.agent');
  let e = ok(await agent.post('/api/v1/errands', { service_id: service('DB037'), grid_code: GRID, resident_name: '赵大爷' }), 201);
  for (const a of ['accept', 'submit', 'complete']) e = ok(await act(agent, e, a));
  e = ok(await act(agent, e, 'notify', { note: '电话告知其女儿，入户送达' }));
  assert.equal(e.code_sent_to, undefined);
  const coded = await act(agent, e, 'confirm', { code: '123456' });
  assert.equal(coded.status, 422);
  assert.match(coded.json.error.message, /no code is out/);
  const junk = await act(agent, e, 'confirm', { signature: Buffer.from('not an image at all').toString('base64') });
  assert.equal(junk.status, 422);
  assert.equal(junk.json.error.field, 'signature');
  const both = await act(agent, e, 'confirm', { code: '123456', signature: png().toString('base64') });
  assert.equal(both.status, 400);
  e = ok(await act(agent, e, 'confirm', { signature: `data:image/png;base64,${png().toString('base64')}` }));
  assert.equal(e.state, 'confirmed');
  assert.equal(e.confirm_method, 'signature');
  const img = await agent.get(e.signature_url);
  assert.equal(img.status, 200);
  assert.equal(img.headers['content-type'], 'image/png');
  assert.ok(!img.body.includes('tEXt'), 'text chunks are gone');
  assert.equal((await (await as('linhe.agent')).get(e.signature_url)).status, 404);
});

test('an errand past its promised days is flagged overdue by the sweep, once', async () => {
  const agent = await as('shiqiao.agent');
  const e = ok(await agent.post('/api/v1/errands', { service_id: service('DB009'), grid_code: GRID, resident_name: '孙立新' }), 201);
  const later = new Date(new Date(e.deadline_at).getTime() + 3600e3).toISOString();
  const first = runCli(['sweep', '--db', s.db, '--now', later]);
  assert.equal(first.code, 0, first.stderr);
  const n = Number(first.stdout.match(/(\d+) errands overdue/)[1]);
  assert.ok(n >= 1, first.stdout);
  const again = runCli(['sweep', '--db', s.db, '--now', later]);
  assert.match(again.stdout, / 0 errands overdue/);
  const got = ok(await agent.get(`/api/v1/errands/${e.id}`));
  assert.equal(got.overdue, true);
  assert.ok(got.timeline.some((t) => t.action === 'overdue' && t.actor === null));
  assert.ok(ok(await agent.get('/api/v1/errands?overdue=1&box=red')).items.some((x) => x.id === e.id));
  assert.ok(!ok(await agent.get('/api/v1/errands?overdue=0')).items.some((x) => x.id === e.id));
  assert.ok(ok(await agent.get('/api/v1/notifications')).items.some((n) => n.kind === 'errand_overdue' && n.errand_id === e.id),
    'the agent hears of it');
  assert.equal((await agent.get('/api/v1/errands?box=green')).status, 400);
});

test('the grid\'s service card renders and its QR code opens the grid\'s report page', async () => {
  const gw = await as('gw01');
  const res = await gw.get(`/api/v1/grids/${GRID}/card`);
  assert.equal(res.status, 200);
  assert.match(res.headers['content-type'], /^image\/svg\+xml/);
  assert.ok(res.text.includes('便民服务卡'));
  assert.ok(res.text.includes('石桥村第一网格'));
  const duty = sql(`SELECT duty_phone FROM grids WHERE code = '${GRID}'`);
  assert.ok(res.text.includes(duty), 'the duty phone');
  const worker = sql(`SELECT u.display_name FROM users u JOIN role_assignments a ON a.user_id = u.id WHERE a.role = 'grid_worker' AND a.region_code = '${GRID}'`);
  assert.ok(res.text.includes(worker), 'the grid worker');
  const svg = join(dir, 'card.svg'), pngFile = join(dir, 'card.png');
  writeFileSync(svg, res.text);
  execFileSync('rsvg-convert', ['-w', '1800', '-b', 'white', '-o', pngFile, svg]);
  const url = execFileSync('zbarimg', ['--raw', '-q', pngFile], { encoding: 'utf8' }).trim();
  assert.equal(url, `${s.url}/report?grid=${GRID}`);
  assert.equal((await gw.get('/api/v1/grids/379901101201099/card')).status, 404);
});
