/**
 * Scores fused images the way the VIFB benchmark does (lib/metrics/vifb.ts: colour channel by
 * channel, VIFB's metric code and its extras EI, Qcb, Qcv): one triplet of files, or all 21 VIFB
 * scenes — VIFB's published outputs of a method (`ADF`, `TIF`, `GFF`, `CNN`, `U2Fusion`,
 * `SeAFusion`) or a folder of one's own (`<scene>.png`, as `auif fuse --dataset vifb` writes it).
 *
 * ```ts
 * const e = await evaluateVifb('ADF');
 * e.perPair[1].values.Qabf;   // carShadow: 0.4993… (VIFB's own value: 0.49933)
 * ```
 */
import fs from 'node:fs';
import path from 'node:path';
import { readImage8, channelPlanes, isGreyContent, luma8, writeImagePng, type Image8 } from '../io/colour_image.js';
import { fuseColour } from '../fusion/colour.js';
import type { Fuser } from '../methods/types.js';
import type { Grey8Image } from '../io/image.js';
import { METRIC_NAMES, type MetricValues } from '../metrics/index.js';
import { computeVifb, VIFB_EXTRA_NAMES, type VifbExtraValues } from '../metrics/vifb.js';
import { isVifbMethod, VIFB_METHODS, VIFB_SCENES, vifbFusedFile, vifbFusedNames, vifbOutputFile, vifbPairs, type VifbMethod } from '../data/vifb.js';
import { EvaluationError, meanValues, type TripletFiles } from './evaluate.js';

/** The metrics of one triplet under VIFB's rules. */
export interface VifbTripletEvaluation extends TripletFiles {
  width: number;
  height: number;
  /** Channels the fused image was scored with (3: colour, 1: grey). */
  channels: 1 | 3;
  values: MetricValues;
  extra: VifbExtraValues;
}

export interface VifbPairEvaluation extends VifbTripletEvaluation {
  index: number;
  name: string;
}

export interface VifbEvaluation {
  /** A VIFB method name or the folder scored. */
  fused: string;
  perPair: VifbPairEvaluation[];
  means: MetricValues;
  extraMeans: VifbExtraValues;
}

/** Planes to score: one grey plane for grey content (one channel, or R = G = B), else R, G, B. */
export function vifbPlanes(img: Image8): Grey8Image[] {
  return isGreyContent(img) ? [luma8(img)] : channelPlanes(img);
}

function checkSizes(files: TripletFiles, ir: Image8, vis: Image8, fused: Image8): void {
  const sz = (g: Image8) => `${g.width}×${g.height}`;
  if (sz(ir) !== sz(vis)) throw new EvaluationError(`size mismatch: IR ${files.ir} is ${sz(ir)} but VIS ${files.vis} is ${sz(vis)}`);
  if (sz(fused) !== sz(ir)) throw new EvaluationError(`size mismatch: fused ${files.fused} is ${sz(fused)} but IR ${files.ir} and VIS ${files.vis} are ${sz(ir)}`);
}

/**
 * Scores one triplet of image files as VIFB does (colour kept). Errors name the file: missing or
 * unreadable images, alpha, 16-bit, CMYK, differing sizes, a grey fused image with a colour source.
 */
export async function evaluateVifbTriplet(files: TripletFiles): Promise<VifbTripletEvaluation> {
  for (const [what, f] of Object.entries(files)) {
    if (!fs.existsSync(f)) throw new EvaluationError(`${what === 'fused' ? 'fused' : what.toUpperCase()} image not found: ${f}`);
  }
  const [ir, vis, fused] = await Promise.all([readImage8(files.ir), readImage8(files.vis), readImage8(files.fused)]);
  checkSizes(files, ir, vis, fused);
  const F = vifbPlanes(fused);
  const V = vifbPlanes(vis);
  if (F.length === 1 && V.length > 1) {
    throw new EvaluationError(`${files.fused}: a grey fused image for the colour visible image ${files.vis}; VIFB scores colour images channel by channel, so fuse in colour ('auif fuse --colour auto') or give a grey visible image`);
  }
  const { values, extra } = computeVifb(vifbPlanes(ir), V, F);
  return { ...files, width: fused.width, height: fused.height, channels: F.length === 1 ? 1 : 3, values, extra };
}

