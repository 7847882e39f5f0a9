/**
 * DIDFuse, AUIF and Bayesian fusion side by side (notebook 08): the three decompositions of one
 * pair on labelled, shared display scales, and a small table of the three on the test sets.
 *
 * - DIDFuse (Zhao et al., IJCAI 2020): a learned auto-encoder; its encoder splits each image into
 *   base features fb and detail features fd, the fused features F• = f•(I_ir) + f•(I_vis) are decoded.
 * - AUIF (Zhao et al., IEEE TCSVT 2021): Bᴺ and Dᴺ are the last iterates of two unrolled gradient
 *   descents; F = decoder(Bᴺ_ir + Bᴺ_vis, Dᴺ_ir + Dᴺ_vis).
 * - BF (Zhao et al., Signal Processing 2020): Y = U − V is explained by X (the infrared information
 *   added to VIS) under a hierarchical Bayesian model; EM weights C (fidelity) and D (prior); F = X + V.
 *
 * ```ts
 * const runs = await runDecompositions(ir, vis);                 // didfuse, auif, bayes (one load each)
 * const { png, scales } = await decompositionFigure(runs);      // one row per method + the scale bars
 * const table = await relatedSystemsTable({ sets: ['tno'], indices: { tno: [1, 2] }, fusedDir });
 * await writeRelatedSystems('results/quick', table);            // related-systems.{md,csv,json}
 * ```
 */
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { writeFileAtomic, type GreyImage } from '../io/image.js';
import { DATASETS, DATASET_NAMES, type DatasetName } from '../data/datasets.js';
import { METRIC_NAMES, type MetricName } from '../metrics/index.js';
import type { MetricConvention } from '../metrics/types.js';
import { getMethod } from '../methods/index.js';
import type { MethodInfo, NamedMap } from '../methods/types.js';
import { displayRange, toGrey8 } from '../figures/greyscale.js';
import { divergingBar, greyBar, toDiverging } from '../figures/colormap.js';
import { imageGrid, type GridImage } from '../figures/imageGrid.js';
import { formatValue } from '../figures/strips.js';
import { markdownTable } from '../figures/display.js';
import { median } from '../util/stats.js';
import { methodQuantitative } from './method_quantitative.js';

/** The three methods, in the order of the figure and the table. */
export const RELATED_METHODS = ['didfuse', 'auif', 'bayes'] as const;
export type RelatedMethod = (typeof RELATED_METHODS)[number];

/** The metrics of AUIF's printed table (the Markdown table shows these; CSV/JSON all 13). */
export const PRINTED_METRICS: readonly MetricName[] = ['EN', 'SD', 'SF', 'VIF', 'AG', 'SCD'];

/**
 * One cell of a method's decomposition row: which intermediate map, its caption, and its display
 * scale — `grey` (black = lo … white = hi, the clip quantiles of its group), `signed` (diverging,
 * centred at 0, ±m with m the 1 − clip quantile of |x| over its group), `log` (positive weights
 * spanning decades, e.g. BF's C and D: log₁₀ max(x, 10⁻¹²) on grey, lo … hi the clip quantiles of
 * the group's log₁₀ values). Cells of one `group` share one scale.
 */
export interface DecompositionCell { map: string; caption: string; scale: 'grey' | 'signed' | 'log'; group: string }

