// The numbers against a fixture worked out by hand. Eight cases are written
// straight into the SQLite file with instants in December 2023 - February
// 2024 (far from the demo county's last 120 days), some crossing the month
// boundary; every KPI of January and February, an empty month, the
// breakdowns, the monthly trend, the XLSX export read back cell by cell,
// and the command-line export are checked against the figures below. Then
// the demo's planted hotspot and recurring problem, the dashboard, the
// public board and /metrics.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { startServer, login, runCli, DEMO_PASSWORD } from './lib/server.mjs';
import { readXlsx } from './lib/xlsx.mjs';

let s;
const users = {};
const as = async (name) => (users[name] ||= await login(s.url, name, DEMO_PASSWORD));
const ok = (res, status = 200) => { assert.equal(res.status, status, res.text); return res.json; };
const sql = (q) => execFileSync('sqlite3', [s.db, q], { encoding: 'utf8' }).trim();
const T = (iso) => Math.floor(Date.parse(iso) / 1000);
const q = (o) => Object.entries(o).map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');

const URBAN = '379901001001001'; // 福安社区第一网格 (临河街道)
const RURAL = '379901101201001'; // 石桥村第一网格 (石桥镇)
const JAN = { from: '2024-01-01T00:00:00+08:00', to: '2024-02-01T00:00:00+08:00' };
const FEB = { from: '2024-02-01T00:00:00+08:00', to: '2024-03-01T00:00:00+08:00' };
const d = (day, hour = 10) => T(`${day}T${String(hour).padStart(2, '0')}:00:00+08:00`);

// The fixture. response: working seconds from dispatch to start (the limit is 7200).
const fixture = [
  // C1: a clean January case, rated 满意.
  { n: 1, cat: '0201', grid: URBAN, dept: 'zfj', state: 'closed', created: d('2024-01-03'), accepted: d('2024-01-03', 11), dispatched: d('2024-01-03', 12), response: 3600, closed: d('2024-01-05'), rated: d('2024-01-06'), rating: 'satisfied' },
  // C2: slow to start, late (red on the 12th, escalated, supervised), reworked, 不满意.
  { n: 2, cat: '0201', grid: URBAN, dept: 'zfj', state: 'closed', created: d('2024-01-10'), accepted: d('2024-01-10', 11), dispatched: d('2024-01-10', 12), response: 10800, overdue: d('2024-01-12'), closed: d('2024-01-15'), rated: d('2024-01-16'), rating: 'dissatisfied', rework: 1, events: [['escalate', d('2024-01-12')], ['supervise', d('2024-01-13')]] },
  // C3: received and dispatched in January, closed and rated in February.
  { n: 3, cat: '0201', grid: RURAL, dept: 'zfj', state: 'closed', created: d('2024-01-30'), accepted: d('2024-01-30', 11), dispatched: d('2024-01-31'), response: 1800, closed: d('2024-02-02'), rated: d('2024-02-03'), rating: 'basically_satisfied' },
  // C4: dispatched, never started, red on the 25th and escalated; still open.
  { n: 4, cat: '0404', grid: RURAL, dept: 'slj', state: 'dispatched', created: d('2024-01-20'), accepted: d('2024-01-20', 11), dispatched: d('2024-01-20', 12), overdue: d('2024-01-25'), events: [['escalate', d('2024-01-25')]] },
  // C5: red on 31 January, closed late on 3 February.
  { n: 5, cat: '0404', grid: RURAL, dept: 'slj', state: 'closed', created: d('2024-01-28'), accepted: d('2024-01-28', 11), dispatched: d('2024-01-28', 12), response: 600, overdue: d('2024-01-31'), closed: d('2024-02-03') },
  // C6: not a case (rejected), no department.
  { n: 6, cat: '0201', grid: URBAN, state: 'rejected', created: d('2024-01-15') },
  // C7: received in December, closed and rated in January.
  { n: 7, cat: '0201', grid: URBAN, dept: 'zfj', state: 'closed', created: d('2023-12-28'), accepted: d('2023-12-28', 11), dispatched: d('2023-12-29'), response: 100, closed: d('2024-01-02'), rated: d('2024-01-02', 15), rating: 'satisfied' },
  // C8: February, started exactly at the response limit, closed unrated.
  { n: 8, cat: '0404', grid: RURAL, dept: 'slj', state: 'closed', created: d('2024-02-10'), accepted: d('2024-02-10', 11), dispatched: d('2024-02-10', 12), response: 7200, closed: d('2024-02-12') },
];

