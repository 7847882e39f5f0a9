/**
 * μ in a cell (notebook 05, issue 17): the effect of the SSIM weight μ of the training loss
 *
 *   L = L_MSE + μ · L_SSIM,   L_MSE = ‖I − Î‖²₂ / (HW),   L_SSIM = ½ · mean(1 − SSIM(I, Î))
 *
 * made visible in minutes: for each μ, the authors' weights are fine-tuned for a few dozen steps
 * with that μ (everything else the paper's recipe: the same optimiser, learning rates, crops), one
 * test pair is fused with the result (Sum rule) and scored (`printed` convention, lib/metrics),
 * beside the authors' weights themselves. A fine-tune from the same start with the same seed
 * differs only by μ, so the differences between the columns are μ's.
 */
import type { GreyImage } from '../io/image.js';
import { unitToU8 } from '../io/image.js';
import type { ImagePair } from '../data/datasets.js';
import path from 'node:path';
import { loadWeights, PRETRAINED_FILES } from '../model/checkpoint.js';
import { stagedFile } from '../data/stage.js';
import { disposeParams } from '../model/params.js';
import { fusePairs, type FusedPair } from '../figures/qualitative.js';
import { computeAll, type MetricValues } from '../metrics/index.js';
import { train } from '../train/loop.js';
import type { TrainConfig } from '../train/config.js';

export interface MuSweepOptions {
  /** The μ values to fine-tune with. */
  mu: readonly number[];
  /** The pair fused and scored. */
  pair: ImagePair;
  /** Weights to start from (default: the authors' pretrained weights, as `loadWeights()`). */
  weights?: string;
  /** Recipe keys of the fine-tune (default 2 epochs × 45 batches of 8: 90 steps, seed 1). */
  recipe?: Partial<TrainConfig>;
  /** Called after each μ (for progress lines). */
  onMu?: (mu: number, seconds: number) => void;
}

/** One column of the sweep: the start (mu null) or a fine-tune with μ. */
export interface MuSweepColumn {
  mu: number | null;
  label: string;
  F: GreyImage;
  metrics: MetricValues;
  /** Fine-tune wall time in seconds (0 for the start). */
  seconds: number;
}

const u8 = (g: GreyImage) => ({ width: g.width, height: g.height, data: unitToU8(g.data) });

/** Fuses `pair` with the start weights and with a fine-tune for each μ; see the module comment. */
export async function muSweep(opts: MuSweepOptions): Promise<{ ir: GreyImage; vis: GreyImage; columns: MuSweepColumn[] }> {
  for (const mu of opts.mu) if (!(Number.isFinite(mu) && mu >= 0)) throw new Error(`muSweep: μ must be a finite number ≥ 0, got ${mu}`);
  const recipe: Partial<TrainConfig> = { epochs: 2, stepsPerEpoch: 45, batchSize: 8, seed: 1, ...opts.recipe };
  const start = await loadWeights(opts.weights);
  let base: FusedPair;
  try {
    [base] = await fusePairs([opts.pair], start);
  } finally {
    disposeParams(start);
  }
  const score = (F: GreyImage) => computeAll(u8(base.ir), u8(base.vis), u8(F), { convention: 'printed' });
  const columns: MuSweepColumn[] = [{ mu: null, label: "authors' weights", F: base.F, metrics: score(base.F), seconds: 0 }];
  for (const mu of opts.mu) {
    const t0 = performance.now();
    const r = await train({ ...recipe, mu, weights: opts.weights ?? (await pretrainedDir()) });
    const seconds = (performance.now() - t0) / 1000;
    try {
      const [f] = await fusePairs([opts.pair], r.params);
      columns.push({ mu, label: `μ = ${mu}`, F: f.F, metrics: score(f.F), seconds });
    } finally {
      disposeParams(r.params);
    }
    opts.onMu?.(mu, seconds);
  }
  return { ir: base.ir, vis: base.vis, columns };
}

/** The folder of the authors' three staged `.model` files (staged now if missing). */
async function pretrainedDir(): Promise<string> {
  return path.dirname(await stagedFile(`Models/${PRETRAINED_FILES[0].file}`));
}

/** The sweep as a Markdown table: one row per metric, one column per start / μ, plus Δ of the extremes. */
export function muSweepMarkdown(columns: readonly MuSweepColumn[], metrics: readonly string[] = ['EN', 'SD', 'SF', 'AG', 'SSIM', 'VIF', 'Qabf']): string {
  const head = `| metric | ${columns.map((c) => c.label).join(' | ')} |`;
  const rule = `|---|${columns.map(() => '---:').join('|')}|`;
  const rows = metrics.map((m) => `| ${m} | ${columns.map((c) => (c.metrics as Record<string, number>)[m].toFixed(4)).join(' | ')} |`);
  const time = `| fine-tune time | ${columns.map((c) => (c.mu === null ? '—' : `${c.seconds.toFixed(0)} s`)).join(' | ')} |`;
  return [head, rule, ...rows, time].join('\n');
}

/**
 * What the sweep shows, computed: from the smallest to the largest μ, the change of SD, AG and
 * SSIM (relative, %) and the largest per-pixel difference of the two fused images in grey levels
 * (rint(255·F)).
 */
export function muSweepSummary(columns: readonly MuSweepColumn[]): string {
  const tuned = columns.filter((c) => c.mu !== null).sort((a, b) => a.mu! - b.mu!);
  if (tuned.length < 2) return 'Give at least two μ values to compare.';
  const lo = tuned[0], hi = tuned[tuned.length - 1];
  const pct = (m: 'SD' | 'AG' | 'SSIM') => `${m} ${lo.metrics[m].toFixed(3)} → ${hi.metrics[m].toFixed(3)} (${((100 * (hi.metrics[m] - lo.metrics[m])) / Math.abs(lo.metrics[m])).toFixed(1)} %)`;
  const a = unitToU8(lo.F.data), b = unitToU8(hi.F.data);
  let maxd = 0, n = 0;
  for (let i = 0; i < a.length; i++) { const d = Math.abs(a[i] - b[i]); if (d > maxd) maxd = d; if (d > 0) n++; }
  return `From μ = ${lo.mu} to μ = ${hi.mu}: ${pct('SD')}, ${pct('AG')}, ${pct('SSIM')}; the two fused images differ in ${(100 * n / a.length).toFixed(1)} % of the pixels, by up to ${maxd} grey levels.`;
}
