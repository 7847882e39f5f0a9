/**
 * Scores fused images with all 13 metrics (lib/metrics `computeAll`): one triplet of files, or a
 * whole test set — a folder of fused images F{i}.png (as `auif fuse --dataset` writes them) or the
 * authors' published outputs — with per-pair values and dataset means (arithmetic mean over the
 * pairs scored). Used by `auif eval` and notebook 04.
 *
 * ```ts
 * const e = await evaluateDataset('tno', 'authors', { convention: 'printed' });
 * e.means.EN;             // 6.9605… (the paper prints 6.96)
 * e.perPair[0].values;    // { EN, SD, SF, AG, MI, SCD, VIF, Qabf, SSIM, CC, PSNR, RMSE, CE } of pair 1
 * ```
 */
import fs from 'node:fs';
import path from 'node:path';
import { readGrey8, type Grey8Image } from '../io/image.js';
import { datasetPairs, DATASETS, DATASET_NAMES, isDatasetName, type DatasetName } from '../data/datasets.js';
import { computeAll, METRIC_NAMES, type MetricValues } from '../metrics/index.js';
import { conventionOf, type MetricConvention } from '../metrics/types.js';

/** Input that cannot be scored (missing fused image, sizes that differ, …); names the files. */
export class EvaluationError extends Error {
  constructor(message: string) { super(message); this.name = 'EvaluationError'; }
}

/** File names tried for pair i in a fused folder, in order. */
export const FUSED_NAMES = (i: number): string[] => ['png', 'jpg', 'bmp', 'tif'].map((e) => `F${i}.${e}`);

/** The three files of one triplet. */
export interface TripletFiles { ir: string; vis: string; fused: string }

/** The metrics of one triplet. */
export interface TripletEvaluation extends TripletFiles {
  width: number;
  height: number;
  values: MetricValues;
}

/** One pair of a test set. */
export interface PairEvaluation extends TripletEvaluation {
  /** 1-based pair number (IR{i}, VIS{i}, F{i}). */
  index: number;
}

export interface DatasetEvaluation {
  dataset: DatasetName;
  /** The fused folder, or 'authors' for the authors' published outputs. */
  fused: string;
  convention: MetricConvention;
  perPair: PairEvaluation[];
  /** Mean of each metric over `perPair`. */
  means: MetricValues;
}

/**
 * Checks that the three images have one size; the error names every file and size, e.g.
 * `size mismatch: fused out/F3.png is 640×480 but IR …/IR3.bmp is 768×576 and VIS …/VIS3.bmp is 768×576`.
 */
export function checkTripletSizes(files: TripletFiles, imgs: { ir: Grey8Image; vis: Grey8Image; fused: Grey8Image }): void {
  const sz = (g: Grey8Image) => `${g.width}×${g.height}`;
  const { ir, vis, fused } = imgs;
  if (sz(ir) !== sz(vis)) {
    throw new EvaluationError(`size mismatch: IR ${files.ir} is ${sz(ir)} but VIS ${files.vis} is ${sz(vis)}`);
  }
  if (sz(fused) !== sz(ir)) {
    throw new EvaluationError(`size mismatch: fused ${files.fused} is ${sz(fused)} but IR ${files.ir} and VIS ${files.vis} are ${sz(ir)}`);
  }
}

async function readTriplet(files: TripletFiles): Promise<{ ir: Grey8Image; vis: Grey8Image; fused: Grey8Image }> {
  const [ir, vis, fused] = await Promise.all([readGrey8(files.ir), readGrey8(files.vis), readGrey8(files.fused)]);
  return { ir, vis, fused };
}

function scoreTriplet(files: TripletFiles, imgs: { ir: Grey8Image; vis: Grey8Image; fused: Grey8Image }, convention: MetricConvention): TripletEvaluation {
  checkTripletSizes(files, imgs);
  return { ...files, width: imgs.fused.width, height: imgs.fused.height, values: computeAll(imgs.ir, imgs.vis, imgs.fused, { convention }) };
}

/**
 * All 13 metrics of one triplet of image files (read as 8-bit grey, PIL `convert('L')`), under
 * `convention` (default `paper`). Missing or unreadable files raise `ImageError` naming the file;
 * differing sizes raise {@link EvaluationError} naming the files and sizes.
 */
export async function evaluateTriplet(files: TripletFiles, opts: { convention?: MetricConvention } = {}): Promise<TripletEvaluation> {
  const convention = conventionOf('evaluateTriplet', opts);
  for (const [what, f] of Object.entries(files)) {
    if (!fs.existsSync(f)) throw new EvaluationError(`${what === 'fused' ? 'fused' : what.toUpperCase()} image not found: ${f}`);
  }
  return scoreTriplet(files, await readTriplet(files), convention);
}

/** Fused image of pair `index` in `dir` (F{i}.png, else .jpg/.bmp/.tif), or null. */
export function fusedFileIn(dir: string, index: number): string | null {
  for (const name of FUSED_NAMES(index)) {
    const f = path.join(dir, name);
    if (fs.existsSync(f)) return f;
  }
  return null;
}

