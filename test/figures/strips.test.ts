import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import sharp from 'sharp';
import { formatValue, iterateStrips } from '../../lib/figures/strips.js';
import { RDBU_STOPS } from '../../lib/figures/colormap.js';

const t = suite('figures/strips');

/** A 20×10 map: left half `a`, right half `b`. */
const halves = (a: number, b: number) => ({ width: 20, height: 10, data: Float32Array.from({ length: 200 }, (_, i) => (i % 20 < 10 ? a : b)) });

t('formatValue: 3 significant digits, true minus, exponent for tiny values', () => {
  assert.is(formatValue(-0.123456), '−0.123');
  assert.is(formatValue(12.3456), '12.3');
  assert.is(formatValue(0), '0');
  assert.is(formatValue(2e-5), '2.0e-5');
});

t('iterateStrips (signed): one scale per column shared by the rows, centred at 0; per-map ranges; the scale bar row', async () => {
  const classic = [halves(-1, 1), halves(-0.5, 0.5), halves(-0.25, 0.25)];
  const auif = [halves(-2, 2), halves(-4, 1), halves(0, 0.5)];
  const { png, columns } = await iterateStrips([
    { title: 'classic', maps: classic, extra: { caption: 'k = 99', map: halves(-0.1, 0.1) } },
    { title: 'AUIF', maps: auif },
  ], { ks: [0, 2, 7], signed: true, clip: 0, cellWidth: 40, gap: 0 });
  assert.equal(columns.map((c) => c.title), ['k = 0', 'k = 2', 'k = 7', 'k = 99']);
  assert.equal([columns[0].lo, columns[0].hi], [-2, 2], 'column k = 0: m = max |x| over both rows');
  assert.equal([columns[1].lo, columns[1].hi], [-0.5, 0.5], 'column k = 2: 0.5 from both rows');
  assert.equal(columns[0].ranges, [{ min: -1, max: 1 }, { min: -2, max: 2 }]);
  assert.equal(columns[2].ranges, [null, null], 'k beyond N: empty');
  assert.equal(columns[3].ranges, [{ min: Math.fround(-0.1), max: Math.fround(0.1) }, null]);
  const m = await sharp(png).metadata();
  assert.is(m.channels, 3, 'RGB PNG');
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  // Find the AUIF k = 0 cell by its colours: its left half is −2 = −m (darkest blue), its right +m (darkest red).
  const has = (rgb: readonly number[]) => { for (let i = 0; i < data.length; i += info.channels) if (data[i] === rgb[0] && data[i + 1] === rgb[1] && data[i + 2] === rgb[2]) return true; return false; };
  assert.ok(has(RDBU_STOPS[0]) && has(RDBU_STOPS[10]), 'the ends of the scale are drawn');
});

t('iterateStrips (unsigned): grey, [lo, hi] per column; bad k is an error', async () => {
  const { png, columns } = await iterateStrips([{ title: 'B', maps: [halves(0, 1), halves(0.2, 0.4)] }], { ks: [0, 1], clip: 0, cellWidth: 40 });
  assert.equal(columns.map((c) => [c.lo, c.hi]), [[0, 1], [0.2, 0.4]].map(([a, b]) => [Math.fround(a), Math.fround(b)]));
  assert.is((await sharp(png).metadata()).channels, 1, 'grey PNG');
  try { await iterateStrips([{ title: 'B', maps: [halves(0, 1)] }], { ks: [1.5] }); assert.unreachable(); } catch (e) { assert.match((e as Error).message, /k must be an integer ≥ 0, got 1.5/); }
});

t.run();
