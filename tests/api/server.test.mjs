// The server as a process: health, readiness, the API description, the
// web app, logs, configuration precedence, refusals at start, and a
// graceful drain on SIGTERM.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { writeFileSync, existsSync, readdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { startServer, runCli, tempDir } from './lib/server.mjs';

// The schema version a fresh database reaches: one per migration file.
const SCHEMA = readdirSync(new URL('../../db/migrations/sqlite/', import.meta.url)).filter((f) => f.endsWith('.sql')).length;

test('healthz, readyz and the web app answer', async () => {
  const s = await startServer();
  try {
    const h = await s.get('/healthz');
    assert.equal(h.status, 200);
    assert.deepEqual(h.json, { status: 'ok' });
    const r = await s.get('/readyz');
    assert.equal(r.status, 200);
    assert.equal(r.json.status, 'ready');
    assert.equal(r.json.schema, SCHEMA);
    const page = await s.get('/');
    assert.equal(page.status, 200);
    assert.match(page.headers['content-type'], /^text\/html/);
    assert.match(page.headers['content-security-policy'], /default-src 'self'/);
    assert.match(page.text, /lang="zh-CN"/);
    const js = await s.get('/app.js');
    assert.match(js.headers['content-type'], /^text\/javascript/);
    const vendor = await s.get('/vendor/hooks.module.js');
    assert.equal(vendor.status, 200);
    assert.doesNotMatch(vendor.text, /from\s*"preact"/); // rewritten to a relative import
    const deep = await s.get('/desk/cases');
    assert.equal(deep.status, 200); // the app's own router takes extensionless paths
    const missing = await s.get('/nope.png');
    assert.equal(missing.status, 404);
  } finally {
    await s.cleanup();
  }
});

test('openapi.json describes every route from the route table', async () => {
  const s = await startServer();
  try {
    const doc = (await s.get('/api/v1/openapi.json')).json;
    assert.equal(doc.openapi, '3.0.3');
    assert.deepEqual(Object.keys(doc.paths).sort(), [
      '/api/v1/calendar', '/api/v1/calendar/days/{day}', '/api/v1/calendar/hours',
      '/api/v1/cases', '/api/v1/cases/summary', '/api/v1/cases/{id}', '/api/v1/cases/{id}/photos',
      '/api/v1/cases/{id}/photos/{photo_id}', '/api/v1/cases/{id}/{action}',
      '/api/v1/categories', '/api/v1/categories/{id}', '/api/v1/departments', '/api/v1/departments/{id}',
      '/api/v1/errands', '/api/v1/errands/ledger', '/api/v1/errands/{id}', '/api/v1/errands/{id}/signature',
      '/api/v1/errands/{id}/{action}', '/api/v1/events',
      '/api/v1/grids', '/api/v1/grids/import', '/api/v1/grids/locate', '/api/v1/grids/{code}', '/api/v1/grids/{code}/card', '/api/v1/households',
      '/api/v1/households/{id}', '/api/v1/households/{id}/links', '/api/v1/households/{id}/links/{user_id}', '/api/v1/me', '/api/v1/me/totp', '/api/v1/me/totp/confirm',
      '/api/v1/notifications', '/api/v1/notifications/read',
      '/api/v1/commitments', '/api/v1/commitments/{id}', '/api/v1/commitments/{id}/{action}',
      '/api/v1/evaluations', '/api/v1/evaluations/{id}', '/api/v1/evaluations/{id}/ballots',
      '/api/v1/evaluations/{id}/close', '/api/v1/evaluations/{id}/results',
      '/api/v1/opinions', '/api/v1/opinions/stats', '/api/v1/opinions/{id}', '/api/v1/opinions/{id}/{action}',
      '/api/v1/points/ranking', '/api/v1/points/rules', '/api/v1/points/rules/{code}',
      '/api/v1/polls', '/api/v1/polls/{id}', '/api/v1/polls/{id}/close', '/api/v1/polls/{id}/results',
      '/api/v1/polls/{id}/votes', '/metrics', '/api/v1/public/board', '/api/v1/dashboard',
      '/api/v1/stats/kpis', '/api/v1/stats/trends', '/api/v1/stats/hotspots', '/api/v1/stats/recurring',
      '/api/v1/visits', '/api/v1/visits/coverage', '/api/v1/visits/{id}', '/api/v1/visits/{id}/{action}',
      '/api/v1/openapi.json', '/api/v1/regions', '/api/v1/regions/{code}', '/api/v1/routing-rules', '/api/v1/services',
      '/api/v1/services/{id}', '/api/v1/session', '/api/v1/tokens', '/api/v1/users', '/api/v1/users/{id}', '/healthz', '/readyz',
    ].sort());
    assert.deepEqual(Object.keys(doc.paths['/api/v1/session']).sort(), ['delete', 'post']);
    const post = doc.paths['/api/v1/categories'].post;
    assert.ok(post.responses['201']);
    const schema = post.requestBody.content['application/json'].schema;
    assert.equal(schema.additionalProperties, false);
    assert.deepEqual(schema.required, ['code', 'name_zh']);
    assert.equal(schema.properties.name_zh.maxLength, 64);
    assert.equal(schema.properties.time_limit_hours.maximum, 2000);
    assert.equal(doc.paths['/api/v1/categories/{id}'].get.parameters[0].name, 'id');
    // Every documented GET without path parameters really answers (locate
    // needs its query parameters and says so).
    for (const [path, item] of Object.entries(doc.paths)) {
      if (!item.get || path.includes('{') || path === '/api/v1/events') continue; // a stream never ends
      assert.equal((await s.get(path)).status, path.endsWith('/locate') ? 400 : 200, path);
    }
  } finally {
    await s.cleanup();
  }
});

