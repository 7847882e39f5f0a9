/**
 * Derived reference values of an 8-bit grey image, for parity tests whose reference image may
 * not be committed (a whole fused image made by running an author's code: the project commits no
 * fused outputs). `datasets/reference/<method>/<name>.stats.json` holds, for the reference PNG
 * `<method>/<name>.png` of `../shared/reference` (made by `scripts/make-reference-stats.ts`):
 *
 *   W, H;   sha256 of the W·H decoded pixel bytes R (row-major);
 *   h(v)  = #{p : R_p = v},  v = 0…255            (grey histogram)
 *   r_y   = Σ_x R(x, y),      y = 0…H−1            (row sums)
 *   c_x   = Σ_y R(x, y),      x = 0…W−1            (column sums)
 *
 * A parity claim "at most k pixels differ, each by at most 1 grey level" (the baselines' bar:
 * max 1, share ≤ 0.1 %) implies, for the port's image F against R (see {@link parityBounds}):
 *
 *   Σ_y |r_y(F) − r_y(R)| ≤ Σ_p |F_p − R_p| ≤ k,      the same for the columns,
 *   Σ_v |h_F(v) − h_R(v)| ≤ 2k       (each differing pixel leaves one bin and enters another),
 *   Σ_v |H_F(v) − H_R(v)| ≤ k        (H = cumulative histogram: this is N times the 1-D
 *                                     Wasserstein distance of the grey values, at most the cost
 *                                     Σ_p |F_p − R_p| of the pixel-to-pixel coupling),
 *   sha256(F) = sha256(R)            only when the claim is bit-exactness (k = 0).
 *
 * These are necessary conditions of the claim, not sufficient ones: a port that passes them may
 * still fail the pixel test (errors that cancel within every row, column and grey level), but one
 * that fails them cannot pass it.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';

import type { Grey8Image } from '../io/image.js';

/** The derived values of one 8-bit grey image (module comment). */
export interface GreyStats {
  width: number;
  height: number;
  /** sha256 (hex) of the W·H pixel bytes, row-major. */
  sha256: string;
  /** h(v), v = 0…255. */
  histogram: number[];
  /** r_y = Σ_x R(x, y), y = 0…H−1. */
  rowSums: number[];
  /** c_x = Σ_y R(x, y), x = 0…W−1. */
  colSums: number[];
}

/** A committed `.stats.json`: the values and where they came from. */
export interface GreyStatsFile extends GreyStats {
  what: string;
  made_from: { file: string; sha256: string; how: string };
  made_by: string;
}

/** A `.stats.json` that cannot be read or is malformed; the message names the file and the key. */
export class ReferenceStatsError extends Error {
  constructor(message: string) { super(message); this.name = 'ReferenceStatsError'; }
}

/** The derived values of `img` (module comment). */
export function greyStats(img: Grey8Image): GreyStats {
  const { width: W, height: H, data } = img;
  if (data.length !== W * H) throw new ReferenceStatsError(`image data has ${data.length} values, not ${W}×${H}`);
  const histogram = new Array<number>(256).fill(0);
  const rowSums = new Array<number>(H).fill(0);
  const colSums = new Array<number>(W).fill(0);
  for (let y = 0; y < H; y++) {
    let r = 0;
    for (let x = 0; x < W; x++) {
      const v = data[y * W + x];
      histogram[v]++;
      r += v;
      colSums[x] += v;
    }
    rowSums[y] = r;
  }
  const sha256 = crypto.createHash('sha256').update(data).digest('hex');
  return { width: W, height: H, sha256, histogram, rowSums, colSums };
}

/**
 * A port's float image in [0, 1] as the 8-bit values the pixel tests compare:
 * round(255·F), clamped to 0…255 (test/methods/_parity.ts `compare`).
 */
export function unitToCompared8(width: number, height: number, F: Float32Array): Grey8Image {
  const data = new Uint8Array(F.length);
  for (let i = 0; i < F.length; i++) data[i] = Math.min(255, Math.max(0, Math.round(F[i] * 255)));
  return { width, height, data };
}

/** How far a port's derived values lie from the reference's. */
export interface StatsDistance {
  sizeMatch: boolean;
  sha256Equal: boolean;
  /** Σ_y |Δr_y| */
  rows: number;
  /** Σ_x |Δc_x| */
  cols: number;
  /** Σ_v |Δh(v)| */
  histL1: number;
  /** Σ_v |ΔH(v)|, H the cumulative histogram */
  histEmd: number;
}

/** The distances of {@link StatsDistance} between `port` and `ref` (sizes must match for the sums). */
export function statsDistance(port: GreyStats, ref: GreyStats): StatsDistance {
  const sizeMatch = port.width === ref.width && port.height === ref.height;
  const l1 = (a: number[], b: number[]) => {
    let s = 0;
    for (let i = 0; i < a.length; i++) s += Math.abs(a[i] - b[i]);
    return s;
  };
  let histEmd = 0, ca = 0, cb = 0;
  for (let v = 0; v < 256; v++) { ca += port.histogram[v]; cb += ref.histogram[v]; histEmd += Math.abs(ca - cb); }
  return {
    sizeMatch,
    sha256Equal: port.sha256 === ref.sha256,
    rows: sizeMatch ? l1(port.rowSums, ref.rowSums) : Infinity,
    cols: sizeMatch ? l1(port.colSums, ref.colSums) : Infinity,
    histL1: l1(port.histogram, ref.histogram),
    histEmd,
  };
}

