// The first vertical slice: case categories stored, validated, listed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';

let s;
before(async () => { s = await startServer(); });
after(async () => { await s.cleanup(); });

const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$/;

test('create a top-level category and read it back', async () => {
  const res = await s.post('/api/v1/categories', { code: '01', name_zh: '劳动保障', name_en: 'Labour', time_limit_hours: 40 });
  assert.equal(res.status, 201, res.text);
  const c = res.json;
  assert.equal(c.code, '01');
  assert.equal(c.parent_id, null);
  assert.equal(c.parent_code, null);
  assert.equal(c.name_zh, '劳动保障');
  assert.equal(c.name_en, 'Labour');
  assert.equal(c.time_limit_hours, 40);
  assert.equal(c.active, true);
  assert.equal(c.version, 1);
  assert.match(c.created_at, RFC3339);
  assert.equal(c.updated_at, c.created_at);
  const got = await s.get(`/api/v1/categories/${c.id}`);
  assert.equal(got.status, 200);
  assert.deepEqual(got.json, c);
});

test('a sub-category inherits its parent\'s time limit unless given', async () => {
  const a = await s.post('/api/v1/categories', { code: '0101', parent_code: '01', name_zh: '拖欠工资' });
  assert.equal(a.status, 201, a.text);
  assert.equal(a.json.time_limit_hours, 40);
  assert.equal(a.json.parent_code, '01');
  const b = await s.post('/api/v1/categories', { code: '0102', parent_code: '01', name_zh: '社保缴纳', time_limit_hours: 16, active: false });
  assert.equal(b.status, 201, b.text);
  assert.equal(b.json.time_limit_hours, 16);
  assert.equal(b.json.active, false);
});

test('the list is ordered by code and filters by parent', async () => {
  await s.post('/api/v1/categories', { code: '02', name_zh: '城市管理', time_limit_hours: 24 });
  await s.post('/api/v1/categories', { code: '0201', parent_code: '02', name_zh: '占道经营' });
  const all = await s.get('/api/v1/categories');
  assert.equal(all.status, 200);
  assert.deepEqual(all.json.items.map((c) => c.code), ['01', '0101', '0102', '02', '0201']);
  const sub = await s.get('/api/v1/categories?parent=01');
  assert.deepEqual(sub.json.items.map((c) => c.code), ['0101', '0102']);
  const none = await s.get('/api/v1/categories?parent=09');
  assert.deepEqual(none.json.items, []);
});

test('rules: code shape, parent existence, two levels, uniqueness', async () => {
  const cases = [
    [{ code: '1', name_zh: 'x', time_limit_hours: 1 }, 422, 'invalid_value', 'code'],
    [{ code: '00', name_zh: 'x', time_limit_hours: 1 }, 422, 'invalid_value', 'code'],
    [{ code: '0301', parent_code: '01', name_zh: 'x' }, 422, 'invalid_value', 'code'],
    [{ code: '0101', name_zh: 'x', time_limit_hours: 1 }, 422, 'invalid_value', 'code'],
    [{ code: '0901', parent_code: '09', name_zh: 'x' }, 422, 'invalid_value', 'parent_code'],
    [{ code: '01', name_zh: '重复', time_limit_hours: 8 }, 409, 'conflict', 'code'],
    [{ code: '0101', parent_code: '01', name_zh: '重复' }, 409, 'conflict', 'code'],
  ];
  for (const [body, status, code, field] of cases) {
    const res = await s.post('/api/v1/categories', body);
    assert.equal(res.status, status, `${JSON.stringify(body)} -> ${res.text}`);
    assert.equal(res.json.error.code, code);
    assert.equal(res.json.error.field, field);
  }
  const count = (await s.get('/api/v1/categories')).json.items.length;
  assert.equal(count, 5);
});

test('unknown and malformed ids are 404', async () => {
  for (const p of ['/api/v1/categories/999999', '/api/v1/categories/abc', '/api/v1/categories/0', '/api/v1/categories/-1', '/api/v1/categories/1x']) {
    const res = await s.get(p);
    assert.equal(res.status, 404, p);
    assert.equal(res.json.error.code, 'not_found');
  }
});

test('concurrent creates of one code: exactly one wins', async () => {
  const tries = await Promise.all(Array.from({ length: 12 }, (_, i) =>
    s.post('/api/v1/categories', { code: '05', name_zh: `民政救助${i}`, time_limit_hours: 80 })));
  const statuses = tries.map((r) => r.status).sort();
  assert.equal(statuses.filter((x) => x === 201).length, 1, statuses.join(','));
  assert.equal(statuses.filter((x) => x === 409).length, 11, statuses.join(','));
  const list = await s.get('/api/v1/categories');
  assert.equal(list.json.items.filter((c) => c.code === '05').length, 1);
});

test('accepted writes survive a restart', async () => {
  const before = (await s.get('/api/v1/categories')).json.items;
  const { code } = await s.stop();
  assert.equal(code, 0);
  const again = await startServer({ init: false, dir: s.dir, db: s.db, admin: true });
  try {
    const after = (await again.get('/api/v1/categories')).json.items;
    assert.deepEqual(after, before);
  } finally {
    await again.stop();
  }
});

test('the demo database carries a realistic two-level catalogue', async () => {
  const demo = await startServer({ demo: true });
  try {
    const items = (await demo.get('/api/v1/categories')).json.items;
    assert.ok(items.length >= 30, `${items.length} categories`);
    const wages = items.find((c) => c.code === '0101');
    assert.equal(wages.name_zh, '拖欠工资');
    assert.equal(wages.parent_code, '01');
    for (const c of items) {
      assert.match(c.name_zh, /[\u4e00-\u9fff]/);
      if (c.parent_code) assert.ok(c.code.startsWith(c.parent_code));
    }
  } finally {
    await demo.cleanup();
  }
});
