// The two languages say the same things: every key the app uses exists in
// Chinese and English, nested tables have the same entries, and a message
// that takes arguments takes them in both.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { messages } from '../../web/i18n.js';

const web = new URL('../../web/', import.meta.url);
const sources = ['app.js', ...['lib', 'views'].flatMap((d) => readdirSync(new URL(d, web)).map((f) => `${d}/${f}`))];

function shape(x) {
  if (typeof x === 'function') return `fn/${x.length}`;
  if (x && typeof x === 'object') return Object.fromEntries(Object.keys(x).sort().map((k) => [k, shape(x[k])]));
  return typeof x;
}

test('Chinese and English have the same messages, in the same shape', () => {
  assert.deepEqual(shape(messages.en), shape(messages.zh));
});

test('every message the app asks for exists', () => {
  const used = new Set();
  for (const f of sources) {
    for (const m of readFileSync(new URL(f, web), 'utf8').matchAll(/\bt\.([A-Za-z_$][\w$]*)/g)) used.add(m[1]);
  }
  assert.ok(used.size > 100, `the scan found the app's messages (${used.size})`);
  assert.deepEqual([...used].filter((k) => !(k in messages.zh)), []);
});