before(async () => {
  s = await startServer({ demo: true });
  const v = (x) => (x === undefined || x === null ? 'NULL' : typeof x === 'number' ? String(x) : `'${x}'`);
  for (const c of fixture) {
    const cat = `(SELECT id FROM categories WHERE code = '${c.cat}')`;
    const dept = c.dept ? `(SELECT id FROM departments WHERE code = '${c.dept}')` : 'NULL';
    sql(`INSERT INTO cases (code, state, category_id, grid_code, description, channel, level, limit_hours,
           dept_id, accepted_at, dispatched_at, started_at, response_s, closed_at, rated_at, rating, overdue_at,
           overdue, rework_count, escalations, supervised, created_at, updated_at)
         VALUES ('FIX2024000${c.n}', '${c.state}', ${cat}, '${c.grid}', '测试案例 C${c.n}', 'phone', 'grid', 8,
           ${dept}, ${v(c.accepted)}, ${v(c.dispatched)}, ${c.response ? c.dispatched + 60 : 'NULL'}, ${v(c.response)},
           ${v(c.closed)}, ${v(c.rated)}, ${v(c.rating)}, ${v(c.overdue)}, ${c.overdue ? 1 : 0}, ${c.rework || 0},
           ${(c.events || []).filter((e) => e[0] === 'escalate').length}, ${(c.events || []).some((e) => e[0] === 'supervise') ? 1 : 0},
           ${c.created}, ${c.created})`);
    for (const [action, at] of c.events || []) {
      sql(`INSERT INTO case_events (case_id, at, action, from_state, to_state) SELECT id, ${at}, '${action}', '${c.state}', '${c.state}' FROM cases WHERE code = 'FIX2024000${c.n}'`);
    }
  }
});
after(async () => { await s.cleanup(); });

const COUNTS = ['received', 'accepted', 'dispatched', 'responded', 'closed', 'closed_on_time', 'due', 'solved', 'rated',
  'satisfied', 'basically_satisfied', 'dissatisfied', 'reworked', 'escalations', 'supervised'];
const counts = (row) => Object.fromEntries(COUNTS.map((k) => [k, row[k]]));
const rates = (row) => ({ response_rate: row.response_rate, on_time_rate: row.on_time_rate, solve_rate: row.solve_rate, satisfaction: row.satisfaction, rework_rate: row.rework_rate });
const r4 = (x) => Math.round(x * 1e4) / 1e4;

test('January: every count and rate as worked out by hand, with cases crossing both month boundaries', async () => {
  const leader = await as('leader');
  const k = ok(await leader.get(`/api/v1/stats/kpis?${q(JAN)}`));
  // received C1-C6; accepted and dispatched C1-C5 (C7 was December's);
  // responded within 2 h: C1, C3, C5; closed in January: C1, C2, C7, of
  // which on time C1, C7; due: those 3 + C4 and C5 (red in January, open at
  // its end); solved: C1, C7 (C2 was 不满意); rated C1, C2, C7; reworked C2;
  // escalations C2, C4; supervised C2.
  assert.deepEqual(counts(k.total), {
    received: 6, accepted: 5, dispatched: 5, responded: 3, closed: 3, closed_on_time: 2, due: 5, solved: 2, rated: 3,
    satisfied: 2, basically_satisfied: 0, dissatisfied: 1, reworked: 1, escalations: 2, supervised: 1,
  });
  assert.deepEqual(rates(k.total), { response_rate: 0.6, on_time_rate: 0.4, solve_rate: r4(2 / 3), satisfaction: r4(2 / 3), rework_rate: r4(1 / 3) });
  assert.equal(k.from, JAN.from);
});

test('February, and an empty month with no figure rather than a division by zero', async () => {
  const leader = await as('leader');
  const feb = ok(await leader.get(`/api/v1/stats/kpis?${q(FEB)}`)).total;
  // received C8; closed C3, C5, C8 (C5 late); due = those 3 (C4 went red in
  // January, not February); C8 started exactly at the limit: responded.
  assert.deepEqual(counts(feb), {
    received: 1, accepted: 1, dispatched: 1, responded: 1, closed: 3, closed_on_time: 2, due: 3, solved: 3, rated: 1,
    satisfied: 0, basically_satisfied: 1, dissatisfied: 0, reworked: 0, escalations: 0, supervised: 0,
  });
  assert.deepEqual(rates(feb), { response_rate: 1, on_time_rate: r4(2 / 3), solve_rate: 1, satisfaction: 1, rework_rate: 0 });
  const empty = ok(await leader.get(`/api/v1/stats/kpis?${q({ from: '2023-06-01T00:00:00+08:00', to: '2023-07-01T00:00:00+08:00' })}&by=department`));
  assert.ok(COUNTS.every((c) => empty.total[c] === 0));
  assert.deepEqual(rates(empty.total), { response_rate: null, on_time_rate: null, solve_rate: null, satisfaction: null, rework_rate: null });
  assert.deepEqual(empty.items, []);
});

