// Server-sent events: each committed change reaches the streams of those
// who may see the case, and only theirs; Last-Event-ID resumes; an open
// stream does not hold up shutdown.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startServer, login, DEMO_PASSWORD } from './lib/server.mjs';

let s;
before(async () => { s = await startServer({ demo: true, admin: false }); });
after(async () => { await s.cleanup(); });

// Opens a stream; .events collects {id, event, data}; .close() ends it.
function stream(who, lastId) {
  const events = [];
  let buf = '';
  const headers = { Cookie: who.cookie, Accept: 'text/event-stream' };
  if (lastId) headers['Last-Event-ID'] = String(lastId);
  let res;
  const opened = new Promise((resolve, reject) => {
    const req = http.get(`${s.url}/api/v1/events`, { agent: false, headers }, (r) => {
      res = r;
      r.setEncoding('utf8');
      r.on('data', (d) => {
        buf += d;
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const ev = {};
          for (const line of block.split('\n')) {
            const m = line.match(/^(id|event|data): (.*)$/);
            if (m) ev[m[1]] = m[1] === 'data' ? JSON.parse(m[2]) : m[2];
          }
          if (ev.event) events.push(ev);
        }
      });
      resolve(r);
    });
    req.on('error', reject);
    stream.req = req;
  });
  const st = { events, opened, close: () => res && res.destroy() };
  return st;
}
const until = async (what, fn, ms = 5000) => {
  const end = Date.now() + ms;
  while (Date.now() < end) { if (fn()) return; await new Promise((r) => setTimeout(r, 50)); }
  throw new Error(`timed out waiting for ${what}`);
};

test('changes stream to those who may see the case, and only to them', async () => {
  const county = await login(s.url, 'dispatcher', DEMO_PASSWORD);
  const shiqiao = await login(s.url, 'shiqiao.dispatcher', DEMO_PASSWORD);
  const head = await login(s.url, 'rsj.head', DEMO_PASSWORD);
  const a = stream(county), b = stream(shiqiao), c = stream(head);
  const res = await a.opened;
  await b.opened; await c.opened;
  assert.equal(res.statusCode, 200);
  assert.match(res.headers['content-type'], /^text\/event-stream/);
  const gw = await login(s.url, 'gw01', DEMO_PASSWORD);
  let k = (await gw.post('/api/v1/cases', { category: '0101', description: '欠薪（事件流测试）', grid_code: '379901001001001' })).json;
  await until('the report event', () => a.events.some((e) => e.data.case_id === k.id));
  assert.equal(a.events.at(-1).data.action, 'report');
  assert.equal(a.events.at(-1).data.code, k.code);
  k = (await county.post(`/api/v1/cases/${k.id}/accept`, { if_version: k.version })).json;
  k = (await county.post(`/api/v1/cases/${k.id}/dispatch`, { if_version: k.version })).json;
  await until('the dispatch reaches the department', () => c.events.some((e) => e.data.case_id === k.id && e.data.action === 'dispatch'));
  assert.ok(!c.events.some((e) => e.data.action === 'report' && e.data.case_id === k.id), 'not before it was theirs');
  const other = (await shiqiao.post('/api/v1/cases', { category: '0401', description: '村口路灯不亮', grid_code: '379901101201001', channel: 'phone' })).json;
  await until('the town sees its own', () => b.events.some((e) => e.data.case_id === other.id));
  await new Promise((r) => setTimeout(r, 200));
  assert.ok(!b.events.some((e) => e.data.case_id === k.id), 'the other town never hears of it');
  assert.ok(a.events.some((e) => e.data.case_id === other.id), 'the county hears of both');
  const ids = a.events.map((e) => Number(e.id));
  assert.deepEqual([...ids].sort((x, y) => x - y), ids, 'ids increase');

  // Reconnecting with Last-Event-ID replays what came after.
  a.close();
  const again = stream(county, a.events[0].id);
  await again.opened;
  await until('the replay', () => again.events.length >= a.events.length - 1);
  assert.deepEqual(again.events.map((e) => e.id), a.events.slice(1).map((e) => e.id));
  again.close(); b.close(); c.close();
  assert.equal((await s.anon.get('/api/v1/events')).status, 401);
});

test('an open stream does not hold up a clean shutdown', async () => {
  const county = await login(s.url, 'dispatcher', DEMO_PASSWORD);
  const st = stream(county);
  await st.opened;
  const t0 = Date.now();
  const { code } = await s.stop('SIGTERM');
  assert.equal(code, 0);
  assert.ok(Date.now() - t0 < 5000, `took ${Date.now() - t0} ms`);
});
