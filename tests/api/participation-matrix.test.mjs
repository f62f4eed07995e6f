// Every role against the participation endpoints, in scope and out, with
// the exact status: who may read and record opinions, decide on them, open
// and vote in polls, publish commitments, log visits, see coverage and
// rankings, change the points rules and open evaluations. 404 where the
// caller may not learn a thing exists, 403 where their role or scope
// cannot act, 401 without a session.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startServer, login, DEMO_PASSWORD } from './lib/server.mjs';

const USERS = ['admin', 'linhe.admin', 'leader', 'dispatcher', 'linhe.dispatcher', 'supervisor', 'auditor',
  'rsj.head', 'rsj.staff', 'linhe.agent', 'shiqiao.agent', 'gw01', 'dy01', 'jm01'];
const GRID = '379901001001001'; // 福安社区第一网格
const FUAN = '379901001001';
const LINHE = '379901001000';

let s;
const as = {};
const ids = { opinion: {} };
const soon = new Date(Date.now() + 86400e3).toISOString();
before(async () => {
  s = await startServer({ demo: true, admin: false });
  for (const u of USERS) as[u] = await login(s.url, u, DEMO_PASSWORD);
  as.anon = s.anon;
  const q = (sql) => execFileSync('sqlite3', [s.db, sql], { encoding: 'utf8' }).trim();
  ids.hhLinked = Number(q(`SELECT min(household_id) FROM party_links l JOIN households h ON h.id = l.household_id WHERE h.grid_code = '${GRID}'`));
  // One opinion per caller to decide on, so each sees it in the state it was written.
  for (const u of [...USERS, 'anon']) {
    const o = await as.gw01.post('/api/v1/opinions', { channel: 'visit', category: 'environment', region_code: GRID, body: `楼道堆放杂物（${u}）` });
    ids.opinion[u] = o.json;
  }
  const poll = await as.leader.post('/api/v1/polls', { title: '福安社区口袋公园选址', region_code: FUAN, closes_at: soon, options: ['东门空地', '北侧绿地'] });
  ids.poll = poll.json;
  ids.rule = (await as.admin.get('/api/v1/points/rules')).json.items.find((r) => r.code === 'errand_confirmed');
});
after(async () => { await s.cleanup(); });

const allow = (list, yes, rest) => Object.fromEntries(USERS.map((u) => [u, list.includes(u) ? yes : rest]));
const OPINION_READERS = ['admin', 'linhe.admin', 'leader', 'dispatcher', 'linhe.dispatcher', 'supervisor', 'auditor',
  'linhe.agent', 'shiqiao.agent', 'gw01', 'dy01', 'jm01'];
const VISIT_READERS = ['admin', 'linhe.admin', 'leader', 'dispatcher', 'linhe.dispatcher', 'supervisor', 'auditor',
  'linhe.agent', 'shiqiao.agent', 'gw01', 'dy01'];
const n = (u) => USERS.indexOf(u) + 1;

