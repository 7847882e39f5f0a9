/**
 * The native CBPDN iteration (lib/csc/native.ts, native/csc_kernels.cc) against the TypeScript
 * one (lib/csc/cbpdn.ts): bit for bit — the same iteration count, final ρ, r, s and every
 * coefficient of every map — on the detail layers of the two Octave-fixture crops (64×48:
 * radices 4, 3; 45×38: 3, 5 and Bluestein for 38 = 2·19) in single precision, on crop 1 in double
 * precision, and on a 35×34 random problem (radix 7, Bluestein for 34 = 2·17). The crops'
 * agreement with the authors' code is test/csc/cbpdn.test.ts (which runs the native path when built).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { cbpdn, type CbpdnOptions, type ConvDictionary } from '../../lib/csc/cbpdn.js';
import { tikhonovLowpass } from '../../lib/csc/lowpass.js';
import { cscIsNative, cscKernels } from '../../lib/csc/native.js';
import { CSR_DICTIONARY, readCsrDictionary } from '../../lib/methods/csr.js';
import { skipLoudly, upstreamFile } from '../helpers/upstream.js';
import { CROPS, cropSize, sourceUnit } from './_fixture.js';

const t = suite('csc/native');
let dict: ConvDictionary | null = null;
const native = cscIsNative();
if (!native) skipLoudly('native CBPDN iteration', cscKernels().reason + (process.env.AUIF_CSC_NATIVE === '0' ? ' (AUIF_CSC_NATIVE=0)' : ''));

t.before(async () => {
  const f = await upstreamFile(CSR_DICTIONARY, 'classic-collection');
  if (f) dict = readCsrDictionary(f);
});

/** Both iterations on one problem; asserts identical bits, returns the iteration count. */
function same(d: ConvDictionary, S: Float64Array, W: number, H: number, o: CbpdnOptions, what: string): number {
  const a = cbpdn(d, S, W, H, 0.01, { ...o, native: false });
  const b = cbpdn(d, S, W, H, 0.01, { ...o, native: true });
  assert.is(b.Y.constructor, a.Y.constructor, `${what}: storage`);
  assert.is(b.iterations, a.iterations, `${what}: iterations`);
  assert.ok(Object.is(b.rho, a.rho) && Object.is(b.r, a.r) && Object.is(b.s, a.s), `${what}: ρ, r, s ${b.rho} ${b.r} ${b.s} vs ${a.rho} ${a.r} ${a.s}`);
  let diff = 0, nz = 0;
  for (let i = 0; i < a.Y.length; i++) { if (!Object.is(a.Y[i], b.Y[i])) diff++; if (a.Y[i] !== 0) nz++; }
  console.log(`  ${what}: ${a.iterations} iterations, ${diff} of ${a.Y.length} coefficients differ (${nz} non-zero)`);
  assert.is(diff, 0, `${what}: coefficients`);
  assert.ok(nz > 0, `${what}: a non-trivial solution`);
  return a.iterations;
}

const csrOptions: CbpdnOptions = { maxIter: 500, rho: 1.5, relStopTol: 1e-3 };

for (const crop of CROPS) {
  t(`${crop}: native and TypeScript iterations give the same bits (single precision, both images)`, () => {
    if (!native || !dict) return;
    const [H, W] = cropSize(crop);
    for (const k of [1, 2] as const) same(dict, tikhonovLowpass(sourceUnit(crop, k), W, H).high, W, H, csrOptions, `${crop} image ${k}`);
  });
}

t('crop1 image 1 in double precision: the same bits', () => {
  if (!native || !dict) return;
  const [H, W] = cropSize('crop1');
  same(dict, tikhonovLowpass(sourceUnit('crop1', 1), W, H).high, W, H, { ...csrOptions, precision: 'double' }, 'crop1 image 1 (double)');
});

t('35×34 random problem (radix 7; Bluestein 34 = 2·17), 6 filters of 4×3, 40 iterations: the same bits', () => {
  if (!native) return;
  let seed = 7;
  const rnd = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648 - 0.5; };
  const d: ConvDictionary = { count: 6, fh: 4, fw: 3, filters: Float64Array.from({ length: 72 }, () => Math.fround(rnd())) };
  const S = Float64Array.from({ length: 35 * 34 }, () => 0.2 * rnd());
  for (const precision of ['single', 'double'] as const) {
    assert.is(same(d, S, 35, 34, { maxIter: 40, rho: 1.5, relStopTol: 1e-6, precision }, `random 35×34 ${precision}`), 40);
  }
});

t('bad input: wrong-sized arrays are refused with the argument named', () => {
  if (!native) return;
  const k = cscKernels().k!;
  const f32 = (n: number) => new Float32Array(n), f64 = (n: number) => new Float64Array(n);
  // W = H = 4, M = 1: N = 16, L = 4·3 = 12; U one short.
  assert.throws(() => k.cbpdnStep(true, 4, 4, 1, f64(0), f64(0), f32(16), f32(15), f32(12), f32(12), f32(12), f32(12), f64(12), f64(12), f64(12), f64(6), f64(5)),
    /cbpdnStep: U has 15 elements, expected 16/);
  assert.throws(() => k.cbpdnStep(true, 4, 4, 1, f64(0), f64(0), f64(16), f32(16), f32(12), f32(12), f32(12), f32(12), f64(12), f64(12), f64(12), f64(6), f64(5)),
    /cbpdnStep: Y must be a Float32Array/);
  assert.throws(() => k.cbpdnStep(true, 4, 4, 1, f64(3), f64(0), f32(16), f32(16), f32(12), f32(12), f32(12), f32(12), f64(12), f64(12), f64(12), f64(6), f64(5)),
    /cbpdnStep: rowPlan is not a packed FFT plan of length 4/);
});

t.run();