test('January by department, town, top-level category and channel', async () => {
  const leader = await as('leader');
  const zfj = sql(`SELECT id FROM departments WHERE code = 'zfj'`), slj = sql(`SELECT id FROM departments WHERE code = 'slj'`);
  const by = async (key, extra = '') => Object.fromEntries(ok(await leader.get(`/api/v1/stats/kpis?${q(JAN)}&by=${key}${extra}`)).items.map((i) => [i.key, i]));
  const dept = await by('department');
  assert.deepEqual(counts(dept[zfj]), {
    received: 3, accepted: 3, dispatched: 3, responded: 2, closed: 3, closed_on_time: 2, due: 3, solved: 2, rated: 3,
    satisfied: 2, basically_satisfied: 0, dissatisfied: 1, reworked: 1, escalations: 1, supervised: 1,
  });
  assert.deepEqual(counts(dept[slj]), {
    received: 2, accepted: 2, dispatched: 2, responded: 1, closed: 0, closed_on_time: 0, due: 2, solved: 0, rated: 0,
    satisfied: 0, basically_satisfied: 0, dissatisfied: 0, reworked: 0, escalations: 1, supervised: 0,
  });
  assert.deepEqual(rates(dept[slj]), { response_rate: 0.5, on_time_rate: 0, solve_rate: null, satisfaction: null, rework_rate: null });
  assert.equal(dept['0'].name, '未派遣');
  assert.equal(dept['0'].received, 1);
  assert.match(dept[zfj].name, /综合行政执法局/);
  const towns = await by('region', '&region=379901000000');
  assert.deepEqual(Object.keys(towns).sort(), ['379901001', '379901101']);
  assert.equal(towns['379901001'].name, '临河街道');
  assert.equal(towns['379901001'].received, 3); // C1, C2, C6
  assert.equal(towns['379901101'].received, 3); // C3, C4, C5
  const grids = await by('region', '&region=379901101201');
  assert.deepEqual(Object.keys(grids), [RURAL]);
  assert.equal(grids[RURAL].name, '石桥村第一网格');
  const cats = await by('category');
  assert.equal(cats['02'].received, 4);
  assert.equal(cats['02'].name, '城市管理');
  assert.equal(cats['04'].received, 2);
  const channels = await by('channel');
  assert.equal(channels.phone.received, 6);
  // Narrowing by department and by category agrees with the breakdowns.
  assert.equal(ok(await leader.get(`/api/v1/stats/kpis?${q(JAN)}&dept_id=${slj}`)).total.due, 2);
  assert.equal(ok(await leader.get(`/api/v1/stats/kpis?${q(JAN)}&category=0404`)).total.received, 2);
  for (const [query, field] of [
    [{ ...JAN, by: 'weather' }, 'by'], [{ ...JAN, category: '9999' }, 'category'],
    [{ from: 'yesterday', to: JAN.to }, 'from'], [{ from: JAN.to, to: JAN.from }, 'to'],
  ]) {
    const res = await leader.get(`/api/v1/stats/kpis?${q(query)}`);
    assert.equal(res.status, 400, JSON.stringify(query));
    assert.equal(res.json.error.field, field);
  }
});

test('scope: a town sees its own cases counted, a department its own, a resident none', async () => {
  const linhe = ok(await (await as('linhe.dispatcher')).get(`/api/v1/stats/kpis?${q(JAN)}`)).total;
  assert.equal(linhe.received, 3); // C1, C2, C6 are 临河街道's
  const rsj = ok(await (await as('rsj.head')).get(`/api/v1/stats/kpis?${q(JAN)}`)).total;
  assert.equal(rsj.received, 0, 'the labour bureau handled none of these');
  assert.equal((await (await as('jm01')).get(`/api/v1/stats/kpis?${q(JAN)}`)).status, 403);
});

