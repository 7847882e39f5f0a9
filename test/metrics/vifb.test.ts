/**
 * VIFB's colour metrics against VIFB's own published per-image values
 * (test/metrics/fixtures/vifb_published_metrics.csv: 13 scenes × 6 methods, 5 significant digits,
 * made by VIFB's MATLAB code). Every (scene, method) pair of the CSV is scored through
 * `evaluateVifbTriplet` (the `auif eval --convention vifb` path) on VIFB's own inputs and fused
 * JPEGs, staged through lib/data/stage.ts. Bars: every value within 2e-4 relative (issue 11), and
 * within half a unit of the CSV's 5th significant digit (the printed precision) + 1e-12.
 *
 * The 11 spatial metrics (EN … EI) are checked on all 78 pairs. Qcb and Qcv (frequency domain,
 * ≈ 2 s of CPU per triplet) on 13 pairs by default — every scene once, the methods in turn — and
 * on all 78 with AUIF_FULL=1.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { upstreamGroup } from '../helpers/upstream.js';
import { stagedPath } from '../../lib/data/stage.js';
import { readImage8 } from '../../lib/io/colour_image.js';
import { vifbPlanes } from '../../lib/report/vifb.js';
import { computeAllRgb } from '../../lib/metrics/index.js';
import { edgeIntensity } from '../../lib/metrics/ei.js';
import { qcbPlanes } from '../../lib/metrics/qcb.js';
import { qcvPlanes } from '../../lib/metrics/qcv.js';
import { computeVifb } from '../../lib/metrics/vifb.js';

const FULL = process.env.AUIF_FULL === '1';

const here = path.dirname(fileURLToPath(import.meta.url));
/** VIFB's metric names → ours. */
export const VIFB_NAME: Record<string, string> = {
  Avg_gradient: 'AG', Cross_entropy: 'CE', Edge_intensity: 'EI', Entropy: 'EN', Mutinf: 'MI', Psnr: 'PSNR', Qabf: 'Qabf',
  Qcb: 'Qcb', Qcv: 'Qcv', Rmse: 'RMSE', Spatial_frequency: 'SF', Ssim: 'SSIM', Variance: 'SD',
};
const rows = fs.readFileSync(path.join(here, 'fixtures', 'vifb_published_metrics.csv'), 'utf8').trim().split('\n').slice(1)
  .map((l) => { const [image, method, metric, value] = l.split(','); return { image, method, metric, value }; });

const t = suite('metrics/vifb');

t('CSV covers 13 scenes × 6 methods × 13 metrics', () => {
  assert.is(rows.length, 13 * 6 * 13);
  assert.is(new Set(rows.map((r) => r.image)).size, 13);
  for (const m of new Set(rows.map((r) => r.metric))) assert.ok(m in VIFB_NAME, m);
});

t(`every VIFB value the project implements, all 78 (scene, method) pairs (Qcb, Qcv: ${FULL ? 'all 78' : '13; AUIF_FULL=1 for all'}), within 2e-4 relative and the printed precision`, async () => {
  if (!(await upstreamGroup('vifb')) || !(await upstreamGroup('vifb-fused'))) return;
  const pairs = [...new Set(rows.map((r) => `${r.image}\t${r.method}`))];
  assert.is(pairs.length, 78);
  const worst: Record<string, { rel: number; at: string }> = {};
  const failures: string[] = [];
  let checked = 0;
  const scenes = [...new Set(rows.map((r) => r.image))];
  const methods = [...new Set(rows.map((r) => r.method))];
  // Qcb/Qcv by default: scene i with method i mod 6 (13 pairs, each method at least twice)
  const frequencyPairs = new Set(FULL ? pairs : scenes.map((s, i) => `${s}\t${methods[i % methods.length]}`));
  for (const key of pairs) {
    const [scene, method] = key.split('\t');
    const [ir, vis, fused] = await Promise.all([`input/IR/${scene}.jpg`, `input/VI/${scene}.jpg`, `output/fused_images/${scene}_${method}.jpg`]
      .map((rel) => readImage8(stagedPath(rel, 'vifb'))));
    const [I, V, F] = [ir, vis, fused].map(vifbPlanes);
    assert.is(F.length, 3, `${scene}_${method} is colour`);
    const ours: Record<string, number> = { ...computeAllRgb(I, V, F, { convention: 'vifb' }), EI: F.reduce((a, f) => a + edgeIntensity(f), 0) / 3 };
    if (frequencyPairs.has(key)) { ours.Qcb = qcbPlanes(V, I, F); ours.Qcv = qcvPlanes(V, I, F); }
    for (const r of rows.filter((x) => x.image === scene && x.method === method)) {
      const name = VIFB_NAME[r.metric];
      if (!(name in ours)) continue; // Qcb/Qcv outside the default subset
      const ref = Number(r.value);
      const v = ours[name];
      const rel = Math.abs(v - ref) / Math.abs(ref);
      const halfUnit = 0.5 * 10 ** (Math.floor(Math.log10(Math.abs(ref))) - 4);
      checked++;
      if (!(rel <= (worst[name]?.rel ?? -1))) worst[name] = { rel, at: `${scene}_${method}` };
      if (!(rel <= 2e-4) || !(Math.abs(v - ref) <= halfUnit + 1e-12)) failures.push(`${scene}_${method} ${name}: ours ${v}, VIFB ${r.value} (rel ${rel.toExponential(2)})`);
    }
  }
  assert.is(checked, 78 * 11 + 2 * frequencyPairs.size);
  console.log(`\n  VIFB per-image values checked: ${checked}; worst relative error per metric:\n  `
    + Object.entries(worst).map(([k, w]) => `${k} ${w.rel.toExponential(1)} (${w.at})`).join(', '));
  assert.equal(failures, []);
});

t('computeVifb (the auif eval path) gives the same values as the pieces above', async () => {
  if (!(await upstreamGroup('vifb')) || !(await upstreamGroup('vifb-fused'))) return;
  const [ir, vis, fused] = await Promise.all(['input/IR/walkingnight.jpg', 'input/VI/walkingnight.jpg', 'output/fused_images/walkingnight_TIF.jpg']
    .map((rel) => readImage8(stagedPath(rel, 'vifb'))));
  const { values, extra } = computeVifb(vifbPlanes(ir), vifbPlanes(vis), vifbPlanes(fused));
  const want = Object.fromEntries(rows.filter((r) => r.image === 'walkingnight' && r.method === 'TIF').map((r) => [VIFB_NAME[r.metric], Number(r.value)]));
  const got: Record<string, number> = { ...values, ...extra };
  for (const [k, v] of Object.entries(want)) assert.ok(Math.abs(got[k] - v) / Math.abs(v) <= 2e-4, `${k}: ${got[k]} vs ${v}`);
});

t('a grey fused image with a colour source is refused with a clear message', () => {
  const g = { width: 2, height: 2, data: [1, 2, 3, 4] };
  assert.throws(() => computeVifb(g, [g, g, g], g), /fused image is grey but the visible image is colour/);
});

t.run();
