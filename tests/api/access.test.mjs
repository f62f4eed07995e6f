// Signing in and staying signed in: sessions, CSRF, lockout, expiry,
// two-factor codes for staff, bearer tokens, and the CLI that rescues a
// locked-out admin.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { startServer, runCli, login, client, ADMIN_PASSWORD } from './lib/server.mjs';
import { totp } from './lib/totp.mjs';

async function addUser(s, username, role, scope) {
  const args = ['user', 'add', '--db', s.db, '--username', username, '--role', role, '--password-stdin'];
  if (scope) args.push('--scope', scope);
  const r = runCli(args, { input: 'user-pass-2026\n' });
  assert.equal(r.code, 0, r.stderr);
}

test('sign in sets a hardened cookie, returns the user and a CSRF token; sign out ends it', async () => {
  const s = await startServer({ admin: false });
  try {
    await addUser(s, 'wang.li', 'dispatcher');
    const res = await s.anon.post('/api/v1/session', { username: 'wang.li', password: 'user-pass-2026' });
    assert.equal(res.status, 201, res.text);
    const cookie = [].concat(res.headers['set-cookie'])[0];
    assert.match(cookie, /^__Host-gl_session=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=43200; HttpOnly; SameSite=Strict; Secure$/);
    assert.equal(res.json.user.username, 'wang.li');
    assert.deepEqual(res.json.user.roles, [{ role: 'dispatcher', region_code: null, dept_id: null }]);
    assert.match(res.json.csrf_token, /^[A-Za-z0-9_-]{43}$/);
    const c = client(s.url, { cookie: cookie.split(';')[0], csrf: res.json.csrf_token });
    const me = await c.get('/api/v1/me');
    assert.equal(me.status, 200);
    assert.equal(me.json.username, 'wang.li');
    assert.equal(me.json.auth, 'session');
    assert.equal(me.json.totp_enabled, false);
    assert.equal(me.json.csrf_token, res.json.csrf_token); // a reloaded page gets it back
    const out = await c.request('DELETE', '/api/v1/session');
    assert.equal(out.status, 204);
    assert.match([].concat(out.headers['set-cookie'])[0], /Max-Age=0/);
    const after = await c.get('/api/v1/me');
    assert.equal(after.status, 401);
    assert.equal(after.json.error.code, 'unauthorized');
  } finally {
    await s.cleanup();
  }
});

