// The outbox: notifications reach the webhook (an SMS gateway) signed with
// HMAC-SHA256, a failed delivery is retried until the receiver takes it,
// and a change that did not commit sends nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { startServer, login, DEMO_PASSWORD } from './lib/server.mjs';

const SECRET = 'gateway-shared-secret';
let s;
let hook;
const got = [];
let failFirst = 2;
before(async () => {
  hook = http.createServer((req, res) => {
    const parts = [];
    req.on('data', (c) => parts.push(c));
    req.on('end', () => {
      const body = Buffer.concat(parts).toString();
      const fail = failFirst-- > 0;
      got.push({ headers: req.headers, body, status: fail ? 503 : 200 });
      res.writeHead(fail ? 503 : 200).end();
    });
  });
  await new Promise((r) => hook.listen(0, '127.0.0.1', r));
  s = await startServer({
    demo: true,
    env: { GRIDLINE_WEBHOOK_URL: `http://127.0.0.1:${hook.address().port}/sms`, GRIDLINE_WEBHOOK_SECRET: SECRET },
    args: ['--webhook-retry', '1'],
  });
});
after(async () => { await s.cleanup(); hook.close(); });

const sql = (q) => execFileSync('sqlite3', [s.db, q], { encoding: 'utf8' }).trim();
const until = async (what, fn, ms = 15000) => {
  const end = Date.now() + ms;
  while (Date.now() < end) { if (fn()) return; await new Promise((r) => setTimeout(r, 100)); }
  throw new Error(`timed out waiting for ${what}`);
};

test('a dispatch reaches the gateway signed; failures are retried until taken', async () => {
  const gw = await login(s.url, 'gw01', DEMO_PASSWORD);
  const disp = await login(s.url, 'dispatcher', DEMO_PASSWORD);
  let k = (await gw.post('/api/v1/cases', { category: '0101', description: '农民工工资被拖欠', grid_code: '379901001001001' })).json;
  k = (await disp.post(`/api/v1/cases/${k.id}/accept`, { if_version: k.version })).json;
  const before = Number(sql('SELECT count(*) FROM outbox'));
  const stale = await disp.post(`/api/v1/cases/${k.id}/dispatch`, { if_version: k.version - 1 });
  assert.equal(stale.status, 409);
  assert.equal(Number(sql('SELECT count(*) FROM outbox')), before, 'a refused change writes no outbox row');
  k = (await disp.post(`/api/v1/cases/${k.id}/dispatch`, { if_version: k.version })).json;
  const rows = Number(sql(`SELECT count(*) FROM outbox WHERE payload LIKE '%"case_id":${k.id}%'`));
  assert.ok(rows >= 2, 'the head and the staff of the labour bureau');
  const all = Number(sql('SELECT count(*) FROM outbox'));
  await until('every row delivered', () => sql('SELECT count(*) FROM outbox WHERE sent_at IS NULL') === '0');
  const taken = got.filter((g) => g.status === 200);
  assert.equal(taken.length, all, 'each row taken exactly once');
  assert.equal(got.length, all + 2, 'two refusals, then retries');
  for (const g of got) {
    const want = crypto.createHmac('sha256', SECRET).update(g.body).digest('hex');
    assert.equal(g.headers['x-gridline-signature'], `sha256=${want}`);
    assert.equal(g.headers['content-type'], 'application/json');
  }
  const dispatched = taken.map((g) => JSON.parse(g.body)).filter((b) => b.data.case_id === k.id && b.data.kind === 'dispatched');
  assert.ok(dispatched.length >= 2);
  assert.match(dispatched[0].data.title, /新派遣案件/);
  assert.equal(String(dispatched[0].id), got.find((g) => JSON.parse(g.body).id === dispatched[0].id).headers['x-gridline-delivery']);
  const retried = sql("SELECT count(*) FROM outbox WHERE attempts > 1 AND last_error LIKE '%503%'");
  assert.ok(Number(retried) >= 1, 'the refused rows were tried again');
});
