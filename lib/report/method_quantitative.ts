/**
 * A fusion method's quantitative table: its fused images of the test sets, scored with
 * lib/metrics (all 13 metrics, a chosen convention — `printed` reproduces the papers' tables),
 * beside a printed row of `paper_tables.csv` and, where the method's authors published their own
 * fused images, beside those images' scores (Δ = ours − published shows whether the port changes
 * anything that the metrics see).
 *
 * ```ts
 * const fuser = await getMethod('didfuse').load();
 * const q = await methodQuantitative({ fuser, sets: ['tno', 'flir', 'nir'], fusedDir: 'results/tmp/didfuse',
 *   paper: { source: 'DIDFuse', method: 'DIDFuse' }, published: DIDFUSE_PUBLISHED });
 * await writeMethodQuantitative('results/didfuse', q);   // quantitative.{md,csv,json}
 * ```
 */
import fs from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import path from 'node:path';
import { readGrey, writeGreyPng, writeFileAtomic } from '../io/image.js';
import { datasetPairs, DATASETS, DATASET_NAMES, type DatasetName } from '../data/datasets.js';
import { ensureStaged, stagedPath } from '../data/stage.js';
import { METRIC_NAMES, type MetricName } from '../metrics/index.js';
import type { MetricConvention } from '../metrics/types.js';
import type { Fuser } from '../methods/types.js';
import { markdownTable } from '../figures/display.js';
import { median } from '../util/stats.js';
import { evaluateDataset, type DatasetEvaluation } from './evaluate.js';
import type { PublishedOutputs } from './method_parity.js';
import { compareWithPaper, comparisonMarkdown, paperRow, type PaperComparison, type PaperSource } from './paper_table.js';

export interface MethodQuantitativeOptions {
  fuser: Fuser;
  sets: DatasetName[];
  /** Where our fused images go (`<fusedDir>/<set>/F{i}.png`; overwritten). */
  fusedDir: string;
  convention?: MetricConvention;
  /** The printed row to compare with (`paper_tables.csv`: source paper and method). */
  paper?: { source: PaperSource; method: string };
  /** The method's own published images per set, where they exist. */
  published?: Partial<Record<DatasetName, PublishedOutputs>>;
  /** 1-based pairs to fuse and score in every set (default: all). */
  indices?: number[];
  /**
   * Score the images already in `<fusedDir>/<set>/` where every F{i}.png of the set is there
   * (e.g. written by `npm run verify -- didfuse`) instead of fusing again; their times are not known.
   */
  reuseFused?: boolean;
  /** Called after each fused pair. */
  onPair?: (set: DatasetName, index: number, ms: number) => void;
}

export interface MethodQuantitative {
  method: string;
  title: string;
  convention: MetricConvention;
  backend: string;
  sets: DatasetName[];
  /** Our images scored, per set. */
  ours: Partial<Record<DatasetName, DatasetEvaluation>>;
  /** The published images scored, per set that has them. */
  published: Partial<Record<DatasetName, DatasetEvaluation>>;
  /** Our means beside the printed row, and the published images' means beside it. */
  vsPaper: Partial<Record<DatasetName, PaperComparison>>;
  publishedVsPaper: Partial<Record<DatasetName, PaperComparison>>;
  paper?: { source: PaperSource; method: string };
  /** Fusion time per pair (ms), per set, and the median for the 768×576 pairs. */
  timing: Partial<Record<DatasetName, { pair: number; width: number; height: number; ms: number }[]>>;
}

