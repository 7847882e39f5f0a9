/**
 * The paper's comparison of methods (AUIF TCSVT 2021, Table "quantitative comparison", and its
 * qualitative figures): every registered method (lib/methods) fuses the same pairs of TNO, FLIR
 * and RGB-NIR, the fused images are scored with lib/metrics, and the dataset means are set beside
 * the numbers printed in AUIF's table (`paper_tables.csv`) with Δ = ours − printed, the best value
 * of each column marked, and AUIF's rank per column under both.
 *
 * ```ts
 * await fuseCached('densefuse', 'tno', [1, 2], 'results/tmp/comparison');   // F{i}.png, reused when present
 * const e = await evaluateDataset('tno', 'results/tmp/comparison/densefuse/tno', { convention: 'printed', indices: [1, 2] });
 * const t = buildComparisonTable({ set: 'tno', convention: 'printed', entries: [{ name: 'densefuse', title: 'DenseFuse', means: e.means, pairs: 2 }, …] });
 * console.log(comparisonTableMarkdown(t));   // | DenseFuse | 6.8421 / 6.84 (+0.0021) | …
 * ```
 *
 * Ranking: competition ranking ("1224"), higher is better for all six printed metrics (EN, SD, SF,
 * VIF, AG, SCD are information/contrast/sharpness/fidelity measures). Whether AUIF "ranks where
 * the paper puts it" is asked among the same methods on both sides: those that have both our
 * mean and a printed number.
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { jpegRoundTrip, readGrey, writeFileAtomic, writeGreyPng, type GreyImage } from '../io/image.js';
import { evaluateDataset } from './evaluate.js';
import type { MetricValues } from '../metrics/index.js';
import { datasetPairs, DATASETS, type DatasetName, type ImagePair } from '../data/datasets.js';
import type { MetricConvention } from '../metrics/types.js';
import { getMethod } from '../methods/index.js';
import type { Fuser, MethodInfo } from '../methods/types.js';
import { imageGrid, writePng, type GridImage } from '../figures/imageGrid.js';
import { markdownTable } from '../figures/display.js';
import { pairLabel } from '../figures/qualitative.js';
import { median } from '../util/stats.js';
import { loadPaperTables, paperDataset, PAPER_METRICS, type PaperDataset, type PaperMetric, type PaperRow, type PaperSource } from './paper_table.js';

/** The columns of AUIF's printed table, in its order. */
export const COMPARISON_METRICS: readonly PaperMetric[] = ['EN', 'SD', 'SF', 'VIF', 'AG', 'SCD'];

/** A bad comparison input (duplicate method, unknown metric, crop outside the image …); names it. */
export class ComparisonError extends Error {
  constructor(message: string) { super(message); this.name = 'ComparisonError'; }
}

/** One method of the table: our dataset means (null: not run here, with the reason). */
export interface MethodEntry {
  /** Registry key (`densefuse`) or the unavailable method's key. */
  name: string;
  /** As the printed table names it (`DenseFuse`, `TSIFVS`, `BF`, …). */
  title: string;
  /** Our means (keys EN, SD, …); null when the method cannot run here. */
  means: Partial<Record<string, number>> | null;
  /** Pairs behind `means` (0 when not run). */
  pairs: number;
  /** Why the method was not run (unavailable methods). */
  reason?: string;
}

/**
 * Competition ranks ("1224") of `values`, 1 = best; higher is better unless `lowerIsBetter`.
 * Null / non-finite values get no rank (null) and do not count.
 */
export function competitionRanks(values: readonly (number | null)[], lowerIsBetter = false): (number | null)[] {
  const ok = (v: number | null): v is number => v !== null && Number.isFinite(v);
  return values.map((v) => {
    if (!ok(v)) return null;
    return 1 + values.filter((w) => ok(w) && (lowerIsBetter ? w < v : w > v)).length;
  });
}

/** Indices of the best value(s) of `values` (ties all count); empty when none is finite. */
export function bestIndices(values: readonly (number | null)[], lowerIsBetter = false): number[] {
  const r = competitionRanks(values, lowerIsBetter);
  return r.flatMap((x, i) => (x === 1 ? [i] : []));
}