/** The cells of each method's row (maps named as the methods' `intermediates: true` return them). */
export const DECOMPOSITION_LAYOUT: Record<RelatedMethod, DecompositionCell[]> = {
  didfuse: [
    { map: 'base_ir', caption: 'fb(IR), base', scale: 'signed', group: 'base' },
    { map: 'base_vis', caption: 'fb(VIS), base', scale: 'signed', group: 'base' },
    { map: 'detail_ir', caption: 'fd(IR), detail', scale: 'signed', group: 'detail' },
    { map: 'detail_vis', caption: 'fd(VIS), detail', scale: 'signed', group: 'detail' },
  ],
  auif: [
    { map: 'B_ir', caption: 'Bᴺ(IR), base', scale: 'grey', group: 'base' },
    { map: 'B_vis', caption: 'Bᴺ(VIS), base', scale: 'grey', group: 'base' },
    { map: 'D_ir', caption: 'Dᴺ(IR), detail', scale: 'signed', group: 'detail' },
    { map: 'D_vis', caption: 'Dᴺ(VIS), detail', scale: 'signed', group: 'detail' },
  ],
  bayes: [
    { map: 'Y', caption: 'Y = U − V', scale: 'signed', group: 'YX' },
    { map: 'X', caption: 'X (F = X + V)', scale: 'signed', group: 'YX' },
    { map: 'C', caption: 'log₁₀ C, fidelity weight', scale: 'log', group: 'C' },
    { map: 'D', caption: 'log₁₀ D, prior weight', scale: 'log', group: 'D' },
  ],
};

/** One method run on one pair: its metadata, F, its intermediate maps and the fusion time. */
export interface DecompositionRun { method: RelatedMethod; info: MethodInfo; F: GreyImage; maps: NamedMap[]; ms: number }

/** Loads each method (published weights / authors' defaults), fuses the pair with `intermediates: true`, disposes it. */
export async function runDecompositions(ir: GreyImage, vis: GreyImage, methods: readonly RelatedMethod[] = RELATED_METHODS): Promise<DecompositionRun[]> {
  const runs: DecompositionRun[] = [];
  for (const method of methods) {
    const fuser = await getMethod(method).load();
    try {
      const t0 = performance.now();
      const r = await fuser.fuse(ir, vis, { intermediates: true });
      runs.push({ method, info: fuser.info, F: r.F, maps: r.maps ?? [], ms: performance.now() - t0 });
    } finally { fuser.dispose(); }
  }
  return runs;
}

/** The display scale of one group of a row: its kind and [lo, hi] (signed: lo = −hi). */
export interface GroupScale { method: RelatedMethod; group: string; scale: DecompositionCell['scale']; lo: number; hi: number }

/**
 * The display scale of each group of cells, from the maps of that group together (see
 * {@link DecompositionCell}); throws naming the map when a run lacks one of its layout's maps.
 */
export function decompositionScales(runs: DecompositionRun[], clip = 0.002): GroupScale[] {
  const out: GroupScale[] = [];
  for (const run of runs) {
    const cells = DECOMPOSITION_LAYOUT[run.method];
    for (const group of [...new Set(cells.map((c) => c.group))]) {
      const members = cells.filter((c) => c.group === group);
      const scale = members[0].scale;
      const data = members.map((c) => shown(mapOf(run, c.map), scale).data);
      const { lo, hi } = displayRange(data, { range: scale === 'signed' ? 'symmetric' : 'minmax', clip });
      out.push({ method: run.method, group, scale, lo, hi });
    }
  }
  return out;
}

/** The values drawn: the map itself, or log₁₀ max(x, 10⁻¹²) for a `log` scale. */
function shown(m: GreyImage, scale: DecompositionCell['scale']): GreyImage {
  return scale === 'log' ? { width: m.width, height: m.height, data: m.data.map((v) => Math.log10(Math.max(v, 1e-12))) } : m;
}

function mapOf(run: DecompositionRun, name: string): GreyImage {
  const m = run.maps.find((x) => x.name === name);
  if (!m) throw new Error(`${run.info.title}: no intermediate map '${name}' (has: ${run.maps.map((x) => x.name).join(', ') || 'none'})`);
  return m.image;
}

/**
 * The figure: one row per method — its four decomposition maps (each captioned with its scale)
 * and its fused F on [0, 1] — and a last row with the two colour scales. Returns the PNG and the
 * scales used.
 */
