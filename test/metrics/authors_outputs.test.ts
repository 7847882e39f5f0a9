/**
 * Every metric on the authors' fused images (AUIF and DIDFuse, TNO and FLIR) against
 * datasets/reference/metrics_authors_outputs.csv (six decimals): within half a unit of the sixth
 * decimal, 5e-7 absolute (+1e-12 for float64 rounding) — all that the CSV's rounding allows.
 * By default a deterministic sample of 5 pairs per model×dataset; `AUIF_FULL=1` checks all 160.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { computeAll, type MetricName } from '../../lib/metrics/index.js';
import { DATASETS, FULL, MODELS, PAIRS, referenceCsv, triplet } from './_data.js';

const SAMPLE = [1, 9, 17, 26, 38];
const COLUMNS: MetricName[] = ['EN', 'SD', 'SF', 'AG', 'MI', 'SCD', 'VIF', 'Qabf', 'SSIM', 'CC'];
const t = suite(`metrics on the authors' outputs vs metrics_authors_outputs.csv (${FULL ? 'all 40' : `pairs ${SAMPLE.join(', ')}`} per model×dataset)`);
const worst: Record<string, { rel: number; abs: number; where: string }> = {};
/** Half a unit of the CSV's sixth decimal. */
const TOL_ABS = 5e-7 + 1e-12;

for (const model of MODELS) {
  for (const dataset of DATASETS) {
    t(`${model} ${dataset}`, async () => {
      const rows = referenceCsv('metrics_authors_outputs.csv');
      if (!rows) return;
      for (const pair of FULL ? PAIRS : SAMPLE) {
        const row = rows.find((r) => r.model === model && r.dataset === dataset && Number(r.pair) === pair);
        assert.ok(row, `no CSV row for ${model} ${dataset} ${pair}`);
        const tr = await triplet(model, dataset, pair);
        if (!tr) return;
        const v = computeAll(tr.ir, tr.vis, tr.fused);
        for (const k of COLUMNS) {
          const ref = Number(row![k]);
          const err = Math.abs(v[k] - ref);
          const rel = err / Math.max(Math.abs(ref), 1e-300);
          assert.ok(err <= TOL_ABS, `${model} ${dataset} pair ${pair} ${k}: ${v[k]} vs ${ref} (abs ${err.toExponential(2)}, rel ${rel.toExponential(2)})`);
          if (!(worst[k]?.abs >= err)) worst[k] = { rel, abs: err, where: `${model} ${dataset} ${pair}` };
        }
      }
    });
  }
}

t.after(() => {
  const parts = COLUMNS.filter((k) => worst[k]).map((k) => `${k} ${worst[k].abs.toExponential(1)}`);
  if (parts.length) console.log(`\n  worst absolute error per metric (bar ${TOL_ABS.toExponential(1)}): ${parts.join(', ')}`);
});

t.run();