/** One cell of the table: a method on a metric. */
export interface ComparisonCell {
  ours: number | null;
  /** The printed number and its string (null: the method has no printed row, or that row lacks the metric). */
  paper: number | null;
  printed: string | null;
  /** ours − printed. */
  delta: number | null;
  /** Best of our column (all methods run here) / best of the printed column (all printed rows shown). */
  bestOurs: boolean;
  bestPrinted: boolean;
}

/** A row: one method. */
export interface ComparisonTableRow {
  entry: MethodEntry;
  /** The table the printed numbers come from (AUIF's; DIDFuse's for DIDFuse, which AUIF's table lacks), or null. */
  printedFrom: PaperSource | null;
  cells: Record<string, ComparisonCell>;
}

/** The focus method's (AUIF's) rank in one column. */
export interface FocusRank {
  metric: PaperMetric;
  /** Among the methods that have both our mean and a printed number (`among`), by our means and by the printed ones. */
  ours: number | null;
  printed: number | null;
  among: number;
  /** Its rank among all printed rows of AUIF's table for the set, and their count. */
  printedAll: number | null;
  printedAllOf: number;
  /** ours === printed (null when either is missing). */
  agrees: boolean | null;
}

export interface ComparisonTable {
  set: PaperDataset;
  convention: MetricConvention;
  metrics: PaperMetric[];
  rows: ComparisonTableRow[];
  /** The method whose ranks are followed (default AUIF). */
  focus: string;
  focusRanks: FocusRank[];
}

export interface BuildTableOptions {
  /** 'tno' | 'flir' | 'nir'. */
  set: string;
  convention: MetricConvention;
  entries: MethodEntry[];
  /** Printed rows (default paper_tables.csv). */
  paperRows?: PaperRow[];
  /** Columns (default {@link COMPARISON_METRICS}). */
  metrics?: PaperMetric[];
  /** Method whose rank is followed (default 'AUIF', by title). */
  focus?: string;
  /** Also list the printed rows of AUIF's table that no entry covers (default true). */
  addPrintedOnly?: boolean;
}

/** The reason given for a printed method that is neither registered nor listed as unavailable. */
export const NOT_PORTED = 'not ported (no registered method of that name): only the printed numbers are shown';

/** The printed row for a method title: AUIF's table first, else DIDFuse's (e.g. DIDFuse itself), or the tables in `order`. */
export function printedRowFor(title: string, set: PaperDataset, rows: PaperRow[], order: readonly PaperSource[] = ['AUIF', 'DIDFuse']): PaperRow | null {
  for (const source of order) {
    const r = rows.find((x) => x.source === source && x.dataset === set && x.method === title);
    if (r) return r;
  }
  return null;
}

/**
 * The comparison table of one set: a row per entry (and, with `addPrintedOnly`, per printed
 * method of AUIF's table not among the entries — e.g. CSR — with no mean of ours), each cell our
 * mean, the printed number, Δ = ours − printed, and whether it is the best of its column; then
 * the focus method's rank per column ({@link FocusRank}).
 */
