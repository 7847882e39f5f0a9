/** Small helpers shared by the metric tests (not a test file: no `.test.ts` suffix). */
import * as assert from 'uvu/assert';
import type { MetricImage } from '../../lib/metrics/index.js';

/** Image from rows of numbers. */
export function img(rows: number[][]): MetricImage {
  const height = rows.length;
  const width = rows[0].length;
  return { width, height, data: Float64Array.from(rows.flat()) };
}

/** Image of size w×h from a function of (x, y). */
export function gen(w: number, h: number, f: (x: number, y: number) => number): MetricImage {
  const d = new Float64Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) d[y * w + x] = f(x, y);
  return { width: w, height: h, data: d };
}

/** Constant w×h image. */
export function constant(w: number, h: number, v: number): MetricImage {
  return gen(w, h, () => v);
}

/** Deterministic pseudo-random integer image in 0..255 (LCG). */
export function noise(w: number, h: number, seed: number): MetricImage {
  let s = seed >>> 0;
  return gen(w, h, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s >>> 24;
  });
}

/** |a − b| ≤ tol·max(1, |b|). */
export function close(actual: number, expected: number, tol = 1e-12, msg = ''): void {
  const err = Math.abs(actual - expected);
  assert.ok(err <= tol * Math.max(1, Math.abs(expected)), `${msg} got ${actual}, expected ${expected} (|Δ| = ${err})`);
}
