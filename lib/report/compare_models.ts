/**
 * Two sets of AUIF weights side by side (e.g. a retrained model against the authors' pretrained
 * one): each model fuses the same pairs of each test set into its own folder (`F{i}.png`, rule
 * `sum` as the paper), every fused image is scored with the 13 metrics ({@link evaluateDataset},
 * convention `printed` by default, the one that reproduces the paper's table), and the dataset
 * means are put side by side with Δ = B − A and Δ % = 100·Δ/|A|. Where the paper prints AUIF's
 * row for that set (`paper_tables.csv`), that row is shown beside them.
 *
 * ```ts
 * const c = await compareModels({
 *   a: { label: 'pretrained' },                                   // the authors' weights
 *   b: { label: 'retrained', weights: 'models/auif_retrained.safetensors' },
 *   datasets: ['tno'], indices: { tno: [1, 2, 3] }, fusedDir: 'results/tmp/compare',
 * });
 * console.log(modelComparisonMarkdown(c));   // | EN | 6.96 | 6.9605 | 6.9412 | −0.0193 | −0.28 % | A | …
 * ```
 * Used by notebook 05 and `npm run compare-models`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { readGrey, writeGreyPng } from '../io/image.js';
import { datasetPairs, DATASETS, DATASET_NAMES, isDatasetName, type DatasetName } from '../data/datasets.js';
import { checkPair, fuse } from '../model/auif.js';
import { loadWeights } from '../model/checkpoint.js';
import { disposeParams, type AuifParams } from '../model/params.js';
import { FUSION_MODES, type FusionMode } from '../fusion/rules.js';
import { LOWER_IS_BETTER, METRIC_NAMES, type MetricName, type MetricValues } from '../metrics/index.js';
import { conventionOf, type MetricConvention } from '../metrics/types.js';
import { evaluateDataset, type DatasetEvaluation, type PairEvaluation } from './evaluate.js';
import { comparableWithPrinted, paperRow, PaperTableError, type PaperMetric, PAPER_METRICS } from './paper_table.js';
import { ReferenceFileError } from '../data/reference.js';
import { median } from '../util/stats.js';

/** A bad comparison request (unknown set, pair out of range, same label twice …); names the input. */
export class CompareModelsError extends Error {
  constructor(message: string) { super(message); this.name = 'CompareModelsError'; }
}

export { LOWER_IS_BETTER } from '../metrics/index.js';

/**
 * One side of the comparison: `params` already in memory (not disposed here), else the weights
 * file or folder `weights` (anything `loadWeights` reads), else the authors' pretrained weights.
 */
export interface ModelSpec {
  /** How tables head this model's column, e.g. 'pretrained', 'retrained'. */
  label: string;
  weights?: string;
  params?: AuifParams;
  /** Where the model comes from, for the tables (default: the file, "parameters in memory", or the pretrained weights). */
  description?: string;
}

/** Fuses pairs of a test set with `params` and writes `dir/F{i}.png` (rint(255·F), as the authors' `imsave`). */
export async function fuseDatasetTo(
  dataset: DatasetName, params: AuifParams, dir: string,
  opts: { indices?: number[]; mode?: FusionMode; onPair?: (index: number, ms: number, file: string) => void } = {},
): Promise<{ index: number; file: string; ms: number }[]> {
  if (!isDatasetName(dataset)) throw new CompareModelsError(`fuseDatasetTo: unknown dataset '${dataset as string}' (use ${DATASET_NAMES.join(', ')})`);
  const indices = checkIndices(dataset, opts.indices);
  const mode = opts.mode ?? 'sum';
  if (!FUSION_MODES.includes(mode)) throw new CompareModelsError(`fuseDatasetTo: unknown fusion mode '${mode as string}' (use ${FUSION_MODES.join(', ')})`);
  const pairs = await datasetPairs(dataset, { quiet: true });
  await fs.promises.mkdir(dir, { recursive: true });
  const out: { index: number; file: string; ms: number }[] = [];
  for (const i of indices) {
    const p = pairs[i - 1];
    const [ir, vis] = await Promise.all([readGrey(p.ir), readGrey(p.vis)]);
    checkPair(ir, vis, { ir: p.ir, vis: p.vis });
    const t0 = performance.now();
    const F = await fuse(ir, vis, params, mode);
    const ms = performance.now() - t0;
    const file = path.join(dir, `F${i}.png`);
    await writeGreyPng(file, F);
    out.push({ index: i, file, ms });
    opts.onPair?.(i, ms, file);
  }
  return out;
}

