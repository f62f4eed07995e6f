// Every malformed request gets the documented status and the uniform error
// body, and changes nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startServer } from './lib/server.mjs';

let s;
before(async () => { s = await startServer(); });
after(async () => { await s.cleanup(); });

const valid = { code: '01', name_zh: '劳动保障', time_limit_hours: 40 };

async function expectError(res, status, code, field) {
  assert.equal(res.status, status, res.text);
  assert.equal(res.headers['content-type'], 'application/json; charset=utf-8');
  assert.equal(res.json.error.code, code);
  assert.equal(typeof res.json.error.message, 'string');
  assert.ok(res.json.error.message.length > 0);
  if (field === undefined) assert.equal(res.json.error.field, undefined);
  else assert.equal(res.json.error.field, field);
  assert.deepEqual(Object.keys(res.json), ['error']);
}

async function assertNothingStored() {
  const list = await s.get('/api/v1/categories');
  assert.equal(list.status, 200);
  assert.deepEqual(list.json.items, []);
}

test('bad JSON is 400 bad_json', async () => {
  const res = await s.request('POST', '/api/v1/categories', { raw: '{"code": "01",', headers: { 'Content-Type': 'application/json' } });
  await expectError(res, 400, 'bad_json');
  assert.match(res.json.error.message, /line 1/);
  await assertNothingStored();
});

test('duplicate keys are bad JSON', async () => {
  const res = await s.request('POST', '/api/v1/categories', {
    raw: '{"code":"01","code":"02","name_zh":"x","time_limit_hours":1}', headers: { 'Content-Type': 'application/json' },
  });
  await expectError(res, 400, 'bad_json');
});

test('empty body and non-object bodies are refused', async () => {
  await expectError(await s.request('POST', '/api/v1/categories', { raw: '', headers: { 'Content-Type': 'application/json' } }), 400, 'bad_json');
  await expectError(await s.post('/api/v1/categories', [valid]), 400, 'not_an_object');
  await expectError(await s.post('/api/v1/categories', 'text'), 400, 'not_an_object');
  await assertNothingStored();
});

test('unknown field is 400 naming it', async () => {
  await expectError(await s.post('/api/v1/categories', { ...valid, colour: 'red' }), 400, 'unknown_field', 'colour');
  await assertNothingStored();
});

test('missing required field is 400 naming it', async () => {
  await expectError(await s.post('/api/v1/categories', { code: '01', time_limit_hours: 4 }), 400, 'missing_field', 'name_zh');
  await expectError(await s.post('/api/v1/categories', { code: '01', name_zh: '劳动保障' }), 400, 'missing_field', 'time_limit_hours');
  await assertNothingStored();
});

test('wrong types are 400 naming the field', async () => {
  await expectError(await s.post('/api/v1/categories', { ...valid, time_limit_hours: '40' }), 400, 'wrong_type', 'time_limit_hours');
  await expectError(await s.post('/api/v1/categories', { ...valid, time_limit_hours: 40.5 }), 400, 'wrong_type', 'time_limit_hours');
  await expectError(await s.post('/api/v1/categories', { ...valid, code: 1 }), 400, 'wrong_type', 'code');
  await expectError(await s.post('/api/v1/categories', { ...valid, active: 'yes' }), 400, 'wrong_type', 'active');
  await assertNothingStored();
});

test('over-long strings and out-of-range numbers are 422', async () => {
  await expectError(await s.post('/api/v1/categories', { ...valid, name_zh: '很'.repeat(65) }), 422, 'too_long', 'name_zh');
  await expectError(await s.post('/api/v1/categories', { ...valid, time_limit_hours: 0 }), 422, 'out_of_range', 'time_limit_hours');
  await expectError(await s.post('/api/v1/categories', { ...valid, time_limit_hours: 2001 }), 422, 'out_of_range', 'time_limit_hours');
  await expectError(await s.post('/api/v1/categories', { ...valid, name_zh: '' }), 422, 'invalid_value', 'name_zh');
  await assertNothingStored();
});