export function buildComparisonTable(opts: BuildTableOptions): ComparisonTable {
  const set = paperDataset(opts.set);
  const paperRows = opts.paperRows ?? loadPaperTables();
  const metrics = [...(opts.metrics ?? COMPARISON_METRICS)];
  const focus = opts.focus ?? 'AUIF';
  const entries = [...opts.entries];
  const seen = new Set<string>();
  for (const e of entries) {
    if (seen.has(e.title)) throw new ComparisonError(`method '${e.title}' is in the comparison twice`);
    seen.add(e.title);
  }
  if (opts.addPrintedOnly ?? true) {
    for (const r of paperRows) {
      if (r.source === 'AUIF' && r.dataset === set && !seen.has(r.method)) {
        entries.push({ name: r.method.toLowerCase(), title: r.method, means: null, pairs: 0, reason: NOT_PORTED });
        seen.add(r.method);
      }
    }
  }
  const printedRows = entries.map((e) => printedRowFor(e.title, set, paperRows));
  const rows: ComparisonTableRow[] = entries.map((entry, i) => ({ entry, printedFrom: printedRows[i]?.source ?? null, cells: {} }));
  for (const m of metrics) {
    const ours = entries.map((e) => { const v = e.means?.[m]; return typeof v === 'number' && Number.isFinite(v) ? v : null; });
    const paper = printedRows.map((r) => r?.values[m] ?? null);
    const bo = new Set(bestIndices(ours));
    const bp = new Set(bestIndices(paper));
    rows.forEach((row, i) => {
      row.cells[m] = {
        ours: ours[i], paper: paper[i], printed: printedRows[i]?.printed[m] ?? null,
        delta: ours[i] !== null && paper[i] !== null ? ours[i]! - paper[i]! : null,
        bestOurs: bo.has(i), bestPrinted: bp.has(i),
      };
    });
  }
  const fi = entries.findIndex((e) => e.title === focus);
  const focusRanks: FocusRank[] = metrics.map((m) => {
    const both = rows.map((r, i) => i).filter((i) => rows[i].cells[m].ours !== null && rows[i].cells[m].paper !== null);
    const k = both.indexOf(fi);
    const ro = competitionRanks(both.map((i) => rows[i].cells[m].ours));
    const rp = competitionRanks(both.map((i) => rows[i].cells[m].paper));
    const all = paperRows.filter((r) => r.source === 'AUIF' && r.dataset === set && r.values[m] !== undefined);
    const allRanks = competitionRanks(all.map((r) => r.values[m]!));
    const ai = all.findIndex((r) => r.method === focus);
    const ours = k >= 0 ? ro[k] : null;
    const printed = k >= 0 ? rp[k] : null;
    return {
      metric: m, ours, printed, among: both.length,
      printedAll: ai >= 0 ? allRanks[ai] : null, printedAllOf: all.length,
      agrees: ours === null || printed === null ? null : ours === printed,
    };
  });
  return { set, convention: opts.convention, metrics, rows, focus, focusRanks };
}

function signed(x: number, d: number): string {
  const s = x.toFixed(d);
  return x >= 0 && !s.startsWith('-') ? `+${s}` : s;
}

function esc(s: string): string { return s.replace(/\|/g, '\\|'); }

/**
 * The table as Markdown: one row per method, each cell `ours / printed (Δ)` — ours with four
 * decimals, **bold** where it is the best of our column; the printed number as printed,
 * _italic_ where it is the best printed one; `—` where missing. Then AUIF's rank rows and the
 * reasons of the methods not run, as numbered notes.
 */
export function comparisonTableMarkdown(t: ComparisonTable, opts: { title?: string } = {}): string {
  const notes: string[] = [];
  const lines = [
    opts.title ?? `**${t.set}** — dataset means under the \`${t.convention}\` convention beside AUIF's printed table; each cell: ours / printed (Δ = ours − printed). **Bold**: best of our column; _italic_: best printed.`,
    '',
    `| method | pairs | ${t.metrics.join(' | ')} |`,
    `| --- | ---: | ${t.metrics.map(() => '---:').join(' | ')} |`,
  ];
  for (const r of t.rows) {
    let name = esc(r.entry.title);
    if (r.entry.means === null) {
      notes.push(`${esc(r.entry.title)}: ${esc(r.entry.reason ?? 'not run')}`);
      name += ` [${notes.length}]`;
    }
    if (r.printedFrom && r.printedFrom !== 'AUIF') name += ` (printed: ${r.printedFrom}'s table)`;
    const cells = t.metrics.map((m) => {
      const c = r.cells[m];
      const o = c.ours === null ? '—' : c.bestOurs ? `**${c.ours.toFixed(4)}**` : c.ours.toFixed(4);
      const p = c.printed === null ? '—' : c.bestPrinted ? `_${c.printed}_` : c.printed;
      return `${o} / ${p}${c.delta === null ? '' : ` (${signed(c.delta, 3)})`}`;
    });
    lines.push(`| ${name} | ${r.entry.pairs || '—'} | ${cells.join(' | ')} |`);
  }
  const fr = (f: (x: FocusRank) => string) => t.focusRanks.map(f).join(' | ');
  lines.push(
    `| *${t.focus} rank, ours* | | ${fr((x) => (x.ours === null ? '—' : `${x.ours} of ${x.among}`))} |`,
    `| *${t.focus} rank, printed (same methods)* | | ${fr((x) => (x.printed === null ? '—' : `${x.printed} of ${x.among}`))} |`,
    `| *same rank?* | | ${fr((x) => (x.agrees === null ? '—' : x.agrees ? 'yes' : 'no'))} |`,
    `| *${t.focus} rank in the printed table* | | ${fr((x) => (x.printedAll === null ? '—' : `${x.printedAll} of ${x.printedAllOf}`))} |`,
  );
  if (notes.length) lines.push('', ...notes.map((n, i) => `[${i + 1}] ${n}`));
  return lines.join('\n') + '\n';
}

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Long-format CSV of several tables: one line per set, method and metric. */
export function comparisonTablesCsv(tables: ComparisonTable[]): string {
  const head = ['set', 'convention', 'method', 'title', 'pairs', 'printed_from', 'metric', 'ours', 'printed', 'delta', 'best_ours', 'best_printed', 'reason'];
  const lines = [head.join(',')];
  for (const t of tables) {
    for (const r of t.rows) {
      for (const m of t.metrics) {
        const c = r.cells[m];
        lines.push([t.set, t.convention, r.entry.name, r.entry.title, r.entry.pairs, r.printedFrom, m, c.ours, c.printed, c.delta, c.bestOurs, c.bestPrinted, r.entry.means === null ? r.entry.reason : ''].map(csvCell).join(','));
      }
    }
  }
  return lines.join('\n') + '\n';
}