function checkIndices(dataset: DatasetName, indices: number[] | undefined): number[] {
  const n = DATASETS[dataset].pairs;
  const list = indices ?? Array.from({ length: n }, (_, k) => k + 1);
  if (list.length === 0) throw new CompareModelsError(`no pairs of ${DATASETS[dataset].title} to compare`);
  for (const i of list) {
    if (!Number.isInteger(i) || i < 1 || i > n) throw new CompareModelsError(`pair ${i} is not in ${DATASETS[dataset].title} (pairs 1..${n})`);
  }
  return list;
}

/** One metric of one set: both means, B − A, and the paper's printed AUIF number where there is one. */
export interface ModelComparisonRow {
  metric: MetricName;
  a: number;
  b: number;
  /** b − a. */
  delta: number;
  /** 100·(b − a)/|a| (null when a = 0). */
  deltaPct: number | null;
  /** Which is the better fusion by this metric ({@link LOWER_IS_BETTER}); '=' when equal. */
  better: 'a' | 'b' | '=';
  /** The paper's printed AUIF value (its string), when the paper prints this metric for this set and the convention makes it comparable. */
  paper: string | null;
}

/** The comparison on one test set. */
export interface DatasetModelComparison {
  dataset: DatasetName;
  title: string;
  /** The pairs scored (1-based). */
  indices: number[];
  /** Whether those are all pairs of the set (the paper's means are over all). */
  allPairs: boolean;
  rows: ModelComparisonRow[];
  /** Per-pair values of each model, in `indices` order. */
  perPair: { index: number; a: MetricValues; b: MetricValues }[];
  /** Where each model's fused images are. */
  fused: { a: string; b: string };
  /** Median fuse() time per pair, ms. */
  fuseMs: { a: number; b: number };
}

export interface ModelComparison {
  a: { label: string; weights: string };
  b: { label: string; weights: string };
  convention: MetricConvention;
  mode: FusionMode;
  datasets: DatasetModelComparison[];
  /** Why the paper column is missing, if it is (e.g. no paper_tables.csv found). */
  paperNote: string | null;
  seconds: number;
}

export interface CompareModelsOptions {
  a?: ModelSpec;
  b: ModelSpec;
  /** Test sets (default all three). */
  datasets?: DatasetName[];
  /** Pairs to use: one list for every set, or per set (default all pairs). */
  indices?: number[] | Partial<Record<DatasetName, number[]>>;
  /** Fused images go to `fusedDir/a/<set>/F{i}.png` and `fusedDir/b/<set>/…` (default results/tmp/compare-models). */
  fusedDir?: string;
  /** Fusion rule (default 'sum', as the paper's results). */
  mode?: FusionMode;
  /** Metric convention (default 'printed'). */
  convention?: MetricConvention;
  /** Progress: after each fused pair and after each scored pair. */
  onProgress?: (e: { model: 'a' | 'b'; dataset: DatasetName; phase: 'fuse' | 'score'; index: number; done: number; total: number }) => void;
}

function describe(m: ModelSpec): string {
  return m.description ?? (m.params ? 'parameters in memory' : m.weights ?? "the authors' pretrained weights, models/upstream/TCSVT_*.model");
}

/** Rows of one set from the two evaluations. */
export function comparisonRows(a: MetricValues, b: MetricValues, paper: Partial<Record<PaperMetric, string>> = {}): ModelComparisonRow[] {
  return METRIC_NAMES.map((metric) => {
    const delta = b[metric] - a[metric];
    const lower = LOWER_IS_BETTER.includes(metric);
    const better = a[metric] === b[metric] ? '=' : (b[metric] > a[metric]) !== lower ? 'b' : 'a';
    return {
      metric, a: a[metric], b: b[metric], delta,
      deltaPct: a[metric] === 0 ? null : (100 * delta) / Math.abs(a[metric]),
      better, paper: (paper as Record<string, string | undefined>)[metric] ?? null,
    };
  });
}

