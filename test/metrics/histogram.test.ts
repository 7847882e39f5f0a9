/**
 * lib/metrics/histogram.ts and mi.ts's lookup path: the triplet's histograms from one pass equal
 * the separate marginal and joint histograms count for count; VIFB's MI re-quantisation of 8-bit
 * images as a lookup table (vifbQuantiseLevels) equals vifbQuantise pixel for pixel, and the
 * histograms moved through it (remapTripletHistograms) equal the histograms of the re-quantised
 * images, so computeAll's vifb MI is the same bits as mutualInformation's.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { binImage, histogram256, jointHistogram256, remapTripletHistograms, tripletHistograms } from '../../lib/metrics/histogram.js';
import { mutualInformation, mutualInformationFromHistograms, vifbQuantise, vifbQuantiseLevels } from '../../lib/metrics/mi.js';
import { computeAll, type MetricImage } from '../../lib/metrics/index.js';
import { constant, gen, noise } from './_helpers.js';

const t = suite('metrics/histogram (one-pass triplet histograms, VIFB re-quantisation by lookup)');

const u8 = (m: MetricImage): Uint8Array => Uint8Array.from(m.data);
/** 8-bit images with narrow ranges (the re-quantisation spreads them) and a full one. */
const ir = gen(37, 23, (x, y) => 40 + ((x * 7 + y * 3) % 61));
const vis = noise(37, 23, 5);
const fused = gen(37, 23, (x, y) => 100 + ((x * x + y) % 17));

t('tripletHistograms = histogram256 and jointHistogram256 of the same bins, count for count', () => {
  const [a, b, f] = [ir, vis, fused].map(u8);
  const h = tripletHistograms(a, b, f);
  assert.equal([...h.jIF], [...jointHistogram256(a, f)]);
  assert.equal([...h.jVF], [...jointHistogram256(b, f)]);
  assert.equal([...h.hIr], [...histogram256(a)]);
  assert.equal([...h.hVis], [...histogram256(b)]);
  assert.equal([...h.hF], [...histogram256(f)]);
});

t('vifbQuantiseLevels = vifbQuantise pixel for pixel on 8-bit images (narrow, full, two-level, constant)', () => {
  for (const m of [ir, vis, fused, gen(9, 4, (x) => (x % 2 ? 200 : 3)), constant(5, 5, 77), constant(5, 5, 0)]) {
    const lut = vifbQuantiseLevels(histogram256(u8(m)));
    assert.equal([...u8(m)].map((v) => lut[v]), [...vifbQuantise(m)]);
  }
});

t('remapTripletHistograms through the VIFB tables = the histograms of the re-quantised images; MI the same bits', () => {
  const h = tripletHistograms(u8(ir), u8(vis), u8(fused));
  const moved = remapTripletHistograms(h, vifbQuantiseLevels(h.hIr), vifbQuantiseLevels(h.hVis), vifbQuantiseLevels(h.hF));
  const direct = tripletHistograms(vifbQuantise(ir), vifbQuantise(vis), vifbQuantise(fused));
  for (const k of ['jIF', 'jVF', 'hIr', 'hVis', 'hF'] as const) assert.equal([...moved[k]], [...direct[k]], k);
  const mi = mutualInformation(ir, vis, fused, { convention: 'vifb' });
  assert.is(mutualInformationFromHistograms(moved, Math.E), mi);
  // computeAll takes the lookup path for Uint8Array data
  const img8 = (m: MetricImage): MetricImage => ({ width: m.width, height: m.height, data: u8(m) });
  assert.is(computeAll(img8(ir), img8(vis), img8(fused), { convention: 'vifb' }).MI, mi);
  assert.is(mutualInformationFromHistograms(tripletHistograms(binImage(ir), binImage(vis), binImage(fused)), 2), mutualInformation(ir, vis, fused));
});

t.run();
