/**
 * Shared types and input checks for the fusion metrics.
 *
 * Every metric takes grey images on the 0..255 scale (`data` may be any array-like of numbers:
 * a `Uint8Array` from `readGrey8`, a `Float64Array`, a plain array, ...). Internally all
 * arithmetic is float64.
 */

/** A grey image, row-major, values on the 0..255 scale, `data.length === width * height`. */
export interface MetricImage {
  width: number;
  height: number;
  data: ArrayLike<number>;
}

/**
 * Named conventions where fusion toolboxes disagree.
 * - `paper` (default): the standard definitions tabled in lib/metrics/README.md; they
 *   reproduce metrics_authors_outputs.csv and the papers' EN, MI, AG and AUIF's SCD columns
 *   from the authors' fused images (see lib/metrics/README.md).
 * - `vifb`: what the VIFB benchmark's MATLAB code (xingchenzhang/VIFB, `metrics/`) computes,
 *   quirks included.
 * - `printed`: `paper`, except SD, SF and VIF, which use the variants that reproduce the
 *   numbers printed in the AUIF and DIDFuse tables: column-wise SD, zero-padded SF and VIFF
 *   (Han et al. 2013). See README.md, "Reproducing the printed SD, SF and VIF".
 */
export type MetricConvention = 'paper' | 'vifb' | 'printed';

export interface ConventionOptions {
  /** Defaults to `'paper'`. */
  convention?: MetricConvention;
}

export const DEFAULT_CONVENTION: MetricConvention = 'paper';

/** Error thrown for bad metric input (size mismatch, wrong data length, empty image ...). */
export class MetricInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MetricInputError';
  }
}

/** `W×H` as used in error messages. */
export function sizeText(img: MetricImage): string {
  return `${img.width}×${img.height}`;
}

/** Checks that `img` is a well-formed non-empty image; `fn`/`name` are used in the message. */
export function checkImage(fn: string, name: string, img: MetricImage): void {
  if (img == null || typeof img !== 'object' || img.data == null) {
    throw new MetricInputError(`${fn}: ${name} is not an image ({ width, height, data })`);
  }
  const { width, height } = img;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new MetricInputError(`${fn}: ${name} has an invalid size ${width}×${height} (need positive integers)`);
  }
  if (img.data.length !== width * height) {
    throw new MetricInputError(
      `${fn}: ${name} is ${sizeText(img)} but has ${img.data.length} values (expected ${width * height})`,
    );
  }
}

/**
 * Checks every named image and that all have the same size. The error names the function and
 * the sizes that differ, e.g. `MI: size mismatch: ir is 768×576 but fused is 640×480`.
 */
export function checkSameSize(fn: string, images: Record<string, MetricImage>): void {
  const names = Object.keys(images);
  for (const n of names) checkImage(fn, n, images[n]);
  const first = names[0];
  for (const n of names.slice(1)) {
    const a = images[first];
    const b = images[n];
    if (a.width !== b.width || a.height !== b.height) {
      throw new MetricInputError(`${fn}: size mismatch: ${first} is ${sizeText(a)} but ${n} is ${sizeText(b)}`);
    }
  }
}

/** Copies the pixel values into a new Float64Array (or returns `data` itself when already one). */
export function toFloat64(img: MetricImage): Float64Array {
  const d = img.data;
  if (d instanceof Float64Array) return d;
  // typed arrays convert in one native copy; other array-likes element by element
  if (ArrayBuffer.isView(d) && !(d instanceof DataView)) return new Float64Array(d as unknown as ArrayLike<number>);
  const out = new Float64Array(d.length);
  for (let i = 0; i < d.length; i++) out[i] = d[i];
  return out;
}

/** Resolves the convention option, rejecting unknown names. */
export function conventionOf(fn: string, opts?: ConventionOptions): MetricConvention {
  const c = opts?.convention ?? DEFAULT_CONVENTION;
  if (c !== 'paper' && c !== 'vifb' && c !== 'printed') {
    throw new MetricInputError(`${fn}: unknown convention '${String(c)}' (use 'paper', 'vifb' or 'printed')`);
  }
  return c;
}
