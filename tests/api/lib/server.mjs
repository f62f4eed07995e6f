// Test harness: a real `gridline serve` on a free loopback port with a
// fresh SQLite file in its own temporary folder. GRIDLINE_BIN names the
// binary (make test points it at the ASan+UBSan build).
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import http from 'node:http';

export const BIN = process.env.GRIDLINE_BIN || resolve('build/gridline');

export function tempDir() {
  return mkdtempSync(join(tmpdir(), 'gridline-test-'));
}

// Runs a gridline command to completion; returns { code, stdout, stderr }.
export function runCli(args, { env = {}, input } = {}) {
  try {
    const stdout = execFileSync(BIN, args, {
      env: { ...process.env, ...env }, input, stdio: ['pipe', 'pipe', 'pipe'], encoding: 'utf8',
    });
    return { code: 0, stdout, stderr: '' };
  } catch (e) {
    return { code: e.status, stdout: e.stdout || '', stderr: e.stderr || '' };
  }
}

// Starts `gridline serve`. With init (default) a new database is created
// first; demo adds the demo data. Resolves once the server printed its URL.
export async function startServer({ demo = false, init = true, dir, db, args = [], env = {} } = {}) {
  dir = dir || tempDir();
  db = db || join(dir, 'gridline.db');
  if (init) {
    const r = runCli(['init', '--db', db, ...(demo ? ['--demo'] : [])]);
    if (r.code !== 0) throw new Error(`init failed: ${r.stderr}`);
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
  const server = {
    url, dir, db, proc, exited,
    logs: () => stderr,
    // Sends a request; body objects are sent as JSON. Resolves to
    // { status, headers, text, json }.
    request: (method, path, { body, headers = {}, raw } = {}) =>
      request(url, method, path, { body, headers, raw }),
    get: (path) => request(url, 'GET', path, {}),
    post: (path, body, headers) => request(url, 'POST', path, { body, headers }),
    async stop(signal = 'SIGTERM') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      return exited;
    },
    async cleanup() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return server;
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
        const text = Buffer.concat(chunks).toString('utf8');
        let json;
        try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
        resolveP({ status: res.statusCode, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}
