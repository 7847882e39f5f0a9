/**
 * Our fused images against the authors' published outputs (Test_result/TNO_TCSVT, FLIR_TCSVT):
 * within 1 grey level everywhere and ≤ 0.1 % of pixels differing. CI runs this sample;
 * `npm run verify` runs all 80 pairs.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadWeights } from '../../lib/model/checkpoint.js';
import { disposeParams, type AuifParams } from '../../lib/model/params.js';
import { parityWithAuthors, compareGrey8 } from '../../lib/report/parity.js';
import { skipLoudly, upstreamGroup } from '../helpers/upstream.js';
import { useBackend } from '../helpers/fixture.js';

const SAMPLE = { tno: [36, 12], flir: [1, 17] } as const;
const t = suite('report/parity with the authors\' outputs');
let params: AuifParams | null = null;
t.before(async () => {
  await useBackend('wasm');
  if (await upstreamGroup('models')) params = await loadWeights();
});
t.after(() => { if (params) disposeParams(params); });

for (const dataset of ['tno', 'flir'] as const) {
  t(`${dataset} pairs ${SAMPLE[dataset].join(', ')}: ≤ 1 grey level, ≤ 0.1 % pixels differ`, async () => {
    if (!params) return skipLoudly('report/parity', "the authors' weights could not be staged (data group 'models')");
    if (!(await upstreamGroup(dataset)) || !(await upstreamGroup(`results-${dataset}`))) return;
    const rows = await parityWithAuthors(dataset, params, { indices: [...SAMPLE[dataset]] });
    assert.is(rows.length, SAMPLE[dataset].length);
    for (const r of rows) {
      assert.ok(r.maxDiff <= 1, `${dataset} F${r.index}: max grey-level difference ${r.maxDiff}`);
      assert.ok(r.differing / r.total <= 0.001, `${dataset} F${r.index}: ${r.differing}/${r.total} pixels differ`);
    }
  });
}

t('compareGrey8 counts differences and refuses mismatched sizes', () => {
  const a = { width: 2, height: 2, data: Uint8Array.of(0, 10, 20, 30) };
  const b = { width: 2, height: 2, data: Uint8Array.of(0, 11, 18, 30) };
  const p = compareGrey8(a, b);
  assert.equal([p.maxDiff, p.differing, p.total, p.histogram[255 - 1], p.histogram[255 + 2], p.histogram[255]], [2, 2, 4, 1, 1, 2]);
  assert.throws(() => compareGrey8(a, { width: 1, height: 4, data: b.data }), /2×2.*1×4/);
});
t.run();