test('one JSON log line per request, without query strings', async () => {
  const s = await startServer();
  try {
    await s.get('/api/v1/categories?parent=01&phone=13812345678');
    await s.post('/api/v1/categories', { nope: 1 });
    await s.anon.get('/api/v1/me');
    await s.stop();
    const lines = s.logs().trim().split('\n').map((l) => JSON.parse(l));
    const reqs = lines.filter((l) => l.component === 'http');
    const get = reqs.find((l) => l.method === 'GET' && l.path === '/api/v1/categories');
    assert.equal(get.status, 200);
    assert.equal(typeof get.duration_ms, 'number');
    assert.equal(get.user, s.admin.user.id);
    assert.equal(reqs.find((l) => l.path === '/api/v1/me').user, null);
    assert.equal(reqs.find((l) => l.method === 'POST' && l.path === '/api/v1/session').status, 201);
    assert.doesNotMatch(s.logs(), /admin-pass-2026/);
    assert.doesNotMatch(s.logs(), new RegExp(s.admin.cookie.split('=')[1]));
    assert.match(get.time, /Z$/);
    assert.equal(reqs.find((l) => l.method === 'POST' && l.path === '/api/v1/categories').status, 400);
    assert.doesNotMatch(s.logs(), /13812345678/);
    assert.ok(lines.some((l) => l.msg === 'shutdown complete'));
  } finally {
    await s.cleanup();
  }
});

test('SIGTERM lets an in-flight upload finish, then exits 0', async () => {
  const s = await startServer();
  try {
    const body = JSON.stringify({ code: '03', name_zh: '环境卫生', time_limit_hours: 24 });
    const done = new Promise((resolve, reject) => {
      const req = http.request(`${s.url}/api/v1/categories`, {
        method: 'POST', agent: false,
        headers: {
          'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body),
          Cookie: s.admin.cookie, 'X-CSRF-Token': s.admin.csrf,
        },
      }, (res) => {
        let text = '';
        res.on('data', (d) => { text += d; });
        res.on('end', () => resolve({ status: res.statusCode, json: JSON.parse(text), headers: res.headers }));
      });
      req.on('error', reject);
      req.write(body.slice(0, 10));
      // The server has the headers; now stop it, then finish the body.
      setTimeout(() => {
        s.proc.kill('SIGTERM');
        setTimeout(() => req.end(body.slice(10)), 300);
      }, 200);
    });
    const res = await done;
    assert.equal(res.status, 201);
    assert.equal(res.json.code, '03');
    assert.equal(res.headers.connection, 'close');
    const { code } = await s.exited;
    assert.equal(code, 0);
    // The accepted write is there after the restart.
    const again = await startServer({ init: false, dir: s.dir, db: s.db });
    const items = (await again.get('/api/v1/categories')).json.items;
    assert.deepEqual(items.map((c) => c.code), ['03']); // and the admin's session survived too
    await again.stop();
  } finally {
    await s.cleanup();
  }
});

test('SIGTERM under load: every answered request is whole, exit 0', async () => {
  const s = await startServer({ demo: true });
  try {
    const results = [];
    let stop = false;
    const worker = async () => {
      while (!stop) {
        try {
          const r = await s.admin.get('/api/v1/categories');
          results.push(r.status === 200 && r.json.items.length > 30 ? 'ok' : `bad ${r.status}`);
        } catch (e) {
          results.push(e.code); // refused once the listener is closed
          if (e.code === 'ECONNREFUSED') return;
        }
      }
    };
    const workers = Array.from({ length: 8 }, worker);
    await new Promise((r) => setTimeout(r, 300));
    s.proc.kill('SIGTERM');
    const { code } = await s.exited;
    stop = true;
    await Promise.all(workers);
    assert.equal(code, 0);
    assert.ok(results.filter((x) => x === 'ok').length > 10, results.slice(0, 20).join(','));
    const other = results.filter((x) => x !== 'ok' && x !== 'ECONNREFUSED' && x !== 'ECONNRESET');
    assert.deepEqual(other, []);
  } finally {
    await s.cleanup();
  }
});

