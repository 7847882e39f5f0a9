import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  evaluateDataset, evaluateTriplet, evaluationCsv, evaluationJSON, EvaluationError, fusedFileIn, meanValues,
  type DatasetEvaluation,
} from '../../lib/report/evaluate.js';
import { encodeGreyPng, type Grey8Image } from '../../lib/io/image.js';
import { computeAll, METRIC_NAMES, type MetricValues } from '../../lib/metrics/index.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'auif-evaluate-'));
const t = suite('report/evaluate');
const file = (n: string) => path.join(tmp, n);
const img8 = (w: number, h: number, f: (i: number) => number): Grey8Image => ({ width: w, height: h, data: Uint8Array.from({ length: w * h }, (_, i) => f(i) & 255) });
const A = img8(32, 24, (i) => (i * 7) % 251);
const B = img8(32, 24, (i) => (i % 32) * 8);
const C = img8(32, 24, (i) => ((i * 7) % 251 + (i % 32) * 8) >> 1);
const vals = (x: number): MetricValues => Object.fromEntries(METRIC_NAMES.map((k, j) => [k, x + j])) as MetricValues;

/** Resolves when `fn()` rejects with an error passing `check` (a regex on the message, or a predicate). */
async function rejects(fn: () => Promise<unknown>, check: RegExp | ((e: Error) => boolean)): Promise<void> {
  let err: Error | undefined;
  try { await fn(); } catch (e) { err = e as Error; }
  assert.ok(err, 'expected a rejection');
  if (check instanceof RegExp) assert.match(err!.message, check);
  else assert.ok(check(err!), err!.message);
}

t.before(async () => {
  for (const [n, g] of [['a.png', A], ['b.png', B], ['c.png', C], ['d.png', img8(24, 32, () => 1)]] as const) {
    await fs.promises.writeFile(file(n), await encodeGreyPng(g));
  }
});
t.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

t('evaluateTriplet = computeAll of the decoded files', async () => {
  const r = await evaluateTriplet({ ir: file('a.png'), vis: file('b.png'), fused: file('c.png') }, { convention: 'vifb' });
  assert.equal([r.width, r.height], [32, 24]);
  assert.equal(r.values, computeAll(A, B, C, { convention: 'vifb' }));
});

t('evaluateTriplet errors name the file / the sizes / the convention', async () => {
  await rejects(() => evaluateTriplet({ ir: file('zz.png'), vis: file('b.png'), fused: file('c.png') }), (e: Error) => e instanceof EvaluationError && e.message === `IR image not found: ${file('zz.png')}`);
  await rejects(() => evaluateTriplet({ ir: file('a.png'), vis: file('d.png'), fused: file('c.png') }), /size mismatch: IR .*a\.png is 32×24 but VIS .*d\.png is 24×32/);
  await rejects(() => evaluateTriplet({ ir: file('a.png'), vis: file('b.png'), fused: file('d.png') }), /size mismatch: fused .*d\.png is 24×32 but IR .*a\.png and VIS .*b\.png are 32×24/);
  // @ts-expect-error: bad convention on purpose
  await rejects(() => evaluateTriplet({ ir: file('a.png'), vis: file('b.png'), fused: file('c.png') }, { convention: 'matlab' }), /evaluateTriplet: unknown convention 'matlab'/);
});

t('evaluateDataset input errors (before any staging or scoring)', async () => {
  await rejects(() => evaluateDataset('nir', 'authors'), /no fused images for RGB-NIR \(country\); 'authors' works for tno, flir/);
  await rejects(() => evaluateDataset('tno', file('nowhere')), /fused folder .*nowhere does not exist/);
  await rejects(() => evaluateDataset('tno', file('a.png')), /a\.png is not a folder/);
  await rejects(() => evaluateDataset('tno', tmp, { indices: [41] }), /pair 41 is not in TNO \(pairs 1\.\.40\)/);
  // @ts-expect-error: bad dataset on purpose
  await rejects(() => evaluateDataset('kaist', tmp), /unknown dataset 'kaist'/);
});

t('fusedFileIn: F{i}.png first, then other extensions', () => {
  const dir = file('fd');
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'F2.jpg'), '');
  assert.is(fusedFileIn(dir, 2), path.join(dir, 'F2.jpg'));
  fs.writeFileSync(path.join(dir, 'F2.png'), '');
  assert.is(fusedFileIn(dir, 2), path.join(dir, 'F2.png'));
  assert.is(fusedFileIn(dir, 3), null);
});

t('meanValues, evaluationCsv and evaluationJSON', () => {
  assert.equal(meanValues([vals(1), vals(3)]), vals(2));
  const e: DatasetEvaluation = {
    dataset: 'tno', fused: 'out,dir', convention: 'paper', means: vals(2),
    perPair: [
      { index: 1, ir: 'i1', vis: 'v1', fused: 'out,dir/F1.png', width: 4, height: 3, values: vals(1) },
      { index: 2, ir: 'i2', vis: 'v2', fused: 'out,dir/F2.png', width: 4, height: 3, values: { ...vals(3), PSNR: Infinity } },
    ],
  };
  const lines = evaluationCsv(e).trimEnd().split('\n');
  assert.is(lines[0], `pair,width,height,${METRIC_NAMES.join(',')},fused`);
  assert.is(lines[1], `1,4,3,${METRIC_NAMES.map((_, j) => 1 + j).join(',')},"out,dir/F1.png"`);
  assert.is(lines[3], `mean,,,${METRIC_NAMES.map((_, j) => 2 + j).join(',')},`);
  const back = JSON.parse(evaluationJSON(e));
  assert.is(back.perPair[1].values.PSNR, null);
  assert.is(back.means.EN, 2);
});

t.run();
