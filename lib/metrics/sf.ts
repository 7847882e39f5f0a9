/**
 * SF — spatial frequency of the fused image.
 *
 * `RF² = Σ_{i=1..M} Σ_{j=2..N} (F(i,j) − F(i,j−1))² / (M·N)` (row frequency, horizontal
 * differences), `CF² = Σ_{j=1..N} Σ_{i=2..M} (F(i,j) − F(i−1,j))² / (M·N)` (column frequency),
 * `SF = sqrt(RF² + CF²)`, on the 0..255 scale, both sums divided by M·N (not by the number of
 * differences). Source: Eskicioglu & Fisher, IEEE Trans. Commun. 43 (1995) 2959; VIFB
 * `metricsSpatial_frequency.m` computes exactly this for a grey image. A constant image has SF = 0.
 *
 * VIFB colour quirk ({@link spatialFrequencyVifbRgb}): `[m,n] = size(fused)` on an M×N×3 array
 * gives n = 3N and `fused(i,j)` then walks the three channel planes side by side, so VIFB's SF
 * of a colour image is the SF of the M×3N image [R G B] (including the two differences per row
 * across the channel seams), with divisor M·3N — not the mean over channels.
 *
 * `printed` convention ({@link spatialFrequencyZeroPadded}): the image is taken as 0 beyond its
 * last column and last row, so the forward differences also include −F(i, N) and −F(M, j):
 * `RF² = (Σ_i Σ_{j=1..N−1} (F(i,j+1) − F(i,j))² + Σ_i F(i,N)²) / (M·N)`, likewise CF² with the last
 * row — what `imfilter(F, [1 −1])` / `conv2(F, [1 −1], 'same')` (zero padding) give. It
 * reproduces the papers' printed SF columns from the authors' images (AUIF TNO 13.142 → 13.14,
 * FLIR 19.943 → 19.94; DIDFuse TNO 13.126, FLIR 18.835) where the standard SF gives 11.56,
 * 15.36, 11.27, 14.25. `paper` and `vifb` use the standard definition above.
 */
import { checkImage, checkSameSize, conventionOf, MetricInputError, type ConventionOptions, type MetricImage } from './types.js';

/** Sums of squared horizontal and vertical first differences. */
export function squaredDifferenceSums(img: MetricImage): { rows: number; cols: number } {
  const { width: w, height: h, data: d } = img;
  let rows = 0;
  let cols = 0;
  for (let y = 0; y < h; y++) {
    const o = y * w;
    for (let x = 1; x < w; x++) {
      const e = d[o + x] - d[o + x - 1];
      rows += e * e;
    }
    if (y > 0) {
      const p = o - w;
      for (let x = 0; x < w; x++) {
        const e = d[o + x] - d[p + x];
        cols += e * e;
      }
    }
  }
  return { rows, cols };
}

/** SF under the chosen convention (default `paper`: the standard definition; see module doc). */
export function spatialFrequency(fused: MetricImage, opts?: ConventionOptions): number {
  const c = conventionOf('SF', opts);
  checkImage('SF', 'fused', fused);
  if (c === 'printed') return spatialFrequencyZeroPadded(fused);
  const { rows, cols } = squaredDifferenceSums(fused);
  const mn = fused.width * fused.height;
  return Math.sqrt(rows / mn + cols / mn);
}

/** SF with a zero-padded last column and row (`printed` convention; see module doc). */
export function spatialFrequencyZeroPadded(fused: MetricImage): number {
  checkImage('SF', 'fused', fused);
  const { width: w, height: h, data: d } = fused;
  let { rows, cols } = squaredDifferenceSums(fused);
  for (let y = 0; y < h; y++) rows += d[y * w + w - 1] * d[y * w + w - 1];
  const last = (h - 1) * w;
  for (let x = 0; x < w; x++) cols += d[last + x] * d[last + x];
  const mn = w * h;
  return Math.sqrt(rows / mn + cols / mn);
}

/**
 * VIFB's SF of a multi-channel image given as channel planes: the SF of the planes placed side
 * by side (M×(C·N)), seams included, divisor M·C·N (see module doc). One plane gives
 * {@link spatialFrequency}.
 */
export function spatialFrequencyVifbRgb(channels: MetricImage[]): number {
  if (!Array.isArray(channels) || channels.length === 0) throw new MetricInputError('SF: no channel planes given');
  const named: Record<string, MetricImage> = {};
  channels.forEach((c, i) => { named[`channel ${i}`] = c; });
  checkSameSize('SF', named);
  const { width: w, height: h } = channels[0];
  const c = channels.length;
  let rows = 0;
  let cols = 0;
  for (let k = 0; k < c; k++) {
    const s = squaredDifferenceSums(channels[k]);
    rows += s.rows;
    cols += s.cols;
    if (k > 0) {
      // seam: first column of plane k minus last column of plane k−1, every row
      const a = channels[k - 1].data;
      const b = channels[k].data;
      for (let y = 0; y < h; y++) {
        const e = b[y * w] - a[y * w + w - 1];
        rows += e * e;
      }
    }
  }
  const mn = h * w * c;
  return Math.sqrt(rows / mn + cols / mn);
}
