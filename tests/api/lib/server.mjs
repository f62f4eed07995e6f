// Test harness: a real `gridline serve` on a free loopback port with a
// fresh SQLite file in its own temporary folder. GRIDLINE_BIN names the
// binary (make test points it at the ASan+UBSan build).
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import http from 'node:http';

export const BIN = process.env.GRIDLINE_BIN || resolve('build/gridline');
export const DEMO_PASSWORD = 'demo-pass-2026';
export const ADMIN_PASSWORD = 'admin-pass-2026';

export function tempDir() {
  return mkdtempSync(join(tmpdir(), 'gridline-test-'));
}

// Runs a gridline command to completion; returns { code, stdout, stderr }.
// timeout (ms) kills a command that should have ended (e.g. a server that
// should not have started).
export function runCli(args, { env = {}, input, timeout } = {}) {
  try {
    const stdout = execFileSync(BIN, args, {
      env: { ...process.env, ...env }, input, stdio: ['pipe', 'pipe', 'pipe'], encoding: 'utf8', timeout,
    });
    return { code: 0, stdout, stderr: '' };
  } catch (e) {
    return { code: e.status, stdout: e.stdout || '', stderr: e.stderr || '' };
  }
}

// Starts `gridline serve`. With init (default) a new database is created
// first; demo adds the demo county (every demo user has DEMO_PASSWORD),
// otherwise an "admin" user (ADMIN_PASSWORD) is added. Resolves once the
// server printed its URL. s.get/s.post/s.request act as that admin;
// s.anon sends no credentials; s.login(user, password) gives a client.
export async function startServer({ demo = false, init = true, dir, db, args = [], env = {}, admin = true } = {}) {
  dir = dir || tempDir();
  db = db || join(dir, 'gridline.db');
  env = { GRIDLINE_DEMO_PASSWORD: DEMO_PASSWORD, ...env };
  if (init) {
    const r = runCli(['init', '--db', db, ...(demo ? ['--demo'] : [])], { env });
    if (r.code !== 0) throw new Error(`init failed: ${r.stderr}`);
    if (!demo && admin) {
      const u = runCli(['user', 'add', '--db', db, '--username', 'admin', '--role', 'admin', '--password-stdin'],
        { input: `${ADMIN_PASSWORD}\n`, env });
      if (u.code !== 0) throw new Error(`user add failed: ${u.stderr}`);
    }
  }
  const proc = spawn(BIN, ['serve', '--db', db, '--listen', '127.0.0.1:0', '--threads', '4', ...args], {
    env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise((res) => proc.on('exit', (code, signal) => res({ code, signal })));
  const url = await new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`server did not start:\n${stderr}`)), 10000);
    proc.stdout.on('data', (d) => {
      stdout += d;
      const m = stdout.match(/listening on (http:\/\/127\.0\.0\.1:\d+)\//);
      if (m) { clearTimeout(timer); res(m[1]); }
    });
    exited.then(({ code }) => { clearTimeout(timer); rej(new Error(`server exited ${code}:\n${stderr}`)); });
  });
  const anon = client(url);
  const server = {
    url, dir, db, proc, exited, anon,
    logs: () => stderr,
    login: (username, password) => login(url, username, password),
    async stop(signal = 'SIGTERM') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      return exited;
    },
    async cleanup() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  if (admin) {
    const a = await login(url, 'admin', demo ? DEMO_PASSWORD : ADMIN_PASSWORD);
    Object.assign(server, { admin: a, get: a.get, post: a.post, request: a.request });
  }
  return server;
}

// A client with an optional session: cookie and CSRF token sent along.
export function client(base, session = {}) {
  const c = {
    ...session,
    request(method, path, opts = {}) {
      const headers = { ...(opts.headers || {}) };
      if (c.cookie) headers.Cookie = c.cookie;
      if (c.csrf && method !== 'GET' && method !== 'HEAD' && !('X-CSRF-Token' in headers)) headers['X-CSRF-Token'] = c.csrf;
      if (c.token) headers.Authorization = `Bearer ${c.token}`;
      return request(base, method, path, { ...opts, headers });
    },
    get: (path, opts) => c.request('GET', path, opts),
    post: (path, body, headers) => c.request('POST', path, { body, headers }),
  };
  return c;
}

export async function login(base, username, password, extra = {}) {
  const res = await request(base, 'POST', '/api/v1/session', { body: { username, password, ...extra } });
  if (res.status !== 201) {
    const err = new Error(`login ${username}: ${res.status} ${res.text}`);
    err.res = res;
    throw err;
  }
  const setCookie = [].concat(res.headers['set-cookie'] || [])[0] || '';
  return client(base, { cookie: setCookie.split(';')[0], csrf: res.json.csrf_token, user: res.json.user, setCookie });
}

export function request(base, method, path, { body, headers = {}, raw } = {}) {
  return new Promise((resolveP, reject) => {
    let payload = raw;
    const h = { ...headers };
    if (body !== undefined && raw === undefined) {
      payload = JSON.stringify(body);
      if (!Object.keys(h).some((k) => k.toLowerCase() === 'content-type')) h['Content-Type'] = 'application/json';
    }
    if (payload !== undefined) h['Content-Length'] = Buffer.byteLength(payload);
    const req = http.request(`${base}${path}`, { method, headers: h, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const bytes = Buffer.concat(chunks);
        const text = bytes.toString('utf8');
        let json;
        try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
        resolveP({ status: res.statusCode, headers: res.headers, text, json, body: bytes });
      });
    });
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}
