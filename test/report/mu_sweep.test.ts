/**
 * μ in a cell (lib/report/mu_sweep.ts): fine-tunes from the authors' weights with two μ values
 * (a tiny recipe, so the test is quick); the fused images differ from the start and from each
 * other (only μ differs between the two fine-tunes: same start, same seed, same batches), the
 * table lists every column, and a negative μ is refused.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { muSweep, muSweepMarkdown, muSweepSummary } from '../../lib/report/mu_sweep.js';
import { datasetPairs } from '../../lib/data/datasets.js';
import { useBackend } from '../helpers/fixture.js';
import { upstreamGroup } from '../helpers/upstream.js';

const t = suite('report/mu_sweep');
t.before(async () => { await useBackend('wasm'); });

const maxAbsDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

t('two μ from the same start: different images and metrics; the table', async () => {
  if (!(await upstreamGroup('models')) || !(await upstreamGroup('train')) || !(await upstreamGroup('tno'))) return;
  const [pair] = (await datasetPairs('tno')).filter((p) => p.index === 5);
  const r = await muSweep({ mu: [0, 50], pair, recipe: { epochs: 1, stepsPerEpoch: 3, batchSize: 2, cropSize: 48 } });
  assert.equal(r.columns.map((c) => c.mu), [null, 0, 50]);
  const [start, mu0, mu50] = r.columns;
  assert.ok(maxAbsDiff(start.F.data, mu0.F.data) > 1 / 255, 'a fine-tune changes the fusion');
  assert.ok(maxAbsDiff(mu0.F.data, mu50.F.data) > 1 / 255, 'μ changes the fine-tune');
  assert.is.not(mu0.metrics.SD, mu50.metrics.SD);
  for (const c of r.columns) for (const v of Object.values(c.metrics)) assert.ok(Number.isFinite(v));
  const md = muSweepMarkdown(r.columns);
  assert.match(md, /\| metric \| authors' weights \| μ = 0 \| μ = 50 \|/);
  assert.match(md, /\| SSIM \| [\d.]+ \| [\d.]+ \| [\d.]+ \|/);
  assert.match(muSweepSummary(r.columns), /^From μ = 0 to μ = 50: SD [\d.]+ → [\d.]+ \(-?[\d.]+ %\), AG .*differ in [\d.]+ % of the pixels, by up to [1-9]\d* grey levels\.$/);
  assert.match(muSweepSummary(r.columns.slice(0, 2)), /at least two μ/);
});

t('a negative μ is refused before any training', async () => {
  if (!(await upstreamGroup('models')) || !(await upstreamGroup('tno'))) return;
  const [pair] = (await datasetPairs('tno')).filter((p) => p.index === 5);
  let msg = '';
  try { await muSweep({ mu: [-1], pair }); } catch (e) { msg = (e as Error).message; }
  assert.match(msg, /μ must be a finite number ≥ 0, got -1/);
});

t.run();