const matrix = [
  ['list opinions', 'GET', () => '/api/v1/opinions', null, allow(OPINION_READERS, 200, 403)],
  ['opinion counts', 'GET', () => '/api/v1/opinions/stats', null, allow(OPINION_READERS, 200, 403)],
  ['record opinion in gw01\'s grid', 'POST', () => '/api/v1/opinions',
    (u) => (u === 'jm01' ? { category: 'other', body: '网上留言' } : { channel: 'visit', category: 'other', body: '走访听到的', region_code: GRID }),
    allow(['leader', 'dispatcher', 'linhe.dispatcher', 'linhe.agent', 'gw01', 'dy01', 'jm01'], 201, 403)],
  ['record opinion in 石桥', 'POST', () => '/api/v1/opinions',
    (u) => ({ ...(u === 'jm01' ? {} : { channel: 'phone' }), category: 'other', body: '电话反映', region_code: '379901101201001' }),
    allow(['leader', 'dispatcher', 'shiqiao.agent'], 201, 403)],
  ['read an opinion in 福安', 'GET', () => `/api/v1/opinions/${ids.opinion.admin.id}`, null,
    { ...allow(OPINION_READERS, 200, 403), 'shiqiao.agent': 404, jm01: 404 }],
  ['reply to an opinion in 福安', 'POST', (u) => `/api/v1/opinions/${ids.opinion[u].id}/reply`,
    (u) => ({ if_version: ids.opinion[u].version, reply: '已安排物业清理' }),
    { ...allow(['leader', 'dispatcher', 'linhe.dispatcher'], 200, 403), 'shiqiao.agent': 404, 'rsj.head': 404, 'rsj.staff': 404, jm01: 404 }],

  ['list polls', 'GET', () => '/api/v1/polls', null, allow(USERS, 200)],
  ['open a poll in 临河', 'POST', () => '/api/v1/polls', () => ({ title: '临河街道微实事', region_code: LINHE, closes_at: soon, options: ['甲', '乙'] }),
    allow(['admin', 'linhe.admin', 'leader'], 201, 403)],
  ['open a poll in 石桥', 'POST', () => '/api/v1/polls', () => ({ title: '石桥镇微实事', region_code: '379901101000', closes_at: soon, options: ['甲', '乙'] }),
    allow(['admin', 'leader'], 201, 403)],
  ['vote in 福安\'s poll', 'POST', () => `/api/v1/polls/${ids.poll.id}/votes`, () => ({ option_ids: [ids.poll.options[0].id] }),
    allow(['jm01'], 201, 403)],

  ['list commitments', 'GET', () => '/api/v1/commitments', null, allow(USERS, 200)],
  ['publish a commitment in 临河', 'POST', () => '/api/v1/commitments',
    () => ({ title: '福安社区加装电梯', content: '年内完成3部', owner_dept_id: 1, region_code: FUAN, due_date: '2099-12-31' }),
    allow(['admin', 'linhe.admin', 'leader'], 201, 403)],

  ['list visits', 'GET', () => '/api/v1/visits', null, allow(VISIT_READERS, 200, 403)],
  ['log a visit to a household linked to dy01', 'POST', () => '/api/v1/visits',
    () => ({ household_id: ids.hhLinked, heard: '一切安好' }),
    allow(['leader', 'dispatcher', 'linhe.dispatcher', 'linhe.agent', 'gw01', 'dy01'], 201, 403)],
  ['coverage of 福安社区', 'GET', () => `/api/v1/visits/coverage?region=${FUAN}`, null,
    allow(['admin', 'linhe.admin', 'leader', 'dispatcher', 'linhe.dispatcher', 'supervisor', 'auditor', 'linhe.agent'], 200, 403)],

  ['ranking of 临河街道', 'GET', () => `/api/v1/points/ranking?region=${LINHE}`, null,
    allow(['admin', 'linhe.admin', 'leader', 'dispatcher', 'linhe.dispatcher', 'supervisor', 'auditor', 'linhe.agent'], 200, 403)],
  ['points rules', 'GET', () => '/api/v1/points/rules', null, allow(USERS, 200)],
  ['change a points rule', 'PUT', () => '/api/v1/points/rules/errand_confirmed', (u) => ({ points: n(u), if_version: ids.rule.version }),
    allow(['admin'], 200, 403)],

  ['list evaluations', 'GET', () => '/api/v1/evaluations', null, allow(USERS, 200)],
  ['open an evaluation in 临河', 'POST', () => '/api/v1/evaluations',
    () => ({ title: '临河街道年度评议', region_code: LINHE, year: 2026, closes_at: soon, targets: [{ dept_id: 1 }] }),
    allow(['admin', 'linhe.admin', 'leader'], 201, 403)],
];

test('participation: role x endpoint x scope', async () => {
  const wrong = [];
  let checked = 0;
  for (const [label, method, path, body, expect] of matrix) {
    for (const u of [...USERS, 'anon']) {
      const want = u === 'anon' ? 401 : expect[u];
      const b = body ? body(u) : undefined;
      const res = await as[u].request(method, path(u), b === undefined ? {} : { body: b });
      checked++;
      if (res.status !== want) wrong.push(`${label} as ${u}: ${res.status} (want ${want}) ${res.text.slice(0, 120)}`);
      else if (want >= 400) assert.ok(res.json?.error?.code, `${label} as ${u}: uniform error body`);
    }
  }
  assert.deepEqual(wrong, []);
  assert.ok(checked >= 300, `${checked} checks`);
});

test('opinion and visit lists show only what is in scope', async () => {
  const sq = (await as['shiqiao.agent'].get('/api/v1/opinions?limit=200')).json.items;
  assert.ok(sq.every((o) => o.region.code.startsWith('379901101')));
  const narrowed = (await as['linhe.dispatcher'].get('/api/v1/opinions?region=379901101000')).json.items;
  assert.deepEqual(narrowed, [], 'narrowing cannot widen the scope');
  const gw = (await as.gw01.get('/api/v1/visits?limit=200')).json.items;
  assert.ok(gw.length > 0 && gw.every((v) => v.grid.code === GRID));
  assert.deepEqual((await as['shiqiao.agent'].get(`/api/v1/visits?region=${FUAN}`)).json.items, []);
});