test('serve refuses a missing database and a schema newer than it knows', async () => {
  const dir = tempDir();
  const db = join(dir, 'g.db');
  const r = runCli(['serve', '--db', db, '--listen', '127.0.0.1:0']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /gridline init/);
  assert.equal(existsSync(db), false);

  assert.equal(runCli(['init', '--db', db]).code, 0);
  execFileSync('sqlite3', [db, "INSERT INTO schema_migrations VALUES (999, 'future.sql', 0)"]);
  const newer = runCli(['serve', '--db', db, '--listen', '127.0.0.1:0']);
  assert.equal(newer.code, 1);
  assert.match(newer.stderr, /version 999/);
  const init = runCli(['init', '--db', db]);
  assert.equal(init.code, 1);
});

test('a second server on a port already served refuses to start (it would split the traffic)', async () => {
  const s = await startServer();
  try {
    const port = new URL(s.url).port;
    const other = join(s.dir, 'other.db');
    assert.equal(runCli(['init', '--db', other]).code, 0);
    const r = runCli(['serve', '--db', other, '--listen', `127.0.0.1:${port}`], { timeout: 15000 });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /cannot listen on 127\.0\.0\.1:\d+/);
    assert.equal((await s.get('/healthz')).status, 200, 'the first one still serves');
  } finally {
    await s.cleanup();
  }
});

test('init is idempotent and the demo is written once', async () => {
  const dir = tempDir();
  const db = join(dir, 'g.db');
  const a = runCli(['init', '--db', db, '--demo'], { env: { GRIDLINE_DEMO_PASSWORD: 'demo-pass-2026' } });
  assert.equal(a.code, 0, a.stderr);
  assert.match(a.stdout, new RegExp(`${SCHEMA} migrations applied`));
  assert.match(a.stdout, /demo-pass-2026/);
  assert.match(a.stdout, /gw01/);
  assert.match(a.stdout, /demo data written/);
  const b = runCli(['init', '--db', db, '--demo'], { env: { GRIDLINE_DEMO_PASSWORD: 'demo-pass-2026' } });
  assert.equal(b.code, 0);
  assert.match(b.stdout, /0 migrations applied/);
  assert.match(b.stdout, /already present/);
  const n = execFileSync('sqlite3', [db, 'SELECT count(*) FROM categories'], { encoding: 'utf8' });
  assert.equal(n.trim(), '38');
  const g = execFileSync('sqlite3', [db, 'SELECT count(*) FROM grids'], { encoding: 'utf8' });
  assert.equal(g.trim(), '80');
  const mode = execFileSync('sqlite3', [db, 'PRAGMA journal_mode'], { encoding: 'utf8' });
  assert.equal(mode.trim(), 'wal');
});

test('settings: flag beats environment beats config file', async () => {
  const dir = tempDir();
  const conf = join(dir, 'gridline.conf');
  writeFileSync(conf, '# test config\nutc-offset = +01:00\nlog-level = warn\nmax-body-kb = 2\n');
  const s = await startServer({
    dir, env: { GRIDLINE_CONFIG: conf, GRIDLINE_UTC_OFFSET: '+05:00', GRIDLINE_LOG_LEVEL: 'info' },
    args: ['--utc-offset', '+08:00'],
  });
  try {
    const made = await s.post('/api/v1/categories', { code: '01', name_zh: '劳动保障', time_limit_hours: 4 });
    assert.match(made.json.created_at, /\+08:00$/); // the flag won over env and file
    // max-body-kb came from the file (nothing else set it): 3 KiB is too big.
    const big = await s.post('/api/v1/categories', { code: '02', name_zh: 'x'.repeat(3000), time_limit_hours: 4 });
    assert.equal(big.status, 413);
    assert.match(s.logs(), /"component":"http"/); // env (info) beat the file (warn)
  } finally {
    await s.cleanup();
  }
  const bad = runCli(['serve', '--utc-offset', '8']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /utc-offset/);
  const unknown = runCli(['serve', '--colour', 'red']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown option --colour/);
  const help = runCli(['serve', '--help']);
  assert.equal(help.code, 0);
  for (const k of ['--db', '--listen', 'GRIDLINE_DB', 'GRIDLINE_LISTEN', '--config']) assert.ok(help.stdout.includes(k), k);
});