/**
 * Fuses the chosen pairs of each set with model A and model B, scores both, and returns the
 * means side by side (see the module comment). Weights loaded here are freed at the end;
 * `params` given by the caller are not.
 * @throws {CompareModelsError} for an unknown set, a pair out of range or two equal labels,
 *   before anything is fused; `StateDictError` naming the file for unreadable weights.
 */
export async function compareModels(opts: CompareModelsOptions): Promise<ModelComparison> {
  const t0 = performance.now();
  const specA: ModelSpec = opts.a ?? { label: 'pretrained' };
  const specB = opts.b;
  if (!specB || typeof specB.label !== 'string') throw new CompareModelsError('compareModels: model b ({ label, weights? | params? }) is required');
  if (specA.label === specB.label) throw new CompareModelsError(`compareModels: both models are labelled '${specA.label}'; give them different labels`);
  const convention = conventionOf('compareModels', { convention: opts.convention ?? 'printed' });
  const mode = opts.mode ?? 'sum';
  if (!FUSION_MODES.includes(mode)) throw new CompareModelsError(`compareModels: unknown fusion mode '${mode as string}' (use ${FUSION_MODES.join(', ')})`);
  const datasets = opts.datasets ?? [...DATASET_NAMES];
  if (datasets.length === 0) throw new CompareModelsError('compareModels: no datasets given');
  for (const d of datasets) if (!isDatasetName(d)) throw new CompareModelsError(`compareModels: unknown dataset '${d as string}' (use ${DATASET_NAMES.join(', ')})`);
  const indicesOf = (d: DatasetName) => checkIndices(d, Array.isArray(opts.indices) ? opts.indices.filter((i) => i <= DATASETS[d].pairs) : opts.indices?.[d]);
  const plan = datasets.map((d) => ({ dataset: d, indices: indicesOf(d) }));
  const fusedDir = opts.fusedDir ?? path.join('results', 'tmp', 'compare-models');

  // The paper's printed AUIF row per set, if the reference table is reachable.
  let paperNote: string | null = null;
  const paperOf = (d: DatasetName): Partial<Record<PaperMetric, string>> => {
    if (convention !== 'printed') {
      paperNote = `no paper column: the metrics are under \`${convention}\`; the paper's SD, SF and VIF are reproduced only by \`printed\``;
      return {};
    }
    try {
      const row = paperRow('AUIF', d, 'AUIF');
      return Object.fromEntries(PAPER_METRICS.filter((m) => row.printed[m] !== undefined && comparableWithPrinted(m, convention)).map((m) => [m, row.printed[m]!]));
    } catch (e) {
      // No reachable paper_tables.csv (ReferenceFileError) or no such row in it (PaperTableError).
      if (!(e instanceof PaperTableError) && !(e instanceof ReferenceFileError)) throw e;
      paperNote = `no paper column: ${e.message}`;
      return {};
    }
  };

  const out: DatasetModelComparison[] = [];
  const evals: Record<'a' | 'b', DatasetEvaluation[]> = { a: [], b: [] };
  const fuseMs: Record<'a' | 'b', number[][]> = { a: [], b: [] };
  // Both weight sets are loaded (and validated) before any fusing, so a bad file fails at once.
  const loaded: Record<'a' | 'b', AuifParams | null> = { a: null, b: null };
  try {
    loaded.a = specA.params ?? (await loadWeights(specA.weights));
    loaded.b = specB.params ?? (await loadWeights(specB.weights));
  } catch (e) {
    if (loaded.a && !specA.params) disposeParams(loaded.a);
    throw e;
  }
  for (const side of ['a', 'b'] as const) {
    const spec = side === 'a' ? specA : specB;
    const params = loaded[side]!;
    try {
      for (const { dataset, indices } of plan) {
        const dir = path.join(fusedDir, side, dataset);
        let done = 0;
        const fused = await fuseDatasetTo(dataset, params, dir, {
          indices, mode,
          onPair: (index) => opts.onProgress?.({ model: side, dataset, phase: 'fuse', index, done: ++done, total: indices.length }),
        });
        fuseMs[side].push(fused.map((f) => f.ms));
        evals[side].push(await evaluateDataset(dataset, dir, {
          convention, indices,
          onPair: (p: PairEvaluation, done: number, total: number) => opts.onProgress?.({ model: side, dataset, phase: 'score', index: p.index, done, total }),
        }));
      }
    } finally {
      if (!spec.params) disposeParams(params);
    }
  }
  plan.forEach(({ dataset, indices }, k) => {
    const ea = evals.a[k];
    const eb = evals.b[k];
    out.push({
      dataset, title: DATASETS[dataset].title, indices, allPairs: indices.length === DATASETS[dataset].pairs,
      rows: comparisonRows(ea.means, eb.means, paperOf(dataset)),
      perPair: ea.perPair.map((p, j) => ({ index: p.index, a: p.values, b: eb.perPair[j].values })),
      fused: { a: ea.fused, b: eb.fused },
      fuseMs: { a: median(fuseMs.a[k]), b: median(fuseMs.b[k]) },
    });
  });
  return {
    a: { label: specA.label, weights: describe(specA) },
    b: { label: specB.label, weights: describe(specB) },
    convention, mode, datasets: out, paperNote,
    seconds: (performance.now() - t0) / 1000,
  };
}

