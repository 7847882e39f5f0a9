/**
 * The papers' quantitative tables beside our dataset means, with honest deltas.
 *
 * Source: `paper_tables.csv` in the reference folder (see lib/data/reference.ts), the numbers
 * printed in AUIF's table (TCSVT 2021, `image/Quantitative.png`: EN, SD, SF, VIF, AG, SCD, two
 * decimals) and DIDFuse's (IJCAI 2020: EN, MI, SD, SF, VIF, AG, three decimals), one row per
 * (source paper, dataset, method).
 *
 * Which convention to compare under: the printed EN, MI, AG and SCD columns follow the standard
 * (`paper`) definitions, but SD, SF and VIF are reproduced only by the `printed` convention
 * (column-wise SD, zero-padded SF, VIFF; lib/metrics/README.md). So the comparison expects means
 * computed with `convention: 'printed'` and flags the columns that are not comparable otherwise.
 *
 * ```ts
 * const { means } = await evaluateDataset('tno', 'authors', { convention: 'printed' });
 * const c = compareWithPaper({ dataset: 'tno', ours: means, oursLabel: "authors' outputs" });
 * console.log(comparisonMarkdown(c));   // | EN | 6.96 | 6.9605 | +0.0005 | +0.01 % | yes | …
 * ```
 */
import fs from 'node:fs';
import { referenceFile } from '../data/reference.js';
import type { MetricConvention } from '../metrics/types.js';

/** The paper whose table a row comes from. */
export type PaperSource = 'AUIF' | 'DIDFuse';
export const PAPER_SOURCES: readonly PaperSource[] = ['AUIF', 'DIDFuse'];
/** Datasets as the tables name them. */
export type PaperDataset = 'TNO' | 'FLIR' | 'NIR';
export const PAPER_DATASETS: readonly PaperDataset[] = ['TNO', 'FLIR', 'NIR'];
/** The metric columns of paper_tables.csv, in file order (AUIF's table has no MI, DIDFuse's no SCD). */
export const PAPER_METRICS = ['EN', 'MI', 'SD', 'SF', 'VIF', 'AG', 'SCD'] as const;
export type PaperMetric = (typeof PAPER_METRICS)[number];

/** Bad or missing content in paper_tables.csv, or a row that does not exist; names file and key. */
export class PaperTableError extends Error {
  constructor(message: string) { super(message); this.name = 'PaperTableError'; }
}

/** One printed row. */
export interface PaperRow {
  source: PaperSource;
  dataset: PaperDataset;
  method: string;
  /** The printed numbers (only the columns that paper has). */
  values: Partial<Record<PaperMetric, number>>;
  /** The same numbers as printed (their decimals give the printed precision). */
  printed: Partial<Record<PaperMetric, string>>;
}

/**
 * Parses the text of paper_tables.csv (header `source,dataset,method,EN,MI,SD,SF,VIF,AG,SCD`;
 * an empty cell = not in that paper). `file` only names the origin in error messages.
 */
export function parsePaperTables(text: string, file = 'paper_tables.csv'): PaperRow[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length === 0) throw new PaperTableError(`${file}: empty`);
  const header = lines[0].split(',').map((h) => h.trim());
  const need = ['source', 'dataset', 'method'];
  for (const h of need) if (!header.includes(h)) throw new PaperTableError(`${file}: header has no '${h}' column (header: ${lines[0]})`);
  for (const h of header) {
    if (!need.includes(h) && !(PAPER_METRICS as readonly string[]).includes(h)) {
      throw new PaperTableError(`${file}: unknown column '${h}' (expected ${[...need, ...PAPER_METRICS].join(', ')})`);
    }
  }
  return lines.slice(1).map((line, k) => {
    const at = `${file}:${k + 2}`;
    const cells = line.split(',').map((c) => c.trim());
    if (cells.length !== header.length) throw new PaperTableError(`${at}: ${cells.length} cells, header has ${header.length}`);
    const cell = (h: string) => cells[header.indexOf(h)];
    const source = cell('source');
    if (!(PAPER_SOURCES as readonly string[]).includes(source)) throw new PaperTableError(`${at}: unknown source '${source}' (expected ${PAPER_SOURCES.join(', ')})`);
    const dataset = cell('dataset');
    if (!(PAPER_DATASETS as readonly string[]).includes(dataset)) throw new PaperTableError(`${at}: unknown dataset '${dataset}' (expected ${PAPER_DATASETS.join(', ')})`);
    const row: PaperRow = { source: source as PaperSource, dataset: dataset as PaperDataset, method: cell('method'), values: {}, printed: {} };
    if (!row.method) throw new PaperTableError(`${at}: empty method`);
    for (const m of PAPER_METRICS) {
      if (!header.includes(m)) continue;
      const s = cell(m);
      if (s === '') continue;
      if (!/^[+-]?\d+(\.\d+)?$/.test(s)) throw new PaperTableError(`${at}: column ${m} is '${s}', not a number`);
      row.values[m] = Number(s);
      row.printed[m] = s;
    }
    return row;
  });
}

