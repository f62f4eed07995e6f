// Photos (随手拍): checked by content, re-encoded without metadata, turned
// upright, limited per step and size, and shown only to those who may see
// the case.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import http from 'node:http';
import { startServer, login, DEMO_PASSWORD } from './lib/server.mjs';
import { png } from './lib/png.mjs';

// A 40x30 JPEG whose top-left quarter is red and the rest blue.
const JPEG = Buffer.from('/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAoHBwgHBgoICAgLCgoLDhgQDg0NDh0VFhEYIx8lJCIfIiEmKzcvJik0KSEiMEExNDk7Pj4+JS5ESUM8SDc9Pjv/2wBDAQoLCw4NDhwQEBw7KCIoOzs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozv/wAARCAAeACgDASIAAhEBAxEB/8QAFwABAQEBAAAAAAAAAAAAAAAAAAUDBP/EACIQAQABAQcFAAAAAAAAAAAAAAADEQECBRIUU5ITQ1GCwf/EABYBAQEBAAAAAAAAAAAAAAAAAAAFB//EAB8RAAIBAgcAAAAAAAAAAAAAAAABAgMEBREUIVKRsf/aAAwDAQACEQMRAD8AijPUwb0fKw1MG9HysR9PW4Ppmj6ijzXaOLF+z7fE1QxSSOTpZL929StcttfCe0TBYuNhTUlk9/WZ5jUlK/qOLzW3iACsSQAAAAAAD//Z', 'base64');
const GPS = 'GPS 36.7012N 118.8815E Redmi-9A';

const be16 = (n) => Buffer.from([n >> 8, n & 255]);
const be32 = (n) => Buffer.from([n >>> 24, (n >> 16) & 255, (n >> 8) & 255, n & 255]);
// An APP1 Exif segment with orientation 6 (turn 90° clockwise to view)
// and the kind of text a phone leaves behind.
function withExif(jpeg, orientation) {
  const tiff = Buffer.concat([Buffer.from('MM'), be16(42), be32(8), be16(1),
    be16(0x0112), be16(3), be32(1), be16(orientation), be16(0), be32(0), Buffer.from(GPS)]);
  const body = Buffer.concat([Buffer.from('Exif\0\0', 'binary'), tiff]);
  return Buffer.concat([jpeg.subarray(0, 2), Buffer.from([0xff, 0xe1]), be16(body.length + 2), body, jpeg.subarray(2)]);
}
let s;
const as = {};
let k;
before(async () => {
  s = await startServer({ demo: true, admin: false });
  for (const u of ['gw01', 'gw02', 'dispatcher', 'rsj.staff', 'jm01']) as[u] = await login(s.url, u, DEMO_PASSWORD);
  const res = await as.gw01.post('/api/v1/cases', { category: '0101', description: '工地欠薪，附现场照片', grid_code: '379901001001001' });
  k = res.json;
});
after(async () => { await s.cleanup(); });

function upload(who, id, step, data, type = 'image/jpeg') {
  return new Promise((resolve, reject) => {
    const req = http.request(`${s.url}/api/v1/cases/${id}/photos?step=${step}`, {
      method: 'POST', agent: false,
      headers: { 'Content-Type': type, 'Content-Length': data.length, Cookie: who.cookie, 'X-CSRF-Token': who.csrf },
    }, (res) => {
      const parts = [];
      res.on('data', (c) => parts.push(c));
      res.on('end', () => { const text = Buffer.concat(parts).toString(); resolve({ status: res.statusCode, headers: res.headers, json: text ? JSON.parse(text) : undefined, text }); });
    });
    req.on('error', reject);
    req.end(data);
  });
}
function fetchBytes(who, url) {
  return new Promise((resolve, reject) => {
    http.get(`${s.url}${url}`, { agent: false, headers: { Cookie: who.cookie } }, (res) => {
      const parts = [];
      res.on('data', (c) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(parts) }));
    }).on('error', reject);
  });
}

