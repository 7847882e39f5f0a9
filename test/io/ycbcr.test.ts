/**
 * PIL-exact YCbCr. Expected values: test/io/fixtures/pil_ycbcr.json, made by PIL itself (Debian
 * python3-pil 9.4.0, `apt-get install python3-pil`; script test/io/fixtures/pil_ycbcr.py): a
 * handful of pixels through `convert('YCbCr')`, `convert('RGB')` and `convert('L')`, and the
 * sha256 of PIL's conversion of all 2²⁴ RGB triplets and of all 2²⁴ YCbCr triplets. Tolerance 0:
 * every byte must be PIL's.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { rgbPixelToYCbCr, rgbToYCbCr, yCbCrPixelToRgb, yCbCrToRgb } from '../../lib/io/ycbcr.js';
import { luma601 } from '../../lib/io/image.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const pil = JSON.parse(fs.readFileSync(path.join(here, 'fixtures', 'pil_ycbcr.json'), 'utf8')) as {
  rgb: number[][]; rgb_to_ycbcr: number[][]; rgb_to_L: number[]; ycbcr: number[][]; ycbcr_to_rgb: number[][];
  cube_rgb_to_ycbcr_sha256: string; cube_ycbcr_to_rgb_sha256: string;
};
const t = suite('io/ycbcr');

t('RGB → YCbCr equals PIL convert("YCbCr") on the fixture pixels (exact)', () => {
  pil.rgb.forEach(([r, g, b], i) => assert.equal(rgbPixelToYCbCr(r, g, b), pil.rgb_to_ycbcr[i], `RGB ${[r, g, b]}`));
  const buf = Uint8Array.from(pil.rgb.flat());
  const p = rgbToYCbCr(pil.rgb.length, 1, buf);
  assert.equal([...p.Y], pil.rgb_to_ycbcr.map((x) => x[0]));
  assert.equal([...p.Cb], pil.rgb_to_ycbcr.map((x) => x[1]));
  assert.equal([...p.Cr], pil.rgb_to_ycbcr.map((x) => x[2]));
});

t('YCbCr → RGB equals PIL convert("RGB") on the fixture pixels (exact)', () => {
  pil.ycbcr.forEach(([y, cb, cr], i) => assert.equal(yCbCrPixelToRgb(y, cb, cr), pil.ycbcr_to_rgb[i], `YCbCr ${[y, cb, cr]}`));
  const n = pil.ycbcr.length;
  const rgb = yCbCrToRgb({ width: n, height: 1, Y: Uint8Array.from(pil.ycbcr.map((x) => x[0])), Cb: Uint8Array.from(pil.ycbcr.map((x) => x[1])), Cr: Uint8Array.from(pil.ycbcr.map((x) => x[2])) });
  assert.equal([...rgb], pil.ycbcr_to_rgb.flat());
});

t('PIL convert("L") (luma601) on the fixture pixels; a grey pixel has Cb = Cr = 128 and Y = v or v − 1', () => {
  pil.rgb.forEach(([r, g, b], i) => assert.is(luma601(r, g, b), pil.rgb_to_L[i]));
  // PIL's 6-bit tables are rounded separately, so their sum can fall one short of 64·v (v = 11: 703)
  let low = 0;
  for (let v = 0; v < 256; v++) {
    const [y, cb, cr] = rgbPixelToYCbCr(v, v, v);
    assert.equal([cb, cr], [128, 128], `grey ${v}`);
    assert.ok(y === v || y === v - 1, `grey ${v}: Y ${y}`);
    if (y !== v) low++;
  }
  assert.ok(low > 0 && low < 256);
  assert.equal(rgbPixelToYCbCr(11, 11, 11), [10, 128, 128]);
});

t('all 2^24 triplets, both directions, byte for byte PIL (sha256 of PIL 9.4 output)', () => {
  const n = 1 << 24;
  const cube = new Uint8Array(3 * n);
  for (let v = 0, o = 0; v < n; v++, o += 3) { cube[o] = v >>> 16; cube[o + 1] = (v >>> 8) & 255; cube[o + 2] = v & 255; }
  const p = rgbToYCbCr(4096, 4096, cube);
  const inter = new Uint8Array(3 * n);
  for (let i = 0, o = 0; i < n; i++, o += 3) { inter[o] = p.Y[i]; inter[o + 1] = p.Cb[i]; inter[o + 2] = p.Cr[i]; }
  assert.is(crypto.createHash('sha256').update(inter).digest('hex'), pil.cube_rgb_to_ycbcr_sha256, 'RGB → YCbCr');
  // the same cube read as YCbCr planes
  const Y = new Uint8Array(n); const Cb = new Uint8Array(n); const Cr = new Uint8Array(n);
  for (let i = 0, o = 0; i < n; i++, o += 3) { Y[i] = cube[o]; Cb[i] = cube[o + 1]; Cr[i] = cube[o + 2]; }
  assert.is(crypto.createHash('sha256').update(yCbCrToRgb({ width: 4096, height: 4096, Y, Cb, Cr })).digest('hex'), pil.cube_ycbcr_to_rgb_sha256, 'YCbCr → RGB');
});

t('round trip RGB → YCbCr → RGB is within PIL\'s fixed-point error (±3 levels) and exact for grey', () => {
  let worst = 0;
  for (let r = 0; r < 256; r += 5) for (let g = 0; g < 256; g += 3) for (let b = 0; b < 256; b += 7) {
    const [y, cb, cr] = rgbPixelToYCbCr(r, g, b);
    const back = yCbCrPixelToRgb(y, cb, cr);
    worst = Math.max(worst, Math.abs(back[0] - r), Math.abs(back[1] - g), Math.abs(back[2] - b));
  }
  assert.ok(worst <= 3, `worst ${worst}`);
  for (let v = 0; v < 256; v++) assert.equal(yCbCrPixelToRgb(v, 128, 128), [v, v, v]);
});

t('a buffer of the wrong length is refused', () => {
  assert.throws(() => rgbToYCbCr(2, 2, new Uint8Array(11)), /rgbToYCbCr: 11 values for a 2×2 RGB image/);
});

t.run();
