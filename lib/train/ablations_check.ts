/**
 * Checking the ablation study's CSV against its committed checkpoints (issue 17's acceptance
 * check: "re-fuse the test pairs with a sample of those checkpoints and recompute their metrics;
 * they must agree with the CSV to 1e-3 relative").
 *
 * For each checked (variant, seed), the weights the driver scored are loaded again — the file
 * `models/ablations/<variant>/seed<k>.safetensors` for a trained variant (its model config comes
 * from the file), the authors' weights / the classic solver / `paper/seed<k>` for the
 * evaluation-only ones (lib/train/ablations.ts, {@link EVAL_VARIANTS}) — and scored by the
 * driver's own evaluator ({@link evaluateTestSets}: fuse every pair with the variant's fusion rule
 * into rint(255·F) PNGs as `auif fuse --dataset` writes them, score them as
 * `auif eval --convention printed` does, dataset means). Every (test set, metric) of the CSV is
 * compared with the recomputed mean c′:
 *
 *   rel = |c′ − c| / |c|   (c = 0: rel = 0 when c′ = 0, else ∞);   agrees ⇔ rel ≤ tol (1e-3).
 *
 * A value missing from the recomputation, or not finite, does not agree.
 */
import fs from 'node:fs';
import { loadWeights } from '../model/checkpoint.js';
import { disposeParams, type AuifParams } from '../model/params.js';
import type { FusionMode } from '../fusion/rules.js';
import { DATASETS, DATASET_NAMES, type DatasetName } from '../data/datasets.js';
import type { MetricValues } from '../metrics/index.js';
import {
  ABLATION_PRESETS, ABLATION_VARIANTS, EVAL_VARIANTS, classicParams, evaluateTestSets, runFiles,
  type AblationEvaluator, type AblationPaths, type AblationRow,
} from './ablations.js';

/** Default tolerance of the check: relative difference 1e-3 (issue 17). */
export const ABLATION_CHECK_TOLERANCE = 1e-3;

/** One (variant, seed) of the CSV whose weights can be loaded again, and how it was fused. */
export interface AblationCheckTarget {
  variant: string;
  seed: number;
  /** A weights file, or the authors' weights, or the classic solver. */
  weights: { file: string } | 'authors' | 'classic';
  mode: FusionMode;
}

/** A check target's weights, loaded (the caller disposes them). */
export async function loadCheckTargetParams(t: AblationCheckTarget): Promise<AuifParams> {
  if (t.weights === 'authors') return loadWeights();
  if (t.weights === 'classic') return classicParams();
  return loadWeights(t.weights.file);
}

const describe = (t: AblationCheckTarget) => (t.weights === 'authors' ? "the authors' weights" : t.weights === 'classic' ? 'the classic solver' : t.weights.file);

/**
 * Every (variant, seed) of `rows` that can be checked, in a fixed order (the trained variants in
 * {@link ABLATION_VARIANTS} order, then {@link EVAL_VARIANTS}; seeds ascending): trained runs and
 * the `rule-*` runs need their weights file under `paths.models`; `authors`, `authors-rule-*` and
 * `classic` need none. Variants the study does not know are left out.
 */
export function ablationCheckCandidates(rows: readonly AblationRow[], paths: AblationPaths): AblationCheckTarget[] {
  const seedsOf = (v: string) => [...new Set(rows.filter((r) => r.variant === v).map((r) => r.seed))].sort((a, b) => a - b);
  const out: AblationCheckTarget[] = [];
  for (const v of ABLATION_VARIANTS) {
    for (const seed of seedsOf(v.name)) {
      const file = runFiles(paths, v.name, seed).weights;
      if (fs.existsSync(file)) out.push({ variant: v.name, seed, weights: { file }, mode: 'sum' });
    }
  }
  for (const v of EVAL_VARIANTS) {
    for (const seed of seedsOf(v.name)) {
      if (v.source === 'paper') {
        const file = runFiles(paths, 'paper', seed).weights;
        if (fs.existsSync(file)) out.push({ variant: v.name, seed, weights: { file }, mode: v.mode });
      } else {
        out.push({ variant: v.name, seed, weights: v.source, mode: v.mode });
      }
    }
  }
  return out;
}

/**
 * A deterministic sample of `n` candidates, evenly spread over the list: the ones at
 * ⌊(k + ½)·m / n⌋, k = 0 … n − 1, of the m candidates (all of them when n ≥ m). The same CSV and
 * models always give the same sample; with the study's order it takes different knobs.
 */
export function evenSample<T>(candidates: readonly T[], n: number): T[] {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`evenSample: the sample size must be a positive integer, got ${n}`);
  const m = candidates.length;
  if (n >= m) return [...candidates];
  return Array.from({ length: n }, (_, k) => candidates[Math.floor(((k + 0.5) * m) / n)]);
}