/** CSV of the focus method's ranks: `set,convention,metric,rank_ours,rank_printed,among,same,rank_printed_all,of`. */
export function focusRanksCsv(tables: ComparisonTable[]): string {
  const lines = ['set,convention,method,metric,rank_ours,rank_printed,among,same,rank_printed_all,of'];
  for (const t of tables) {
    for (const f of t.focusRanks) lines.push([t.set, t.convention, t.focus, f.metric, f.ours, f.printed, f.among, f.agrees, f.printedAll, f.printedAllOf].map(csvCell).join(','));
  }
  return lines.join('\n') + '\n';
}

// ---------------------------------------------------------------------------------------------
// Fusing with a cache

/** Where method `name`'s fused image of pair i of `set` is cached: `<cacheDir>/<name>/<set>/F{i}.png`. */
export function cachedFusedDir(cacheDir: string, name: string, set: DatasetName): string {
  return path.join(cacheDir, name, set);
}

export interface FuseCachedResult {
  method: string;
  set: DatasetName;
  dir: string;
  /** Pairs fused now (with their fusion times, ms) and pairs whose F{i}.png was already there. */
  fused: { index: number; ms: number }[];
  reused: number[];
}

/**
 * Fuses pairs `indices` of `set` with the registered method `name` (its default options, weights
 * staged on first use) into {@link cachedFusedDir}, skipping every pair whose F{i}.png exists —
 * so a re-run reuses them. The method is loaded only when a pair is missing. A `method.json`
 * beside the images records the method's metadata (`info`); a cache made with other defaults or
 * parameter count is refused with a message naming the folder.
 */
export async function fuseCached(name: string, set: DatasetName, indices: number[], cacheDir: string,
  opts: { onPair?: (index: number, ms: number) => void } = {}): Promise<FuseCachedResult> {
  const method = getMethod(name);
  const dir = cachedFusedDir(cacheDir, method.info.name, set);
  fs.mkdirSync(dir, { recursive: true });
  const metaFile = path.join(dir, 'method.json');
  const out: FuseCachedResult = { method: method.info.name, set, dir, fused: [], reused: [] };
  const pairs = await datasetPairs(set, { quiet: true });
  let fuser: Fuser | null = null;
  try {
    for (const i of indices) {
      const p = pairs[i - 1];
      if (!p) throw new ComparisonError(`pair ${i} is not in ${DATASETS[set].title} (pairs 1..${pairs.length})`);
      const file = path.join(dir, `F${i}.png`);
      if (fs.existsSync(file)) { out.reused.push(i); continue; }
      if (!fuser) {
        fuser = await method.load();
        checkCacheMeta(metaFile, fuser.info);
        await writeFileAtomic(metaFile, Buffer.from(JSON.stringify(cacheMeta(fuser.info), null, 2) + '\n'));
      }
      const [ir, vis] = await Promise.all([readGrey(p.ir), readGrey(p.vis)]);
      const t0 = performance.now();
      const { F } = await fuser.fuse(ir, vis);
      const ms = performance.now() - t0;
      await writeGreyPng(file, F);
      out.fused.push({ index: i, ms });
      opts.onPair?.(i, ms);
    }
  } finally {
    fuser?.dispose();
  }
  return out;
}