/** Fuses every pair of each set into `fusedDir/<set>/`, scores ours and the published images, compares with the printed row. */
export async function methodQuantitative(opts: MethodQuantitativeOptions): Promise<MethodQuantitative> {
  const convention = opts.convention ?? 'printed';
  const q: MethodQuantitative = {
    method: opts.fuser.info.name, title: opts.fuser.info.title, convention, backend: tf.getBackend(),
    sets: DATASET_NAMES.filter((s) => opts.sets.includes(s)), ours: {}, published: {}, vsPaper: {}, publishedVsPaper: {}, paper: opts.paper, timing: {},
  };
  for (const set of opts.sets) {
    const dir = path.join(opts.fusedDir, set);
    fs.mkdirSync(dir, { recursive: true });
    const times: { pair: number; width: number; height: number; ms: number }[] = [];
    const pairs = (await datasetPairs(set, { quiet: true })).filter((p) => !opts.indices || opts.indices.includes(p.index));
    const reuse = opts.reuseFused && pairs.every((p) => fs.existsSync(path.join(dir, `F${p.index}.png`)));
    for (const p of reuse ? [] : pairs) {
      const [ir, vis] = await Promise.all([readGrey(p.ir), readGrey(p.vis)]);
      const t0 = performance.now();
      const { F } = await opts.fuser.fuse(ir, vis);
      const ms = performance.now() - t0;
      times.push({ pair: p.index, width: F.width, height: F.height, ms });
      await writeGreyPng(path.join(dir, `F${p.index}.png`), F);
      opts.onPair?.(set, p.index, ms);
    }
    if (!reuse) q.timing[set] = times;
    q.ours[set] = await evaluateDataset(set, dir, { convention, indices: opts.indices });
    const pub = opts.published?.[set];
    if (pub) {
      await ensureStaged(pub.group, { quiet: true });
      q.published[set] = await evaluateDataset(set, path.dirname(stagedPath(`${pub.folder}/F1.png`, pub.repo)), { convention, indices: opts.indices });
    }
    if (opts.paper) {
      const label = `ours (${q.ours[set]!.perPair.length} pairs)`;
      q.vsPaper[set] = compareWithPaper({ dataset: set, ours: q.ours[set]!.means, oursLabel: label, convention, source: opts.paper.source, method: opts.paper.method });
      if (q.published[set]) {
        q.publishedVsPaper[set] = compareWithPaper({ dataset: set, ours: q.published[set]!.means, oursLabel: `published images (${q.published[set]!.perPair.length} pairs)`, convention, source: opts.paper.source, method: opts.paper.method });
      }
    }
  }
  return q;
}

/** The median fusion time of the pairs of a given size over all sets (null if none). */
export function medianTimeOf(q: MethodQuantitative, width: number, height: number): { pairs: number; ms: number } | null {
  const ms = Object.values(q.timing).flat().filter((t) => t!.width === width && t!.height === height).map((t) => t!.ms);
  return ms.length ? { pairs: ms.length, ms: median(ms) } : null;
}

function signed(x: number, d: number): string { const s = x.toFixed(d); return x >= 0 && !s.startsWith('-') ? `+${s}` : s; }

/** One row per set and metric: printed, published images, ours, ours − printed, ours − published. */
export function methodDeltaRows(q: MethodQuantitative): Record<string, string | number | null>[] {
  const rows: Record<string, string | number | null>[] = [];
  for (const set of q.sets) {
    const printed = q.paper ? paperRow(q.paper.source, set, q.paper.method).printed as Partial<Record<MetricName, string>> : {};
    for (const m of METRIC_NAMES) {
      const ours = q.ours[set]!.means[m];
      const pub = q.published[set]?.means[m] ?? null;
      const pr = printed[m];
      rows.push({
        set: DATASETS[set].title, metric: m, printed: pr ?? null, published: pub, ours,
        'ours − printed': pr === undefined ? null : ours - Number(pr),
        'ours − published': pub === null ? null : ours - pub,
      });
    }
  }
  return rows;
}

