/**
 * Bayesian fusion's printed row beside our BF means: the BF column of Table 3 of Zhao et al.,
 * "Bayesian fusion for infrared and visible images", Signal Processing 177 (2020) — EN, MI,
 * Q^AB/F, SD, SSIM on TNO (and three RGB-NIR subsets that are not this project's test set) —
 * transcribed in `results/bayes/paper-table3-bf.csv`, against the means of our BF outputs under
 * each metric convention of lib/metrics, with the deltas and the convention that comes closest.
 * `scripts/bayes-table.ts` runs it and writes `results/bayes/quantitative.{md,csv,json}`.
 */
import fs from 'node:fs';
import type { MetricConvention } from '../metrics/types.js';
import type { MetricValues } from '../metrics/index.js';

/** The columns of BF's Table 3, in print order. */
export const BF_TABLE_METRICS = ['EN', 'MI', 'Qabf', 'SD', 'SSIM'] as const;
export type BfTableMetric = (typeof BF_TABLE_METRICS)[number];

/** One printed row: dataset name as printed and the five values (with their printed strings). */
export interface BfPrintedRow { dataset: string; values: Record<BfTableMetric, number>; printed: Record<BfTableMetric, string> }

/** Parses the transcription (lines starting with `#` are the provenance note). Errors name the file and line. */
export function parseBfTable(text: string, file = 'paper-table3-bf.csv'): BfPrintedRow[] {
  const lines = text.split(/\r?\n/).map((l, i) => ({ l: l.trim(), n: i + 1 })).filter(({ l }) => l !== '' && !l.startsWith('#'));
  if (!lines.length) throw new Error(`${file}: no header`);
  const header = lines[0].l.split(',');
  const want = ['dataset', ...BF_TABLE_METRICS];
  if (header.join(',') !== want.join(',')) throw new Error(`${file}:${lines[0].n}: header must be ${want.join(',')}, got ${lines[0].l}`);
  return lines.slice(1).map(({ l, n }) => {
    const cells = l.split(',');
    if (cells.length !== want.length) throw new Error(`${file}:${n}: ${cells.length} cells, expected ${want.length}`);
    const values = {} as Record<BfTableMetric, number>, printed = {} as Record<BfTableMetric, string>;
    BF_TABLE_METRICS.forEach((m, k) => {
      const s = cells[k + 1], v = Number(s);
      if (s === '' || !Number.isFinite(v)) throw new Error(`${file}:${n}: ${m} is not a number ('${s}')`);
      values[m] = v; printed[m] = s;
    });
    return { dataset: cells[0], values, printed };
  });
}

export function loadBfTable(file: string): BfPrintedRow[] {
  return parseBfTable(fs.readFileSync(file, 'utf8'), file);
}

/** Our means on one dataset under one convention. */
export interface BfMeans { dataset: string; pairs: number; convention: MetricConvention; means: MetricValues }

export interface BfComparisonCell { metric: BfTableMetric; printed: string; ours: number; delta: number; relative: number }
export interface BfComparison {
  dataset: string;
  convention: MetricConvention;
  cells: BfComparisonCell[];
  /** Mean |relative delta| over the five metrics. */
  meanAbsRelative: number;
}

/** The printed row beside our means under one convention: delta = ours − printed, relative = delta/printed. */
export function compareBf(row: BfPrintedRow, ours: BfMeans): BfComparison {
  const cells = BF_TABLE_METRICS.map((metric) => {
    const o = ours.means[metric], p = row.values[metric];
    return { metric, printed: row.printed[metric], ours: o, delta: o - p, relative: (o - p) / p };
  });
  return { dataset: ours.dataset, convention: ours.convention, cells, meanAbsRelative: cells.reduce((s, c) => s + Math.abs(c.relative), 0) / cells.length };
}

const pct = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(100 * x).toFixed(1)} %`;
const num = (x: number, d = 4) => x.toFixed(d);

/**
 * The report as Markdown: the printed TNO row and ours under each convention (deltas), the
 * closest convention per metric, and our means on every dataset under that convention.
 */
export function bfTableMarkdown(printed: BfPrintedRow, comparisons: BfComparison[], all: BfMeans[], notes: string[]): string {
  const out: string[] = ['# Bayesian fusion (BF): the paper\'s TNO row beside ours', ''];
  for (const n of notes) out.push(n, '');
  out.push(`## TNO: printed (Table 3) vs ours, per metric convention`, '');
  out.push(`| metric | printed | ${comparisons.map((c) => `ours (${c.convention}) | Δ`).join(' | ')} |`);
  out.push(`| --- | --- | ${comparisons.map(() => '--- | ---').join(' | ')} |`);
  for (const m of BF_TABLE_METRICS) {
    const cells = comparisons.map((c) => { const x = c.cells.find((k) => k.metric === m)!; return `${num(x.ours)} | ${pct(x.relative)}`; });
    out.push(`| ${m} | ${printed.printed[m]} | ${cells.join(' | ')} |`);
  }
  out.push(`| mean abs. Δ | | ${comparisons.map((c) => `| ${(100 * c.meanAbsRelative).toFixed(1)} %`).join(' | ')} |`, '');
  out.push('## Our BF means on the three test sets (all 13 metrics, per convention)', '');
  const keys = Object.keys(all[0].means) as (keyof MetricValues)[];
  out.push(`| set | pairs | convention | ${keys.join(' | ')} |`, `| --- | --- | --- | ${keys.map(() => '---').join(' | ')} |`);
  for (const a of all) out.push(`| ${a.dataset} | ${a.pairs} | ${a.convention} | ${keys.map((k) => num(a.means[k])).join(' | ')} |`);
  return out.join('\n') + '\n';
}

/** One CSV row per (dataset, convention) with all 13 means, then the printed TNO row. */
export function bfTableCsv(printed: BfPrintedRow, all: BfMeans[]): string {
  const keys = Object.keys(all[0].means) as (keyof MetricValues)[];
  const lines = [['source', 'dataset', 'pairs', 'convention', ...keys].join(',')];
  for (const a of all) lines.push(['ours', a.dataset, a.pairs, a.convention, ...keys.map((k) => a.means[k])].join(','));
  lines.push(['Table 3 (printed)', printed.dataset, '', '', ...keys.map((k) => (BF_TABLE_METRICS as readonly string[]).includes(k) ? printed.printed[k as BfTableMetric] : '')].join(','));
  return lines.join('\n') + '\n';
}

export function bfTableJson(printed: BfPrintedRow, comparisons: BfComparison[], all: BfMeans[], extra: Record<string, unknown>): string {
  return JSON.stringify({ ...extra, printed, comparisons, means: all }, null, 2) + '\n';
}
