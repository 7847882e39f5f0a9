import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { barChart, differenceHistogramChart, encoderScalars, histogramChart, layerScalarsChart, lineChart, metricPanelsChart } from '../../lib/figures/charts.js';
import { classicEncoder } from '../../lib/unrolling/classic.js';
import { useBackend } from '../helpers/fixture.js';

const t = suite('figures/charts');
t.before(() => useBackend('cpu'));

t('lineChart / barChart: one trace per series; bars check their length', () => {
  const f = lineChart([{ name: 'a', y: [1, 2] }, { name: 'b', y: [3, 4], x: [10, 20] }], { title: 'T', logY: true });
  assert.equal(f.data.map((d) => [d.name, d.x, d.y]), [['a', [0, 1], [1, 2]], ['b', [10, 20], [3, 4]]]);
  assert.is((f.layout!.yaxis as { type: string }).type, 'log');
  assert.throws(() => barChart(['x', 'y'], [{ name: 's', y: [1] }]), /series 's' has 1 values for 2 categories/);
});

t('histogramChart: density divides by the total', () => {
  const f = histogramChart([{ name: 'h', y: [1, 3] }], { density: true });
  assert.equal(f.data[0].y, [0.25, 0.75]);
});

t('differenceHistogramChart: bars over −m…m (m = largest |d| seen, ≥ 2), log scale', () => {
  const h = new Uint32Array(511);
  h[255] = 100; h[254] = 3; h[258] = 1;
  const f = differenceHistogramChart([{ name: 'TNO', histogram: h }]);
  assert.equal(f.data[0].x, [-3, -2, -1, 0, 1, 2, 3]);
  assert.equal(f.data[0].y, [0, 0, 3, 100, 0, 0, 1]);
  assert.throws(() => differenceHistogramChart([{ name: 'x', histogram: new Uint32Array(3) }]), /'x' has 3 bins, expected 511/);
});

t('encoderScalars reads η, θ, PReLU slope and the BN affine map per layer; layerScalarsChart draws η and θ panels', () => {
  const s = encoderScalars(classicEncoder('detail', { steps: 3, eta: 0.5, theta: 0.02 }));
  assert.equal(s.eta.map((v) => Math.fround(v)), [0.5, 0.5, 0.5].map(Math.fround));
  assert.equal(s.theta.map((v) => +v.toFixed(6)), [0.02, 0.02, 0.02]);
  assert.equal(s.alpha, [1, 1, 1]);
  assert.ok(s.bnScale.every((v) => Math.abs(v - 1) < 1e-6) && s.bnShift.every((v) => v === 0));
  const f = layerScalarsChart([{ name: 'base', scalars: s }, { name: 'detail', scalars: s }]);
  assert.is(f.data.length, 4);
  assert.equal(f.data.map((d) => d.yaxis), ['y', 'y2', 'y', 'y2']);
  // the panels plot the scalars themselves: η on y, θ on y2, per layer
  const ys = f.data.map((d) => Array.from((d as { y: ArrayLike<number> }).y, Number));
  assert.equal(ys[0], s.eta.map(Number));
  assert.equal(ys[1], s.theta.map(Number));
});

t('metricPanelsChart: a panel (own y axis) per metric, one bar trace per series in each, one legend', () => {
  const f = metricPanelsChart(['EN', 'SD', 'SF', 'AG'], ['TNO', 'FLIR'], [
    { name: 'paper', values: { EN: [1, 2], SD: [3, 4], SF: [5, 6], AG: [7, 8] } },
    { name: 'ours', values: { EN: [1.5, null], SD: [3, 4], SF: [5, 6], AG: [7, 8] } },
  ], { title: 'T' });
  assert.is(f.data.length, 8);
  assert.equal(f.data.map((d) => d.yaxis), ['y', 'y', 'y2', 'y2', 'y3', 'y3', 'y4', 'y4']);
  assert.equal(f.data[1].y, [1.5, null]);
  assert.equal(f.data.map((d) => d.showlegend), [true, true, false, false, false, false, false, false]);
  const layout = f.layout as Record<string, { rows?: number; columns?: number; title?: { text: string } }>;
  assert.equal([layout.grid.rows, layout.grid.columns], [2, 3]);
  assert.is(layout.yaxis4.title!.text, 'AG');
  assert.throws(() => metricPanelsChart(['EN'], ['TNO', 'FLIR'], [{ name: 's', values: { EN: [1] } }]), /series 's' has 1 values of EN for 2 categories/);
  assert.throws(() => metricPanelsChart(['EN', 'SD'], ['TNO'], [{ name: 's', values: { EN: [1] } }]), /series 's' has no values of SD/);
});

t.run();