const cache = new Map<string, PaperRow[]>();

/**
 * All rows of paper_tables.csv (default: the project's copy in `datasets/reference/`, else
 * `$AUIF_REFERENCE_DIR` or `../shared/reference`; lib/data/reference.ts). Cached per file.
 */
export function loadPaperTables(file?: string): PaperRow[] {
  const f = file ?? referenceFile('paper_tables.csv');
  const hit = cache.get(f);
  if (hit) return hit;
  let text: string;
  try {
    text = fs.readFileSync(f, 'utf8');
  } catch (e) {
    throw new PaperTableError(`cannot read ${f}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const rows = parsePaperTables(text, f);
  cache.set(f, rows);
  return rows;
}

/** 'tno' | 'TNO' | 'flir' | … → the tables' dataset name (error naming the input otherwise). */
export function paperDataset(dataset: string): PaperDataset {
  const d = dataset.toUpperCase();
  if (!(PAPER_DATASETS as readonly string[]).includes(d)) throw new PaperTableError(`unknown dataset '${dataset}' (the papers' tables have ${PAPER_DATASETS.join(', ')})`);
  return d as PaperDataset;
}

/**
 * The printed row of `method` on `dataset` in `source`'s table (`method` defaults to the paper's
 * own method: 'AUIF' in AUIF's table, 'DIDFuse' in DIDFuse's). Throws {@link PaperTableError}
 * listing the methods that exist when there is no such row.
 */
export function paperRow(source: PaperSource, dataset: string, method: string = source, rows: PaperRow[] = loadPaperTables()): PaperRow {
  const ds = paperDataset(dataset);
  const row = rows.find((r) => r.source === source && r.dataset === ds && r.method === method);
  if (!row) {
    const methods = rows.filter((r) => r.source === source && r.dataset === ds).map((r) => r.method);
    throw new PaperTableError(`no row for ${source}'s table, ${ds}, method '${method}'`
      + (methods.length ? ` (methods there: ${methods.join(', ')})` : ` (that table has no ${ds} rows)`));
  }
  return row;
}

/**
 * Whether our value of `metric` under `convention` is defined as the printed column is:
 * EN, AG, SCD always; MI except under `vifb` (nats on re-quantised images); SD, SF and VIF only
 * under `printed`.
 */
export function comparableWithPrinted(metric: PaperMetric, convention: MetricConvention): boolean {
  if (metric === 'SD' || metric === 'SF' || metric === 'VIF') return convention === 'printed';
  if (metric === 'MI') return convention !== 'vifb';
  return true;
}

/** One metric of the comparison. */
export interface ComparisonRow {
  metric: PaperMetric;
  /** The printed number and its string (its decimals are the printed precision). */
  paper: number;
  printed: string;
  decimals: number;
  /** Our dataset mean (null when `ours` lacks it). */
  ours: number | null;
  /** ours − paper, and 100·(ours − paper)/paper. */
  delta: number | null;
  deltaPct: number | null;
  /** ours rounded to the printed decimals equals the printed number. */
  matchesPrinted: boolean;
  /** Same definition as the printed column under this convention ({@link comparableWithPrinted}). */
  comparable: boolean;
}

export interface PaperComparison {
  source: PaperSource;
  dataset: PaperDataset;
  method: string;
  oursLabel: string;
  convention: MetricConvention;
  rows: ComparisonRow[];
  /** What the convention means for the comparison, in one sentence. */
  note: string;
}

export interface CompareOptions {
  /** 'tno' | 'flir' | 'nir' (any case). */
  dataset: string;
  /** Our dataset means (e.g. `evaluateDataset(...).means`); keys as in METRIC_NAMES. */
  ours: Partial<Record<string, number>>;
  /** How the "ours" column is headed (default 'ours'). */
  oursLabel?: string;
  /** The convention `ours` was computed with (default 'printed', the one that reproduces the tables). */
  convention?: MetricConvention;
  /** Whose table (default 'AUIF'). */
  source?: PaperSource;
  /** Which printed row (default: the source paper's own method). */
  method?: string;
  /** Rows to use instead of loading paper_tables.csv. */
  rows?: PaperRow[];
}

function printedDecimals(s: string): number {
  return s.includes('.') ? s.split('.')[1].length : 0;
}

/**
 * Our means beside one printed row: for each metric the paper prints, Δ = ours − paper and
 * Δ% = 100·Δ/paper, whether ours equals the printed number at its precision, and whether the
 * two are the same definition under `convention`.
 */
export function compareWithPaper(opts: CompareOptions): PaperComparison {
  const source = opts.source ?? 'AUIF';
  const convention = opts.convention ?? 'printed';
  const row = paperRow(source, opts.dataset, opts.method ?? source, opts.rows ?? loadPaperTables());
  const rows: ComparisonRow[] = [];
  for (const metric of PAPER_METRICS) {
    const paper = row.values[metric];
    if (paper === undefined) continue;
    const printed = row.printed[metric]!;
    const decimals = printedDecimals(printed);
    const v = opts.ours[metric];
    const ours = typeof v === 'number' ? v : null;
    const delta = ours === null ? null : ours - paper;
    rows.push({
      metric, paper, printed, decimals, ours, delta,
      deltaPct: delta === null || paper === 0 ? null : (100 * delta) / paper,
      matchesPrinted: ours !== null && Number.isFinite(ours) && ours.toFixed(decimals) === paper.toFixed(decimals),
      comparable: comparableWithPrinted(metric, convention),
    });
  }
  const off = rows.filter((r) => !r.comparable).map((r) => r.metric);
  const note = convention === 'printed'
    ? 'metrics under the `printed` convention — column-wise SD, zero-padded SF, VIF = VIFF, standard EN, MI, AG, SCD — which reproduces the printed numbers from the authors\' own images'
    : `metrics under the \`${convention}\` convention, where ${off.join(', ')} are defined differently from the printed columns (use \`printed\`): their deltas measure the definitions, not the images`;
  return { source, dataset: row.dataset, method: row.method, oursLabel: opts.oursLabel ?? 'ours', convention, rows, note };
}

function signed(x: number, decimals: number): string {
  const s = x.toFixed(decimals);
  return x >= 0 && !s.startsWith('-') ? `+${s}` : s;
}

/**
 * The comparison as a Markdown table:
 *
 * ```
 * **TNO, AUIF**: the row printed in AUIF's table vs authors' outputs.
 * Dataset means; metrics under the `printed` convention — …
 *
 * | metric | paper | authors' outputs | Δ | Δ % | = printed |
 * | --- | ---: | ---: | ---: | ---: | :---: |
 * | EN | 6.96 | 6.9605 | +0.0005 | +0.01 % | yes |
 * ```
 * Ours and Δ are shown with two more decimals than printed; a column not comparable under the
 * convention is marked with †.
 */
export function comparisonMarkdown(c: PaperComparison): string {
  const lines = [
    `**${c.dataset}, ${c.method}**: the row printed in ${c.source}'s table vs ${c.oursLabel}.`,
    `Dataset means; ${c.note}.`,
    '',
    `| metric | paper | ${c.oursLabel.replace(/\|/g, '\\|')} | Δ | Δ % | = printed |`,
    '| --- | ---: | ---: | ---: | ---: | :---: |',
  ];
  for (const r of c.rows) {
    const d = r.decimals + 2;
    lines.push(`| ${r.metric}${r.comparable ? '' : ' †'} | ${r.printed} | ${r.ours === null ? '—' : r.ours.toFixed(d)} | `
      + `${r.delta === null ? '—' : signed(r.delta, d)} | ${r.deltaPct === null ? '—' : `${signed(r.deltaPct, 2)} %`} | ${r.ours === null ? '—' : r.matchesPrinted ? 'yes' : 'no'} |`);
  }
  if (c.rows.some((r) => !r.comparable)) lines.push('', `† not the printed column's definition under \`${c.convention}\`.`);
  return lines.join('\n') + '\n';
}

/** The comparison as pretty-printed JSON (non-finite numbers become null). */
export function comparisonJSON(c: PaperComparison): string {
  return JSON.stringify(c, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2) + '\n';
}
