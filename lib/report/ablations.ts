/**
 * Reading the ablation study (issue 17; rows of `results/ablations/ablations.csv`, written by
 * lib/train/ablations.ts): the seed study of the paper's configuration with the authors' weights
 * placed in it, a chart per knob (mean ± sd over seeds), the loss curves of the variants, and the
 * per-knob findings as sentences computed from the numbers (notebook 06 prints them as they are).
 *
 * Statistics, over the n seeds of one (variant, test set, metric):
 *   mean  x̄ = (1/n) Σ xᵢ,   sample sd  s = √(Σ (xᵢ − x̄)² / (n − 1))  (0 for n = 1),
 *   median (the middle value; the mean of the two middle ones for even n),
 *   percentile rank of a value a among them  P(a) = 100 · (#{xᵢ < a} + ½ #{xᵢ = a}) / n
 *   (the "mid-rank" definition: 0 below every seed, 100 above every seed, 50 at the median of an
 *   odd sample).
 */
import fs from 'node:fs';
import { median } from '../util/stats.js';
import type { GreyImage } from '../io/image.js';
import type { CropBox } from '../train/augment.js';
import type { ImagePair } from '../data/datasets.js';
import { loadWeights } from '../model/checkpoint.js';
import { disposeParams } from '../model/params.js';
import { fusePairs } from '../figures/qualitative.js';
import { DATASETS, DATASET_NAMES, type DatasetName } from '../data/datasets.js';
import { LOWER_IS_BETTER, METRIC_NAMES, type MetricName } from '../metrics/index.js';
import { PALETTE, baseLayout } from '../figures/charts.js';
import type { PlotlyFigure } from '../figures/plotly.js';
import { ABLATION_VARIANTS, EVAL_VARIANTS, meanSpread, runFiles, type AblationKnob, type AblationPaths, type AblationRow } from '../train/ablations.js';

/** The six metrics of AUIF's quantitative table (higher is better for all six). */
export const PRINTED_SIX: readonly string[] = ['EN', 'SD', 'SF', 'VIF', 'AG', 'SCD'];

/** Mid-rank percentile of `a` among `xs`: 100 · (#{x < a} + ½ #{x = a}) / n. */
export function percentileRank(xs: readonly number[], a: number): number {
  if (xs.length === 0) throw new Error('percentileRank: no values');
  let below = 0, equal = 0;
  for (const x of xs) { if (x < a) below++; else if (x === a) equal++; }
  return (100 * (below + equal / 2)) / xs.length;
}

/** The values of one (variant, test set, metric) over its seeds, by seed. */
export function seedValues(rows: readonly AblationRow[], variant: string, dataset: string, metric: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const r of rows) if (r.variant === variant && r.dataset === dataset && r.metric === metric) out.set(r.seed, r.value);
  return out;
}

/** One line of the seed study: the paper's recipe over seeds against the authors' weights. */
export interface SeedStudyRow {
  dataset: DatasetName;
  metric: string;
  seeds: number[];
  mean: number;
  sd: number;
  min: number;
  max: number;
  median: number;
  /** The authors' weights scored the same way (variant `authors`), when in the CSV. */
  authors?: number;
  /** Percentile rank of the authors' value among the seeds. */
  percentile?: number;
  /** (median − authors) / |authors|, in %. */
  medianDeltaPct?: number;
}

/**
 * The seed study: for every test set and metric, the distribution of the paper's configuration
 * over its seeds (variant `paper`), and where the authors' weights (variant `authors`, seed 0)
 * fall in it. Rows only where at least one seed is scored.
 */
export function seedStudy(rows: readonly AblationRow[], metrics: readonly string[] = METRIC_NAMES): SeedStudyRow[] {
  const out: SeedStudyRow[] = [];
  for (const dataset of DATASET_NAMES) {
    for (const metric of metrics) {
      const byseed = seedValues(rows, 'paper', dataset, metric);
      if (byseed.size === 0) continue;
      const xs = [...byseed.values()];
      const { mean, sd } = meanSpread(xs);
      const a = seedValues(rows, 'authors', dataset, metric).get(0);
      const med = median(xs);
      out.push({
        dataset, metric, seeds: [...byseed.keys()].sort((p, q) => p - q), mean, sd, min: Math.min(...xs), max: Math.max(...xs), median: med,
        ...(a === undefined ? {} : { authors: a, percentile: percentileRank(xs, a), medianDeltaPct: (100 * (med - a)) / Math.abs(a) }),
      });
    }
  }
  return out;
}