export interface EvaluateDatasetOptions {
  /** Default `paper`; use `printed` to compare with the papers' tables. */
  convention?: MetricConvention;
  /** 1-based pairs to score (default all). */
  indices?: number[];
  /** Called once the inputs are checked, before the first pair is scored (e.g. to start a progress bar). */
  onStart?: (total: number) => void;
  /** Called after each pair (e.g. a progress bar). */
  onPair?: (p: PairEvaluation, done: number, total: number) => void;
}

/**
 * Scores every pair (or `indices`) of a test set: the fused image of pair i is `F{i}.png` (or
 * .jpg/.bmp/.tif) in `fused`, or, with `fused = 'authors'`, the authors' published output
 * (TNO and FLIR only). All fused files are checked before any is scored: a missing one raises
 * {@link EvaluationError} naming every missing file; a size mismatch names the three files and
 * their sizes. Returns per-pair values (in pair order) and the means over them.
 */
export async function evaluateDataset(dataset: DatasetName, fused: string, opts: EvaluateDatasetOptions = {}): Promise<DatasetEvaluation> {
  const convention = conventionOf('evaluateDataset', opts);
  if (!isDatasetName(dataset)) throw new EvaluationError(`unknown dataset '${dataset as string}' (use ${DATASET_NAMES.join(', ')})`);
  const def = DATASETS[dataset];
  const authors = fused === 'authors';
  if (authors && !def.results) {
    const have = DATASET_NAMES.filter((d) => DATASETS[d].results).join(', ');
    throw new EvaluationError(`the authors published no fused images for ${def.title}; 'authors' works for ${have}`);
  }
  if (!authors) {
    let st: fs.Stats | undefined;
    try { st = fs.statSync(fused); } catch { /* reported below */ }
    if (!st?.isDirectory()) throw new EvaluationError(`fused folder ${fused} ${st ? 'is not a folder' : 'does not exist'}`);
  }
  const indices = opts.indices ?? Array.from({ length: def.pairs }, (_, k) => k + 1);
  for (const i of indices) {
    if (!Number.isInteger(i) || i < 1 || i > def.pairs) throw new EvaluationError(`pair ${i} is not in ${def.title} (pairs 1..${def.pairs})`);
  }
  if (indices.length === 0) throw new EvaluationError('no pairs to evaluate');
  const all = await datasetPairs(dataset, { withAuthors: authors, quiet: true });

  const jobs: (TripletFiles & { index: number })[] = [];
  const missing: string[] = [];
  for (const i of indices) {
    const p = all[i - 1];
    const f = authors ? p.authors! : fusedFileIn(fused, i);
    if (!f) missing.push(path.join(fused, `F${i}.png`));
    else jobs.push({ index: i, ir: p.ir, vis: p.vis, fused: f });
  }
  if (missing.length) {
    const shown = missing.slice(0, 5).join(', ') + (missing.length > 5 ? `, … (${missing.length - 5} more)` : '');
    throw new EvaluationError(`${missing.length} of ${indices.length} fused images of ${def.title} not found: ${shown}`
      + ` (expected F{i}.png, or .jpg/.bmp/.tif, in ${fused}, as 'auif fuse --dataset ${dataset} --out ${fused}' writes them)`);
  }

  opts.onStart?.(jobs.length);
  const perPair: PairEvaluation[] = [];
  // decode the next triplet (sharp runs off the main thread) while this one is scored
  let next = readTriplet(jobs[0]);
  for (let k = 0; k < jobs.length; k++) {
    const imgs = await next;
    if (k + 1 < jobs.length) {
      next = readTriplet(jobs[k + 1]);
      next.catch(() => {}); // reported when awaited; avoids an unhandled rejection if this pair throws
    }
    const { index, ...files } = jobs[k];
    const r: PairEvaluation = { index, ...scoreTriplet(files, imgs, convention) };
    perPair.push(r);
    opts.onPair?.(r, k + 1, jobs.length);
  }
  return { dataset, fused: authors ? 'authors' : fused, convention, perPair, means: meanValues(perPair.map((p) => p.values)) };
}

/** The mean of each metric over a list of metric records. */
export function meanValues(list: MetricValues[]): MetricValues {
  const out = Object.fromEntries(METRIC_NAMES.map((k) => [k, 0])) as MetricValues;
  for (const v of list) for (const k of METRIC_NAMES) out[k] += v[k];
  for (const k of METRIC_NAMES) out[k] /= list.length;
  return out;
}

function csvCell(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * The evaluation as CSV: header `pair,width,height,EN,…,CE,fused`, one row per pair (full
 * float64 precision), then a row `mean` with the dataset means.
 */
export function evaluationCsv(e: DatasetEvaluation): string {
  const lines = [['pair', 'width', 'height', ...METRIC_NAMES, 'fused'].join(',')];
  for (const p of e.perPair) lines.push([p.index, p.width, p.height, ...METRIC_NAMES.map((k) => p.values[k]), csvCell(p.fused)].join(','));
  lines.push(['mean', '', '', ...METRIC_NAMES.map((k) => e.means[k]), ''].join(','));
  return lines.join('\n') + '\n';
}

/** The evaluation as pretty-printed JSON (non-finite numbers, e.g. PSNR of identical images, become null). */
export function evaluationJSON(e: DatasetEvaluation): string {
  return JSON.stringify(e, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2) + '\n';
}