export async function decompositionFigure(runs: DecompositionRun[], opts: { cellWidth?: number; clip?: number; title?: string } = {}): Promise<{ png: Buffer; scales: GroupScale[] }> {
  const scales = decompositionScales(runs, opts.clip);
  const cellWidth = opts.cellWidth ?? 230;
  const scaleText = (s: GroupScale) => (s.scale === 'signed' ? `±${formatValue(s.hi)}` : `[${formatValue(s.lo)}, ${formatValue(s.hi)}]`);
  const grid: GridImage[][] = runs.map((run) => [
    ...DECOMPOSITION_LAYOUT[run.method].map((c) => {
      const s = scales.find((x) => x.method === run.method && x.group === c.group)!;
      const m = shown(mapOf(run, c.map), s.scale);
      return { image: s.scale === 'signed' ? toDiverging(m, s.hi) : toGrey8(m, { lo: s.lo, hi: s.hi }), caption: `${c.caption} ${scaleText(s)}` };
    }),
    { image: toGrey8(run.F, { lo: 0, hi: 1 }), caption: `F, [0, 1]` },
  ]);
  grid.push([
    { image: divergingBar(cellWidth, 14), caption: '−m\u2003\u2003 0 \u2003\u2003+m' },
    { image: greyBar(cellWidth, 14), caption: 'lo\u2003 … \u2003hi' },
  ]);
  const png = await imageGrid(grid, {
    title: opts.title, rowTitles: [...runs.map((r) => r.info.title), 'scales'], cellWidth, fontSize: 16,
  });
  return { png, scales };
}

/** Per map of each row of the figure: its value range and mean (what the display scale hides, e.g. an offset). */
export function decompositionStats(runs: DecompositionRun[]): { method: string; map: string; min: number; mean: number; max: number }[] {
  return runs.flatMap((run) => DECOMPOSITION_LAYOUT[run.method].map((c) => {
    const d = mapOf(run, c.map).data;
    let min = Infinity, max = -Infinity, sum = 0;
    for (let i = 0; i < d.length; i++) { min = Math.min(min, d[i]); max = Math.max(max, d[i]); sum += d[i]; }
    return { method: run.info.title, map: c.map, min, mean: sum / d.length, max };
  }));
}

/** One row of the table: a method on a set. */
export interface RelatedSystemsRow {
  method: RelatedMethod; title: string; family: MethodInfo['family']; parameters: number;
  set: DatasetName; pairs: number;
  /** Median fusion time per pair over the set's pairs (ms), as measured in this run. */
  msPerPair: number;
  means: Record<MetricName, number>;
}

export interface RelatedSystemsTable {
  convention: MetricConvention; backend: string; preset?: string;
  indices: Partial<Record<DatasetName, number[]>>;
  rows: RelatedSystemsRow[];
}

export interface RelatedSystemsOptions {
  sets: DatasetName[];
  /** 1-based pairs per set (default: all). */
  indices?: Partial<Record<DatasetName, number[]>>;
  /** Our fused images go to `<fusedDir>/<method>/<set>/F{i}.png` (overwritten). */
  fusedDir: string;
  methods?: readonly RelatedMethod[];
  convention?: MetricConvention;
  preset?: string;
  onPair?: (method: RelatedMethod, set: DatasetName, index: number, ms: number) => void;
}

/**
 * Fuses the chosen pairs of each set with each method (one load per method), times each fusion,
 * scores the images (lib/report/method_quantitative.ts; `printed` convention by default): the
 * dataset means over the chosen pairs, the parameter count and the median time per pair.
 */