const fmt = (v: number | undefined, d = 3) => (v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(d));
const signed = (v: number | undefined, d = 1) => (v === undefined || !Number.isFinite(v) ? '—' : `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(d)}`);

/** The seed study as a Markdown table (one line per test set and metric). */
export function seedStudyMarkdown(study: readonly SeedStudyRow[]): string {
  if (study.length === 0) return '';
  return [
    '| set | metric | seeds | mean ± sd | min … max | median | authors | authors\' percentile | median − authors |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|',
    ...study.map((r) => `| ${DATASETS[r.dataset].title} | ${r.metric} | ${r.seeds.length} | ${fmt(r.mean)} ± ${fmt(r.sd)} | ${fmt(r.min)} … ${fmt(r.max)} | ${fmt(r.median)} | ${fmt(r.authors)} | ${fmt(r.percentile, 0)} | ${signed(r.medianDeltaPct)} % |`),
  ].join('\n');
}

/**
 * What the seed study says, as sentences computed from it: how many (set, metric) cells have the
 * median seed within 3 % of the authors' weights, the largest gap, and how often the authors'
 * value lies outside the range of the seeds.
 */
export function seedStudySummary(study: readonly SeedStudyRow[]): string {
  const placed = study.filter((r) => r.authors !== undefined);
  if (placed.length === 0) return study.length ? 'The authors\' weights are not scored in the CSV yet (variant `authors`), so they cannot be placed among the seeds.' : 'No seed of the paper\'s configuration is scored yet.';
  const n = Math.max(...placed.map((r) => r.seeds.length));
  const within = placed.filter((r) => Math.abs(r.medianDeltaPct!) <= 3).length;
  const worst = placed.reduce((a, b) => (Math.abs(b.medianDeltaPct!) > Math.abs(a.medianDeltaPct!) ? b : a));
  const above = placed.filter((r) => r.authors! > r.max).length, below = placed.filter((r) => r.authors! < r.min).length;
  // direction-aware: better / worse than every seed, RMSE and CE read as lower-is-better
  const lower = (r: SeedStudyRow): boolean => LOWER_IS_BETTER.includes(r.metric as MetricName);
  const better = placed.filter((r) => (lower(r) ? r.authors! < r.min : r.authors! > r.max));
  const worse = placed.filter((r) => (lower(r) ? r.authors! > r.max : r.authors! < r.min));
  const cell = (r: SeedStudyRow): string => `${DATASETS[r.dataset].title} ${r.metric}`;
  const list = (rs: SeedStudyRow[]): string => (rs.length ? ` (${rs.map(cell).join(', ')})` : '');
  const spread = placed.filter((r) => r.seeds.length > 1 && r.mean !== 0).map((r) => ({ r, cv: (100 * r.sd) / Math.abs(r.mean) }));
  const widest = spread.length ? spread.reduce((a, b) => (b.cv > a.cv ? b : a)) : undefined;
  const spreadText = widest
    ? ` Between seeds the spread (sd / mean) is ${fmtPct(median(spread.map((x) => x.cv)))} % in the median cell and up to ${fmtPct(widest.cv)} % (${cell(widest.r)}).`
    : '';
  const chance = n > 1
    ? ` If the authors' weights were one more draw of the same recipe, each cell would put them beyond all ${n} seeds with probability 1/${n + 1} on either side (≈ ${fmtPct(placed.length / (n + 1))} cells expected each way; the cells are correlated, so this is a reading, not a test).`
    : '';
  return `Over ${n} seed${n === 1 ? '' : 's'} of the paper's recipe, the median seed is within 3 % of the authors' weights in ${within} of ${placed.length} (set, metric) cells; `
    + `the largest gap is ${worst.metric} on ${DATASETS[worst.dataset].title} (median ${fmt(worst.median)} against ${fmt(worst.authors)}, ${signed(worst.medianDeltaPct)} %). `
    + `The authors' value lies above every seed in ${above} cell${above === 1 ? '' : 's'} and below every seed in ${below}. `
    + `Reading RMSE and CE as lower-is-better, the authors' weights are better than every seed in ${better.length} cell${better.length === 1 ? '' : 's'}${list(better)} `
    + `and worse than every seed in ${worse.length}${list(worse)}.${chance}${spreadText}`;
}

function fmtPct(x: number): string { return x.toFixed(1); }

/**
 * A knob of the report: a trained knob, `rule` (the test-time fusion rule on the paper's seeds),
 * `authors-rule` (the same on the authors' weights) or `classic` (the classic solver against the
 * authors' weights).
 */
export type ReportKnob = AblationKnob | 'rule' | 'authors-rule' | 'classic';

