/**
 * The metrics against an independent reference: the public MATLAB code of each metric run
 * unchanged in GNU Octave 7.3.0 on the authors' fused images
 * (datasets/reference/metrics_octave_authors_outputs.csv, values `%.10g`; README there and
 * ../shared/reference/README.md): the `printed` conventions (column-wise SD, zero-border SF, VIFF of
 * Han et al. 2013), VIFB's PSNR, RMSE and cross-entropy (the `vifb` convention), and the standard
 * EN, SD, SF, AG, SSIM, Qabf and VIFB's MI.
 *
 * Tolerance: 2e-9 relative for the ten-digit values (measured worst over all 160 triplets:
 * 4.7e-10, the `%.10g` rounding). VIFF: 5e-5 relative (measured worst 2.3e-5, TNO AUIF 39; Han's
 * code picks, per pixel, the source with the larger g, and ties of g decide between near-equal
 * terms — swapping the two sources moves it by up to 0.53 %, see the reference README).
 * By default pairs 1–5 of each (method, set) — Qabf has Octave values for those only; AUIF_FULL=1
 * checks all 160.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { computeAll, type MetricName } from '../../lib/metrics/index.js';
import type { MetricConvention } from '../../lib/metrics/types.js';
import { DATASETS, FULL, MODELS, PAIRS, referenceCsv, triplet } from './_data.js';

/** AUIF_SAMPLE_PAIRS=N: only pairs 1..N (npm run mutation uses 1, to keep each mutant's run short). */
const SAMPLE = [1, 2, 3, 4, 5].slice(0, Number(process.env.AUIF_SAMPLE_PAIRS ?? 5));
/** [our metric, our convention, Octave CSV metric, relative tolerance]. */
const MAP: [MetricName, MetricConvention, string, number][] = [
  ['SD', 'printed', 'SD_colwise', 2e-9],
  ['SF', 'printed', 'SF_zeroborder', 2e-9],
  ['VIF', 'printed', 'VIFF', 5e-5],
  ['PSNR', 'vifb', 'Psnr', 2e-9],
  ['RMSE', 'vifb', 'Rmse', 2e-9],
  ['CE', 'vifb', 'Cross_entropy', 2e-9],
  ['CE', 'paper', 'Cross_entropy', 2e-9],
  ['EN', 'paper', 'Entropy', 2e-9],
  ['SD', 'paper', 'Variance', 2e-9],
  ['SF', 'paper', 'Spatial_frequency', 2e-9],
  ['AG', 'paper', 'Avg_gradient', 2e-9],
  ['SSIM', 'paper', 'Ssim', 2e-9],
  ['MI', 'vifb', 'Mutinf', 2e-9],
  ['Qabf', 'paper', 'Qabf', 2e-9],
];

const t = suite(`metrics vs the public MATLAB code in Octave (${FULL ? 'all 40' : `pairs ${SAMPLE.join(', ')}`} per method×set)`);
const worst = new Map<string, number>();

for (const model of MODELS) {
  for (const dataset of DATASETS) {
    t(`${model} ${dataset}`, async () => {
      const rows = referenceCsv('metrics_octave_authors_outputs.csv');
      if (!rows) return;
      for (const pair of FULL ? PAIRS : SAMPLE) {
        const ref = new Map(rows.filter((r) => r.method === model && r.dataset === dataset && Number(r.pair) === pair).map((r) => [r.metric, Number(r.value)]));
        assert.ok(ref.size >= 12, `${model} ${dataset} ${pair}: ${ref.size} Octave values`);
        const tr = await triplet(model, dataset, pair);
        if (!tr) return;
        const ours: Record<string, Record<string, number>> = {};
        for (const [name, conv, octave, tol] of MAP) {
          const want = ref.get(octave);
          if (want === undefined) {
            assert.ok(octave === 'Qabf' && pair > 5, `${octave} missing for pair ${pair}`);
            continue;
          }
          ours[conv] ??= computeAll(tr.ir, tr.vis, tr.fused, { convention: conv });
          const got = ours[conv][name];
          const rel = Math.abs(got - want) / Math.abs(want);
          assert.ok(rel <= tol, `${model} ${dataset} ${pair} ${name} (${conv}) vs Octave ${octave}: ${got} vs ${want}, rel ${rel.toExponential(2)} > ${tol}`);
          const key = `${name}(${conv})`;
          worst.set(key, Math.max(worst.get(key) ?? 0, rel));
        }
      }
    });
  }
}

t('the conventions differ where the references do (SD, SF, VIF, PSNR, RMSE), so the pins are not vacuous', async () => {
  const rows = referenceCsv('metrics_octave_authors_outputs.csv');
  if (!rows) return;
  const tr = await triplet('AUIF', 'TNO', 1);
  if (!tr) return;
  const paper = computeAll(tr.ir, tr.vis, tr.fused, { convention: 'paper' });
  const printed = computeAll(tr.ir, tr.vis, tr.fused, { convention: 'printed' });
  const vifb = computeAll(tr.ir, tr.vis, tr.fused, { convention: 'vifb' });
  for (const k of ['SD', 'SF', 'VIF'] as const) assert.ok(Math.abs(paper[k] - printed[k]) / paper[k] > 1e-3, k);
  for (const k of ['PSNR', 'RMSE'] as const) assert.ok(Math.abs(paper[k] - vifb[k]) / paper[k] > 1e-3, k);
});

t.after(() => {
  if (worst.size) console.log(`\n  worst relative error vs Octave: ${[...worst].map(([k, v]) => `${k} ${v.toExponential(1)}`).join(', ')}`);
});

t.run();
