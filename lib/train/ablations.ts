/**
 * The ablation study of issue 17: every design choice of the unrolled network (lib/train/variant.ts)
 * trained with the paper's recipe over several seeds, and scored on the 132 test pairs.
 *
 * | knob | variants (`paper` = N 10, η/θ learned per layer, x⁰ box/Laplacian, μ 5, 64 filters) |
 * |---|---|
 * | depth N | `depth-1`, `depth-3`, `depth-5`, `depth-15` |
 * | η/θ | `etatheta-tied`, `etatheta-fixed` |
 * | x⁰ | `init-identity`, `init-zero` |
 * | μ | `mu-0`, `mu-1`, `mu-20` |
 * | filters | `filters-8`, `filters-16` |
 *
 * {@link runAblations} trains every (variant, seed) not yet done, one after another, each in its
 * own run folder with `train({ resume })` (a stop loses at most the epoch in progress; Ctrl-C
 * checkpoints at once), copies the final weights to `models/ablations/<variant>/seed<k>.safetensors`
 * with a per-epoch log beside it (`seed<k>.epochs.csv`), fuses and scores the test sets (Sum rule,
 * `printed` convention, all 13 metrics of `auif eval`) and appends the dataset means to
 * `results/ablations/ablations.csv` (`variant,seed,dataset,metric,value`). A run is done when the
 * CSV holds its rows for every test set; restarting skips it.
 *
 * Variants that need no training ({@link EVAL_VARIANTS}) are scored in the same CSV: the authors'
 * weights (`authors`, seed 0), the test-time fusion rule Average / l1 on the authors' weights
 * (`authors-rule-average`, `authors-rule-l1`, seed 0) and on each trained seed of the paper's
 * configuration (`rule-average`, `rule-l1`, seed k = the weights of `paper/seed<k>`), and the
 * classic solver ({@link classicParams}: `classic`, seed 0, deterministic).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeFileAtomic } from '../io/image.js';
import type { EpochLog } from '../io/training_log.js';
import { loadWeights } from '../model/checkpoint.js';
import { disposeParams, type AuifParams } from '../model/params.js';
import type { FusionMode } from '../fusion/rules.js';
import { DATASET_NAMES, DATASETS, type DatasetName } from '../data/datasets.js';
import { METRIC_NAMES, type MetricValues } from '../metrics/index.js';
import { evaluateDataset } from '../report/evaluate.js';
import { fuseDatasetTo } from '../report/compare_models.js';
import { CHECKPOINT_FILE, WEIGHTS_FILE } from './state.js';
import { train, type TrainStart } from './loop.js';
import type { TrainConfig } from './config.js';
import { classicEncoder, disposeClassicEncoder } from '../unrolling/classic.js';

/** One variant: its name (`paper` or `<knob>-<value>`), its knob and the config keys it changes. */
export interface AblationVariant {
  name: string;
  knob: AblationKnob;
  config: Partial<TrainConfig>;
}

export type AblationKnob = 'paper' | 'depth' | 'etatheta' | 'init' | 'mu' | 'filters';
export const ABLATION_KNOBS: readonly AblationKnob[] = ['paper', 'depth', 'etatheta', 'init', 'mu', 'filters'];

export const ABLATION_VARIANTS: readonly AblationVariant[] = [
  { name: 'paper', knob: 'paper', config: {} },
  ...[1, 3, 5, 15].map((n): AblationVariant => ({ name: `depth-${n}`, knob: 'depth', config: { layers: n } })),
  { name: 'etatheta-tied', knob: 'etatheta', config: { etaTheta: 'tied' } },
  { name: 'etatheta-fixed', knob: 'etatheta', config: { etaTheta: 'fixed' } },
  { name: 'init-identity', knob: 'init', config: { init: 'identity' } },
  { name: 'init-zero', knob: 'init', config: { init: 'zero' } },
  ...[0, 1, 20].map((mu): AblationVariant => ({ name: `mu-${mu}`, knob: 'mu', config: { mu } })),
  ...[8, 16].map((c): AblationVariant => ({ name: `filters-${c}`, knob: 'filters', config: { channels: c } })),
];

