/**
 * BF behind the method interface (lib/methods/bayes.ts):
 * - parity: the authors' three published results `result/F{1,2,3}.png` (Zhaozixiang1228/
 *   IVIF-Bayesian-Fusion @ 76df0c7, staged as group `bayes-results`) from `datasets/IR{i}.png`,
 *   `VIS{i}.png`, through `getMethod('bayes')` and the project's PNG writer. Tolerance: at most
 *   {@link MAX_DIFFERING} pixels per image may differ, each by 1 grey level (pixels whose float64
 *   value lies at a .5 rounding boundary, where a different FFT could round the other way; the
 *   README counts 0, 1 and 2 within 1e-6 of one). Measured: 0, 0, 0 pixels differ.
 * - the rounding: written through float32 without BF's own quantisation, 1, 0 and 5 pixels
 *   would differ — why F comes back already rounded as MATLAB's `im2uint8` does;
 * - options, sizes and errors.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { getMethod, MethodError, type Fuser } from '../../lib/methods/index.js';
import { bayesParams, im2uint8, toFloat64Unit, BAYES_MIN_SIDE } from '../../lib/methods/bayes.js';
import { bayesFusion } from '../../lib/bayes/em.js';
import { ImageError, readGrey, readGrey8, rintHalfEven, writeGreyPng, type GreyImage } from '../../lib/io/image.js';
import { upstreamFile } from '../helpers/upstream.js';
import { main } from '../../lib/cli/main.js';

const t = suite('methods/bayes');

/** Largest number of pixels per published image allowed to differ (each by exactly 1). */
const MAX_DIFFERING = 3;

async function example(i: number): Promise<{ ir: string; vis: string; ref: string } | null> {
  const ir = await upstreamFile(`datasets/IR${i}.png`, 'bayesfusion');
  const vis = await upstreamFile(`datasets/VIS${i}.png`, 'bayesfusion');
  const ref = await upstreamFile(`result/F${i}.png`, 'bayesfusion');
  return ir && vis && ref ? { ir, vis, ref } : null;
}

function grey(width: number, height: number, f: (k: number) => number): GreyImage {
  return { width, height, data: Float32Array.from({ length: width * height }, (_, k) => Math.fround(f(k) / 255)) };
}