function signed(x: number, decimals: number): string {
  const s = x.toFixed(decimals);
  return s.startsWith('-') ? s : `+${s}`;
}

const esc = (s: string) => s.replace(/\|/g, '\\|');

/**
 * The comparison as Markdown: a header naming both models, the convention and the rule, then
 * one table per set
 *
 * ```
 * ### TNO (3 of 40 pairs)
 *
 * | metric | paper | pretrained | retrained | Δ (B − A) | Δ % | better |
 * | --- | ---: | ---: | ---: | ---: | ---: | :---: |
 * | EN | 6.96 | 6.9605 | 6.9412 | −0.0193 | −0.28 % | pretrained |
 * ```
 * Means with 4 decimals; `paper` is AUIF's printed row (— where the paper prints no value).
 */
export function modelComparisonMarkdown(c: ModelComparison): string {
  const A = esc(c.a.label);
  const B = esc(c.b.label);
  const lines = [
    `**A = ${A}** (${esc(c.a.weights)}) vs **B = ${B}** (${esc(c.b.weights)}).`,
    `Dataset means of the 13 metrics under the \`${c.convention}\` convention${c.convention === 'printed' ? ' (column-wise SD, zero-padded SF, VIF = VIFF: the definitions that reproduce the paper\'s printed table)' : ''}; `
      + `fusion rule \`${c.mode}\`; Δ = B − A, Δ % relative to A; "better" reads RMSE and CE as lower-is-better, every other metric as higher-is-better.`
      + (c.paperNote ? ` (${esc(c.paperNote)}.)` : ' `paper` is AUIF\'s printed row (means over all pairs of the set).'),
  ];
  for (const d of c.datasets) {
    const pairs = d.allPairs ? `all ${d.indices.length} pairs` : `${d.indices.length} of ${DATASETS[d.dataset].pairs} pairs: ${d.indices.join(', ')}`;
    lines.push('', `### ${d.title} (${pairs})`, '',
      `| metric | paper | ${A} | ${B} | Δ (B − A) | Δ % | better |`,
      '| --- | ---: | ---: | ---: | ---: | ---: | :---: |');
    for (const r of d.rows) {
      const better = r.better === '=' ? '=' : r.better === 'a' ? A : B;
      const fmt = (v: number) => (Number.isFinite(v) ? v.toFixed(4) : String(v));
      lines.push(`| ${r.metric} | ${r.paper ?? '—'} | ${fmt(r.a)} | ${fmt(r.b)} | ${Number.isFinite(r.delta) ? signed(r.delta, 4) : '—'} | `
        + `${r.deltaPct === null || !Number.isFinite(r.deltaPct) ? '—' : `${signed(r.deltaPct, 2)} %`} | ${better} |`);
    }
    lines.push('', `Median fuse() time per pair: ${A} ${d.fuseMs.a.toFixed(0)} ms, ${B} ${d.fuseMs.b.toFixed(0)} ms.`);
  }
  return lines.join('\n') + '\n';
}

/** The comparison as pretty-printed JSON (non-finite numbers, e.g. PSNR of identical images, become null). */
export function modelComparisonJSON(c: ModelComparison): string {
  return JSON.stringify(c, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2) + '\n';
}