/**
 * A variant scored without training: which weights it fuses with and the fusion rule.
 * - `authors`: the authors' pretrained weights (seed 0 in the CSV);
 * - `paper`: the weights of `paper/seed<k>` for every k already trained (seed k);
 * - `classic`: {@link classicParams} (seed 0).
 */
export interface EvalVariant {
  name: string;
  knob: 'authors' | 'rule' | 'classic';
  source: 'authors' | 'paper' | 'classic';
  mode: FusionMode;
}

export const EVAL_VARIANTS: readonly EvalVariant[] = [
  { name: 'authors', knob: 'authors', source: 'authors', mode: 'sum' },
  { name: 'authors-rule-average', knob: 'rule', source: 'authors', mode: 'average' },
  { name: 'authors-rule-l1', knob: 'rule', source: 'authors', mode: 'l1' },
  { name: 'rule-average', knob: 'rule', source: 'paper', mode: 'average' },
  { name: 'rule-l1', knob: 'rule', source: 'paper', mode: 'l1' },
  { name: 'classic', knob: 'classic', source: 'classic', mode: 'sum' },
];

/**
 * The classic (un-learned) solver of the same two problems at the paper's depth in place of the
 * learned encoders (lib/unrolling/classic.ts: N = 10 gradient steps with fixed filters — ∂x, ∂y
 * for the base problem, the 3×3 mean for the detail problem — and one η = 1/L, θ for all layers,
 * BN and PReLU the identity), followed by the authors' learned decoder
 * F = sigmoid(BN(W ∗ (B + D))) (the only learned part kept; the network has no decoder-free
 * output). Compared with `authors`, it isolates what learning Kₖ, ηₖ, θₖ buys.
 */
export async function classicParams(): Promise<AuifParams> {
  const authors = await loadWeights();
  disposeClassicEncoder(authors.base); // frees an encoder's layer tensors, learned or classic
  disposeClassicEncoder(authors.detail);
  return { base: classicEncoder('base'), detail: classicEncoder('detail'), decoder: authors.decoder };
}

/** How much of the study to run. */
export interface AblationPreset {
  name: 'full' | 'quick';
  /** Seeds of a variant. */
  seeds(v: AblationVariant): number[];
  /** Recipe keys on top of the paper's defaults (full: none, 80 epochs of 12 steps). */
  recipe: Partial<TrainConfig>;
  /** Pairs scored per test set (undefined: all 40 + 40 + 52 = 132). */
  pairs?: Partial<Record<DatasetName, number[]>>;
}

const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);

export const ABLATION_PRESETS: Record<'full' | 'quick', AblationPreset> = {
  full: { name: 'full', seeds: (v) => range(1, v.name === 'paper' ? 5 : 3), recipe: {} },
  quick: {
    name: 'quick', seeds: () => [1, 2],
    recipe: { epochs: 2, stepsPerEpoch: 2, batchSize: 2, cropSize: 32 },
    pairs: { tno: [1, 2], flir: [1], nir: [1] },
  },
};

/**
 * The order runs are trained in: every seed of the paper's configuration first (the seed study),
 * then seed 1 of every other variant in list order, then seed 2, … — so a study stopped part-way
 * (it spans sessions) already covers every knob.
 */
export function ablationOrder(variants: readonly AblationVariant[], preset: AblationPreset): { v: AblationVariant; seed: number }[] {
  const key = (r: { v: AblationVariant; seed: number }) => (r.v.name === 'paper' ? 0 : r.seed);
  return variants.flatMap((v) => preset.seeds(v).map((seed) => ({ v, seed })))
    .map((r, i) => ({ ...r, i })).sort((a, b) => key(a) - key(b) || a.i - b.i).map(({ v, seed }) => ({ v, seed }));
}

/** One CSV row of the study. */
export interface AblationRow { variant: string; seed: number; dataset: string; metric: string; value: number }

export const ABLATION_CSV_HEADER = 'variant,seed,dataset,metric,value';

/** A line of the study CSV that cannot be read; names the file and line. */
export class AblationCsvError extends Error {
  constructor(message: string) { super(message); this.name = 'AblationCsvError'; }
}