export interface EvaluateVifbOptions {
  /** 1-based scene positions in VIFB_SCENES (default all 21). */
  indices?: number[];
  onStart?: (total: number) => void;
  onPair?: (p: VifbPairEvaluation, done: number, total: number) => void;
}

/**
 * Scores the VIFB scenes: `fused` is a VIFB method name (its published outputs, staged) or a
 * folder holding `<scene>.png` (or .jpg/.bmp/.tif) for each scene. Every fused file is checked
 * before any is scored; a missing one raises {@link EvaluationError} naming all that are missing.
 */
export async function evaluateVifb(fused: VifbMethod | string, opts: EvaluateVifbOptions = {}): Promise<VifbEvaluation> {
  const method = isVifbMethod(fused);
  if (!method) {
    let st: fs.Stats | undefined;
    try { st = fs.statSync(fused); } catch { /* reported below */ }
    if (!st?.isDirectory()) {
      throw new EvaluationError(`fused ${fused} is neither one of VIFB's methods (${VIFB_METHODS.join(', ')}) nor a folder${st ? '' : ' (it does not exist)'}`);
    }
  }
  const indices = opts.indices ?? VIFB_SCENES.map((_, k) => k + 1);
  for (const i of indices) {
    if (!Number.isInteger(i) || i < 1 || i > VIFB_SCENES.length) throw new EvaluationError(`pair ${i} is not in VIFB (pairs 1..${VIFB_SCENES.length})`);
  }
  if (indices.length === 0) throw new EvaluationError('no pairs to evaluate');
  const pairs = await vifbPairs({ quiet: true });
  const jobs: (TripletFiles & { index: number; name: string })[] = [];
  const missing: string[] = [];
  for (const i of indices) {
    const p = pairs[i - 1];
    let f: string | null;
    if (method) f = await vifbFusedFile(fused as VifbMethod, p.name, { quiet: true });
    else f = vifbFusedNames(p.name).map((n) => path.join(fused, n)).find((x) => fs.existsSync(x)) ?? null;
    if (!f) missing.push(path.join(fused, `${p.name}.png`));
    else jobs.push({ index: i, name: p.name, ir: p.ir, vis: p.vis, fused: f });
  }
  if (missing.length) {
    const shown = missing.slice(0, 5).join(', ') + (missing.length > 5 ? `, … (${missing.length - 5} more)` : '');
    throw new EvaluationError(`${missing.length} of ${indices.length} fused VIFB images not found: ${shown}`
      + ` (expected <scene>.png, or .jpg/.bmp/.tif, in ${fused}, as 'auif fuse --dataset vifb --out ${fused}' writes them)`);
  }
  opts.onStart?.(jobs.length);
  const perPair: VifbPairEvaluation[] = [];
  for (const [k, j] of jobs.entries()) {
    const { index, name, ...files } = j;
    const r: VifbPairEvaluation = { index, name, ...(await evaluateVifbTriplet(files)) };
    perPair.push(r);
    opts.onPair?.(r, k + 1, jobs.length);
  }
  const extraMeans = Object.fromEntries(VIFB_EXTRA_NAMES.map((k) => [k, perPair.reduce((s, p) => s + p.extra[k], 0) / perPair.length])) as VifbExtraValues;
  return { fused, perPair, means: meanValues(perPair.map((p) => p.values)), extraMeans };
}

/** Every metric name a VIFB evaluation reports: the 13, then EI, Qcb, Qcv. */
export const VIFB_REPORT_NAMES = [...METRIC_NAMES, ...VIFB_EXTRA_NAMES] as const;

/** One row's values, the 13 and the extras together. */
export function vifbRow(p: { values: MetricValues; extra: VifbExtraValues }): Record<string, number> {
  return { ...p.values, ...p.extra };
}