test('wrong password and unknown user get the same answer; requests without a session are 401', async () => {
  const s = await startServer();
  try {
    const bad = await s.anon.post('/api/v1/session', { username: 'admin', password: 'nope-nope-nope' });
    const ghost = await s.anon.post('/api/v1/session', { username: 'nobody', password: 'nope-nope-nope' });
    assert.equal(bad.status, 401);
    assert.equal(ghost.status, 401);
    assert.deepEqual(bad.json, ghost.json);
    assert.equal(bad.json.error.code, 'bad_credentials');
    assert.equal(bad.headers['set-cookie'], undefined);
    for (const p of ['/api/v1/me', '/api/v1/regions', '/api/v1/households', '/api/v1/users', '/api/v1/categories']) {
      const r = await s.anon.get(p);
      assert.equal(r.status, 401, p);
      assert.equal(r.json.error.code, 'unauthorized');
    }
    const forged = await client(s.url, { cookie: '__Host-gl_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }).get('/api/v1/me');
    assert.equal(forged.status, 401);
  } finally {
    await s.cleanup();
  }
});

test('unsafe requests need the session\'s CSRF token', async () => {
  const s = await startServer();
  try {
    const body = { code: '01', name_zh: '劳动保障', time_limit_hours: 40 };
    const none = await s.admin.request('POST', '/api/v1/categories', { body, headers: { 'X-CSRF-Token': '' } });
    assert.equal(none.status, 403);
    assert.equal(none.json.error.code, 'csrf_failed');
    const wrong = await s.admin.request('POST', '/api/v1/categories', { body, headers: { 'X-CSRF-Token': 'x'.repeat(43) } });
    assert.equal(wrong.status, 403);
    const other = await login(s.url, 'admin', ADMIN_PASSWORD); // another session's token does not fit
    const mixed = await s.admin.request('POST', '/api/v1/categories', { body, headers: { 'X-CSRF-Token': other.csrf } });
    assert.equal(mixed.status, 403);
    assert.equal((await s.get('/api/v1/categories')).json.items.length, 0);
    const ok = await s.admin.post('/api/v1/categories', body);
    assert.equal(ok.status, 201);
  } finally {
    await s.cleanup();
  }
});

test('failed sign-ins lock the account; user passwd lifts the lock', async () => {
  const s = await startServer({ args: ['--login-max-failures', '3', '--lock-minutes', '15'] });
  try {
    for (let i = 0; i < 3; i++) {
      const r = await s.anon.post('/api/v1/session', { username: 'admin', password: `wrong-${i}-wrong` });
      assert.equal(r.status, 401);
    }
    const locked = await s.anon.post('/api/v1/session', { username: 'admin', password: ADMIN_PASSWORD });
    assert.equal(locked.status, 429);
    assert.equal(locked.json.error.code, 'account_locked');
    assert.ok(Number(locked.headers['retry-after']) > 800 && Number(locked.headers['retry-after']) <= 900);
    // The existing session still works: lockout stops guessing, not work.
    assert.equal((await s.get('/api/v1/me')).status, 200);
    const r = runCli(['user', 'passwd', 'admin', '--db', s.db], { input: 'fresh-pass-2026\n' });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /lockout lifted/);
    assert.equal((await s.get('/api/v1/me')).status, 401); // old sessions ended
    const again = await s.anon.post('/api/v1/session', { username: 'admin', password: 'fresh-pass-2026' });
    assert.equal(again.status, 201);
  } finally {
    await s.cleanup();
  }
});

test('too many failures from one address are refused for a while', async () => {
  const s = await startServer();
  try {
    let last;
    for (let i = 0; i < 21; i++) {
      last = await s.anon.post('/api/v1/session', { username: `nobody${i}`, password: 'guess-guess' });
      if (i < 20) assert.equal(last.status, 401, `attempt ${i}`);
    }
    assert.equal(last.status, 429);
    assert.equal(last.json.error.code, 'too_many_requests');
    assert.ok(Number(last.headers['retry-after']) > 0);
    // Even the right password waits: the address is blocked, not the account.
    const right = await s.anon.post('/api/v1/session', { username: 'admin', password: ADMIN_PASSWORD });
    assert.equal(right.status, 429);
  } finally {
    await s.cleanup();
  }
});

test('sessions end after idle time and after their absolute lifetime', async () => {
  const idle = await startServer({ args: ['--session-idle', '2', '--session-max', '600'] });
  let max;
  try {
    await sleep(3200); // whole seconds on the server: more than 2 must have passed
    const r = await idle.get('/api/v1/me');
    assert.equal(r.status, 401);
    assert.equal(r.json.error.code, 'session_expired');
    assert.equal((await idle.get('/api/v1/me')).json.error.code, 'unauthorized'); // deleted, not just refused
    // Activity does not extend the absolute lifetime.
    max = await startServer({ args: ['--session-idle', '600', '--session-max', '3'] });
    assert.equal((await max.get('/api/v1/me')).status, 200);
    await sleep(1500);
    assert.equal((await max.get('/api/v1/me')).status, 200);
    await sleep(1600);
    const m = await max.get('/api/v1/me');
    assert.equal(m.status, 401);
    assert.equal(m.json.error.code, 'session_expired');
  } finally {
    await idle.cleanup();
    if (max) await max.cleanup();
  }
});

test('staff enrol a TOTP authenticator; sign-in then needs a current code', async () => {
  const s = await startServer();
  try {
    const begin = await s.post('/api/v1/me/totp');
    assert.equal(begin.status, 201, begin.text);
    assert.match(begin.json.secret, /^[A-Z2-7]{32}$/);
    assert.ok(begin.json.otpauth_uri.startsWith('otpauth://totp/gridline:admin?secret='));
    const wrong = await s.post('/api/v1/me/totp/confirm', { code: '000000' === totp(begin.json.secret) ? '111111' : '000000' });
    assert.equal(wrong.status, 422);
    assert.equal(wrong.json.error.field, 'code');
    const ok = await s.post('/api/v1/me/totp/confirm', { code: totp(begin.json.secret) });
    assert.equal(ok.status, 200, ok.text);
    assert.equal((await s.post('/api/v1/me/totp')).status, 409); // already on

    const noCode = await s.anon.post('/api/v1/session', { username: 'admin', password: ADMIN_PASSWORD });
    assert.equal(noCode.status, 401);
    assert.equal(noCode.json.error.code, 'totp_required');
    assert.equal(noCode.json.error.field, 'totp');
    const badCode = await s.anon.post('/api/v1/session', { username: 'admin', password: ADMIN_PASSWORD, totp: '12345x' });
    assert.equal(badCode.status, 401);
    assert.equal(badCode.json.error.code, 'bad_credentials');
    const good = await login(s.url, 'admin', ADMIN_PASSWORD, { totp: totp(begin.json.secret) });
    assert.equal(good.user.username, 'admin');
    assert.equal((await good.get('/api/v1/me')).json.totp_enabled, true);

    runCli(['user', 'add', '--db', s.db, '--username', 'jm', '--role', 'resident', '--password-stdin'], { input: 'resident-pass\n' });
    const resident = await login(s.url, 'jm', 'resident-pass');
    const r = await resident.post('/api/v1/me/totp');
    assert.equal(r.status, 403);
  } finally {
    await s.cleanup();
  }
});

test('bearer tokens sign machine clients in without cookies or CSRF', async () => {
  const s = await startServer();
  try {
    const made = await s.post('/api/v1/tokens', { name: '12345热线对接' });
    assert.equal(made.status, 201, made.text);
    const bot = client(s.url, { token: made.json.token });
    const me = await bot.get('/api/v1/me');
    assert.equal(me.status, 200);
    assert.equal(me.json.auth, 'token');
    assert.equal(me.json.csrf_token, undefined);
    const write = await bot.post('/api/v1/categories', { code: '02', name_zh: '城市管理', time_limit_hours: 24 });
    assert.equal(write.status, 201, write.text);
    const bogus = await client(s.url, { token: 'x'.repeat(43) }).get('/api/v1/me');
    assert.equal(bogus.status, 401);
    assert.match(bogus.json.error.message, /token/);
  } finally {
    await s.cleanup();
  }
});

test('the CLI refuses bad input and never takes a password on the command line', async () => {
  const s = await startServer();
  try {
    const noStdin = runCli(['user', 'add', '--db', s.db, '--username', 'x', '--role', 'admin']);
    assert.equal(noStdin.code, 2);
    const badRole = runCli(['user', 'add', '--db', s.db, '--username', 'x', '--role', 'king', '--password-stdin'], { input: 'long-enough\n' });
    assert.equal(badRole.code, 2);
    assert.match(badRole.stderr, /unknown role/);
    const short = runCli(['user', 'add', '--db', s.db, '--username', 'x', '--role', 'admin', '--password-stdin'], { input: 'short\n' });
    assert.equal(short.code, 2);
    const noScope = runCli(['user', 'add', '--db', s.db, '--username', 'x', '--role', 'grid_worker', '--scope', '379901001001001', '--password-stdin'], { input: 'long-enough\n' });
    assert.equal(noScope.code, 1);
    assert.match(noScope.stderr, /does not exist/);
    const dup = runCli(['user', 'add', '--db', s.db, '--username', 'ADMIN', '--role', 'admin', '--password-stdin'], { input: 'long-enough\n' });
    assert.equal(dup.code, 1);
    assert.match(dup.stderr, /taken/);
  } finally {
    await s.cleanup();
  }
});
