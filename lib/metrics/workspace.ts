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
