/**
 * The native CBPDN iteration (native/csc_kernels.cc, built with the other addons by `npm install`):
 * one whole ADMM iteration of lib/csc/cbpdn.ts — FFT(y_m − u_m) of the M maps, the per-frequency
 * Sherman–Morrison solve, the inverse transforms, relaxation, threshold, dual update and the
 * residual sums — with the same IEEE operations in the same order as the TypeScript iteration
 * (from the TypeScript FFT plans' own tables), so the same bits (test/csc/cbpdn.test.ts). AVX2 is
 * chosen at run time (AUIF_SIMD=0: portable; same bits). Optional: missing (no compiler at install
 * time), disabled with AUIF_NATIVE=0 or AUIF_CSC_NATIVE=0, the TypeScript iteration runs.
 */
import { loadAddon } from '../kernels/addon.js';

/** The addon's entry points. */
export interface CscKernels {
  /**
   * One ADMM iteration for an image of W×H and M maps (storage: Float32Array for `single`, else
   * Float64Array, for Y, U, Br, Bi, Dr, Di): `rowPlan`, `colPlan` = `FftPlan.pack()` of lengths W
   * and H; params = [ρ, α, 1 − α, λ/ρ, rsf (U ← U/rsf first when ≠ 1), first (1: y = u = 0)];
   * sums ← [‖x‖², ‖y‖², ‖u‖², ‖x − y‖², ‖y_prev − y‖²].
   */
  cbpdnStep(single: boolean, W: number, H: number, M: number, rowPlan: Float64Array, colPlan: Float64Array,
    Y: Float32Array | Float64Array, U: Float32Array | Float64Array, Br: Float32Array | Float64Array, Bi: Float32Array | Float64Array,
    Dr: Float32Array | Float64Array, Di: Float32Array | Float64Array, norm2: Float64Array, Sr: Float64Array, Si: Float64Array,
    params: Float64Array, sums: Float64Array): void;
  /** 'avx2' or 'portable': the instruction set chosen at run time. */
  isa(): string;
}

/** The addon (build/Release/csc_kernels.node), or null with the reason. */
export function cscKernels(): { k: CscKernels | null; reason: string } {
  return loadAddon<CscKernels>('csc_kernels');
}

/** Whether {@link cscKernels} is used now (AUIF_CSC_NATIVE=0, read per call, forces the TypeScript iteration). */
export function cscIsNative(): boolean {
  if (process.env.AUIF_CSC_NATIVE === '0') return false;
  return cscKernels().k !== null;
}