t('the three published results are reproduced: written F{1,2,3}.png ≤ 3 pixels off, by 1 (measured 0 / 0 / 0)', async () => {
  const fuser = await getMethod('bayes').load();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bayes-parity-'));
  try {
    for (const i of [1, 2, 3]) {
      const files = await example(i);
      if (!files) return;
      const [ir, vis, ref] = [await readGrey(files.ir), await readGrey(files.vis), await readGrey8(files.ref)];
      const { F } = await fuser.fuse(ir, vis);
      const out = path.join(dir, `F${i}.png`);
      await writeGreyPng(out, F);
      const ours = await readGrey8(out);
      assert.is(ours.width, ref.width);
      assert.is(ours.height, ref.height);
      let differ = 0, maxDiff = 0;
      for (let k = 0; k < ref.data.length; k++) {
        const d = Math.abs(ours.data[k] - ref.data[k]);
        if (d) differ++;
        maxDiff = Math.max(maxDiff, d);
      }
      console.log(`    F${i}.png (${ref.width}×${ref.height}): ${differ} of ${ref.data.length} pixels differ, max ${maxDiff}`);
      assert.ok(maxDiff <= 1, `F${i}: max difference ${maxDiff} grey levels`);
      assert.ok(differ <= MAX_DIFFERING, `F${i}: ${differ} pixels differ (allowed ${MAX_DIFFERING})`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

t('why F is returned rounded: float32 F through the half-even writer would differ on F1/F3', async () => {
  const files = await example(3);
  if (!files) return;
  const [ir, vis, ref] = [await readGrey8(files.ir), await readGrey8(files.vis), await readGrey8(files.ref)];
  const { F } = bayesFusion(Float64Array.from(ir.data, (v) => v / 255), Float64Array.from(vis.data, (v) => v / 255), ir.width, ir.height);
  let viaFloat32 = 0, halfEven = 0, halfAway = 0;
  const q = im2uint8(F);
  for (let k = 0; k < F.length; k++) {
    const v32 = Math.min(255, Math.max(0, rintHalfEven(Math.fround(255 * Math.fround(F[k])))));
    if (v32 !== ref.data[k]) viaFloat32++;
    if (Math.min(255, Math.max(0, rintHalfEven(255 * Math.min(1, Math.max(0, F[k]))))) !== ref.data[k]) halfEven++;
    if (q[k] !== ref.data[k]) halfAway++;
  }
  assert.is(halfAway, 0, 'MATLAB im2uint8 of the float64 F');
  assert.is(halfEven, 0, 'no pixel is an exact tie, so half-even of the float64 F agrees too');
  assert.ok(viaFloat32 > 0, `storing F in float32 first moves pixels (${viaFloat32} on F3)`);
});

t('intermediates: Y, X, H, C, D, ρ, F₁, F₂ and the raw F, at the input size; F = clip/round(X + V)', async () => {
  const W = 23, H = 17;
  const ir = grey(W, H, (k) => (k * 37) % 256), vis = grey(W, H, (k) => (k * 11 + 50) % 256);
  const { F, maps } = await (await getMethod('bayes').load()).fuse(ir, vis, { intermediates: true });
  assert.equal(maps!.map((m) => m.name), ['Y', 'X', 'H', 'C', 'D', 'rho', 'F1', 'F2', 'F_raw']);
  for (const m of maps!) {
    assert.is(m.image.width, W);
    assert.is(m.image.height, H);
    assert.ok(m.description && m.description.length > 10);
  }
  const X = maps!.find((m) => m.name === 'X')!.image.data;
  for (let k = 0; k < W * H; k++) {
    const raw = X[k] + vis.data[k];
    const want = Math.round(255 * Math.min(1, Math.max(0, raw)));
    assert.ok(Math.abs(F.data[k] * 255 - want) <= 1 + 1e-4, `pixel ${k}`); // X is stored in float32 here
    assert.ok(Math.abs(F.data[k] * 255 - Math.round(F.data[k] * 255)) < 1e-4, 'F is on the 8-bit grid');
  }
});

t(`tiny and odd sizes: ${BAYES_MIN_SIDE}×${BAYES_MIN_SIDE}, 2×7, 5×3, 17×11 (Bluestein lengths) fuse to finite 8-bit images`, async () => {
  const fuser = await getMethod('bayes').load();
  for (const [W, H] of [[2, 2], [2, 7], [5, 3], [17, 11], [37, 2]]) {
    const { F } = await fuser.fuse(grey(W, H, (k) => (k * 97) % 256), grey(W, H, (k) => (k * 31 + 3) % 256));
    assert.is(F.data.length, W * H);
    assert.ok(F.data.every((v) => v >= 0 && v <= 1 && Number.isFinite(v)), `${W}×${H}`);
  }
  // Constant inputs: Y = 0 everywhere, so X stays 0 and F = V.
  const { F } = await fuser.fuse(grey(4, 3, () => 100), grey(4, 3, () => 100));
  assert.ok(F.data.every((v) => v === Math.fround(100 / 255)));
});

t('too small (1×N, N×1) and mismatched sizes are refused with one clear line naming the sizes', async () => {
  const fuser: Fuser = await getMethod('bayes').load();
  const rejects = async (ir: GreyImage, vis: GreyImage, re: RegExp) => {
    try { await fuser.fuse(ir, vis); assert.unreachable('should reject'); } catch (e) {
      assert.instance(e, ImageError);
      assert.match((e as Error).message, re);
      assert.not.match((e as Error).message, /\n/);
    }
  };
  await rejects(grey(1, 1, () => 0), grey(1, 1, () => 0), /1×1; BF needs at least 2×2 pixels/);
  await rejects(grey(1, 9, () => 0), grey(1, 9, () => 0), /1×9; BF needs at least 2×2/);
  await rejects(grey(9, 1, () => 0), grey(9, 1, () => 0), /9×1; BF needs at least 2×2/);
  await rejects(grey(8, 6, () => 0), grey(6, 8, () => 0), /IR and VIS sizes differ: IR image is 8×6, VIS image is 6×8/);
});

t('options: defaults as the authors\'; rho, lambda, outer, inner validated; unknown keys and weights refused', async () => {
  assert.equal(bayesParams(), { rho: 1, lambda: 0.5, outer: 15, inner: 2, tauA: 1, tauB: 1 });
  assert.equal(bayesParams({ rho: 2, lambda: '0.25', outer: 3, inner: '1' }), { rho: 2, lambda: 0.25, outer: 3, inner: 1, tauA: 1, tauB: 1 });
  const bad: [Record<string, string | number | boolean>, RegExp][] = [
    [{ rho: 0 }, /'rho' must be > 0, got 0/],
    [{ rho: -1 }, /'rho' must be > 0/],
    [{ lambda: -0.1 }, /'lambda' must be ≥ 0/],
    [{ lambda: 'abc' }, /'lambda' must be a number, got 'abc'/],
    [{ outer: 0 }, /'outer' must be an integer from 1 to 10000, got 0/],
    [{ outer: 2.5 }, /'outer' must be an integer/],
    [{ inner: 1e6 }, /'inner' must be an integer from 1 to 10000/],
    [{ rho: true }, /'rho' must be a number, got 'true'/],
    [{ mode: 'sum' }, /unknown option 'mode'/],
    [{ weights: 'x.pkl' }, /BF has no weights/],
  ];
  for (const [opts, re] of bad) {
    try { await getMethod('bayes').load(opts); assert.unreachable(`should reject ${JSON.stringify(opts)}`); } catch (e) {
      assert.instance(e, MethodError);
      assert.match((e as Error).message, re);
    }
  }
  const info = (await getMethod('bayes').load({ outer: 3 })).info;
  assert.equal(info.defaults, { rho: 1, lambda: 0.5, outer: 3, inner: 2 });
  assert.is(info.title, 'BF');
  assert.is(info.parameters, 0);
  assert.is(info.family, 'model-based');
});

t('fewer iterations give a different image (the options reach the iteration)', async () => {
  const W = 16, H = 12;
  const ir = grey(W, H, (k) => (k * 37) % 256), vis = grey(W, H, (k) => (k * 11 + 50) % 256);
  const a = (await (await getMethod('bayes').load()).fuse(ir, vis)).F.data;
  const b = (await (await getMethod('bayes').load({ outer: 1, inner: 1 })).fuse(ir, vis)).F.data;
  assert.ok(a.some((v, k) => v !== b[k]));
});

t('8-bit inputs are taken at float64 k/255 (im2double); other values as they are', () => {
  const img = grey(3, 1, (k) => [0, 128, 255][k]);
  assert.equal([...toFloat64Unit(img)], [0, 128 / 255, 1]);
  const raw: GreyImage = { width: 2, height: 1, data: Float32Array.from([0.3, 0.7]) };
  assert.equal([...toFloat64Unit(raw)], [Math.fround(0.3), Math.fround(0.7)]);
  assert.equal([...im2uint8(Float64Array.from([-0.1, 0, 0.5 / 255, 1.5 / 255, 1, 1.2, NaN]))], [0, 0, 1, 2, 255, 255, 0]);
});

t('the CLI: auif fuse --method bayes writes F2.png as published; bad options and sizes exit with one line', async () => {
  const files = await example(2);
  if (!files) return;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bayes-cli-'));
  const errors: string[] = [];
  const origError = console.error;
  console.error = (...a: unknown[]) => { errors.push(a.join(' ')); };
  try {
    const out = path.join(dir, 'F2.png');
    assert.is(await main(['fuse', '--method', 'bayes', '--ir', files.ir, '--vis', files.vis, '--out', out]), 0, errors.join('\n'));
    const [ours, ref] = [await readGrey8(out), await readGrey8(files.ref)];
    let differ = 0;
    for (let k = 0; k < ref.data.length; k++) if (ours.data[k] !== ref.data[k]) differ++;
    assert.ok(differ <= MAX_DIFFERING, `CLI F2: ${differ} pixels differ`);
    assert.is(await main(['fuse', '--method', 'bayes', '--option', 'outer=0', '--ir', files.ir, '--vis', files.vis, '--out', out]), 2);
    assert.match(errors.join('\n'), /'outer' must be an integer from 1 to 10000, got 0/);
    await writeGreyPng(path.join(dir, 'one.png'), grey(1, 1, () => 7));
    assert.is(await main(['fuse', '--method', 'bayes', '--ir', path.join(dir, 'one.png'), '--vis', path.join(dir, 'one.png'), '--out', path.join(dir, 'o.png')]), 1);
    assert.match(errors.join('\n'), /one\.png is 1×1; BF needs at least 2×2 pixels/);
    assert.not.ok(fs.existsSync(path.join(dir, 'o.png')));
  } finally {
    console.error = origError;
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

t.run();
