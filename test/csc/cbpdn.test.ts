/**
 * The CBPDN ADMM solver against the authors' code (SPORCO `cbpdn` as the CSR package calls it:
 * λ = 0.01, ρ = 1.5, RelStopTol 1e-3, ≤ 500 iterations, run in Octave in single precision on the
 * detail layers of two TNO crops; test/csc/fixtures/README.md). Pinned, per crop and image:
 * - the iteration count, exactly (measured: equal on all four: 97, 102, 84, 147);
 * - the final normalised residuals r, s: relative |Δ| ≤ 1e-3 (measured ≤ 1e-4);
 * - ‖x_m‖₁ and ‖x_m‖₂ of all 32 maps: relative |Δ| ≤ 1e-4 (measured ≲ 1e-5);
 * - three full maps of image 1 (m = 0, 7, 31): max |Δ| ≤ 2e-6 (measured ~3e-7, against
 *   max |x| ≈ 0.04: float32 round-off — the original is single, FFTW's bits are not reproduced).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { cbpdn, cbpdnDefaults, dictionaryFromColumnMajor, type ConvDictionary } from '../../lib/csc/cbpdn.js';
import { tikhonovLowpass } from '../../lib/csc/lowpass.js';
import { CSR_DICTIONARY, readCsrDictionary } from '../../lib/methods/csr.js';
import { upstreamFile } from '../helpers/upstream.js';
import { CROPS, cropSize, fx, sourceUnit } from './_fixture.js';

const t = suite('csc/cbpdn');
let dict: ConvDictionary | null = null;

t.before(async () => {
  const f = await upstreamFile(CSR_DICTIONARY, 'classic-collection');
  if (f) dict = readCsrDictionary(f);
});

/** Relative difference; absolute where the reference is 0 (maps the threshold leaves empty). */
const rel = (a: number, b: number) => (b === 0 ? Math.abs(a) : Math.abs(a - b) / Math.abs(b));

for (const crop of CROPS) {
  t(`${crop}: iterations, residuals, map norms and maps as the authors' code`, () => {
    if (!dict) return;
    const [H, W] = cropSize(crop);
    const its = fx(crop, 'iterations').data, fin = fx(crop, 'final').data;
    for (const k of [1, 2] as const) {
      const { high } = tikhonovLowpass(sourceUnit(crop, k), W, H);
      const r = cbpdn(dict, high, W, H, 0.01, { maxIter: 500, rho: 1.5, relStopTol: 1e-3 });
      const N = W * H, M = dict.count;
      const l1 = fx(crop, `l1norm${k}`).data, l2 = fx(crop, `l2norm${k}`).data;
      let e1 = 0, e2 = 0;
      for (let m = 0; m < M; m++) {
        let a = 0, b = 0;
        for (let i = 0; i < N; i++) { const v = r.Y[m * N + i]; a += Math.abs(v); b += v * v; }
        e1 = Math.max(e1, rel(a, l1[m])); e2 = Math.max(e2, rel(Math.sqrt(b), l2[m]));
      }
      const er = rel(r.r, fin[3 * (k - 1)]), es = rel(r.s, fin[3 * (k - 1) + 1]);
      let eX = 0;
      if (k === 1) {
        const X = fx(crop, 'X1_maps').data;
        [0, 7, 31].forEach((m, q) => { for (let i = 0; i < N; i++) eX = Math.max(eX, Math.abs(r.Y[m * N + i] - X[q * N + i])); });
      }
      console.log(`  ${crop} image ${k}: ${r.iterations} iterations (authors ${its[k - 1]}), rel Δr ${er.toExponential(1)}, Δs ${es.toExponential(1)}, ‖x_m‖₁ ${e1.toExponential(1)}, ‖x_m‖₂ ${e2.toExponential(1)}${k === 1 ? `, maps max |Δ| ${eX.toExponential(1)}` : ''}`);
      assert.is(r.iterations, its[k - 1]);
      assert.ok(er <= 1e-3 && es <= 1e-3, `residuals ${er} ${es}`);
      assert.ok(e1 <= 1e-4 && e2 <= 1e-4, `map norms ${e1} ${e2}`);
      assert.ok(eX <= 2e-6, `maps ${eX}`);
      assert.instance(r.Y, Float32Array);
    }
  });
}

t('defaults: SPORCO’s (ρ = 50λ + 1, ξ = 1 + 18.3^(log₁₀λ + 1), α = 1.8); zero input gives zero maps', () => {
  const o = cbpdnDefaults(0.01);
  assert.is(o.rho, 1.5); assert.is(o.relaxParam, 1.8); assert.is(o.maxIter, 1000); assert.is(o.relStopTol, 1e-4);
  assert.ok(Math.abs(o.rhoRsdlTarget - (1 + 1 / 18.3)) < 1e-15);
  const d = dictionaryFromColumnMajor([1, 0, 0, 0, 0, 0, 0, 1], [2, 2, 2]); // two 2×2 filters
  assert.equal([...d.filters], [1, 0, 0, 0, 0, 0, 0, 1], 'D(i,j,m) → filter m row i column j');
  const r = cbpdn(d, new Float64Array(16), 4, 4, 0.1, { maxIter: 5 });
  assert.ok(r.Y.every((v) => v === 0));
  assert.is(r.iterations, 1, 'r = s = 0/0: the loop test fails at once, as in MATLAB');
});

t('double precision: the same iterations on crop1 image 1, maps within 1e-6 of single', () => {
  if (!dict) return;
  const [H, W] = cropSize('crop1');
  const { high } = tikhonovLowpass(sourceUnit('crop1', 1), W, H);
  const a = cbpdn(dict, high, W, H, 0.01, { maxIter: 500, rho: 1.5, relStopTol: 1e-3 });
  const b = cbpdn(dict, high, W, H, 0.01, { maxIter: 500, rho: 1.5, relStopTol: 1e-3, precision: 'double' });
  assert.instance(b.Y, Float64Array);
  let e = 0; for (let i = 0; i < a.Y.length; i++) e = Math.max(e, Math.abs(a.Y[i] - b.Y[i]));
  console.log(`  single vs double: ${a.iterations} / ${b.iterations} iterations, max |Δy| ${e.toExponential(1)}`);
  assert.is(a.iterations, b.iterations);
  assert.ok(e <= 1e-6, `${e}`);
});

t.run();