/** The variants of a knob, its reference first (`paper`, or `authors` for authors-rule and classic). */
export function knobVariants(knob: ReportKnob): string[] {
  if (knob === 'rule') return ['paper', ...EVAL_VARIANTS.filter((v) => v.knob === 'rule' && v.source === 'paper').map((v) => v.name)];
  if (knob === 'authors-rule') return ['authors', ...EVAL_VARIANTS.filter((v) => v.knob === 'rule' && v.source === 'authors').map((v) => v.name)];
  if (knob === 'classic') return ['authors', 'classic'];
  return ['paper', ...ABLATION_VARIANTS.filter((v) => v.knob === knob && v.name !== 'paper').map((v) => v.name)];
}

/** The x category of the authors' weights in {@link knobChart}. */
export const AUTHORS_CATEGORY = "authors' weights";

/**
 * A knob's chart: one panel per metric (`metrics`), the variants along x, one bar per test set
 * at the mean over seeds with the sample sd as error bar. The authors' weights (variant
 * `authors`, seed 0) are drawn twice per test set, so they are visible whatever the number of
 * variants (also for one, e.g. the seed study): as a diamond in their own category
 * {@link AUTHORS_CATEGORY} after the variants (grouped like the bars, `scattermode: 'group'`),
 * and as a dotted line of the set's colour across the whole panel (a shape with
 * `xref: 'x domain'`, x from 0 to 1), to read the bars against. Where `authors` is itself one
 * of the knob's variants (`authors-rule`, `classic`) it is a bar and only the line is added.
 * Variants without rows are left out.
 */
export function knobChart(rows: readonly AblationRow[], knob: ReportKnob, metrics: readonly string[] = PRINTED_SIX): PlotlyFigure {
  const variants = knobVariants(knob).filter((v) => rows.some((r) => r.variant === v));
  const hasAuthors = rows.some((r) => r.variant === 'authors' && r.seed === 0);
  const authorsMarkers = hasAuthors && !variants.includes('authors');
  const categories = authorsMarkers ? [...variants, AUTHORS_CATEGORY] : variants;
  const cols = 3, nrows = Math.ceil(metrics.length / cols);
  const data: Record<string, unknown>[] = [];
  const shapes: Record<string, unknown>[] = [];
  const layout: Record<string, unknown> = {
    ...baseLayout({ title: `Ablation: ${knob} — mean ± sd over seeds`, height: 260 * nrows + 80 }),
    grid: { rows: nrows, columns: cols, pattern: 'independent' }, barmode: 'group', scattermode: 'group',
  };
  metrics.forEach((metric, i) => {
    const ax = i === 0 ? '' : String(i + 1);
    DATASET_NAMES.forEach((d, j) => {
      const stats = variants.map((v) => meanSpread([...seedValues(rows, v, d, metric).values()]));
      data.push({
        type: 'bar', name: DATASETS[d].title, legendgroup: d, offsetgroup: d, showlegend: i === 0, marker: { color: PALETTE[j] },
        x: variants, y: stats.map((s) => (s.n ? s.mean : null)), error_y: { type: 'data', array: stats.map((s) => s.sd), visible: true },
        hovertemplate: `${metric} %{x}, ${DATASETS[d].title}: %{y:.4f}<extra></extra>`, xaxis: `x${ax}`, yaxis: `y${ax}`,
      });
      const a = seedValues(rows, 'authors', d, metric).get(0);
      if (a === undefined || !categories.length) return;
      if (authorsMarkers) {
        data.push({
          type: 'scatter', mode: 'markers', name: `${DATASETS[d].title}: ${AUTHORS_CATEGORY}`, legendgroup: d, offsetgroup: d, showlegend: false,
          x: [AUTHORS_CATEGORY], y: [a], marker: { symbol: 'diamond', size: 11, color: PALETTE[j], line: { color: '#222', width: 1 } },
          hovertemplate: `${metric}, ${DATASETS[d].title}, the authors' weights: %{y:.4f}<extra></extra>`, xaxis: `x${ax}`, yaxis: `y${ax}`,
        });
      }
      shapes.push({ type: 'line', xref: `x${ax} domain`, x0: 0, x1: 1, yref: `y${ax}`, y0: a, y1: a, line: { color: PALETTE[j], dash: 'dot', width: 1.5 }, layer: 'above' });
    });
    layout[`xaxis${ax}`] = { gridcolor: '#e5e5e5', automargin: true, tickangle: -30, type: 'category', categoryorder: 'array', categoryarray: categories };
    layout[`yaxis${ax}`] = { title: { text: metric }, gridcolor: '#e5e5e5', automargin: true, zeroline: false };
  });
  if (hasAuthors) {
    // the legend entry of the marks (the traces above carry none): a diamond (where drawn) on a dotted line, neutral colour
    data.push({ type: 'scatter', mode: authorsMarkers ? 'lines+markers' : 'lines', name: AUTHORS_CATEGORY, x: [null], y: [null], marker: { symbol: 'diamond', size: 11, color: '#888', line: { color: '#222', width: 1 } }, line: { color: '#888', dash: 'dot', width: 1.5 }, hoverinfo: 'skip' });
  }
  layout.shapes = shapes;
  return { data, layout };
}