/** One compared value. */
export interface AblationCheckLine {
  variant: string;
  seed: number;
  dataset: string;
  metric: string;
  csv: number;
  /** NaN when the recomputation has no such value. */
  recomputed: number;
  rel: number;
  ok: boolean;
}

/** |c′ − c| / |c| (c = 0: 0 when c′ = 0, else ∞); NaN inputs give NaN. */
export function csvRelativeDifference(csv: number, recomputed: number): number {
  if (Number.isNaN(csv) || Number.isNaN(recomputed)) return NaN;
  if (csv === 0) return recomputed === 0 ? 0 : Infinity;
  return Math.abs(recomputed - csv) / Math.abs(csv);
}

/**
 * The CSV rows of (variant, seed) on `datasets` against the recomputed dataset means: one line
 * per row, `ok` ⇔ rel ≤ tol (a value missing from `means` or not finite is not ok).
 */
export function compareWithCsv(
  rows: readonly AblationRow[], variant: string, seed: number, means: Partial<Record<string, Partial<MetricValues>>>,
  opts: { datasets?: readonly string[]; tol?: number } = {},
): AblationCheckLine[] {
  const tol = opts.tol ?? ABLATION_CHECK_TOLERANCE;
  return rows.filter((r) => r.variant === variant && r.seed === seed && (!opts.datasets || opts.datasets.includes(r.dataset))).map((r) => {
    const got = means[r.dataset]?.[r.metric as keyof MetricValues];
    const recomputed = typeof got === 'number' ? got : NaN;
    const rel = csvRelativeDifference(r.value, recomputed);
    return { variant, seed, dataset: r.dataset, metric: r.metric, csv: r.value, recomputed, rel, ok: Number.isFinite(recomputed) && rel <= tol };
  });
}

/** The line with the largest rel (NaN counts as the largest; the first of equals). */
export function worstCheckLine(lines: readonly AblationCheckLine[]): AblationCheckLine | undefined {
  const bad = (l: AblationCheckLine) => (Number.isNaN(l.rel) ? Infinity : l.rel);
  return lines.reduce<AblationCheckLine | undefined>((w, l) => (!w || bad(l) > bad(w) ? l : w), undefined);
}

/** The result of one check. */
export interface AblationCheckReport {
  targets: AblationCheckTarget[];
  lines: AblationCheckLine[];
  /** The largest rel over all lines (∞ / NaN where a value did not agree at all). */
  worst: AblationCheckLine | undefined;
  ok: boolean;
  tol: number;
}

/** Bad check options (an unknown variant, a seed not in the CSV, …): one line naming it. */
export class AblationCheckError extends Error {
  constructor(message: string) { super(message); this.name = 'AblationCheckError'; }
}

export interface AblationCheckOptions {
  /** The study's rows (from `paths.csv`). */
  rows: readonly AblationRow[];
  paths: AblationPaths;
  /** Preset whose test pairs the CSV holds (default full: every pair). */
  preset?: 'full' | 'quick';
  /** How many candidates to check (default 2), by {@link evenSample}; ignored with `variant`. */
  sample?: number;
  /** Only this variant (all its seeds in the CSV, or `seed`). */
  variant?: string;
  seed?: number;
  /** Only these test sets (default: all the CSV holds for the target). */
  datasets?: DatasetName[];
  tol?: number;
  /** Default: the driver's {@link evaluateTestSets}. */
  evaluate?: AblationEvaluator;
  log?: (line: string) => void;
}

/** The targets of a check (see {@link AblationCheckOptions}). */
export function selectCheckTargets(opts: Pick<AblationCheckOptions, 'rows' | 'paths' | 'sample' | 'variant' | 'seed'>): AblationCheckTarget[] {
  const all = ablationCheckCandidates(opts.rows, opts.paths);
  if (opts.variant === undefined) {
    if (opts.seed !== undefined) throw new AblationCheckError('--seed needs --variant');
    if (!all.length) throw new AblationCheckError(`nothing to check: no (variant, seed) of ${opts.paths.csv} has its weights under ${opts.paths.models}`);
    return evenSample(all, opts.sample ?? 2);
  }
  const known = [...ABLATION_VARIANTS, ...EVAL_VARIANTS].map((v) => v.name);
  if (!known.includes(opts.variant)) throw new AblationCheckError(`unknown variant '${opts.variant}' (known: ${known.join(', ')})`);
  const mine = all.filter((t) => t.variant === opts.variant && (opts.seed === undefined || t.seed === opts.seed));
  if (!mine.length) {
    const inCsv = [...new Set(opts.rows.filter((r) => r.variant === opts.variant).map((r) => r.seed))];
    throw new AblationCheckError(`${opts.variant}${opts.seed !== undefined ? `/seed${opts.seed}` : ''}: nothing to check (seeds in ${opts.paths.csv}: ${inCsv.join(', ') || 'none'}; a trained or rule variant also needs its weights file under ${opts.paths.models})`);
  }
  return mine;
}