test('a phone photo is stored upright, re-encoded, without its EXIF and GPS', async () => {
  const sent = withExif(JPEG, 6);
  assert.ok(sent.includes(GPS));
  const res = await upload(as.gw01, k.id, 'report', sent);
  assert.equal(res.status, 201, res.text);
  assert.equal(res.json.mime, 'image/jpeg');
  assert.equal(res.json.width, 30, 'turned a quarter: 40x30 becomes 30x40');
  assert.equal(res.json.height, 40);
  assert.equal(res.headers.location, res.json.url);
  const got = await fetchBytes(as.dispatcher, res.json.url);
  assert.equal(got.status, 200);
  assert.equal(got.headers['content-type'], 'image/jpeg');
  assert.equal(got.body[0], 0xff);
  assert.equal(got.body[1], 0xd8);
  assert.ok(!got.body.includes('Exif'), 'no EXIF segment');
  assert.ok(!got.body.includes(GPS), 'no trace of the position');
  assert.equal(got.body.length, res.json.bytes);
  const view = (await as.dispatcher.get(`/api/v1/cases/${k.id}`)).json;
  assert.equal(view.photos.length, 1);
  assert.equal(view.photos[0].step, 'report');
  assert.equal(view.photos[0].by.id, as.gw01.user.id);
  assert.equal(view.timeline.at(-1).action, 'photo');
});

test('a PNG keeps its pixels and loses its text chunks', async () => {
  const res = await upload(as.gw01, k.id, 'report', png(), 'image/png');
  assert.equal(res.status, 201, res.text);
  assert.deepEqual([res.json.width, res.json.height, res.json.mime], [3, 2, 'image/png']);
  const got = await fetchBytes(as.gw01, res.json.url);
  assert.ok(!got.body.includes('tEXt') && !got.body.includes(GPS));
  assert.ok(got.body.subarray(0, 8).equals(Buffer.from('\x89PNG\r\n\x1a\n', 'binary')));
});

test('what is not a photo, too big, in the wrong step or out of sight is refused', async () => {
  const fake = await upload(as.gw01, k.id, 'report', Buffer.from('<?php system($_GET["c"]); ?>'));
  assert.equal(fake.status, 422);
  assert.match(fake.json.error.message, /neither a JPEG nor a PNG/);
  const broken = await upload(as.gw01, k.id, 'report', JPEG.subarray(0, 120));
  assert.equal(broken.status, 422);
  assert.match(broken.json.error.message, /JPEG/);
  const wrongType = await upload(as.gw01, k.id, 'report', JPEG, 'application/octet-stream');
  assert.equal(wrongType.status, 415);
  assert.match(wrongType.json.error.message, /image\/jpeg/);
  const big = await upload(as.gw01, k.id, 'report', Buffer.alloc(11 << 20, 1));
  assert.equal(big.status, 413);
  const noStep = await upload(as.gw01, k.id, 'lunch', JPEG);
  assert.equal(noStep.status, 400);
  assert.equal(noStep.json.error.field, 'step');
  const handleEarly = await upload(as.gw01, k.id, 'handle', JPEG);
  assert.equal(handleEarly.status, 403, 'handling photos come after accepting');
  const stranger = await upload(as.gw02, k.id, 'report', JPEG);
  assert.equal(stranger.status, 404);
  assert.equal((await fetchBytes(as.gw02, `/api/v1/cases/${k.id}/photos/1`)).status, 404);
  assert.equal((await fetchBytes(as.jm01, `/api/v1/cases/${k.id}/photos/1`)).status, 404);
  assert.equal((await fetchBytes(as.dispatcher, `/api/v1/cases/${k.id}/photos/999`)).status, 404);
  const view = (await as.gw01.get(`/api/v1/cases/${k.id}`)).json;
  assert.equal(view.photos.length, 2, 'nothing refused was kept');
});

test('the department adds handling photos once dispatched; nine per step at most', async () => {
  let c = (await as.dispatcher.post(`/api/v1/cases/${k.id}/accept`, { if_version: k.version })).json;
  c = (await as.dispatcher.post(`/api/v1/cases/${k.id}/dispatch`, { if_version: c.version })).json;
  assert.equal(c.state, 'dispatched');
  const byDispatcher = await upload(as.dispatcher, k.id, 'handle', JPEG);
  assert.equal(byDispatcher.status, 403);
  for (let i = 0; i < 9; i++) assert.equal((await upload(as['rsj.staff'], k.id, 'handle', JPEG)).status, 201);
  const tenth = await upload(as['rsj.staff'], k.id, 'handle', JPEG);
  assert.equal(tenth.status, 409);
  assert.match(tenth.json.error.message, /9 photos/);
});
