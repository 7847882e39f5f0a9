/**
 * Reusable scratch buffers for the window-based metrics, so repeated calls on images of the
 * same size allocate nothing. Module-level and single-threaded (JavaScript runs one metric at a
 * time per thread); each metric takes a buffer by name and never keeps it across calls.
 */
const pool = new Map<string, Float64Array>();

/** A Float64Array of at least `n` values (contents unspecified) for the named slot. */
export function scratch(name: string, n: number): Float64Array {
  let b = pool.get(name);
  if (b === undefined || b.length < n) {
    b = new Float64Array(n);
    pool.set(name, b);
  }
  return b;
}

/** Drops all cached buffers (frees memory after processing large images). */
export function releaseScratch(): void {
  pool.clear();
}

/**
 * Which native kernels the window metrics use. `perMap: false` (default): VIF, SSIM and Qabf each
 * run as one fused sweep over rows (native/metrics_kernels.cc); `perMap: true`: the previous path,
 * one native call per filtered map and the sums over whole maps (kept for `npm run bench`'s ratio
 * and for tests). Without the addon both are the JavaScript loops.
 */
export const metricsEngine = { perMap: false };