/** CSV: `scene,pair,width,height,<metrics…>,fused`, one row per scene (full precision), then `mean`. */
export function vifbCsv(e: VifbEvaluation): string {
  const lines = [['scene', 'pair', 'width', 'height', ...VIFB_REPORT_NAMES, 'fused'].join(',')];
  for (const p of e.perPair) {
    const row = vifbRow(p);
    lines.push([p.name, p.index, p.width, p.height, ...VIFB_REPORT_NAMES.map((k) => row[k]), p.fused.includes(',') ? `"${p.fused}"` : p.fused].join(','));
  }
  const m = { ...e.means, ...e.extraMeans } as Record<string, number>;
  lines.push(['mean', '', '', '', ...VIFB_REPORT_NAMES.map((k) => m[k]), ''].join(','));
  return lines.join('\n') + '\n';
}

/** Pretty-printed JSON of the evaluation (non-finite numbers → null). */
export function vifbJSON(e: VifbEvaluation): string {
  return JSON.stringify(e, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2) + '\n';
}

/** The fused outputs of one method on VIFB scenes (see {@link fuseVifbTo}). */
export interface VifbFused { name: string; index: number; file: string; ms: number; colour: boolean }

/**
 * Fuses VIFB scenes with any method through the colour path (lib/fusion/colour.ts) and writes
 * `dir/<scene>.png` (RGB for a colour visible image) — VIFB's `main_running.m` for one method.
 */
export async function fuseVifbTo(fuser: Fuser, dir: string, opts: { indices?: number[] } = {}): Promise<VifbFused[]> {
  const pairs = await vifbPairs({ quiet: true });
  const chosen = opts.indices ? pairs.filter((p) => opts.indices!.includes(p.index)) : pairs;
  await fs.promises.mkdir(dir, { recursive: true });
  const out: VifbFused[] = [];
  for (const p of chosen) {
    const [ir, vis] = await Promise.all([readImage8(p.ir), readImage8(p.vis)]);
    const t0 = performance.now();
    const r = await fuseColour(fuser, ir, vis, { names: { ir: p.ir, vis: p.vis } });
    const ms = performance.now() - t0;
    const file = vifbOutputFile(dir, p.name);
    await writeImagePng(file, r.F);
    out.push({ name: p.name, index: p.index, file, ms, colour: r.colour });
  }
  return out;
}

/** VIFB's own reading of each metric: higher is better, except CE, RMSE and Qcv. */
export const VIFB_LOWER_IS_BETTER: readonly string[] = ['CE', 'RMSE', 'Qcv'];

/**
 * Markdown table of the means of several evaluations (one row per method), the metrics VIFB
 * reports (SCD, VIF, CC are the project's, not VIFB's, and are left out), best value in bold (lowest for CE, RMSE, Qcv).
 */
export function vifbMeansMarkdown(rows: { label: string; e: VifbEvaluation }[]): string {
  const names = VIFB_REPORT_NAMES.filter((k) => !['SCD', 'VIF', 'CC'].includes(k));
  const means = rows.map((r) => ({ ...r.e.means, ...r.e.extraMeans } as Record<string, number>));
  const best = Object.fromEntries(names.map((k) => {
    const v = means.map((m) => m[k]);
    return [k, VIFB_LOWER_IS_BETTER.includes(k) ? Math.min(...v) : Math.max(...v)];
  }));
  const head = `| method | pairs | ${names.join(' | ')} |\n| --- | ---: | ${names.map(() => '---:').join(' | ')} |`;
  const body = rows.map((r, i) => `| ${r.label} | ${r.e.perPair.length} | ${names.map((k) => {
    const s = means[i][k].toFixed(4);
    return means[i][k] === best[k] ? `**${s}**` : s;
  }).join(' | ')} |`);
  return `${head}\n${body.join('\n')}\n`;
}

/** One CSV of every method's per-scene values: `method,scene,pair,width,height,<metrics…>`. */
export function vifbPerImageCsv(rows: { label: string; e: VifbEvaluation }[]): string {
  const lines = [['method', 'scene', 'pair', 'width', 'height', ...VIFB_REPORT_NAMES].join(',')];
  for (const { label, e } of rows) {
    for (const p of e.perPair) {
      const v = vifbRow(p);
      lines.push([label, p.name, p.index, p.width, p.height, ...VIFB_REPORT_NAMES.map((k) => v[k])].join(','));
    }
  }
  return lines.join('\n') + '\n';
}