/**
 * Re-scores the selected (variant, seed)s as the driver did and compares with the CSV (see the
 * module comment). Returns every compared value and the worst one; `ok` when all agree.
 */
export async function checkAblations(opts: AblationCheckOptions): Promise<AblationCheckReport> {
  const tol = opts.tol ?? ABLATION_CHECK_TOLERANCE;
  const evaluate = opts.evaluate ?? evaluateTestSets;
  const log = opts.log ?? (() => {});
  const preset = ABLATION_PRESETS[opts.preset ?? 'full'];
  for (const d of opts.datasets ?? []) if (!DATASET_NAMES.includes(d)) throw new AblationCheckError(`unknown test set '${d}' (use ${DATASET_NAMES.join(', ')})`);
  const targets = selectCheckTargets(opts);
  const lines: AblationCheckLine[] = [];
  for (const t of targets) {
    const inCsv = DATASET_NAMES.filter((d) => opts.rows.some((r) => r.variant === t.variant && r.seed === t.seed && r.dataset === d));
    const datasets = inCsv.filter((d) => !opts.datasets || opts.datasets.includes(d));
    if (!datasets.length) throw new AblationCheckError(`${t.variant}/seed${t.seed}: no rows of ${opts.datasets!.join(', ')} in ${opts.paths.csv}`);
    // the pairs the driver scored: every pair (full) or the preset's, on the chosen sets only
    const pairs = Object.fromEntries(datasets.map((d) => [d, preset.pairs?.[d] ?? Array.from({ length: DATASETS[d].pairs }, (_, k) => k + 1)])) as Partial<Record<DatasetName, number[]>>;
    log(`check: ${t.variant}/seed${t.seed}: ${describe(t)}, rule ${t.mode}, ${datasets.map((d) => `${d} ${pairs[d]!.length}`).join(', ')} pairs`);
    const params = await loadCheckTargetParams(t);
    let means: Partial<Record<DatasetName, MetricValues>>;
    try {
      means = await evaluate(params, { pairs, mode: t.mode });
    } finally {
      disposeParams(params);
    }
    lines.push(...compareWithCsv(opts.rows, t.variant, t.seed, means, { datasets, tol }));
  }
  const worst = worstCheckLine(lines);
  return { targets, lines, worst, ok: lines.length > 0 && lines.every((l) => l.ok), tol };
}

const num = (v: number) => (Number.isFinite(v) ? String(Number(v.toPrecision(7))) : String(v));
const relText = (v: number) => (Number.isFinite(v) ? v.toExponential(2) : String(v));

/**
 * The check as a Markdown table: one line per (variant, seed, set) with its worst metric and the
 * number of metrics that agree, then every value that does not agree, then the verdict.
 */
export function ablationCheckMarkdown(r: AblationCheckReport): string {
  const groups = new Map<string, AblationCheckLine[]>();
  for (const l of r.lines) {
    const k = `${l.variant}\t${l.seed}\t${l.dataset}`;
    groups.set(k, [...(groups.get(k) ?? []), l]);
  }
  const out = ['| variant | seed | set | metrics agreeing | worst metric | CSV | recomputed | rel. diff |', '|---|---:|---|---:|---|---:|---:|---:|'];
  for (const ls of groups.values()) {
    const w = worstCheckLine(ls)!;
    out.push(`| ${w.variant} | ${w.seed} | ${w.dataset} | ${ls.filter((l) => l.ok).length} of ${ls.length} | ${w.metric} | ${num(w.csv)} | ${num(w.recomputed)} | ${relText(w.rel)} |`);
  }
  const bad = r.lines.filter((l) => !l.ok);
  if (bad.length) {
    out.push('', `Not agreeing to ${r.tol} relative:`, '', '| variant | seed | set | metric | CSV | recomputed | rel. diff |', '|---|---:|---|---|---:|---:|---:|');
    for (const l of bad) out.push(`| ${l.variant} | ${l.seed} | ${l.dataset} | ${l.metric} | ${num(l.csv)} | ${num(l.recomputed)} | ${relText(l.rel)} |`);
  }
  out.push('', r.ok
    ? `All ${r.lines.length} values of ${r.targets.length} run${r.targets.length === 1 ? '' : 's'} agree with the CSV to ${r.tol} relative (worst ${r.worst ? `${relText(r.worst.rel)}: ${r.worst.variant}/seed${r.worst.seed} ${r.worst.dataset} ${r.worst.metric}` : '—'}).`
    : `${bad.length} of ${r.lines.length} values do not agree with the CSV to ${r.tol} relative.`);
  return out.join('\n');
}
