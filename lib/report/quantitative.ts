/**
 * The quantitative reproduction of the paper's table (notebook 04): our dataset means — the
 * pretrained weights fused by this code, scored with lib/metrics — beside the printed AUIF row,
 * and, where the authors published their fused images (TNO, FLIR), the same comparison for
 * their images, with Δ = ours − authors. Renders it as Markdown, CSV and JSON and writes the
 * files of `results/` atomically.
 *
 * ```ts
 * const q = quantitativeReport({ preset, backend, convention: 'printed', ours, authors });
 * q.vsPaper.tno.rows[0];          // { metric: 'EN', paper: 6.96, ours: 6.9605…, delta: …, matchesPrinted: true, … }
 * await writeQuantitativeReport('results', q);   // quantitative.{md,csv,json}, metrics-pretrained-<set>.csv
 * ```
 */
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../io/image.js';
import { DATASETS, DATASET_NAMES, type DatasetName } from '../data/datasets.js';
import { METRIC_NAMES, type MetricName } from '../metrics/index.js';
import type { MetricConvention } from '../metrics/types.js';
import { markdownTable } from '../figures/display.js';
import { evaluationCsv, type DatasetEvaluation } from './evaluate.js';
import { compareWithPaper, comparisonMarkdown, paperRow, type PaperComparison, type PaperRow } from './paper_table.js';

export interface QuantitativeInputs {
  /** `quick` | `full` (recorded in every file). */
  preset: string;
  /** The tfjs backend that fused the images (recorded). */
  backend: string;
  convention: MetricConvention;
  /** Our fused images scored per test set (`evaluateDataset(set, dir)`). */
  ours: Partial<Record<DatasetName, DatasetEvaluation>>;
  /** The authors' published images scored (`evaluateDataset(set, 'authors')`), where they exist. */
  authors?: Partial<Record<DatasetName, DatasetEvaluation>>;
  /** Rows to use instead of loading `paper_tables.csv`. */
  paperRows?: PaperRow[];
}

export interface QuantitativeReport extends Required<Omit<QuantitativeInputs, 'paperRows'>> {
  /** The sets scored, in DATASET_NAMES order. */
  sets: DatasetName[];
  /** Our means beside AUIF's printed row, per set. */
  vsPaper: Partial<Record<DatasetName, PaperComparison>>;
  /** The authors' images' means beside the printed row, per set that has them. */
  vsAuthors: Partial<Record<DatasetName, PaperComparison>>;
}

/** "ours (5 of 40 pairs)" — the column heading of our means. */
export function oursColumnLabel(e: DatasetEvaluation): string {
  return `ours (${e.perPair.length} of ${DATASETS[e.dataset].pairs} pairs)`;
}

/**
 * Both comparisons with AUIF's printed table: for each set our means (and the authors') beside
 * the printed row, Δ = mean − printed, Δ% = 100·Δ/printed, and whether the mean rounds to the
 * printed number (`compareWithPaper`).
 */
export function quantitativeReport(inputs: QuantitativeInputs): QuantitativeReport {
  const sets = DATASET_NAMES.filter((s) => inputs.ours[s]);
  const authors = inputs.authors ?? {};
  const vsPaper: QuantitativeReport['vsPaper'] = {};
  const vsAuthors: QuantitativeReport['vsAuthors'] = {};
  for (const set of sets) {
    const o = inputs.ours[set]!;
    vsPaper[set] = compareWithPaper({ dataset: set, ours: o.means, oursLabel: oursColumnLabel(o), convention: inputs.convention, rows: inputs.paperRows });
    const a = authors[set];
    if (a) vsAuthors[set] = compareWithPaper({ dataset: set, ours: a.means, oursLabel: `authors' outputs (${a.perPair.length} pairs)`, convention: inputs.convention, rows: inputs.paperRows });
  }
  return { preset: inputs.preset, backend: inputs.backend, convention: inputs.convention, ours: inputs.ours, authors, sets, vsPaper, vsAuthors };
}

/** One row per set and printed metric: the paper, the authors' images, ours, ours − authors. */
export function authorsVsOursRows(q: QuantitativeReport): Record<string, string | number | null>[] {
  return q.sets.filter((s) => q.vsAuthors[s]).flatMap((set) => q.vsPaper[set]!.rows.map((r, k) => {
    const a = q.vsAuthors[set]!.rows[k];
    return {
      set: DATASETS[set].title, metric: r.metric, paper: r.printed,
      "authors' images": a.ours, 'our images': r.ours,
      'ours − authors': r.ours === null || a.ours === null ? null : r.ours - a.ours,
      'authors = printed': a.matchesPrinted ? 'yes' : 'no', 'ours = printed': r.matchesPrinted ? 'yes' : 'no',
    };
  }));
}