function cacheMeta(info: MethodInfo): Record<string, unknown> {
  return { name: info.name, title: info.title, parameters: info.parameters, defaults: info.defaults };
}

function checkCacheMeta(file: string, info: MethodInfo): void {
  if (!fs.existsSync(file)) return;
  let old: unknown;
  try { old = JSON.parse(fs.readFileSync(file, 'utf8')); } catch { throw new ComparisonError(`${file} is not JSON: delete the folder ${path.dirname(file)} to fuse again`); }
  if (JSON.stringify(old) !== JSON.stringify(cacheMeta(info))) {
    throw new ComparisonError(`${path.dirname(file)} holds images made by ${info.title} with other settings (${file}): delete the folder to fuse again`);
  }
}

// ---------------------------------------------------------------------------------------------
// Efficiency: one child process per method

/** What one method costs on one pair, measured in its own Node process. */
export interface MethodEfficiency {
  method: string;
  title: string;
  family: MethodInfo['family'];
  /** Learned parameters (`info.parameters` of the loaded method). */
  parameters: number;
  width: number;
  height: number;
  /** Time of `load()` (weights read / staged, nets built), ms. */
  loadMs: number;
  /** Each `fuse()` call on the same pair, ms, in order; the first includes warm-up (kernel compilation, buffer allocation). */
  runsMs: number[];
  /** Median of `runsMs`. */
  medianMs: number;
  /** Peak resident set of the child (`process.resourceUsage().maxRSS`, KiB) after the image was read and before `load()`, and at the end. */
  rssBeforeKiB: number;
  rssPeakKiB: number;
  /** rssPeakKiB − rssBeforeKiB: the peak memory that loading and fusing added. */
  rssDeltaKiB: number;
}

const WORKER = (() => {
  const here = fileURLToPath(import.meta.url);
  return path.join(path.dirname(here), `comparison_worker${path.extname(here)}`);
})();

/**
 * Measures method `name` on the pair (ir, vis) in a fresh child Node process: `load()`, then
 * `repeats` calls of `fuse()` on the same pair, timed with `performance.now()`; memory as the
 * child's peak RSS (`process.resourceUsage().maxRSS`) before `load()` and at the end. A child per
 * method keeps one method's memory (tfjs tensors, wasm heap, which never shrinks) out of the next
 * one's figure. Times include whatever else loads the machine: measure all methods in one run.
 */
export function measureEfficiency(name: string, ir: string, vis: string, repeats = 3, opts: { timeoutMs?: number } = {}): Promise<MethodEfficiency> {
  if (!Number.isInteger(repeats) || repeats < 1) throw new ComparisonError(`repeats must be a positive integer (got ${repeats})`);
  getMethod(name); // unknown name: the registry's error, before a child is started
  const execArgv = WORKER.endsWith('.ts') ? process.execArgv.filter((a, i, all) => a.startsWith('--import') || a.startsWith('--loader') || /^--(import|loader)$/.test(all[i - 1] ?? '')) : [];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...execArgv, WORKER, name, ir, vis, String(repeats)], { stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = opts.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs) : null;
    child.on('error', reject);
    child.on('close', (code) => {
      if (timer) clearTimeout(timer);
      const line = stdout.trim().split('\n').pop() ?? '';
      if (code !== 0 || !line.startsWith('{')) {
        reject(new ComparisonError(`efficiency run of ${name} failed (exit ${code}): ${stderr.trim().split('\n').slice(-3).join(' / ') || 'no output'}`));
        return;
      }
      resolve(JSON.parse(line) as MethodEfficiency);
    });
  });
}

/** The efficiency table as Markdown rows (parameters, time per pair, peak memory). */
export function efficiencyRows(list: MethodEfficiency[]): Record<string, string | number>[] {
  return list.map((e) => ({
    method: e.title,
    family: e.family,
    'learned parameters': e.parameters,
    'load (s)': (e.loadMs / 1000).toFixed(2),
    'fuse, median (s)': (e.medianMs / 1000).toFixed(3),
    'fuse runs (s)': e.runsMs.map((x) => (x / 1000).toFixed(2)).join(', '),
    'peak RSS added (MiB)': (e.rssDeltaKiB / 1024).toFixed(0),
    'peak RSS (MiB)': (e.rssPeakKiB / 1024).toFixed(0),
  }));
}