/** One variant's change against the paper's configuration on one test set. */
export interface KnobFinding {
  variant: string;
  dataset: DatasetName;
  seeds: number;
  /** Metrics whose |mean − paper's mean| exceeds the sum of the two sds (and are not both 0). */
  beyondSpread: string[];
  /** The metric with the largest relative change and that change in %. */
  largest: { metric: string; pct: number };
  /** The same among {@link PRINTED_SIX} (when any of them is in `metrics`). */
  largestPrinted?: { metric: string; pct: number };
  /** Seeds of the reference variant. */
  refSeeds: number;
}

/** Each variant of a knob against `paper` (or `authors` for `classic`), per test set. */
export function knobFindings(rows: readonly AblationRow[], knob: ReportKnob, metrics: readonly string[] = METRIC_NAMES): KnobFinding[] {
  const [ref, ...others] = knobVariants(knob);
  const out: KnobFinding[] = [];
  for (const variant of others) {
    for (const dataset of DATASET_NAMES) {
      const beyond: string[] = [];
      let largest = { metric: '', pct: 0 };
      let largestPrinted: { metric: string; pct: number } | undefined;
      let seeds = 0;
      let refSeeds = 0;
      for (const m of metrics) {
        const v = meanSpread([...seedValues(rows, variant, dataset, m).values()]);
        const p = meanSpread([...seedValues(rows, ref, dataset, m).values()]);
        if (!v.n || !p.n) continue;
        seeds = Math.max(seeds, v.n);
        refSeeds = Math.max(refSeeds, p.n);
        if (Math.abs(v.mean - p.mean) > v.sd + p.sd) beyond.push(m);
        const pct = p.mean !== 0 ? (100 * (v.mean - p.mean)) / Math.abs(p.mean) : 0;
        if (Math.abs(pct) > Math.abs(largest.pct) || !largest.metric) largest = { metric: m, pct };
        if (PRINTED_SIX.includes(m) && (!largestPrinted || Math.abs(pct) > Math.abs(largestPrinted.pct))) largestPrinted = { metric: m, pct };
      }
      if (seeds) out.push({ variant, dataset, seeds, refSeeds, beyondSpread: beyond, largest, ...(largestPrinted ? { largestPrinted } : {}) });
    }
  }
  return out;
}

/** The findings of a knob as one paragraph of sentences (what the numbers are; no judgement). */
export function knobSummary(rows: readonly AblationRow[], knob: ReportKnob, metrics: readonly string[] = METRIC_NAMES): string {
  const ref = knobVariants(knob)[0];
  const f = knobFindings(rows, knob, metrics);
  const refSeeds = new Set(rows.filter((r) => r.variant === ref).map((r) => r.seed)).size;
  if (!refSeeds) return `No run of the reference (\`${ref}\`) is scored yet.`;
  if (!f.length) return `No variant of this knob is scored yet (reference \`${ref}\`: ${refSeeds} seed${refSeeds === 1 ? '' : 's'}).`;
  const byVariant = new Map<string, KnobFinding[]>();
  for (const x of f) byVariant.set(x.variant, [...(byVariant.get(x.variant) ?? []), x]);
  const parts = [...byVariant].map(([variant, fs_]) => {
    const sets = fs_.map((x) => {
      // one value on each side: no spread, so "differ"; else |Δ mean| > sd + sd
      const what = x.seeds === 1 && x.refSeeds === 1 ? 'differ' : "beyond the seeds' spread";
      const names = x.beyondSpread.length && x.beyondSpread.length <= 6 ? ` (${x.beyondSpread.join(', ')})` : '';
      const printed = x.largestPrinted && x.largestPrinted.metric !== x.largest.metric
        ? `; of the six printed, ${x.largestPrinted.metric} ${signed(x.largestPrinted.pct)} %` : '';
      return `${DATASETS[x.dataset].title.split(' ')[0]}: ${x.beyondSpread.length} of ${metrics.length} metrics ${what}${names}, largest ${x.largest.metric} ${signed(x.largest.pct)} %${printed}`;
    }).join('; ');
    return `\`${variant}\` (${fs_[0].seeds} seed${fs_[0].seeds === 1 ? '' : 's'}) against \`${ref}\` (${refSeeds}): ${sets}.`;
  });
  return parts.join(' ');
}