/** Markdown: header, per set the comparison with the printed row (ours, published) and a 13-metric table with the deltas. */
export function methodQuantitativeMarkdown(q: MethodQuantitative): string {
  const t768 = medianTimeOf(q, 768, 576);
  const lines = [
    `# ${q.title}: dataset means beside the printed table\n`,
    `Our ${q.title} port (\`auif fuse --method ${q.method}\`) on ${q.sets.map((s) => `${DATASETS[s].title} (${q.ours[s]!.perPair.length} pairs)`).join(', ')}; `
      + `metrics under \`${q.convention}\`${q.paper ? `; printed row: ${q.paper.source}'s table, method ${q.paper.method}` : ''}. `
      + `"published" = the authors' own fused images, scored by the same code.`
      + (t768 ? ` Fusion time, median of the ${t768.pairs} 768×576 pairs: ${(t768.ms / 1000).toFixed(2)} s (tfjs backend ${q.backend}; the machine's load varies).` : ''),
    '',
  ];
  for (const set of q.sets) {
    lines.push(`## ${DATASETS[set].title}\n`);
    if (q.vsPaper[set]) lines.push(comparisonMarkdown(q.vsPaper[set]!));
    if (q.publishedVsPaper[set]) lines.push(comparisonMarkdown(q.publishedVsPaper[set]!));
    const rows = methodDeltaRows(q).filter((r) => r.set === DATASETS[set].title);
    lines.push(`All ${METRIC_NAMES.length} metrics (means):\n`);
    lines.push('| metric | printed | published | ours | ours − printed | ours − published |', '| --- | ---: | ---: | ---: | ---: | ---: |');
    for (const r of rows) {
      const f = (v: unknown, d = 4) => (typeof v === 'number' ? v.toFixed(d) : '—');
      lines.push(`| ${r.metric} | ${r.printed ?? '—'} | ${f(r.published)} | ${f(r.ours)} | ${typeof r['ours − printed'] === 'number' ? signed(r['ours − printed'] as number, 4) : '—'} | ${typeof r['ours − published'] === 'number' ? signed(r['ours − published'] as number, 6) : '—'} |`);
    }
    lines.push('');
  }
  lines.push('## Means of our images, all sets\n', markdownTable(q.sets.map((s) => ({ set: DATASETS[s].title, pairs: q.ours[s]!.perPair.length, ...q.ours[s]!.means })), { digits: 4 }), '');
  return lines.join('\n');
}

/** CSV: `set,source,pairs,EN,…,CE`; per set rows `printed` (strings), `published`, `ours` (float64 means). */
export function methodQuantitativeCsv(q: MethodQuantitative): string {
  const lines = [['set', 'source', 'pairs', ...METRIC_NAMES].join(',')];
  for (const s of q.sets) {
    if (q.paper) {
      const printed = paperRow(q.paper.source, s, q.paper.method).printed as Partial<Record<MetricName, string>>;
      lines.push([s, 'printed', DATASETS[s].pairs, ...METRIC_NAMES.map((m) => printed[m] ?? '')].join(','));
    }
    const p = q.published[s];
    if (p) lines.push([s, 'published', p.perPair.length, ...METRIC_NAMES.map((m) => p.means[m])].join(','));
    lines.push([s, 'ours', q.ours[s]!.perPair.length, ...METRIC_NAMES.map((m) => q.ours[s]!.means[m])].join(','));
  }
  return lines.join('\n') + '\n';
}

/** JSON: everything, per-pair values without file paths (machine-specific). */
export function methodQuantitativeJSON(q: MethodQuantitative): string {
  const slim = (e: Partial<Record<DatasetName, DatasetEvaluation>>) => Object.fromEntries(Object.entries(e).map(([s, v]) => [s, {
    means: v!.means, perPair: v!.perPair.map((p) => ({ pair: p.index, width: p.width, height: p.height, ...p.values })),
  }]));
  const json = {
    method: q.method, title: q.title, convention: q.convention, backend: q.backend, sets: q.sets, paper: q.paper,
    vsPaper: q.vsPaper, publishedVsPaper: q.publishedVsPaper, deltas: methodDeltaRows(q),
    ours: slim(q.ours), published: slim(q.published),
    timing: Object.fromEntries(Object.entries(q.timing).map(([s, v]) => [s, v!.map((t) => ({ ...t, ms: Math.round(t.ms) }))])),
  };
  return JSON.stringify(json, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2) + '\n';
}

/** Writes `dir/quantitative.{md,csv,json}` atomically; returns the paths. */
export async function writeMethodQuantitative(dir: string, q: MethodQuantitative): Promise<string[]> {
  fs.mkdirSync(dir, { recursive: true });
  const out: string[] = [];
  for (const [name, text] of [['quantitative.md', methodQuantitativeMarkdown(q)], ['quantitative.csv', methodQuantitativeCsv(q)], ['quantitative.json', methodQuantitativeJSON(q)]] as const) {
    const f = path.join(dir, name);
    await writeFileAtomic(f, Buffer.from(text));
    out.push(f);
  }
  return out;
}
