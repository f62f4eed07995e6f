// A small XLSX reader for tests: unzips with node's zlib (no external
// tools) and reads the first worksheet into rows of cell values (strings
// inline or shared, numbers as numbers).
import { readFileSync } from 'node:fs';
import { inflateRawSync } from 'node:zlib';

// The files in a ZIP archive, from its central directory.
export function unzip(buf) {
  let eocd = buf.length - 22;
  while (eocd >= 0 && buf.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  if (eocd < 0) throw new Error('not a zip file');
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const files = {};
  for (let i = 0; i < count; i++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error('bad central directory');
    const method = buf.readUInt16LE(p + 10);
    const size = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.subarray(p + 46, p + 46 + nameLen).toString('utf8');
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const data = buf.subarray(start, start + size);
    files[name] = method === 8 ? inflateRawSync(data) : Buffer.from(data);
    p += 46 + nameLen + extraLen + commentLen;
  }
  return files;
}

const unescape = (s) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"')
  .replace(/&apos;/g, "'").replace(/&amp;/g, '&');

function column(ref) {
  let n = 0;
  for (const ch of ref.match(/^[A-Z]+/)[0]) n = n * 26 + ch.charCodeAt(0) - 64;
  return n - 1;
}

// The first sheet's rows (arrays of values), and the sheet's name.
export function readXlsx(bufOrPath) {
  const files = unzip(typeof bufOrPath === 'string' ? readFileSync(bufOrPath) : bufOrPath);
  const shared = [];
  const sst = files['xl/sharedStrings.xml']?.toString('utf8') || '';
  for (const m of sst.matchAll(/<si>([\s\S]*?)<\/si>/g)) shared.push(unescape([...m[1].matchAll(/<t[^>]*>([\s\S]*?)<\/t>/g)].map((t) => t[1]).join('')));
  const sheet = files['xl/worksheets/sheet1.xml'].toString('utf8');
  const rows = [];
  for (const r of sheet.matchAll(/<row [^>]*r="(\d+)"[^>]*>([\s\S]*?)<\/row>/g)) {
    const row = [];
    for (const c of r[2].matchAll(/<c r="([A-Z]+\d+)"([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g)) {
      const type = (c[2].match(/t="(\w+)"/) || [])[1];
      const body = c[3] || '';
      let v = null;
      if (type === 'inlineStr') v = unescape((body.match(/<t[^>]*>([\s\S]*?)<\/t>/) || [])[1] || '');
      else if (type === 's') v = shared[Number(body.match(/<v>(\d+)<\/v>/)[1])];
      else if (/<v>/.test(body)) v = Number(body.match(/<v>([^<]*)<\/v>/)[1]);
      row[column(c[1])] = v;
    }
    rows[Number(r[1]) - 1] = row;
  }
  const name = (files['xl/workbook.xml'].toString('utf8').match(/<sheet name="([^"]*)"/) || [])[1];
  return { rows, sheet: name && unescape(name) };
}
