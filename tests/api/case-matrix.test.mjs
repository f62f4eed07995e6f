// Every case action from every state for every role: 200 where the role,
// scope and state allow it; 404 where the caller may not see the case;
// 403 where they see it but their role may not take the step; 409
// invalid_transition where the state does not allow it. Expectations come
// from the rules as DESIGN.md states them, written out here by hand.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, login, DEMO_PASSWORD } from './lib/server.mjs';

const GRID1 = '379901001001001';
const STATES = ['reported', 'accepted', 'rejected', 'merged', 'dispatched', 'in_progress', 'handled', 'closed'];
const ACTIONS = ['accept', 'reject', 'merge', 'dispatch', 'return', 'start', 'handle', 'self_handle', 'verify',
  'reopen', 'escalate', 'supervise', 'rate', 'comment'];
const LEGAL = {
  accept: ['reported'], reject: ['reported'], merge: ['reported', 'accepted'], dispatch: ['accepted'],
  return: ['dispatched', 'in_progress'], start: ['dispatched'], handle: ['in_progress'], self_handle: ['accepted'],
  verify: ['handled'], reopen: ['handled'], escalate: ['reported', 'accepted', 'dispatched', 'in_progress'],
  supervise: ['reported', 'accepted', 'dispatched', 'in_progress', 'handled'], rate: ['closed'], comment: STATES,
};
const DISPATCH = ['accept', 'reject', 'merge', 'dispatch', 'verify', 'reopen', 'escalate', 'rate', 'comment'];
// What each user may do to a case reported by jm01 in GRID1 and routed to
// the labour bureau (rsj). null: the case is out of their sight.
const MAY = {
  admin: [], auditor: [], leader: ['comment'], 'linhe.agent': ['comment'],
  dispatcher: DISPATCH, 'linhe.dispatcher': DISPATCH, supervisor: ['supervise', 'comment'],
  'rsj.head': ['start', 'handle', 'return', 'escalate', 'comment'], 'rsj.staff': ['start', 'handle', 'return', 'comment'],
  gw01: ['accept', 'self_handle', 'verify', 'reopen', 'escalate', 'comment'], // rates only what they reported
  jm01: ['verify', 'reopen', 'rate', 'comment'], // the reporter
  'shiqiao.dispatcher': null, 'zfj.staff': null, gw02: null, dy01: null, jm02: null,
};
const DEPT_ONLY = ['rsj.head', 'rsj.staff']; // see the case only once it is sent to them
const WITH_DEPT = ['dispatched', 'in_progress', 'handled', 'closed'];

let s;
const as = {};
let anchor;
before(async () => {
  s = await startServer({ demo: true, admin: false });
  for (const u of Object.keys(MAY)) as[u] = await login(s.url, u, DEMO_PASSWORD);
  anchor = await report();
});
after(async () => { await s.cleanup(); });

const deadline = () => new Date(Date.now() + 5 * 86400e3).toISOString().replace(/\.\d+Z$/, 'Z');
function body(action, k) {
  const note = { note: '矩阵测试' };
  return {
    if_version: k.version,
    ...({
      accept: {}, dispatch: {}, start: {}, verify: {}, rate: { rating: 'satisfied' },
      merge: { into: anchor?.id, ...note }, supervise: { deadline: deadline(), ...note },
    }[action] ?? note),
  };
}
async function step(user, k, action) {
  const res = await as[user].post(`/api/v1/cases/${k.id}/${action}`, body(action, k));
  assert.equal(res.status, 200, `${user} ${action}: ${res.text}`);
  return res.json;
}
async function report() {
  const res = await as.jm01.post('/api/v1/cases', { category: '0101', description: '工地拖欠工资（矩阵测试）', grid_code: GRID1 });
  assert.equal(res.status, 201, res.text);
  return res.json;
}
// A fresh case driven to `state` along the usual road.
async function caseIn(state) {
  let k = await report();
  if (state === 'reported') return k;
  if (state === 'rejected') return step('dispatcher', k, 'reject');
  if (state === 'merged') return step('dispatcher', k, 'merge');
  k = await step('dispatcher', k, 'accept');
  if (state === 'accepted') return k;
  k = await step('dispatcher', k, 'dispatch');
  if (state === 'dispatched') return k;
  k = await step('rsj.staff', k, 'start');
  if (state === 'in_progress') return k;
  k = await step('rsj.staff', k, 'handle');
  if (state === 'handled') return k;
  return step('gw01', k, 'verify');
}
function expected(user, action, state) {
  const may = MAY[user];
  if (may === null || (DEPT_ONLY.includes(user) && !WITH_DEPT.includes(state))) return 404;
  if (!may.includes(action)) return 403;
  if (!LEGAL[action].includes(state)) return 409;
  return 200;
}

for (const state of STATES) {
  test(`from ${state}: every role, every action`, async () => {
    const shared = await caseIn(state);
    const allowed = [];
    const refused = [];
    for (const user of Object.keys(MAY)) {
      for (const action of ACTIONS) {
        const want = expected(user, action, state);
        if (want === 200) allowed.push([user, action]);
        else refused.push([user, action, want]);
      }
    }
    // Refusals all go to one case and must leave it exactly as it was.
    const got = await Promise.all(refused.map(([user, action]) =>
      as[user].post(`/api/v1/cases/${shared.id}/${action}`, body(action, shared))));
    refused.forEach(([user, action, want], i) => {
      assert.equal(got[i].status, want, `${user} ${action} from ${state}: ${got[i].text}`);
      const code = { 404: 'not_found', 403: 'forbidden', 409: 'invalid_transition' }[want];
      assert.equal(got[i].json.error.code, code, `${user} ${action} from ${state}`);
      if (want === 409) {
        // A closed case reopens only after a 不满意 rating: the message says so.
        const why = action === 'reopen' && state === 'closed' ? /dissatisfied/ : new RegExp(`it is ${state}`);
        assert.match(got[i].json.error.message, why, `${user} ${action} from ${state}`);
      }
    });
    const after = (await as.dispatcher.get(`/api/v1/cases/${shared.id}`)).json;
    assert.equal(after.version, shared.version, `refusals changed case ${shared.id}`);
    assert.equal(after.state, state);
    // Each allowed step on a fresh case of its own (comments on the shared one).
    for (const [user, action] of allowed) {
      const k = action === 'comment' ? shared : await caseIn(state);
      const res = await as[user].post(`/api/v1/cases/${k.id}/${action}`, body(action, k));
      assert.equal(res.status, 200, `${user} ${action} from ${state}: ${res.text}`);
      const want = { accept: 'accepted', reject: 'rejected', merge: 'merged', dispatch: 'dispatched', return: 'accepted',
        start: 'in_progress', handle: 'handled', self_handle: 'handled', verify: 'closed', reopen: 'in_progress' }[action] ?? state;
      assert.equal(res.json.state, want, `${user} ${action} from ${state}`);
      assert.equal(res.json.timeline.at(-1).action, action);
    }
    // The UI's buttons say exactly what the server allows.
    for (const user of Object.keys(MAY)) {
      const res = await as[user].get(`/api/v1/cases/${shared.id}`);
      if (expected(user, 'comment', state) === 404) { assert.equal(res.status, 404, user); continue; }
      assert.equal(res.status, 200, `${user}: ${res.text}`);
      const buttons = ACTIONS.filter((a) => expected(user, a, state) === 200);
      assert.deepEqual(res.json.actions, buttons, `${user} in ${state}`);
    }
  });
}