/** Reads `ablations.csv` (missing file: no rows). */
export function readAblationCsv(file: string): AblationRow[] {
  if (!fs.existsSync(file)) return [];
  const lines = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '');
  if (lines.length === 0) return [];
  if (lines[0].trim() !== ABLATION_CSV_HEADER) throw new AblationCsvError(`${file}:1: header is '${lines[0]}', expected '${ABLATION_CSV_HEADER}'`);
  return lines.slice(1).map((l, i) => {
    const c = l.split(',');
    const seed = Number(c[1]), value = Number(c[4]);
    if (c.length !== 5 || !Number.isInteger(seed) || c[4] === '' || Number.isNaN(value)) throw new AblationCsvError(`${file}:${i + 2}: expected variant,seed,dataset,metric,value, got '${l}'`);
    return { variant: c[0], seed, dataset: c[2], metric: c[3], value };
  });
}

/** Scores one trained model: the metric means per test set. */
export type AblationEvaluator = (params: AuifParams, opts: { pairs?: Partial<Record<DatasetName, number[]>>; mode?: FusionMode }) => Promise<Partial<Record<DatasetName, MetricValues>>>;

/**
 * The default evaluator: fuses the pairs of TNO, FLIR and RGB-NIR (`mode`, default Sum) into a
 * temporary folder, as `auif fuse --dataset` writes them (rint(255·F) PNG), and scores them as
 * `auif eval --convention printed` does; returns the dataset means.
 */