/** Per-epoch training loss of every scored seed of `variants`, read from `<models>/<variant>/seed<k>.epochs.csv`. */
export function lossCurves(paths: AblationPaths, variants: readonly string[]): { variant: string; seed: number; epoch: number[]; loss: number[] }[] {
  const out: { variant: string; seed: number; epoch: number[]; loss: number[] }[] = [];
  for (const variant of variants) {
    for (let seed = 1; seed <= 10; seed++) {
      const file = runFiles(paths, variant, seed).epochs;
      if (!fs.existsSync(file)) continue;
      const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
      const head = lines[0].split(',');
      const ie = head.indexOf('epoch'), il = head.indexOf('loss');
      if (ie < 0 || il < 0) throw new Error(`${file}:1: expected columns epoch and loss, got '${lines[0]}'`);
      const rowsOf = lines.slice(1).map((l, i) => {
        const c = l.split(',');
        const e = Number(c[ie]), v = Number(c[il]);
        if (!Number.isFinite(e) || !Number.isFinite(v)) throw new Error(`${file}:${i + 2}: not a number in '${l}'`);
        return [e, v];
      });
      out.push({ variant, seed, epoch: rowsOf.map((r) => r[0]), loss: rowsOf.map((r) => r[1]) });
    }
  }
  return out;
}

/** The loss curves as a chart: one line per (variant, seed), the variants in colours, log y. */
export function lossCurvesChart(curves: ReturnType<typeof lossCurves>, title = 'Training loss per epoch'): PlotlyFigure {
  const variants = [...new Set(curves.map((c) => c.variant))];
  return {
    data: curves.map((c) => ({
      type: 'scatter', mode: 'lines+markers', name: `${c.variant}`, legendgroup: c.variant, showlegend: curves.findIndex((d) => d.variant === c.variant) === curves.indexOf(c),
      x: c.epoch, y: c.loss, line: { color: PALETTE[variants.indexOf(c.variant) % PALETTE.length], width: 2.5 }, marker: { size: 5 }, hovertemplate: `${c.variant} seed ${c.seed}, epoch %{x}: %{y:.4f}<extra></extra>`,
    })),
    layout: baseLayout({ title, xTitle: 'epoch', yTitle: 'loss L = L_MSE + μ·L_SSIM', logY: true }),
  };
}

/** The `box` of a grey image (checked against its size: nothing is clipped silently). */
export function cropGrey(img: GreyImage, box: CropBox, what = 'image'): GreyImage {
  const { left: x, top: y, width, height } = box;
  if (!(Number.isInteger(x) && Number.isInteger(y) && width >= 1 && height >= 1 && x >= 0 && y >= 0 && x + width <= img.width && y + height <= img.height)) {
    throw new Error(`cropGrey: box ${width}×${height} at (${x}, ${y}) does not fit the ${img.width}×${img.height} ${what}`);
  }
  const data = new Float32Array(width * height);
  for (let r = 0; r < height; r++) data.set(img.data.subarray((y + r) * img.width + x, (y + r) * img.width + x + width), r * width);
  return { width, height, data };
}

/**
 * The same crop of one test pair fused by seed `seed` of each variant (those whose weights file
 * exists), after the crops of IR, VIS and the authors' weights: one row of cells for `imageGrid`.
 */
export async function variantCrops(paths: AblationPaths, variants: readonly string[], pair: ImagePair, box: CropBox, seed = 1): Promise<{ image: GreyImage; caption: string }[]> {
  const authors = await loadWeights();
  let fused;
  try {
    [fused] = await fusePairs([pair], authors);
  } finally {
    disposeParams(authors);
  }
  const cells = [
    { image: cropGrey(fused.ir, box, 'IR image'), caption: 'IR' },
    { image: cropGrey(fused.vis, box, 'VIS image'), caption: 'VIS' },
    { image: cropGrey(fused.F, box), caption: "authors' weights" },
  ];
  for (const v of variants) {
    const file = runFiles(paths, v, seed).weights;
    if (!fs.existsSync(file)) continue;
    const params = await loadWeights(file);
    try {
      const [f] = await fusePairs([pair], params);
      cells.push({ image: cropGrey(f.F, box), caption: `${v} (seed ${seed})` });
    } finally {
      disposeParams(params);
    }
  }
  return cells;
}