// ---------------------------------------------------------------------------------------------
// The qualitative figure with a zoomed inset

/** A crop in pixels. */
export interface CropBox { x: number; y: number; width: number; height: number }

/** A crop as fractions of the image (x, y: top-left; w, h: size; all in [0, 1]). */
export interface CropFractions { x: number; y: number; w: number; h: number }

/** The pixel crop of fractions `f` of a width × height image (floor of the corner, rounded size ≥ 1, inside the image). */
export function cropFromFractions(width: number, height: number, f: CropFractions): CropBox {
  for (const [k, v] of Object.entries(f)) {
    if (!(v >= 0 && v <= 1)) throw new ComparisonError(`crop ${k} = ${v} is not a fraction in [0, 1]`);
  }
  if (f.x + f.w > 1 + 1e-9 || f.y + f.h > 1 + 1e-9) throw new ComparisonError(`crop ${JSON.stringify(f)} reaches outside the image (x + w and y + h must be ≤ 1)`);
  const x = Math.floor(f.x * width);
  const y = Math.floor(f.y * height);
  return { x, y, width: Math.max(1, Math.min(width - x, Math.round(f.w * width))), height: Math.max(1, Math.min(height - y, Math.round(f.h * height))) };
}

/**
 * A copy of `img` with the region `crop` framed and shown enlarged `zoom`× (nearest neighbour) in
 * the bottom-right corner, framed too (a 1-px black line inside a 1-px white one, visible on any
 * background). The zoom is reduced when the inset would not fit in the image.
 */
export function withZoomInset(img: GreyImage, crop: CropBox, zoom = 2): GreyImage {
  const { width: W, height: H } = img;
  if (crop.x < 0 || crop.y < 0 || crop.width < 1 || crop.height < 1 || crop.x + crop.width > W || crop.y + crop.height > H) {
    throw new ComparisonError(`crop ${crop.width}×${crop.height} at (${crop.x}, ${crop.y}) is not inside the ${W}×${H} image`);
  }
  const z = Math.max(1, Math.min(Math.floor(zoom), Math.floor((W - 4) / crop.width), Math.floor((H - 4) / crop.height)));
  const out = new Float32Array(img.data);
  const iw = crop.width * z;
  const ih = crop.height * z;
  const ox = W - iw - 2;
  const oy = H - ih - 2;
  for (let y = 0; y < ih; y++) {
    for (let x = 0; x < iw; x++) out[(oy + y) * W + ox + x] = img.data[(crop.y + Math.floor(y / z)) * W + crop.x + Math.floor(x / z)];
  }
  const frame = (x0: number, y0: number, w: number, h: number) => {
    const set = (x: number, y: number, v: number) => { if (x >= 0 && y >= 0 && x < W && y < H) out[y * W + x] = v; };
    for (const [d, v] of [[1, 1], [0, 0]] as const) { // outer white at distance 2, inner black at distance 1
      const e = d + 1;
      for (let x = x0 - e; x < x0 + w + e; x++) { set(x, y0 - e, v); set(x, y0 + h - 1 + e, v); }
      for (let y = y0 - e; y < y0 + h + e; y++) { set(x0 - e, y, v); set(x0 + w - 1 + e, y, v); }
    }
  };
  frame(crop.x, crop.y, crop.width, crop.height);
  frame(ox, oy, iw, ih);
  return { width: W, height: H, data: out };
}

export interface ComparisonFigureOptions {
  /** The pairs, one row each. */
  pairs: ImagePair[];
  /** The methods, one column each: title and the folder with F{i}.png. */
  methods: { title: string; dir: string }[];
  /** The detail region, as fractions of each image (the same for every column of a row). */
  crop: CropFractions;
  /** Enlargement of the inset (default 2). */
  zoom?: number;
  title?: string;
  cellWidth?: number;
  file?: string;
}

/**
 * The side-by-side figure: one row per pair, IR | VIS | every method, each image with the crop
 * framed and enlarged ({@link withZoomInset}). Returns the PNG and the pixel crop of each row.
 */
