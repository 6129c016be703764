// make-data.mjs - builds everything the SuperResolution example and its tests read:
//
//   ../weights/esrgan_medium_x2.safetensors   the pretrained x2 RDN of @upscalerjs/esrgan-medium 1.0.0 (MIT),
//                                             converted from its TF.js layers model to PyTorch layout
//   <photo>-1280x720.tensor.gz                a 1280x720 window of each photograph (uint8 RGB)
//   <photo>-256.tensor.gz                     a 256x256 crop inside that window: the ground truth (uint8 RGB)
//   <photo>-128.tensor.gz                     that crop downscaled x2 with a 2x2 box filter: the model input (uint8 RGB)
//   <photo>-tfjs-x2.tensor.gz                 TF.js's output for that input: the reference (float32 RGB, 256x256)
//
// Photographs: @solid-design-system/placeholders 3.0.3 (images under the Unsplash License; see README.md).
//
// Regenerate (from this folder):   npm ci && node make-data.mjs     (about two minutes: TF.js runs on its plain-JS
// CPU backend, as the native tfjs-node backend is not needed and would download a library at install time)
//
// Tensor files (*.tensor.gz) are a gzip stream of, little-endian:
//   offset  size      field
//   0       4         magic "TNSR" (ASCII)
//   4       4         uint32 version = 1
//   8       4         uint32 dtype: 1 = uint8, 2 = float32
//   12      4         uint32 rank = 3
//   16      4 * rank  uint32 dims: channels (3: R, G, B), height, width
//   ...               the values, planar (CHW): all of R row by row, then G, then B
// Pixels are 0..255; the network takes and returns 0..255 values too (see README.md).
//
// Safetensors: an 8-byte little-endian header length, a JSON header (tensors sorted by name, each with dtype,
// shape and data_offsets, plus __metadata__), padded with spaces to a multiple of 8, then the F32 data in header
// order. Conv kernels become {layer}.weight [out, in, kh, kw] (TF stores [kh, kw, in, out]) and {layer}.bias [out],
// under the TF layer names (F_m1, F_0, F_1_1, LFF_1, ..., GFF_1, GFF_2, UPN1, UPN2, UPN3, SR).
//
// Determinism: no randomness; TF.js's CPU kernels are plain sequential JavaScript; gzip level 9 via
// zlib.gzipSync (mtime 0) with the header's OS byte forced to 255. The script prints the SHA-256 of every
// output (for .gz files, also of the uncompressed payload, the portable identity of the data).

import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync, constants as zc } from 'node:zlib';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const weightsPath = join(here, '..', 'weights', 'esrgan_medium_x2.safetensors');

const PINNED = {
  '@upscalerjs/esrgan-medium': '1.0.0',
  '@solid-design-system/placeholders': '3.0.3',
  '@tensorflow/tfjs-core': '4.22.0',
  '@tensorflow/tfjs-layers': '4.22.0',
  '@tensorflow/tfjs-backend-cpu': '4.22.0',
  'jpeg-js': '0.4.4',
};

// Each photo: a 1280x720 window and, inside it, the 256x256 crop the example upscales (photo pixel coordinates,
// top-left corners). The crops were picked for fine detail: roof slats, coin edges, lit office windows.
const FRAME = { width: 1280, height: 720 };
const CROP = 256;
const SCALE = 2;
const PHOTOS = [
  { name: 'architecture', file: 'architecture.jpg', frame: [383, 322], crop: [1192, 392] },
  { name: 'coins', file: 'coins.jpg', frame: [383, 645], crop: [800, 1010] },
  { name: 'skyline', file: 'skyline.jpg', frame: [383, 322], crop: [920, 360] },
];

// Packages are read from this folder's node_modules (npm ci), not resolved through their exports maps.
const packageRoot = (name) => join(here, 'node_modules', name);
for (const [name, version] of Object.entries(PINNED)) {
  const found = JSON.parse(readFileSync(join(packageRoot(name), 'package.json'), 'utf8')).version;
  if (found !== version) throw new Error(`expected ${name}@${version}, found ${found} (run npm ci)`);
}

const tf = require('@tensorflow/tfjs-core');
require('@tensorflow/tfjs-backend-cpu');
const tfl = require('@tensorflow/tfjs-layers');
const jpeg = require('jpeg-js');

const sha = (b) => createHash('sha256').update(b).digest('hex');
const outputs = [];
function write(path, bytes, payload) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, bytes);
  outputs.push({ path: relative(join(here, '..'), path), bytes: bytes.length, sha: sha(bytes), payload: payload && sha(payload) });
}

// ---- The model: TF.js layers model from the package files, weights fed from memory (no fetch). ----

