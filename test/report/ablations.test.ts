/**
 * The ablation report (lib/report/ablations.ts) on hand-made CSV rows whose statistics are known
 * by construction: seed-study mean/sd/median/percentile, the findings per knob, the chart's
 * traces, the loss curves read from per-epoch logs (and a malformed log named by file and line).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { AUTHORS_CATEGORY, cropGrey, knobChart, knobFindings, knobSummary, knobVariants, lossCurves, lossCurvesChart, percentileRank, seedStudy, seedStudyMarkdown, seedStudySummary } from '../../lib/report/ablations.js';
import type { AblationRow } from '../../lib/train/ablations.js';

const t = suite('report/ablations');

const rowsOf = (variant: string, seeds: number[], values: number[], metric = 'SD', dataset = 'tno'): AblationRow[] =>
  seeds.map((seed, i) => ({ variant, seed, dataset, metric, value: values[i] }));

t('percentile rank: mid-rank definition', () => {
  assert.is(percentileRank([1, 2, 3, 4, 5], 0), 0);
  assert.is(percentileRank([1, 2, 3, 4, 5], 6), 100);
  assert.is(percentileRank([1, 2, 3, 4, 5], 3), 50);     // (2 below + ½·1 equal) / 5
  assert.is(percentileRank([1, 2, 3, 4, 5], 3.5), 60);   // 3 below / 5
  assert.throws(() => percentileRank([], 1), /no values/);
});

t('seed study: the paper\'s seeds against the authors\' weights', () => {
  const rows = [...rowsOf('paper', [1, 2, 3, 4, 5], [10, 12, 11, 13, 14]), ...rowsOf('authors', [0], [12.5]), ...rowsOf('depth-1', [1, 2, 3], [1, 2, 3])];
  const s = seedStudy(rows, ['SD']);
  assert.is(s.length, 1);
  const r = s[0];
  assert.equal(r.seeds, [1, 2, 3, 4, 5]);
  assert.is(r.mean, 12);
  assert.ok(Math.abs(r.sd - Math.sqrt(2.5)) < 1e-12, String(r.sd)); // Σ(x − 12)² = 10, / (n − 1)
  assert.equal([r.min, r.max, r.median], [10, 14, 12]);
  assert.is(r.authors, 12.5);
  assert.is(r.percentile, 60);
  assert.ok(Math.abs(r.medianDeltaPct! - (100 * (12 - 12.5)) / 12.5) < 1e-12);
  const md = seedStudyMarkdown(s);
  assert.match(md, /\| TNO[^|]* \| SD \| 5 \| 12\.000 ± 1\.581 \| 10\.000 … 14\.000 \| 12\.000 \| 12\.500 \| 60 \| −4\.0 % \|/);
  assert.match(seedStudySummary(s), /within 3 % of the authors' weights in 0 of 1 .*SD on TNO.*−4\.0 %.*above every seed in 0 cells and below every seed in 0/);
  assert.match(seedStudySummary(seedStudy(rowsOf('paper', [1], [3]), ['SD'])), /not scored in the CSV yet/);
  assert.match(seedStudySummary([]), /No seed/);
});

t('seed study summary: better/worse than every seed reads RMSE and CE as lower-is-better; chance and spread as computed', () => {
  // SD: authors 15 > every seed (better); CE: authors 0.5 < every seed (better, lower is better);
  // SF: authors 0 < every seed (worse)
  const rows = [
    ...rowsOf('paper', [1, 2, 3, 4, 5], [10, 12, 11, 13, 14]), ...rowsOf('authors', [0], [15]),
    ...rowsOf('paper', [1, 2, 3, 4, 5], [1, 2, 3, 4, 5], 'CE'), ...rowsOf('authors', [0], [0.5], 'CE'),
    ...rowsOf('paper', [1, 2, 3, 4, 5], [2, 2, 2, 2, 2], 'SF'), ...rowsOf('authors', [0], [0], 'SF'),
  ];
  const text = seedStudySummary(seedStudy(rows, ['SD', 'SF', 'CE']));
  assert.match(text, /above every seed in 1 cell and below every seed in 2\./);
  assert.match(text, /better than every seed in 2 cells \(TNO SD, TNO CE\) and worse than every seed in 1 \(TNO SF\)\./);
  assert.match(text, /probability 1\/6 on either side \(≈ 0\.5 cells expected each way/);   // 3 cells / 6
  // sd/mean: SD 1.5811/12 = 13.2 %, SF 0 %, CE 1.5811/3 = 52.7 %; median 13.2 %
  assert.match(text, /spread \(sd \/ mean\) is 13\.2 % in the median cell and up to 52\.7 % \(TNO CE\)/);
});

t('findings: a variant beyond the seeds\' spread, the largest change', () => {
  const rows = [
    ...rowsOf('paper', [1, 2, 3], [10, 11, 12]), ...rowsOf('paper', [1, 2, 3], [1, 1, 1], 'EN'),
    ...rowsOf('depth-1', [1, 2, 3], [20, 21, 22]), ...rowsOf('depth-1', [1, 2, 3], [1.01, 0.99, 1], 'EN'),
  ];
  const f = knobFindings(rows, 'depth', ['SD', 'EN']);
  assert.is(f.length, 1);
  assert.equal(f[0].beyondSpread, ['SD']);      // |21 − 11| > 1 + 1; EN: |1 − 1| = 0 not > 0.01 + 0
  assert.is(f[0].largest.metric, 'SD');
  assert.ok(Math.abs(f[0].largest.pct - (100 * 10) / 11) < 1e-9);
  assert.match(knobSummary(rows, 'depth', ['SD', 'EN']), /`depth-1` \(3 seeds\) against `paper` \(3\): TNO: 1 of 2 metrics beyond the seeds' spread \(SD\), largest SD \+90\.9 %\./);
  // largest overall CE, largest of the six printed SD; one value on each side → "differ"
  const one = [...rowsOf('authors', [0], [10]), ...rowsOf('authors', [0], [1], 'CE'), ...rowsOf('classic', [0], [12]), ...rowsOf('classic', [0], [3], 'CE')];
  assert.match(knobSummary(one, 'classic', ['SD', 'CE']), /`classic` \(1 seed\) against `authors` \(1\): TNO: 2 of 2 metrics differ \(SD, CE\), largest CE \+200\.0 %; of the six printed, SD \+20\.0 %\./);
  assert.match(knobSummary(rows, 'mu', ['SD']), /No variant of this knob is scored yet/);
  assert.match(knobSummary([], 'mu', ['SD']), /No run of the reference/);
  assert.equal(knobVariants('classic'), ['authors', 'classic']);
  assert.equal(knobVariants('rule'), ['paper', 'rule-average', 'rule-l1']);
  assert.equal(knobVariants('authors-rule'), ['authors', 'authors-rule-average', 'authors-rule-l1']);
});

type Trace = { type: string; name?: string; x: (string | null)[]; y: (number | null)[]; showlegend?: boolean; marker?: { symbol?: string }; error_y?: { array: number[] }; xaxis?: string };
type Shape = { xref: string; x0: number; x1: number; yref: string; y0: number; y1: number };
const authorsMarks = (fig: ReturnType<typeof knobChart>) => ({
  points: (fig.data as Trace[]).filter((d) => d.type === 'scatter' && d.x.length === 1 && d.x[0] === AUTHORS_CATEGORY),
  shapes: (fig.layout!.shapes ?? []) as Shape[],
  legend: (fig.data as Trace[]).filter((d) => d.name === AUTHORS_CATEGORY && d.showlegend !== false),
});

t('knob chart: a bar trace per (metric, set) with sd error bars, the authors\' weights as their own category and a line across the panel', () => {
  const rows = [...rowsOf('paper', [1, 2], [10, 12]), ...rowsOf('depth-3', [1, 2], [8, 9]), ...rowsOf('authors', [0], [11])];
  const fig = knobChart(rows, 'depth', ['SD']);
  const bars = fig.data.filter((d) => d.type === 'bar');
  assert.is(bars.length, 3); // TNO, FLIR, RGB-NIR
  const tno = bars[0] as { x: string[]; y: (number | null)[]; error_y: { array: number[] } };
  assert.equal(tno.x, ['paper', 'depth-3']);
  assert.equal(tno.y, [11, 8.5]);
  assert.ok(Math.abs(tno.error_y.array[0] - Math.SQRT2) < 1e-12);
  const { points, shapes, legend } = authorsMarks(fig);
  assert.is(points.length, 1); // only TNO has an authors' row
  assert.equal(points[0].y, [11]);
  assert.is(points[0].marker!.symbol, 'diamond');
  assert.equal((fig.layout!.xaxis as { categoryarray: string[] }).categoryarray, ['paper', 'depth-3', AUTHORS_CATEGORY]);
  assert.equal(shapes.map((s) => [s.xref, s.x0, s.x1, s.yref, s.y0, s.y1]), [['x domain', 0, 1, 'y', 11, 11]]);
  assert.is(legend.length, 1, 'one legend entry for the authors\' weights');
});

t('knob chart with one variant (the seed study): the authors\' weights are still a visible point and a full-width line', () => {
  // the old chart drew them as a line from the first to the last variant: zero length here
  const rows = [...rowsOf('paper', [1, 2, 3], [10, 12, 11]), ...rowsOf('paper', [1, 2, 3], [5, 6, 7], 'SD', 'flir'), ...rowsOf('authors', [0], [13]), ...rowsOf('authors', [0], [4], 'SD', 'flir')];
  const fig = knobChart(rows, 'paper', ['EN', 'SD']);
  const { points, shapes } = authorsMarks(fig);
  assert.equal(points.map((p) => [p.xaxis, p.y[0]]), [['x2', 13], ['x2', 4]]); // SD panel (2nd): TNO, FLIR; no EN rows
  for (const s of shapes) assert.ok(s.x1 - s.x0 > 0 && /domain$/.test(s.xref), JSON.stringify(s));
  assert.equal(shapes.map((s) => [s.xref, s.y0]), [['x2 domain', 13], ['x2 domain', 4]]);
  const xa = fig.layout!.xaxis2 as { categoryarray: string[] };
  assert.equal(xa.categoryarray, ['paper', AUTHORS_CATEGORY]);
  // no authors' rows: no marks, no legend entry
  const none = authorsMarks(knobChart(rows.filter((r) => r.variant !== 'authors'), 'paper', ['SD']));
  assert.equal([none.points.length, none.shapes.length, none.legend.length], [0, 0, 0]);
  // `authors` as a variant of the knob (classic): a bar, the line, no separate point
  const cl = knobChart([...rows, ...rowsOf('classic', [0], [3])], 'classic', ['SD']);
  const c = authorsMarks(cl);
  assert.equal([c.points.length, c.shapes.length], [0, 2]);
  assert.equal((cl.data.find((d) => d.type === 'bar') as Trace).x, ['authors', 'classic']);
});

t('loss curves: read per-epoch logs; a malformed line is named', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auif-ablation-report-'));
  try {
    const paths = { models: path.join(dir, 'models'), csv: path.join(dir, 'a.csv'), runs: path.join(dir, 'runs') };
    fs.mkdirSync(path.join(paths.models, 'paper'), { recursive: true });
    fs.writeFileSync(path.join(paths.models, 'paper', 'seed2.epochs.csv'), 'epoch,steps,lr,loss,mse,ssim,seconds\n1,12,0.01,0.5,0.1,0.08,3.0\n2,12,0.01,0.25,0.05,0.04,3.0\n');
    const c = lossCurves(paths, ['paper', 'mu-0']);
    assert.equal(c, [{ variant: 'paper', seed: 2, epoch: [1, 2], loss: [0.5, 0.25] }]);
    assert.is(lossCurvesChart(c).data.length, 1);
    fs.writeFileSync(path.join(paths.models, 'paper', 'seed3.epochs.csv'), 'epoch,steps,lr,loss,mse,ssim,seconds\n1,12,0.01,oops,0.1,0.08,3.0\n');
    assert.throws(() => lossCurves(paths, ['paper']), /seed3\.epochs\.csv:2: not a number/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

t('cropGrey: the box\'s pixels; a box that does not fit is refused', () => {
  const img = { width: 4, height: 3, data: Float32Array.from({ length: 12 }, (_, i) => i) };
  assert.equal(Array.from(cropGrey(img, { left: 1, top: 1, width: 2, height: 2 }).data), [5, 6, 9, 10]);
  assert.throws(() => cropGrey(img, { left: 3, top: 0, width: 2, height: 1 }), /box 2×1 at \(3, 0\) does not fit the 4×3 image/);
});

t.run();