export async function relatedSystemsTable(opts: RelatedSystemsOptions): Promise<RelatedSystemsTable> {
  const convention = opts.convention ?? 'printed';
  const sets = DATASET_NAMES.filter((s) => opts.sets.includes(s));
  const indices = Object.fromEntries(sets.map((s) => [s, opts.indices?.[s] ?? Array.from({ length: DATASETS[s].pairs }, (_, k) => k + 1)])) as Record<DatasetName, number[]>;
  const rows: RelatedSystemsRow[] = [];
  for (const method of opts.methods ?? RELATED_METHODS) {
    const fuser = await getMethod(method).load();
    try {
      for (const set of sets) {
        const q = await methodQuantitative({
          fuser, sets: [set], fusedDir: path.join(opts.fusedDir, method), convention, indices: indices[set],
          onPair: (s, i, ms) => opts.onPair?.(method, s, i, ms),
        });
        const ev = q.ours[set]!;
        rows.push({
          method, title: fuser.info.title, family: fuser.info.family, parameters: fuser.info.parameters, set,
          pairs: ev.perPair.length, msPerPair: median(q.timing[set]!.map((t) => t.ms)), means: { ...ev.means },
        });
      }
    } finally { fuser.dispose(); }
  }
  return { convention, backend: tf.getBackend(), preset: opts.preset, indices, rows };
}

/** Rows for `showTable` / Markdown: method, parameters, set, pairs, time per pair (s), the six printed metrics. */
export function relatedSystemsRows(t: RelatedSystemsTable, metrics: readonly MetricName[] = PRINTED_METRICS): Record<string, string | number>[] {
  return t.rows.map((r) => ({
    method: r.title, parameters: r.parameters, set: DATASETS[r.set].title, pairs: r.pairs,
    's / pair': (r.msPerPair / 1000).toFixed(2),
    ...Object.fromEntries(metrics.map((m) => [m, r.means[m]])),
  }));
}

/** Markdown: a header saying what was run, then the table (four decimals). */
export function relatedSystemsMarkdown(t: RelatedSystemsTable): string {
  const sets = Object.keys(t.indices) as DatasetName[];
  return [
    '# DIDFuse, AUIF and BF on the test sets\n',
    `Written by notebook 08${t.preset ? ` (${t.preset} preset)` : ''}. Dataset means over ${sets.map((s) => `${t.indices[s]!.length} of ${DATASETS[s].pairs} pairs of ${DATASETS[s].title}`).join(', ')}; `
      + `metrics under the \`${t.convention}\` convention (lib/metrics/README.md); parameters = \`info.parameters\` of each method; `
      + `s / pair = median fusion time per pair in this run (tfjs backend ${t.backend}, the machine's load varies; fusion only, no I/O).`,
    '',
    markdownTable(relatedSystemsRows(t), { digits: 4 }),
    '',
  ].join('\n');
}

/** CSV: `method,title,parameters,set,pairs,ms_per_pair,EN,…,CE` (float64 means). */
export function relatedSystemsCsv(t: RelatedSystemsTable): string {
  const lines = [['method', 'title', 'parameters', 'set', 'pairs', 'ms_per_pair', ...METRIC_NAMES].join(',')];
  for (const r of t.rows) lines.push([r.method, r.title, r.parameters, r.set, r.pairs, r.msPerPair.toFixed(1), ...METRIC_NAMES.map((m) => r.means[m])].join(','));
  return lines.join('\n') + '\n';
}

/** JSON: the table with the pairs used. */
export function relatedSystemsJSON(t: RelatedSystemsTable): string {
  return JSON.stringify(t, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2) + '\n';
}

/** Writes `dir/related-systems.{md,csv,json}` atomically; returns the paths. */
export async function writeRelatedSystems(dir: string, t: RelatedSystemsTable): Promise<string[]> {
  fs.mkdirSync(dir, { recursive: true });
  const out: string[] = [];
  for (const [ext, text] of [['md', relatedSystemsMarkdown(t)], ['csv', relatedSystemsCsv(t)], ['json', relatedSystemsJSON(t)]] as const) {
    const f = path.join(dir, `related-systems.${ext}`);
    await writeFileAtomic(f, Buffer.from(text));
    out.push(f);
  }
  return out;
}