const modelDir = join(packageRoot('@upscalerjs/esrgan-medium'), 'models', 'x2');
const modelJson = JSON.parse(readFileSync(join(modelDir, 'model.json'), 'utf8'));
const weightSpecs = modelJson.weightsManifest.flatMap((group) => group.weights);
const shards = Buffer.concat(modelJson.weightsManifest.flatMap((group) => group.paths.map((p) => readFileSync(join(modelDir, p)))));
const weightData = shards.buffer.slice(shards.byteOffset, shards.byteOffset + shards.byteLength);

await tf.setBackend('cpu');
const model = await tfl.loadLayersModel(tf.io.fromMemory({ modelTopology: modelJson.modelTopology, weightSpecs, weightData }));

// ---- Weights: every Conv2D's kernel and bias, PyTorch layout, as safetensors. ----

const tensors = [];
for (const layer of model.layers) {
  const cls = layer.getClassName();
  if (cls === 'Conv2D') {
    const [kernel, bias] = layer.getWeights();
    const [kh, kw, cin, cout] = kernel.shape;
    const k = kernel.dataSync();
    const w = new Float32Array(k.length);
    for (let o = 0; o < cout; o++) {
      for (let i = 0; i < cin; i++) {
        for (let y = 0; y < kh; y++) {
          for (let x = 0; x < kw; x++) {
            w[((o * cin + i) * kh + y) * kw + x] = k[((y * kw + x) * cin + i) * cout + o];
          }
        }
      }
    }
    tensors.push({ name: `${layer.name}.weight`, shape: [cout, cin, kh, kw], data: w });
    tensors.push({ name: `${layer.name}.bias`, shape: [cout], data: Float32Array.from(bias.dataSync()) });
  } else if (layer.getWeights().length > 0) {
    throw new Error(`layer ${layer.name} (${cls}) has weights this script does not convert`);
  }
}
write(weightsPath, safetensors(tensors, {
  format: 'pt',
  source: '@upscalerjs/esrgan-medium@1.0.0 models/x2 (MIT, Kevin Scott); TF kernels [kh, kw, in, out] transposed to [out, in, kh, kw]',
}));

function safetensors(list, metadata) {
  const sorted = [...list].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const header = { __metadata__: metadata };
  let offset = 0;
  for (const t of sorted) {
    const end = offset + t.data.length * 4;
    header[t.name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, end] };
    offset = end;
  }
  let json = Buffer.from(JSON.stringify(header), 'utf8');
  const padded = Math.ceil(json.length / 8) * 8;
  json = Buffer.concat([json, Buffer.alloc(padded - json.length, 0x20)]);
  const file = Buffer.alloc(8 + padded + offset);
  file.writeBigUInt64LE(BigInt(padded), 0);
  json.copy(file, 8);
  let pos = 8 + padded;
  for (const t of sorted) {
    for (const v of t.data) {
      file.writeFloatLE(v, pos);
      pos += 4;
    }
  }
  return file;
}

// ---- Photos: decode, cut the window and the crop, downscale, run the reference. ----

const photoDir = join(packageRoot('@solid-design-system/placeholders'), 'src', 'images');
const psnrs = [];
for (const photo of PHOTOS) {
  const img = jpeg.decode(readFileSync(join(photoDir, photo.file)), { useTArray: true, formatAsRGBA: false, maxResolutionInMP: 10 });
  const [fx, fy] = photo.frame;
  const [cx, cy] = photo.crop;
  if (fx + FRAME.width > img.width || fy + FRAME.height > img.height
    || cx < fx || cy < fy || cx + CROP > fx + FRAME.width || cy + CROP > fy + FRAME.height) {
    throw new Error(`${photo.file} (${img.width}x${img.height}): window or crop out of bounds`);
  }
  photo.size = `${img.width}x${img.height}`;

  const frame = cut(img, fx, fy, FRAME.width, FRAME.height);
  const hr = cut(img, cx, cy, CROP, CROP);
  const lr = boxDownscale(hr, CROP, CROP, SCALE);
  writeTensor(`${photo.name}-1280x720.tensor.gz`, 1, [3, FRAME.height, FRAME.width], frame);
  writeTensor(`${photo.name}-256.tensor.gz`, 1, [3, CROP, CROP], hr);
  writeTensor(`${photo.name}-128.tensor.gz`, 1, [3, CROP / SCALE, CROP / SCALE], lr);

  // TF.js takes NHWC; values 0..255 as float32.
  const n = CROP / SCALE;
  const nhwc = new Float32Array(n * n * 3);
  for (let c = 0; c < 3; c++) {
    for (let p = 0; p < n * n; p++) nhwc[p * 3 + c] = lr[c * n * n + p];
  }
  const started = Date.now();
  const y = tf.tidy(() => model.predict(tf.tensor4d(nhwc, [1, n, n, 3])));
  const out = y.dataSync();
  y.dispose();
  const seconds = (Date.now() - started) / 1000;
  if (y.shape.join() !== [1, CROP, CROP, 3].join()) throw new Error(`unexpected output shape ${y.shape}`);
  const chw = new Float32Array(out.length);
  for (let c = 0; c < 3; c++) {
    for (let p = 0; p < CROP * CROP; p++) chw[c * CROP * CROP + p] = out[p * 3 + c];
  }
  writeTensor(`${photo.name}-tfjs-x2.tensor.gz`, 2, [3, CROP, CROP], chw);

  // A sanity check that the input range is right: the network must beat repeating each input pixel.
  const nearest = nearestUpscale(lr, n, n, SCALE);
  const result = { name: photo.name, seconds, model: psnr(chw, hr), nearest: psnr(nearest, hr) };
  if (!(result.model > result.nearest)) throw new Error(`${photo.name}: the network (${result.model} dB) does not beat nearest (${result.nearest} dB)`);
  psnrs.push(result);
}

