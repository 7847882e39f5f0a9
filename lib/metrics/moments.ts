/**
 * The first and second moments behind SD, CC, SCD, PSNR and RMSE of one triplet, in two passes
 * over the three images (instead of ten), for {@link computeAll}.
 *
 * With x̄ the mean of x over the n pixels:
 * - `corr(A, B) = Σ (A − Ā)(B − B̄) / sqrt(Σ (A − Ā)² · Σ (B − B̄)²)` (0 when either sum of squares
 *   is 0) for (IR, F), (VIS, F) — CC — and (IR, F − VIS), (VIS, F − IR) — SCD (cc.ts, scd.ts);
 * - `σ²_F = Σ (F − F̄)² / n` (sd.ts `meanVariance`);
 * - `SSE_S = Σ (S − F)²` for S = IR, VIS (psnr.ts `sumSquaredError`).
 *
 * Every sum is accumulated in the same order, with the same operations, as the single-metric
 * functions (cc.ts `pearsonArrays`, sd.ts `meanVariance`, psnr.ts `sumSquaredError`), so the values
 * are the same bits; only the loops are fused.
 */

/** The moments of one triplet (see module doc). */
export interface TripletMoments {
  /** corr(IR, F), corr(VIS, F). */
  corrIrF: number;
  corrVisF: number;
  /** corr(IR, F − VIS), corr(VIS, F − IR). */
  corrIrDv: number;
  corrVisDi: number;
  /** Population variance of F. */
  varianceF: number;
  /** Σ (IR − F)², Σ (VIS − F)². */
  sseIr: number;
  sseVis: number;
}

const corr = (sab: number, saa: number, sbb: number): number => (saa === 0 || sbb === 0 ? 0 : sab / Math.sqrt(saa * sbb));

/** The moments of IR, VIS and F (equal lengths, checked by the caller). */
export function tripletMoments(ir: ArrayLike<number>, vis: ArrayLike<number>, f: ArrayLike<number>): TripletMoments {
  const n = f.length;
  let sI = 0, sV = 0, sF = 0, sDv = 0, sDi = 0;
  for (let i = 0; i < n; i++) {
    const a = ir[i], b = vis[i], c = f[i];
    sI += a;
    sV += b;
    sF += c;
    sDv += c - b;
    sDi += c - a;
  }
  const mI = sI / n, mV = sV / n, mF = sF / n, mDv = sDv / n, mDi = sDi / n;
  let aIF = 0, aII = 0, aFF = 0, aVF = 0, aVV = 0, aIy = 0, ayy = 0, aVz = 0, azz = 0, eII = 0, eVV = 0;
  for (let i = 0; i < n; i++) {
    const a = ir[i], b = vis[i], c = f[i];
    const xI = a - mI, xV = b - mV, xF = c - mF;
    const y = c - b - mDv, z = c - a - mDi;
    aIF += xI * xF;
    aII += xI * xI;
    aFF += xF * xF;
    aVF += xV * xF;
    aVV += xV * xV;
    aIy += xI * y;
    ayy += y * y;
    aVz += xV * z;
    azz += z * z;
    const eI = a - c, eV = b - c;
    eII += eI * eI;
    eVV += eV * eV;
  }
  return {
    corrIrF: corr(aIF, aII, aFF),
    corrVisF: corr(aVF, aVV, aFF),
    corrIrDv: corr(aIy, aII, ayy),
    corrVisDi: corr(aVz, aVV, azz),
    varianceF: aFF / n,
    sseIr: eII,
    sseVis: eVV,
  };
}
