// Draws media/icon.png (128 x 128): a heap as a row of blocks, allocated and free, with boundary
// tags. Run once when the design changes; the PNG is committed (vsce needs a PNG icon).

import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const W = 128;
const H = 128;
const px = new Uint8Array(W * H * 4);

function rect(x0, y0, x1, y1, [r, g, b, a = 255]) {
  for (let y = Math.max(0, y0); y < Math.min(H, y1); y++) {
    for (let x = Math.max(0, x0); x < Math.min(W, x1); x++) {
      const i = (y * W + x) * 4;
      px.set([r, g, b, a], i);
    }
  }
}

// Rounded dark tile.
const R = 20;
for (let y = 0; y < H; y++) {
  for (let x = 0; x < W; x++) {
    const dx = Math.max(R - x, 0, x - (W - 1 - R));
    const dy = Math.max(R - y, 0, y - (H - 1 - R));
    if (dx * dx + dy * dy <= R * R) px.set([30, 41, 59, 255], (y * W + x) * 4);
  }
}
// Three rows of blocks: [width, allocated?]
const rows = [
  [[30, 1], [18, 0], [44, 1]],
  [[14, 1], [40, 0], [38, 1]],
  [[52, 1], [12, 1], [28, 0]],
];
const ALLOC = [56, 189, 248];
const FREE = [148, 163, 184];
const TAG = [250, 204, 21];
rows.forEach((blocks, r) => {
  const y0 = 22 + r * 30;
  let x = 18;
  for (const [w, allocated] of blocks) {
    if (allocated) rect(x, y0, x + w - 2, y0 + 24, ALLOC);
    else for (let k = 0; k < w - 2; k += 6) rect(x + k, y0, Math.min(x + k + 3, x + w - 2), y0 + 24, FREE);
    rect(x, y0, x + 3, y0 + 24, TAG); // header
    rect(x + w - 5, y0, x + w - 2, y0 + 24, TAG); // boundary tag
    x += w;
  }
});

function crc32(buf) {
  let c, crc = 0xffffffff;
  for (let n = 0; n < buf.length; n++) {
    c = (crc ^ buf[n]) & 0xff;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    crc = (crc >>> 8) ^ c;
  }
  return (crc ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  Buffer.from(data).copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}
const raw = Buffer.alloc(H * (W * 4 + 1));
for (let y = 0; y < H; y++) Buffer.from(px.subarray(y * W * 4, (y + 1) * W * 4)).copy(raw, y * (W * 4 + 1) + 1);
const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(W, 0);
ihdr.writeUInt32BE(H, 4);
ihdr.set([8, 6, 0, 0, 0], 8);
const png = Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
writeFileSync(new URL('../media/icon.png', import.meta.url), png);