export async function comparisonFigure(opts: ComparisonFigureOptions): Promise<{ png: Buffer; crops: { label: string; crop: CropBox }[] }> {
  const rows: GridImage[][] = [];
  const crops: { label: string; crop: CropBox }[] = [];
  for (const p of opts.pairs) {
    const [ir, vis] = await Promise.all([readGrey(p.ir), readGrey(p.vis)]);
    const crop = cropFromFractions(ir.width, ir.height, opts.crop);
    crops.push({ label: pairLabel(p), crop });
    const fused: GreyImage[] = [];
    for (const m of opts.methods) {
      const f = path.join(m.dir, `F${p.index}.png`);
      if (!fs.existsSync(f)) throw new ComparisonError(`${m.title}: fused image ${f} not found (fuse ${pairLabel(p)} first: fuseCached)`);
      fused.push(await readGrey(f));
    }
    rows.push([ir, vis, ...fused].map((g) => ({ image: withZoomInset(g, crop, opts.zoom ?? 2) })));
  }
  const png = await imageGrid(rows, {
    title: opts.title,
    columnTitles: ['IR', 'VIS', ...opts.methods.map((m) => m.title)],
    rowTitles: opts.pairs.map(pairLabel),
    cellWidth: opts.cellWidth ?? 220,
  });
  if (opts.file) await writePng(opts.file, png);
  return { png, crops };
}

// ---------------------------------------------------------------------------------------------
// Scores of cached fused images after a JPEG round trip (how some printed rows were made)

/** A method's means on a set from its lossless cached images and from the same images after a JPEG round trip. */
export interface JpegSavedScores {
  method: string;
  title: string;
  set: DatasetName;
  quality: number;
  pairs: number;
  /** `printed`-convention means of the cached PNGs, and of the same images saved as JPEG and read back. */
  png: MetricValues;
  jpeg: MetricValues;
  /** The printed row (DIDFuse's table where it has the method — three decimals — else AUIF's), or null. */
  printed: Partial<Record<PaperMetric, number>> | null;
  printedFrom: PaperSource | null;
}

/**
 * Scores method `name`'s cached fused images of `set` (pairs `indices`) twice under the `printed`
 * convention: as cached (lossless PNG) and after `jpegRoundTrip(F, quality)`, the round-tripped
 * images written beside the cache as `<cache>/<name>/<set>-jpeg<quality>/F<i>.png`.
 * Why: the FLIR rows that AUIF's and DIDFuse's tables print for DenseFuse and DeepFuse are those of
 * fused images saved as JPEG at quality 75 (test/methods/printed_flir.test.ts).
 */
export async function jpegSavedScores(cacheDir: string, name: string, set: DatasetName, indices: number[], quality = 75): Promise<JpegSavedScores> {
  const src = cachedFusedDir(cacheDir, name, set);
  const dst = `${src}-jpeg${quality}`;
  fs.mkdirSync(dst, { recursive: true });
  for (const i of indices) {
    const f = path.join(src, `F${i}.png`);
    if (!fs.existsSync(f)) throw new ComparisonError(`${f} is not in the cache: fuse ${name} on ${set} first (fuseCached)`);
    await writeGreyPng(path.join(dst, `F${i}.png`), await jpegRoundTrip(await readGrey(f), quality));
  }
  const title = getMethod(name).info.title;
  const row = printedRowFor(title, paperDataset(set), loadPaperTables(), ['DIDFuse', 'AUIF']);
  return {
    method: name, title, set, quality, pairs: indices.length,
    png: (await evaluateDataset(set, src, { convention: 'printed', indices })).means,
    jpeg: (await evaluateDataset(set, dst, { convention: 'printed', indices })).means,
    printed: row?.values ?? null, printedFrom: row?.source ?? null,
  };
}

/** Markdown table of {@link jpegSavedScores} results: per method, PNG / JPEG / printed for each of the papers' metrics. */
export function jpegSavedMarkdown(list: JpegSavedScores[]): string {
  const rows = list.map((r) => ({
    method: `${r.title} (${DATASETS[r.set].title}, ${r.pairs} pairs; printed: ${r.printedFrom ?? '—'})`,
    ...Object.fromEntries(PAPER_METRICS.map((m) => [m, `${r.png[m].toFixed(4)} / ${r.jpeg[m].toFixed(4)} / ${r.printed?.[m] ?? '—'}`])),
  }));
  return `Each cell: lossless PNG / after JPEG quality ${list[0]?.quality ?? 75} / printed (\`printed\` convention).\n\n${markdownTable(rows)}\n`;
}