export const evaluateTestSets: AblationEvaluator = async (params, opts) => {
  const out: Partial<Record<DatasetName, MetricValues>> = {};
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'auif-ablation-eval-'));
  try {
    for (const d of DATASET_NAMES) {
      const indices = opts.pairs ? opts.pairs[d] : undefined;
      if (opts.pairs && !indices?.length) continue;
      const dir = path.join(tmp, d);
      await fuseDatasetTo(d, params, dir, { indices, mode: opts.mode });
      out[d] = (await evaluateDataset(d, dir, { convention: 'printed', indices })).means;
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return out;
};

/** Where the study keeps its files. */
export interface AblationPaths {
  /** `models/ablations` (full) — the committed weights and per-epoch logs. */
  models: string;
  /** `results/ablations/ablations.csv`. */
  csv: string;
  /** Run folders with checkpoints (not committed): `runs/ablations`. */
  runs: string;
}

export function defaultAblationPaths(root: string, preset: 'full' | 'quick'): AblationPaths {
  return preset === 'full'
    ? { models: path.join(root, 'models', 'ablations'), csv: path.join(root, 'results', 'ablations', 'ablations.csv'), runs: path.join(root, 'out', 'ablations') }
    : { models: path.join(root, 'results', 'quick', 'ablations', 'models'), csv: path.join(root, 'results', 'quick', 'ablations', 'ablations.csv'), runs: path.join(root, 'results', 'quick', 'ablations', 'runs') };
}

/** Files of one (variant, seed). */
export function runFiles(paths: AblationPaths, variant: string, seed: number): { weights: string; epochs: string; runDir: string } {
  return {
    weights: path.join(paths.models, variant, `seed${seed}.safetensors`),
    epochs: path.join(paths.models, variant, `seed${seed}.epochs.csv`),
    runDir: path.join(paths.runs, variant, `seed${seed}`),
  };
}

/** The per-epoch log as CSV (one line per epoch: means over its steps). */
export function epochLogCsv(epochs: EpochLog[]): string {
  return ['epoch,steps,lr,loss,mse,ssim,seconds', ...epochs.map((e) => [e.epoch, e.steps, e.lr, e.loss, e.mse, e.ssim, e.seconds.toFixed(2)].join(','))].join('\n') + '\n';
}

/** Rebuilds the per-epoch log from a run folder's `log.jsonl` (all epochs, across resumptions). */
function epochsFromStepLog(runDir: string): EpochLog[] {
  const file = path.join(runDir, 'log.jsonl');
  if (!fs.existsSync(file)) return [];
  const by = new Map<number, { lr: number; loss: number[]; mse: number[]; ssim: number[]; seconds: number }>();
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const s = JSON.parse(line) as { epoch: number; lr: number; loss: number; mse: number; ssim: number; seconds: number };
    const e = by.get(s.epoch) ?? { lr: s.lr, loss: [], mse: [], ssim: [], seconds: 0 };
    e.loss.push(s.loss); e.mse.push(s.mse); e.ssim.push(s.ssim); e.seconds += s.seconds;
    by.set(s.epoch, e);
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return [...by].sort((a, b) => a[0] - b[0]).map(([epoch, e]) => ({ epoch, steps: e.loss.length, lr: e.lr, loss: mean(e.loss), mse: mean(e.mse), ssim: mean(e.ssim), seconds: e.seconds }));
}

export interface AblationProgress {
  variant: string;
  seed: number;
  /** 1-based index of this run among the runs to do, and their number. */
  run: number;
  runs: number;
  phase: 'train' | 'evaluate' | 'skip' | 'done';
  step?: number;
  totalSteps?: number;
  /** Seconds left for everything still to do (measured step time × steps left), when known. */
  etaSeconds?: number;
}

export interface AblationOptions {
  preset?: 'full' | 'quick';
  /** Default: {@link defaultAblationPaths} under `root` (default cwd). */
  paths?: AblationPaths;
  root?: string;
  /** Only these variants (names). */
  variants?: string[];
  /** Training images (default: the staged upstream training set). */
  images?: string[];
  /** Extra recipe keys for every run (e.g. a smaller crop for tests). */
  recipe?: Partial<TrainConfig>;
  evaluate?: AblationEvaluator;
  signal?: AbortSignal;
  onProgress?: (p: AblationProgress) => void;
  log?: (line: string) => void;
}

export interface AblationResult {
  /** Runs trained to completion (and scored) in this call. */
  trained: string[];
  /** Runs only scored (weights present, rows missing). */
  evaluated: string[];
  skipped: string[];
  stopped: boolean;
}

/**
 * Trains and scores every (variant, seed) of the preset that the CSV does not hold yet (see the
 * module comment). Safe to stop at any point (the signal, or a killed process) and restart.
 */
export async function runAblations(opts: AblationOptions = {}): Promise<AblationResult> {
  const preset = ABLATION_PRESETS[opts.preset ?? 'full'];
  const paths = opts.paths ?? defaultAblationPaths(opts.root ?? process.cwd(), preset.name);
  const log = opts.log ?? ((l: string) => process.stderr.write(l + '\n'));
  const evaluate = opts.evaluate ?? evaluateTestSets;
  const known = new Set([...ABLATION_VARIANTS, ...EVAL_VARIANTS].map((v) => v.name));
  for (const n of opts.variants ?? []) if (!known.has(n)) throw new AblationCsvError(`unknown variant '${n}' (known: ${[...known].join(', ')})`);
  const variants = ABLATION_VARIANTS.filter((v) => !opts.variants || opts.variants.includes(v.name));
  const evalVariants = EVAL_VARIANTS.filter((v) => !opts.variants || opts.variants.includes(v.name));
  const datasets = DATASET_NAMES.filter((d) => !preset.pairs || preset.pairs[d]?.length);

  /** Replaces the CSV rows of (variant, seed) by the dataset means `means` (one atomic write). */
  const writeRows = async (variant: string, seed: number, means: Partial<Record<DatasetName, MetricValues>>) => {
    const fresh = readAblationCsv(paths.csv).filter((r) => !(r.variant === variant && r.seed === seed));
    const newRows: AblationRow[] = datasets.flatMap((d) => METRIC_NAMES.map((m) => ({ variant, seed, dataset: d, metric: m, value: means[d]![m] })));
    await fs.promises.mkdir(path.dirname(paths.csv), { recursive: true });
    await writeFileAtomic(paths.csv, Buffer.from([ABLATION_CSV_HEADER, ...[...fresh, ...newRows].map((r) => `${r.variant},${r.seed},${r.dataset},${r.metric},${r.value}`)].join('\n') + '\n'));
  };
  /** Scores every evaluation-only (variant, seed) whose weights exist and whose rows are missing. */
  const scoreEvalVariants = async () => {
    const rowsNow = readAblationCsv(paths.csv);
    const hasNow = (v: string, sd: number) => datasets.every((d) => rowsNow.some((r) => r.variant === v && r.seed === sd && r.dataset === d));
    const paperSeeds = ABLATION_PRESETS[preset.name].seeds(ABLATION_VARIANTS[0]).filter((k) => fs.existsSync(runFiles(paths, 'paper', k).weights));
    for (const v of evalVariants) {
      for (const seed of v.source === 'paper' ? paperSeeds : [0]) {
        if (hasNow(v.name, seed) || opts.signal?.aborted) continue;
        log(`ablations: scoring ${v.name}/seed${seed} (no training: ${v.source === 'paper' ? `paper/seed${seed}'s weights` : v.source === 'authors' ? "the authors' weights" : 'the classic solver'}, rule ${v.mode})`);
        opts.onProgress?.({ variant: v.name, seed, run: 0, runs: 0, phase: 'evaluate' });
        const params = v.source === 'authors' ? await loadWeights() : v.source === 'classic' ? await classicParams() : await loadWeights(runFiles(paths, 'paper', seed).weights);
        try {
          await writeRows(v.name, seed, await evaluate(params, { pairs: preset.pairs, mode: v.mode }));
        } finally {
          disposeParams(params);
        }
        res.evaluated.push(`${v.name}/seed${seed}`);
      }
    }
  };

  const rows = readAblationCsv(paths.csv);
  const has = (v: string, s: number) => datasets.every((d) => rows.some((r) => r.variant === v && r.seed === s && r.dataset === d));
  const todo = ablationOrder(variants, preset);
  const pending = todo.filter(({ v, seed }) => !has(v.name, seed));
  const res: AblationResult = { trained: [], evaluated: [], skipped: todo.filter(({ v, seed }) => has(v.name, seed)).map(({ v, seed }) => `${v.name}/seed${seed}`), stopped: false };
  if (res.skipped.length) log(`ablations: ${res.skipped.length} of ${todo.length} runs already in ${paths.csv}`);
  await scoreEvalVariants();

  // ETA: measured seconds per step (mean over this call's steps) × steps still to train.
  let stepSeconds = 0, stepsTimed = 0, stepsLeftOthers = 0;
  const stepsOf = (c: Partial<TrainConfig>) => (c.epochs ?? 80) * (c.stepsPerEpoch ?? Math.ceil((opts.images?.length ?? 360) / (c.batchSize ?? 32)));
  const eta = (left: number) => (stepsTimed ? (left + stepsLeftOthers) * (stepSeconds / stepsTimed) : undefined);

  for (let k = 0; k < pending.length; k++) {
    const { v, seed } = pending[k];
    const id = `${v.name}/seed${seed}`;
    const f = runFiles(paths, v.name, seed);
    const config: Partial<TrainConfig> = { ...preset.recipe, ...opts.recipe, ...v.config, seed, images: opts.images, outDir: f.runDir };
    stepsLeftOthers = pending.slice(k + 1).filter((p) => !fs.existsSync(runFiles(paths, p.v.name, p.seed).weights)).length * stepsOf(config);
    if (!fs.existsSync(f.weights)) {
      const resume = fs.existsSync(path.join(f.runDir, CHECKPOINT_FILE));
      log(`ablations: [${k + 1}/${pending.length}] ${id}: ${resume ? 'resuming' : 'training'} (${JSON.stringify(v.config)})`);
      let start: TrainStart | undefined;
      const r = await train({ ...config, ...(resume ? { resume: true } : { force: true }) }, {
        signal: opts.signal,
        onStart: (s) => { start = s; },
        onStep: (s) => {
          stepSeconds += s.seconds; stepsTimed += 1;
          const total = start!.totalSteps;
          opts.onProgress?.({ variant: v.name, seed, run: k + 1, runs: pending.length, phase: 'train', step: s.iteration, totalSteps: total, etaSeconds: eta(total - s.iteration) });
        },
      });
      disposeParams(r.params);
      if (r.stopped) {
        log(`ablations: stopped in ${id} at epoch ${r.epochsDone}, step ${r.iterations}; run again to resume`);
        res.stopped = true;
        return res;
      }
      await fs.promises.mkdir(path.dirname(f.weights), { recursive: true });
      await writeFileAtomic(f.epochs, Buffer.from(epochLogCsv(epochsFromStepLog(f.runDir))));
      await writeFileAtomic(f.weights, await fs.promises.readFile(path.join(f.runDir, WEIGHTS_FILE)));
      res.trained.push(id);
    } else {
      res.evaluated.push(id);
    }
    if (opts.signal?.aborted) { res.stopped = true; return res; }
    opts.onProgress?.({ variant: v.name, seed, run: k + 1, runs: pending.length, phase: 'evaluate', etaSeconds: eta(0) });
    const params = await loadWeights(f.weights);
    let means: Partial<Record<DatasetName, MetricValues>>;
    try {
      means = await evaluate(params, { pairs: preset.pairs });
    } finally {
      disposeParams(params);
    }
    await writeRows(v.name, seed, means);
    opts.onProgress?.({ variant: v.name, seed, run: k + 1, runs: pending.length, phase: 'done', etaSeconds: eta(0) });
    if (v.name === 'paper') await scoreEvalVariants(); // the rule variants of this seed
  }
  return res;
}

/** Mean and sample standard deviation (n − 1; 0 for one value) of a list. */
export function meanSpread(xs: number[]): { mean: number; sd: number; n: number } {
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, sd, n };
}

/** One cell group of a knob's table: a variant on one set, each metric as mean ± sd over seeds. */
export interface KnobTableRow { variant: string; dataset: string; seeds: number[]; metrics: Record<string, { mean: number; sd: number; n: number }> }

/**
 * The table of one knob: for the paper's configuration and each of the knob's variants, per test
 * set, every metric's mean ± sd over the seeds the CSV holds. Variants without rows are listed in
 * `missing` (the notebook says so instead of showing numbers).
 */
export function knobTable(rows: AblationRow[], knob: AblationKnob): { rows: KnobTableRow[]; missing: string[] } {
  const names = ['paper', ...ABLATION_VARIANTS.filter((v) => v.knob === knob && v.name !== 'paper').map((v) => v.name)];
  return variantTable(rows, knob === 'paper' ? ['paper'] : names);
}

/** {@link knobTable} for any list of variant names (e.g. the evaluation-only ones), in that order. */
export function variantTable(rows: AblationRow[], names: readonly string[]): { rows: KnobTableRow[]; missing: string[] } {
  const out: KnobTableRow[] = [];
  const missing: string[] = [];
  for (const variant of names) {
    const vr = rows.filter((r) => r.variant === variant);
    if (!vr.length) { missing.push(variant); continue; }
    for (const dataset of DATASET_NAMES.filter((d) => vr.some((r) => r.dataset === d))) {
      const dr = vr.filter((r) => r.dataset === dataset);
      const metrics: KnobTableRow['metrics'] = {};
      for (const m of METRIC_NAMES) {
        const xs = dr.filter((r) => r.metric === m).map((r) => r.value);
        if (xs.length) metrics[m] = meanSpread(xs);
      }
      out.push({ variant, dataset, seeds: [...new Set(dr.map((r) => r.seed))].sort((a, b) => a - b), metrics });
    }
  }
  return { rows: out, missing };
}

/** A knob's table as Markdown: one line per (variant, set), metric cells "mean ± sd". */
export function knobTableMarkdown(t: { rows: KnobTableRow[]; missing: string[] }, metrics: readonly string[] = METRIC_NAMES): string {
  const lines: string[] = [];
  if (t.rows.length) {
    lines.push(`| variant | set | seeds | ${metrics.join(' | ')} |`, `|---|---|---|${metrics.map(() => '---:').join('|')}|`);
    for (const r of t.rows) {
      lines.push(`| ${r.variant} | ${DATASETS[r.dataset as DatasetName]?.title ?? r.dataset} | ${r.seeds.length} | ${metrics.map((m) => (r.metrics[m] ? `${r.metrics[m].mean.toFixed(3)} ± ${r.metrics[m].sd.toFixed(3)}` : '—')).join(' | ')} |`);
    }
  }
  if (t.missing.length) lines.push('', `No runs yet for: ${t.missing.join(', ')} (\`npm run ablations\` trains them).`);
  return lines.join('\n');
}