/** "TNO 5/40, FLIR 5/40, …" — the pairs scored per set. */
function pairsLine(q: QuantitativeReport): string {
  return q.sets.map((s) => `${DATASETS[s].title} ${q.ours[s]!.perPair.length}/${DATASETS[s].pairs}`).join(', ');
}

/**
 * The report as Markdown: a header (preset, pairs, backend, convention), per set the comparison of
 * our means (and of the authors' images) with the printed row, then all 13 metrics of our images.
 */
export function quantitativeMarkdown(q: QuantitativeReport): string {
  return [
    `# AUIF: dataset means beside the paper's table\n`,
    `Preset \`${q.preset}\` (pairs: ${pairsLine(q)}), tfjs backend ${q.backend}, metrics under \`${q.convention}\`.`, '',
    ...q.sets.flatMap((s) => [`## ${DATASETS[s].title}\n`, comparisonMarkdown(q.vsPaper[s]!), ...(q.vsAuthors[s] ? [comparisonMarkdown(q.vsAuthors[s]!)] : [])]),
    '## All 13 metrics (our images)\n',
    markdownTable(q.sets.map((s) => ({ set: DATASETS[s].title, pairs: q.ours[s]!.perPair.length, ...q.ours[s]!.means })), { digits: 4 }), '',
  ].join('\n');
}

/**
 * The report as CSV: header `set,source,pairs,EN,…,CE`; per set a row `paper` (the printed
 * strings, empty where the paper prints none), `ours` and, where scored, `authors` (float64 means).
 */
export function quantitativeCsv(q: QuantitativeReport, paperRows?: PaperRow[]): string {
  const lines = [['set', 'source', 'pairs', ...METRIC_NAMES].join(',')];
  for (const s of q.sets) {
    const printed = paperRow('AUIF', s, 'AUIF', paperRows).printed as Partial<Record<MetricName, string>>;
    lines.push([s, 'paper', DATASETS[s].pairs, ...METRIC_NAMES.map((m) => printed[m] ?? '')].join(','));
    lines.push([s, 'ours', q.ours[s]!.perPair.length, ...METRIC_NAMES.map((m) => q.ours[s]!.means[m])].join(','));
    const a = q.authors[s];
    if (a) lines.push([s, 'authors', a.perPair.length, ...METRIC_NAMES.map((m) => a.means[m])].join(','));
  }
  return lines.join('\n') + '\n';
}

/**
 * The report as JSON: preset, backend, convention, the pair numbers per set, both comparisons,
 * and per set the means and per-pair values (pair number, size, the 13 metrics; no file paths,
 * which are machine-specific). Non-finite numbers become null.
 */
export function quantitativeJSON(q: QuantitativeReport): string {
  const slim = (e: Partial<Record<DatasetName, DatasetEvaluation>>) => Object.fromEntries(Object.entries(e).map(([s, v]) => [s, {
    means: v!.means, perPair: v!.perPair.map((p) => ({ pair: p.index, width: p.width, height: p.height, ...p.values })),
  }]));
  const indices = Object.fromEntries(q.sets.map((s) => [s, q.ours[s]!.perPair.map((p) => p.index)]));
  const json = { preset: q.preset, backend: q.backend, convention: q.convention, indices, vsPaper: q.vsPaper, vsAuthors: q.vsAuthors, ours: slim(q.ours), authors: slim(q.authors) };
  return JSON.stringify(json, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2) + '\n';
}

/**
 * Writes `dir/quantitative.{md,csv,json}` and `dir/metrics-pretrained-<set>.csv` (per pair, our
 * images), each atomically; returns the paths written.
 */
export async function writeQuantitativeReport(dir: string, q: QuantitativeReport, paperRows?: PaperRow[]): Promise<string[]> {
  const files: [string, string][] = [
    ['quantitative.md', quantitativeMarkdown(q)],
    ['quantitative.csv', quantitativeCsv(q, paperRows)],
    ['quantitative.json', quantitativeJSON(q)],
    ...q.sets.map((s): [string, string] => [`metrics-pretrained-${s}.csv`, evaluationCsv(q.ours[s]!)]),
  ];
  const written: string[] = [];
  for (const [name, text] of files) {
    const file = path.join(dir, name);
    await writeFileAtomic(file, Buffer.from(text));
    written.push(file);
  }
  return written;
}

