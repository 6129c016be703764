// Writes calibration.safetensors: 1,000 digits of the training split of mnist.bin.gz (every eighth of the 8,000,
// so every digit class is in it; none of the 2,000 held-out ones), as the model's input (pixel / 255), F16
// [1000, 1, 28, 28] under the name "input". It is what the pruned-and-reformed CNN of ../Models.cs is refitted on
// at build time. Node.js built-ins only; deterministic.
//   node make-calibration.mjs
import { readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';

const payload = gunzipSync(readFileSync(new URL('./mnist.bin.gz', import.meta.url)));
const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
if (payload.toString('latin1', 0, 4) !== 'MNST' || view.getUint32(4, true) !== 1) throw new Error('not a version 1 MNST file');
const count = view.getUint32(8, true), rows = view.getUint32(12, true), cols = view.getUint32(16, true), test = view.getUint32(20, true);
const pixels = rows * cols, train = count - test, stride = 8, samples = Math.floor(train / stride);

// float32 -> IEEE half, round to nearest even (the values are in [0, 1]: no overflow, subnormals handled).
const f32 = new Float32Array(1), u32 = new Uint32Array(f32.buffer);
function half(value) {
  f32[0] = value;
  const x = u32[0], sign = (x >>> 16) & 0x8000, exp = (x >>> 23) & 0xff, mant = x & 0x7fffff;
  if (exp < 103) return sign;                                   // below half's smallest subnormal: zero
  if (exp < 113) {                                              // a half subnormal
    const m = mant | 0x800000, shift = 126 - exp, h = m >>> shift, rest = m & ((1 << shift) - 1), mid = 1 << (shift - 1);
    return sign | (h + (rest > mid || (rest === mid && (h & 1)) ? 1 : 0));
  }
  const h = ((exp - 112) << 10) | (mant >>> 13), rest = mant & 0x1fff;
  return sign | (h + (rest > 0x1000 || (rest === 0x1000 && (h & 1)) ? 1 : 0));
}

const data = Buffer.alloc(samples * pixels * 2);
for (let s = 0; s < samples; s++) {
  const record = 24 + s * stride * (1 + pixels) + 1;            // skip the label byte
  for (let p = 0; p < pixels; p++) data.writeUInt16LE(half(payload[record + p] / 255), (s * pixels + p) * 2);
}

let header = JSON.stringify({ input: { dtype: 'F16', shape: [samples, 1, rows, cols], data_offsets: [0, data.length] } });
header += ' '.repeat((8 - (header.length % 8)) % 8);
const size = Buffer.alloc(8);
size.writeBigUInt64LE(BigInt(header.length));
const file = Buffer.concat([size, Buffer.from(header, 'latin1'), data]);
writeFileSync(new URL('./calibration.safetensors', import.meta.url), file);
console.log(`calibration.safetensors: ${samples} training digits (every ${stride}th of ${train}), sha256 ${createHash('sha256').update(file).digest('hex')}`);
