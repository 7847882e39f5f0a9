/**
 * RandomResizedCrop(128) + Grayscale(1) + ToTensor as upstream: crop boxes within bounds and in
 * the scale/ratio ranges, torchvision's central-crop fallback, and PIL's bilinear resize and grey
 * conversion bit for bit (fixtures/pil_resize.json, made with Pillow 9.4 by make_pil_resize.py).
 * Also the data loader's batch layout (360 images → 11 batches of 32 and one of 8).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs-core';
import { centralCrop, randomResizedCropParams, randomResizedCropSample, resizeBilinear, resizedCropGrey, type Image8 } from '../../lib/train/augment.js';
import { batchIndices, decodeImage8, makeBatch, stepsPerEpochFor } from '../../lib/train/data.js';
import { Rng } from '../../lib/train/rng.js';
import { useBackend } from '../helpers/fixture.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const t = suite('train/augment + data');
t.before(async () => { await useBackend('cpu'); });

/** The synthetic pattern of make_pil_resize.py. */
function pattern(w: number, h: number, ch: number): Uint8Array {
  const d = new Uint8Array(w * h * ch);
  let i = 0;
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let c = 0; c < ch; c++) d[i++] = (7 * x * x + 13 * y + 3 * x * y + 50 * c + ((31 * x) ^ (17 * y))) & 255;
  return d;
}

t('resized crop + grey equals Pillow bit for bit (down, up, one axis, copy, RGB, training sizes)', () => {
  const fx = JSON.parse(fs.readFileSync(path.join(here, 'fixtures/pil_resize.json'), 'utf8')) as { cases: { w: number; h: number; channels: 1 | 3; box: { top: number; left: number; height: number; width: number }; outW: number; outH: number; hex?: string; sha256: string }[] };
  assert.ok(fx.cases.length >= 10);
  for (const c of fx.cases) {
    const img: Image8 = { width: c.w, height: c.h, channels: c.channels, data: pattern(c.w, c.h, c.channels) };
    const out = resizedCropGrey(img, c.box, c.outW, c.outH);
    const what = `${c.w}×${c.h}×${c.channels} box ${JSON.stringify(c.box)} → ${c.outW}×${c.outH}`;
    if (c.hex) {
      const ref = Buffer.from(c.hex, 'hex');
      let bad = 0;
      for (let i = 0; i < ref.length; i++) if (ref[i] !== out[i]) bad++;
      assert.is(bad, 0, `${what}: ${bad} pixels differ`);
    }
    assert.is(crypto.createHash('sha256').update(out).digest('hex'), c.sha256, what);
  }
});

t('resizeBilinear: same size is a copy; a constant stays constant', () => {
  const src = pattern(9, 7, 1);
  assert.equal(Array.from(resizeBilinear(src, 9, 7, 9, 7)), Array.from(src));
  const flat = new Uint8Array(50 * 30).fill(77);
  assert.ok(resizeBilinear(flat, 50, 30, 13, 128).every((v) => v === 77));
  assert.throws(() => resizeBilinear(src, 9, 6, 3, 3), /63 values for a 9×6 plane/);
});

t('crop boxes lie inside the image, with area ≈ 8–100 % and aspect ≈ 3/4–4/3', () => {
  const rng = new Rng(3);
  for (const [W, H] of [[500, 329], [394, 380], [640, 512], [128, 128], [30, 20]]) {
    for (let i = 0; i < 2000; i++) {
      const b = randomResizedCropParams(rng, W, H);
      assert.ok(b.top >= 0 && b.left >= 0 && b.width >= 1 && b.height >= 1 && b.top + b.height <= H && b.left + b.width <= W, `${W}×${H}: ${JSON.stringify(b)}`);
      const isFallback = b.width === W || b.height === H;
      if (!isFallback && W >= 100) {
        const frac = (b.width * b.height) / (W * H);
        const ar = b.width / b.height;
        assert.ok(frac > 0.07 && frac < 1.01, `area fraction ${frac}`);
        assert.ok(ar > 0.7 && ar < 1.42, `aspect ${ar}`);
      }
    }
  }
});

t('fallback after 10 failed tries: the central crop clamped to the ratio range', () => {
  // 1000×10: every try asks for h ≥ √(0.08·10000/(4/3)) ≈ 24 > 10 rows, so all ten fail.
  assert.equal(randomResizedCropParams(new Rng(0), 1000, 10), { top: 0, left: 493, height: 10, width: 13 });
  assert.equal(randomResizedCropParams(new Rng(0), 10, 1000), { top: 493, left: 0, height: 13, width: 10 });
  assert.equal(centralCrop(100, 90), { top: 0, left: 0, height: 90, width: 100 });
  assert.equal(centralCrop(300, 100), { top: 0, left: 83, height: 100, width: 133 });
});

t('a sample is size² values in [0, 1] that are k/255', () => {
  const img: Image8 = { width: 60, height: 40, channels: 3, data: pattern(60, 40, 3) };
  const s = randomResizedCropSample(new Rng(9), img, 32);
  assert.is(s.length, 32 * 32);
  assert.ok(s.every((v) => v >= 0 && v <= 1 && Math.fround(Math.round(v * 255) / 255) === v));
});

t('batches: 360 images, batch 32 → 12 steps, the last of 8; makeBatch is NHWC [n, s, s, 1]', () => {
  assert.is(stepsPerEpochFor(360, 32), 12);
  const perm = new Rng(1).permutation(360);
  const sizes = Array.from({ length: 12 }, (_, s) => batchIndices(perm, 32, s).length);
  assert.equal(sizes, [...new Array(11).fill(32), 8]);
  assert.equal([...Array.from({ length: 12 }, (_, s) => [...batchIndices(perm, 32, s)]).flat()].sort((a, b) => a - b), Array.from({ length: 360 }, (_, i) => i));
  assert.throws(() => batchIndices(perm, 32, 12), /past the epoch/);
  const imgs: Image8[] = [{ width: 40, height: 30, channels: 1, data: pattern(40, 30, 1) }, { width: 33, height: 45, channels: 3, data: pattern(33, 45, 3) }];
  const before = tf.memory().numTensors;
  const b = makeBatch(new Rng(2), imgs, [1, 0, 1], 24);
  assert.equal(b.shape, [3, 24, 24, 1]);
  b.dispose();
  assert.is(tf.memory().numTensors, before);
});

t('decodeImage8: grey files give one plane, colour files three (PIL convert("RGB"))', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auif-decode-'));
  try {
    const grey = Buffer.from(pattern(20, 10, 1));
    await sharp(grey, { raw: { width: 20, height: 10, channels: 1 } }).png().toFile(path.join(dir, 'g.png'));
    await sharp(Buffer.from(pattern(20, 10, 3)), { raw: { width: 20, height: 10, channels: 3 } }).png().toFile(path.join(dir, 'c.png'));
    const g = await decodeImage8(path.join(dir, 'g.png'));
    const c = await decodeImage8(path.join(dir, 'c.png'));
    assert.is(g.channels, 1);
    assert.equal(Array.from(g.data), Array.from(grey));
    assert.is(c.channels, 3);
    assert.equal(Array.from(c.data), Array.from(pattern(20, 10, 3)));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

t.run();