// ---------------------------------------------------------------------------------------------
// Writing the results

export interface ComparisonResults {
  preset: string;
  /** The pairs behind every mean, per set. */
  indices: Partial<Record<DatasetName, number[]>>;
  tables: ComparisonTable[];
  efficiency: MethodEfficiency[];
  /** One line about the machine (e.g. `uptime`'s load) when the timings were taken. */
  machine?: string;
  /** Extra sections of comparison.md (title, Markdown), after the tables and before the efficiency table. */
  sections?: { title: string; markdown: string }[];
}

/** A CSV with a first column `preset` (the preset that made every line). */
function withPreset(csv: string, preset: string): string {
  return csv.trim().split('\n').map((l, i) => `${i === 0 ? 'preset' : csvCell(preset)},${l}`).join('\n') + '\n';
}

/** The efficiency table as Markdown. */
export function efficiencyMarkdown(list: MethodEfficiency[]): string {
  const e = list[0];
  const head = e ? `Efficiency on one pair (${e.width}×${e.height}), each method in its own Node process: learned parameters (\`info.parameters\`), \`load()\` time, `
    + `\`fuse()\` time (median of ${e.runsMs.length} calls on the same pair; the first includes warm-up), peak RSS (\`process.resourceUsage().maxRSS\`) and the peak RSS that load + fuse added to the process after the images were read.\n\n` : '';
  return head + markdownTable(efficiencyRows(list)) + '\n';
}

/**
 * Writes `dir/comparison.md` (every table, both conventions, and the efficiency table),
 * `comparison.csv` (long format), `ranks.csv` (AUIF's ranks), `efficiency.csv` and
 * `comparison.json` (everything), each atomically; returns the paths. Every file names the preset.
 */
export async function writeComparisonResults(dir: string, r: ComparisonResults): Promise<string[]> {
  fs.mkdirSync(dir, { recursive: true });
  const pairs = Object.entries(r.indices).map(([s, ix]) => `${DATASETS[s as DatasetName].title} ${ix!.length} of ${DATASETS[s as DatasetName].pairs}`).join(', ');
  const head = `preset \`${r.preset}\` (pairs: ${pairs})`;
  const md = [
    `# The comparison of methods (notebook 07)\n`,
    `Made by notebooks/07-comparison.ipynb, ${head}. With fewer pairs than the paper's, the means are not the printed table's means: their Δ measures the choice of pairs as much as the port.\n`,
    ...r.tables.map((t) => `## ${t.set}, \`${t.convention}\` convention\n\n${comparisonTableMarkdown(t)}`),
    ...(r.sections ?? []).map((x) => `## ${x.title}\n\n${x.markdown}`),
    `## Efficiency\n`, efficiencyMarkdown(r.efficiency), r.machine ? `Machine: ${r.machine}\n` : '',
  ].join('\n');
  const effCsv = ['method,title,family,parameters,width,height,load_ms,median_ms,runs_ms,rss_before_kib,rss_peak_kib,rss_delta_kib',
    ...r.efficiency.map((e) => [e.method, e.title, e.family, e.parameters, e.width, e.height, e.loadMs.toFixed(1), e.medianMs.toFixed(1), e.runsMs.map((x) => x.toFixed(1)).join(' '), e.rssBeforeKiB, e.rssPeakKiB, e.rssDeltaKiB].map(csvCell).join(','))].join('\n') + '\n';
  const json = JSON.stringify(r, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2) + '\n';
  const files: [string, string][] = [
    ['comparison.md', md], ['comparison.csv', withPreset(comparisonTablesCsv(r.tables), r.preset)], ['ranks.csv', withPreset(focusRanksCsv(r.tables), r.preset)],
    ['efficiency.csv', withPreset(effCsv, r.preset)], ['comparison.json', json],
  ];
  const out: string[] = [];
  for (const [name, text] of files) {
    const f = path.join(dir, name);
    await writeFileAtomic(f, Buffer.from(text));
    out.push(f);
  }
  return out;
}

/** Median of a list of times (re-exported for the notebook's summaries). */
export { median };