// Planar CHW uint8 copy of a window of a decoded HWC RGB image.
function cut(img, x0, y0, w, h) {
  const out = new Uint8Array(3 * w * h);
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) out[(c * h + y) * w + x] = img.data[((y0 + y) * img.width + x0 + x) * 3 + c];
    }
  }
  return out;
}

// Mean of each s x s block, rounded half up to an integer (as an 8-bit image would store it).
function boxDownscale(chw, w, h, s) {
  const ow = w / s, oh = h / s, area = s * s;
  const out = new Uint8Array(3 * ow * oh);
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < oh; y++) {
      for (let x = 0; x < ow; x++) {
        let sum = 0;
        for (let dy = 0; dy < s; dy++) {
          for (let dx = 0; dx < s; dx++) sum += chw[(c * h + y * s + dy) * w + x * s + dx];
        }
        out[(c * oh + y) * ow + x] = Math.floor((sum + area / 2) / area);
      }
    }
  }
  return out;
}

function nearestUpscale(chw, w, h, s) {
  const out = new Uint8Array(3 * w * h * s * s);
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < h * s; y++) {
      for (let x = 0; x < w * s; x++) out[(c * h * s + y) * w * s + x] = chw[(c * h + Math.floor(y / s)) * w + Math.floor(x / s)];
    }
  }
  return out;
}

// PSNR in dB over all channels, the prediction clamped to 0..255 and rounded to 8 bits first.
function psnr(prediction, truth) {
  let se = 0;
  for (let i = 0; i < truth.length; i++) {
    const p = Math.min(255, Math.max(0, Math.round(prediction[i])));
    se += (p - truth[i]) ** 2;
  }
  return 10 * Math.log10((255 * 255) / (se / truth.length));
}

function writeTensor(file, dtype, dims, values) {
  const header = Buffer.alloc(16 + 4 * dims.length);
  header.write('TNSR', 0, 'ascii');
  header.writeUInt32LE(1, 4);
  header.writeUInt32LE(dtype, 8);
  header.writeUInt32LE(dims.length, 12);
  dims.forEach((d, i) => header.writeUInt32LE(d, 16 + 4 * i));
  const body = Buffer.from(values.buffer, values.byteOffset, values.byteLength);
  if (body.length !== dims.reduce((a, b) => a * b, 1) * (dtype === 1 ? 1 : 4)) throw new Error(`${file}: size mismatch`);
  const raw = Buffer.concat([header, body]); // Float32Array bytes are little-endian on every platform Node runs on here.
  const gz = gzipSync(raw, { level: 9, memLevel: 9, strategy: zc.Z_DEFAULT_STRATEGY });
  if (gz.readUInt32LE(4) !== 0) throw new Error('gzip header has a non-zero mtime');
  gz[9] = 255; // OS = unknown; keeps the bytes independent of the build platform.
  write(join(here, file), gz, raw);
}

// ---- Report. ----

console.log(`model: ${model.layers.length} layers, ${tensors.length / 2} convolutions, ${tensors.reduce((a, t) => a + t.data.length, 0)} parameters`);
for (const p of PHOTOS) console.log(`photo ${p.file}: ${p.size}, window ${FRAME.width}x${FRAME.height} at (${p.frame}), crop ${CROP}x${CROP} at (${p.crop})`);
for (const r of psnrs) {
  console.log(`tfjs ${r.name}: ${r.seconds.toFixed(1)} s, PSNR ${r.model.toFixed(2)} dB (nearest ${r.nearest.toFixed(2)} dB)`);
}
console.log('| file | bytes | SHA-256 | SHA-256 uncompressed |');
console.log('|---|---|---|---|');
for (const o of outputs) console.log(`| \`${o.path}\` | ${o.bytes} | \`${o.sha}\` | ${o.payload ? `\`${o.payload}\`` : ''} |`);