test('trend per month over the boundaries, zeros where nothing happened', async () => {
  const t = ok(await (await as('leader')).get(`/api/v1/stats/trends?interval=month&from=${encodeURIComponent('2023-11-01T00:00:00+08:00')}&to=${encodeURIComponent(FEB.to)}`));
  assert.deepEqual(t.items.map((i) => [i.label, i.received, i.closed_on_time, i.closed_late, i.overdue]), [
    ['2023-11', 0, 0, 0, 0],
    ['2023-12', 1, 0, 0, 0],
    ['2024-01', 6, 2, 1, 3],
    ['2024-02', 1, 2, 1, 0],
  ]);
  const days = ok(await (await as('leader')).get('/api/v1/stats/trends'));
  assert.equal(days.items.length, 30);
  const weeks = ok(await (await as('leader')).get('/api/v1/stats/trends?interval=week'));
  assert.equal(weeks.items.length, 12);
  assert.ok(weeks.items.every((w) => new Date(w.start).getUTCDay() === 0), 'weeks start on Monday 00:00 local (Sunday 16:00 UTC)');
});

test('exports: the KPIs and the case list as XLSX read back cell by cell, and the same ledger from the shell', async () => {
  const leader = await as('leader');
  const x = await leader.get(`/api/v1/stats/kpis?${q(JAN)}&by=department&format=xlsx`);
  assert.equal(x.status, 200);
  assert.match(x.headers['content-type'], /spreadsheetml/);
  assert.equal(Number(x.headers['content-length']), x.body.length);
  const book = readXlsx(x.body);
  assert.equal(book.sheet, '考核指标');
  assert.deepEqual(book.rows[0].slice(0, 8), ['名称', '受理量', '立案量', '派遣量', '及时响应量', '结案量', '按期结案量', '应结案量']);
  const zfj = book.rows.find((r) => /综合行政执法局/.test(r[0]));
  assert.deepEqual(zfj.slice(1, 16), [3, 3, 3, 2, 3, 2, 3, 2, 3, 2, 0, 1, 1, 1, 1]);
  assert.deepEqual(zfj.slice(16), ['66.7%', '66.7%', '66.7%', '66.7%', '33.3%']);

  const cases = await leader.get(`/api/v1/cases?${q(JAN)}&format=xlsx`);
  const sheet = readXlsx(cases.body);
  assert.equal(sheet.sheet, '案件台账');
  assert.equal(sheet.rows[0][0], '编号');
  const codes = sheet.rows.slice(1).map((r) => r[0]).sort();
  assert.deepEqual(codes, ['FIX20240001', 'FIX20240002', 'FIX20240003', 'FIX20240004', 'FIX20240005', 'FIX20240006']);
  const c2 = sheet.rows.find((r) => r[0] === 'FIX20240002');
  assert.deepEqual([c2[1], c2[2], c2[10], c2[12], c2[14]], ['已结案', '占道经营', '是', 1, '不满意']);

  const csv = await leader.get(`/api/v1/cases?${q(JAN)}&format=csv`);
  assert.equal(Number(csv.headers['content-length']), csv.body.length);
  assert.equal(csv.body.toString('utf8').trim().split('\r\n').length, 7);

  const file = join(s.dir, 'jan.xlsx');
  const r = runCli(['export', 'cases', '--db', s.db, '--from', '2024-01-01', '--to', '2024-02-01', '--out', file]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(readXlsx(file).rows.slice(1).map((row) => row[0]).sort(), codes);
  assert.equal(runCli(['export', 'cases', '--db', s.db, '--out', join(s.dir, 'x.pdf')]).code, 2);
});

test('the demo\'s market street vending is a hotspot this week; 石桥村\'s lights keep failing', async () => {
  const leader = await as('leader');
  const hot = ok(await leader.get('/api/v1/stats/hotspots'));
  const market = hot.items.find((h) => h.key === '379901001002002');
  assert.ok(market, JSON.stringify(hot.items.slice(0, 3)));
  assert.ok(market.hot && market.count >= 9 && market.score >= 2);
  const cells = ok(await leader.get('/api/v1/stats/hotspots?by=cell&all=1'));
  assert.ok(cells.items.length > 0 && cells.items.every((c) => c.kind === 'cell' && c.center.lat > 36.6 && c.center.lat < 36.8));
  const rec = ok(await leader.get('/api/v1/stats/recurring'));
  const lights = rec.items.find((x) => x.key === '379901101201003' && x.category.code === '0401');
  assert.ok(lights && lights.count >= 5, JSON.stringify(rec.items.slice(0, 3)));
  assert.match(lights.latest.code, /^379901\d{12}$/);
  assert.equal((await leader.get('/api/v1/stats/hotspots?by=street')).status, 400);
});

test('the dashboard is one request, scoped, and agrees with the lists', async () => {
  const leader = await as('leader');
  const dash = ok(await leader.get('/api/v1/dashboard'));
  for (const k of ['kpis', 'previous', 'departments', 'trend', 'open', 'grids', 'hotspots', 'activity']) assert.ok(k in dash, k);
  assert.equal(dash.trend.length, 30);
  const summary = ok(await leader.get('/api/v1/cases/summary'));
  assert.equal(dash.open.open, summary.open);
  assert.equal(dash.grids.reduce((n, g) => n + g.open, 0), summary.open, 'every open case is on the map');
  const openOverdue = Number(sql(`SELECT count(*) FROM cases WHERE overdue = 1 AND state IN ('reported', 'accepted', 'dispatched', 'in_progress', 'handled')`));
  assert.equal(dash.grids.reduce((n, g) => n + g.overdue, 0), openOverdue, 'the map shows the open ones that are late');
  assert.ok(dash.hotspots.some((h) => h.code === '379901001002002'));
  assert.ok(dash.activity.households > 4000 && dash.activity.visit_coverage > 0);
  const linhe = ok(await (await as('linhe.dispatcher')).get('/api/v1/dashboard'));
  assert.ok(linhe.grids.every((g) => g.code.startsWith('379901001')));
  assert.ok(linhe.activity.households < dash.activity.households);
  assert.equal((await (await as('jm01')).get('/api/v1/dashboard')).status, 403);
});

test('while a window runs, the dashboard compares it with the same stretch of the one before', async () => {
  const leader = await as('leader');
  const DAY = 86400e3;
  const now = Date.now();
  const from = new Date(now - 10 * DAY), to = new Date(now + 20 * DAY);
  const dash = ok(await leader.get(`/api/v1/dashboard?${q({ from: from.toISOString(), to: to.toISOString() })}`));
  const pf = Date.parse(dash.previous_from), pt = Date.parse(dash.previous_to);
  assert.equal(pf, Math.floor(from.getTime() / 1000) * 1000 - 30 * DAY);
  assert.ok(Math.abs(pt - pf - (now - from.getTime())) < 5000, 'ten days of the thirty before, not all of them');
  const kpis = ok(await leader.get(`/api/v1/stats/kpis?${q({ from: dash.previous_from, to: dash.previous_to })}`));
  assert.equal(dash.previous.received, kpis.items[0].received);
  assert.ok(dash.previous.received > 0 && dash.previous.received < dash.kpis.received * 2);
  // A window that has ended is compared whole.
  const jan = ok(await leader.get(`/api/v1/dashboard?${q(JAN)}`));
  assert.equal(Date.parse(jan.previous_to), Date.parse(JAN.from));
  assert.equal(Date.parse(jan.previous_from), Date.parse(JAN.from) - 31 * DAY);
});

test('the public board needs no sign-in and carries nothing personal', async () => {
  const page = ok(await s.anon.get('/api/v1/public/board?limit=5'));
  assert.equal(page.items.length, 5);
  for (const it of page.items) {
    assert.deepEqual(Object.keys(it).sort(), ['category', 'closed_on', 'code', 'days_taken', 'dept', 'grid', 'on_time', 'rating', 'rating_zh', 'village']);
  }
  const next = ok(await s.anon.get(`/api/v1/public/board?limit=5&cursor=${page.next_cursor}`));
  assert.ok(!next.items.some((i) => page.items.some((p) => p.code === i.code)), 'the cursor moves on');
  assert.equal(page.months.length, 6);
  assert.ok(page.months[0].departments.length > 0);
  assert.equal((await s.anon.get('/api/v1/public/board?cursor=zz')).status, 400);
});

test('/metrics speaks Prometheus: per-route counters, latency histograms, gauges from the database', async () => {
  const leader = await as('leader');
  await leader.get('/api/v1/dashboard');
  const text = (await s.anon.get('/metrics')).text;
  assert.match(text, /# TYPE gridline_http_requests_total counter/);
  assert.match(text, /gridline_http_requests_total\{method="GET",route="\/api\/v1\/dashboard",code="2xx"\} [1-9]/);
  assert.match(text, /gridline_http_request_duration_seconds_bucket\{method="GET",route="\/api\/v1\/dashboard",le="\+Inf"\} [1-9]/);
  assert.match(text, /gridline_db_transaction_duration_seconds_count\{mode="read"\} [1-9]/);
  const closed = Number(sql(`SELECT count(*) FROM cases WHERE state = 'closed'`));
  assert.match(text, new RegExp(`gridline_cases\\{state="closed"\\} ${closed}\\n`));
  assert.match(text, /gridline_outbox_backlog \d+/);
  assert.match(text, /gridline_up 1/);
});