/** The comparisons of a written report (`quantitative.json`), as {@link readQuantitativeJSON} returns them. */
export interface SavedQuantitative {
  file: string;
  preset: string;
  convention: string;
  /** The pair numbers scored per set. */
  indices: Partial<Record<DatasetName, number[]>>;
  vsPaper: Partial<Record<DatasetName, PaperComparison>>;
  vsAuthors: Partial<Record<DatasetName, PaperComparison>>;
}

/** Bad content of a saved report; names the file and what is wrong. */
export class SavedReportError extends Error {
  constructor(message: string) { super(message); this.name = 'SavedReportError'; }
}

/**
 * Reads a `quantitative.json` written by {@link writeQuantitativeReport} (e.g. the committed
 * full-preset `results/quantitative.json`): preset, convention, pairs and both comparisons.
 * @throws {SavedReportError} naming the file when it is missing, not JSON or lacks a field.
 */
export function readQuantitativeJSON(file: string): SavedQuantitative {
  let j: Record<string, unknown>;
  try {
    j = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new SavedReportError(`${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : `not JSON (${(e as Error).message})`}`);
  }
  for (const k of ['preset', 'convention', 'indices', 'vsPaper', 'vsAuthors']) {
    if (j[k] === undefined) throw new SavedReportError(`${file}: no '${k}' field (not a quantitative.json written by writeQuantitativeReport?)`);
  }
  for (const [set, c] of Object.entries(j.vsPaper as Record<string, PaperComparison>)) {
    if (!Array.isArray(c?.rows)) throw new SavedReportError(`${file}: vsPaper.${set} has no 'rows' array`);
  }
  return { file, preset: String(j.preset), convention: String(j.convention), indices: j.indices as SavedQuantitative['indices'], vsPaper: j.vsPaper as SavedQuantitative['vsPaper'], vsAuthors: j.vsAuthors as SavedQuantitative['vsAuthors'] };
}

/** How many printed numbers the means round to, over every set of `vs`, and the largest |Δ %|. */
export interface ReproductionTally {
  matched: number;
  total: number;
  /** The row with the largest |Δ %| (null when no mean was compared). */
  worst: { set: DatasetName; metric: string; deltaPct: number } | null;
}

/**
 * Counts the printed numbers reproduced — our mean rounds to the printed value at its printed
 * decimals (`matchesPrinted`) — over the comparable rows of every set, and finds the largest |Δ %|.
 */
export function reproductionTally(vs: Partial<Record<DatasetName, PaperComparison>>): ReproductionTally {
  let matched = 0;
  let total = 0;
  let worst: ReproductionTally['worst'] = null;
  for (const set of DATASET_NAMES) {
    for (const r of vs[set]?.rows ?? []) {
      if (r.ours === null || !r.comparable) continue;
      total++;
      if (r.matchesPrinted) matched++;
      if (r.deltaPct !== null && (!worst || Math.abs(r.deltaPct) > Math.abs(worst.deltaPct))) worst = { set, metric: r.metric, deltaPct: r.deltaPct };
    }
  }
  return { matched, total, worst };
}

/**
 * One row per printed metric of `set`: the printed number, then for each labelled comparison
 * (e.g. the committed full-preset report and this quick run) its mean and whether it rounds to
 * the printed number — two results side by side, each column saying which it is.
 */
export function sideBySideRows(set: DatasetName, columns: { label: string; comparison: PaperComparison | undefined }[]): Record<string, string | number | null>[] {
  const first = columns.find((c) => c.comparison)?.comparison;
  if (!first) throw new SavedReportError(`sideBySideRows: no comparison for ${set}`);
  return first.rows.map((r) => {
    const row: Record<string, string | number | null> = { metric: r.metric, paper: r.printed };
    for (const c of columns) {
      const x = c.comparison?.rows.find((y) => y.metric === r.metric);
      row[c.label] = x?.ours ?? null;
      row[`${c.label}: = printed`] = x && x.ours !== null ? (x.matchesPrinted ? 'yes' : 'no') : '—';
    }
    return row;
  });
}