test('64 Chinese characters fit a 64-character limit', async () => {
  const res = await s.post('/api/v1/categories', { ...valid, code: '98', name_zh: '字'.repeat(64) });
  assert.equal(res.status, 201, res.text);
  assert.equal(res.json.name_zh.length, 64);
});

test('wrong or missing Content-Type is 415', async () => {
  const body = JSON.stringify(valid);
  await expectError(await s.request('POST', '/api/v1/categories', { raw: body, headers: { 'Content-Type': 'text/plain' } }), 415, 'unsupported_media_type');
  await expectError(await s.request('POST', '/api/v1/categories', { raw: body, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }), 415, 'unsupported_media_type');
  await expectError(await s.request('POST', '/api/v1/categories', { raw: body }), 415, 'unsupported_media_type');
  await expectError(await s.request('POST', '/api/v1/categories', { raw: body, headers: { 'Content-Type': 'application/jsonx' } }), 415, 'unsupported_media_type');
  const ok = await s.request('POST', '/api/v1/categories', { raw: JSON.stringify({ ...valid, code: '97' }), headers: { 'Content-Type': 'application/json; charset=utf-8' } });
  assert.equal(ok.status, 201, ok.text);
});

test('a body over the limit is 413, by Content-Length or by streaming', async () => {
  const big = JSON.stringify({ ...valid, name_zh: 'x'.repeat(1100 * 1024) });
  await expectError(await s.request('POST', '/api/v1/categories', { raw: big, headers: { 'Content-Type': 'application/json' } }), 413, 'payload_too_large');
  // Chunked transfer: no Content-Length, so the limit is enforced while reading.
  const res = await new Promise((resolve, reject) => {
    const req = http.request(`${s.url}/api/v1/categories`, {
      method: 'POST', headers: { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' }, agent: false,
    }, (r) => {
      let text = '';
      r.on('data', (d) => { text += d; });
      r.on('end', () => resolve({ status: r.statusCode, headers: r.headers, text, json: JSON.parse(text) }));
    });
    req.on('error', reject);
    for (let i = 0; i < 20; i++) req.write('x'.repeat(64 * 1024));
    req.end();
  });
  await expectError(res, 413, 'payload_too_large');
  const list = await s.get('/api/v1/categories');
  assert.ok(list.json.items.every((c) => c.name_zh.length < 100));
});

test('unknown API paths are 404 and wrong methods 405 with Allow', async () => {
  await expectError(await s.get('/api/v1/nothing-here'), 404, 'not_found');
  await expectError(await s.get('/api/v1/categories/'), 404, 'not_found');
  await expectError(await s.post('/api/v2/categories', valid), 404, 'not_found');
  const res = await s.request('DELETE', '/api/v1/categories');
  await expectError(res, 405, 'method_not_allowed');
  assert.equal(res.headers.allow, 'GET, POST');
  const put = await s.request('PUT', '/api/v1/categories/1', { body: valid });
  await expectError(put, 405, 'method_not_allowed');
  assert.equal(put.headers.allow, 'GET');
});

test('bad query parameters name the parameter', async () => {
  await expectError(await s.get('/api/v1/categories?parent=abc'), 400, 'bad_parameter', 'parent');
});

test('every error code the server used is in the OpenAPI error list', async () => {
  const doc = (await s.get('/api/v1/openapi.json')).json;
  const codes = doc.components.schemas.Error.properties.error.properties.code.oneOf.map((c) => c.const);
  for (const c of ['bad_json', 'not_an_object', 'unknown_field', 'missing_field', 'wrong_type', 'too_long',
    'out_of_range', 'invalid_value', 'unsupported_media_type', 'payload_too_large', 'not_found',
    'method_not_allowed', 'bad_parameter', 'conflict']) {
    assert.ok(codes.includes(c), c);
  }
});
