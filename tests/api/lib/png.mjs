// A tiny PNG for tests that upload images (photos, signatures).
import zlib from 'node:zlib';

const be32 = (n) => Buffer.from([n >>> 24, (n >> 16) & 255, (n >> 8) & 255, n & 255]);
const GPS = 'GPS 36.7012N 118.8815E Redmi-9A';
const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (buf) => { let c = 0xffffffff; for (const b of buf) c = crcTable[(c ^ b) & 255] ^ (c >>> 8); return (c ^ 0xffffffff) >>> 0; };
const chunk = (type, data) => Buffer.concat([be32(data.length), Buffer.from(type), data, be32(crc32(Buffer.concat([Buffer.from(type), data])))]);
// A 3x2 RGB PNG with a tEXt chunk.
export function png() {
  const rows = Buffer.from([0, 255, 0, 0, 0, 255, 0, 0, 0, 255, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  return Buffer.concat([Buffer.from('\x89PNG\r\n\x1a\n', 'binary'),
    chunk('IHDR', Buffer.concat([be32(3), be32(2), Buffer.from([8, 2, 0, 0, 0])])),
    chunk('tEXt', Buffer.from(`Comment\0${GPS}`)), chunk('IDAT', zlib.deflateSync(rows)), chunk('IEND', Buffer.alloc(0))]);
}