/** The bounds that "≤ k pixels differ, each by ≤ 1" implies (module comment). */
export interface ParityBounds { k: number; rows: number; cols: number; histL1: number; histEmd: number; exact: boolean }

/** k = the largest pixel count with k/N ≤ `maxShare` (N = W·H), and the bounds it implies. */
export function parityBounds(width: number, height: number, maxShare: number): ParityBounds {
  const N = width * height;
  let k = Math.floor(maxShare * N);
  while ((k + 1) / N <= maxShare) k++;
  while (k > 0 && k / N > maxShare) k--;
  return { k, rows: k, cols: k, histL1: 2 * k, histEmd: k, exact: k === 0 };
}

/** The bounds `d` breaks, one line each (empty: consistent with the parity claim). */
export function boundViolations(d: StatsDistance, b: ParityBounds): string[] {
  if (!d.sizeMatch) return ['size differs'];
  const out: string[] = [];
  if (d.rows > b.rows) out.push(`Σ|Δ row sum| = ${d.rows} > k = ${b.rows}`);
  if (d.cols > b.cols) out.push(`Σ|Δ column sum| = ${d.cols} > k = ${b.cols}`);
  if (d.histL1 > b.histL1) out.push(`histogram L1 = ${d.histL1} > 2k = ${b.histL1}`);
  if (d.histEmd > b.histEmd) out.push(`cumulative-histogram L1 = ${d.histEmd} > k = ${b.histEmd}`);
  if (b.exact && !d.sha256Equal) out.push('sha256 of the pixels differs (the claim is bit-exactness)');
  return out;
}

function intArray(file: string, doc: Record<string, unknown>, key: string, length: number, max: number): number[] {
  const a = doc[key];
  if (!Array.isArray(a) || a.length !== length || !a.every((v) => Number.isInteger(v) && v >= 0 && v <= max)) {
    throw new ReferenceStatsError(`${file}: '${key}' must be ${length} integers in 0…${max}`);
  }
  return a as number[];
}

/**
 * Reads and checks a `.stats.json`: every key present, the arrays of the stated lengths, and the
 * values consistent with one W×H image (Σ h = W·H, Σ r = Σ c = Σ v·h(v)). Throws
 * {@link ReferenceStatsError} naming the file and the key at fault.
 */
export function readGreyStats(file: string): GreyStatsFile {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new ReferenceStatsError(`${file}: cannot read (${(e as Error).message.split('\n')[0]})`);
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new ReferenceStatsError(`${file}: not a JSON object`);
  const W = doc.width, H = doc.height;
  if (!Number.isInteger(W) || (W as number) < 1) throw new ReferenceStatsError(`${file}: 'width' must be a positive integer`);
  if (!Number.isInteger(H) || (H as number) < 1) throw new ReferenceStatsError(`${file}: 'height' must be a positive integer`);
  const w = W as number, h = H as number;
  if (typeof doc.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(doc.sha256)) throw new ReferenceStatsError(`${file}: 'sha256' must be 64 hex digits`);
  const histogram = intArray(file, doc, 'histogram', 256, w * h);
  const rowSums = intArray(file, doc, 'rowSums', h, 255 * w);
  const colSums = intArray(file, doc, 'colSums', w, 255 * h);
  const mf = doc.made_from as Record<string, unknown> | undefined;
  if (!mf || typeof mf.file !== 'string' || typeof mf.how !== 'string' || typeof mf.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(mf.sha256)) {
    throw new ReferenceStatsError(`${file}: 'made_from' must hold file, sha256 (64 hex digits) and how`);
  }
  for (const k of ['what', 'made_by'] as const) if (typeof doc[k] !== 'string') throw new ReferenceStatsError(`${file}: '${k}' must be a string`);
  const sum = (a: number[]) => a.reduce((s, v) => s + v, 0);
  if (sum(histogram) !== w * h) throw new ReferenceStatsError(`${file}: 'histogram' counts ${sum(histogram)} pixels, not ${w}×${h}`);
  const total = histogram.reduce((s, n, v) => s + n * v, 0);
  if (sum(rowSums) !== total) throw new ReferenceStatsError(`${file}: 'rowSums' add up to ${sum(rowSums)}, the histogram to ${total}`);
  if (sum(colSums) !== total) throw new ReferenceStatsError(`${file}: 'colSums' add up to ${sum(colSums)}, the histogram to ${total}`);
  return {
    what: doc.what as string, made_from: { file: mf.file, sha256: mf.sha256, how: mf.how }, made_by: doc.made_by as string,
    width: w, height: h, sha256: doc.sha256, histogram, rowSums, colSums,
  };
}

/** The `.stats.json` text of `s` (one array per line, so that a diff stays readable). */
export function formatGreyStats(s: GreyStatsFile): string {
  const head = { what: s.what, made_from: s.made_from, made_by: s.made_by, width: s.width, height: s.height, sha256: s.sha256 };
  const lines = Object.entries(head).map(([k, v]) => ` ${JSON.stringify(k)}: ${JSON.stringify(v)}`);
  for (const k of ['histogram', 'rowSums', 'colSums'] as const) lines.push(` ${JSON.stringify(k)}: ${JSON.stringify(s[k])}`);
  return `{\n${lines.join(',\n')}\n}\n`;
}

/** `densefuse/F1_tf1e2_sum.png` → `densefuse/F1_tf1e2_sum.stats.json`. */
export function statsNameFor(pngRel: string): string {
  if (!pngRel.endsWith('.png')) throw new ReferenceStatsError(`reference image name '${pngRel}' must end in .png`);
  return `${pngRel.slice(0, -4)}.stats.json`;
}
