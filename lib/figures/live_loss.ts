/**
 * The training-loss chart of notebook 05, redrawn in place while `train()` runs: per step the
 * total loss L = L_MSE + μ·L_SSIM and its two terms (log scale), and the mean loss per epoch.
 * Its `onStart` / `onStep` / `onEpoch` are `train()`'s callbacks; in a tslab kernel it redraws one
 * output at most every `minIntervalMs`, elsewhere it only records. `figure()` is the chart as a
 * plotly spec (for `saveFigure`).
 */
import { createRequire } from 'node:module';
import { lineChart } from './charts.js';
import { figureSnippet, type PlotlyFigure } from './plotly.js';
import { inNotebook } from './display.js';
import type { EpochLog, StepLog } from '../io/training_log.js';

const require = createRequire(import.meta.url);

export interface LiveLossChart {
  readonly steps: StepLog[];
  readonly epochs: EpochLog[];
  /** `train()`'s start record (its `TrainStart`); the chart needs only the steps per epoch. */
  onStart(info: { stepsPerEpoch: number }): void;
  onStep(s: StepLog): void;
  onEpoch(e: EpochLog): void;
  /** The chart now. */
  figure(): PlotlyFigure;
  /** Draws the final state (with plotly.js inlined, so the saved notebook shows it). */
  finish(): void;
}

/**
 * The loss chart of a run from its step log (e.g. a `log.jsonl`): loss, MSE and μ·L_SSIM per step
 * (log scale) and the mean loss per epoch (from `epochs`, else computed from the steps).
 */
export function lossChart(steps: StepLog[], opts: { mu: number; title: string; epochs?: EpochLog[]; stepsPerEpoch?: number }): PlotlyFigure {
  const perEpoch = opts.epochs?.map((e) => ({ epoch: e.epoch, loss: e.loss })) ?? [...steps.reduce((m, s) => {
    const a = m.get(s.epoch) ?? { sum: 0, n: 0 };
    a.sum += s.loss; a.n++;
    return m.set(s.epoch, a);
  }, new Map<number, { sum: number; n: number }>())].map(([epoch, a]) => ({ epoch, loss: a.sum / a.n }));
  const spe = opts.stepsPerEpoch ?? Math.max(1, ...steps.map((s) => s.step));
  const fig = lineChart([
    { name: 'loss', x: steps.map((s) => s.iteration), y: steps.map((s) => s.loss) },
    { name: 'MSE', x: steps.map((s) => s.iteration), y: steps.map((s) => s.mse) },
    { name: `μ·SSIM term (μ = ${opts.mu})`, x: steps.map((s) => s.iteration), y: steps.map((s) => opts.mu * s.ssim) },
    { name: 'epoch mean loss', x: perEpoch.map((e) => e.epoch * spe), y: perEpoch.map((e) => e.loss) },
  ], { title: opts.title, xTitle: 'step', yTitle: 'loss (log scale)', logY: true, height: 400 });
  Object.assign(fig.layout!.yaxis as object, { dtick: 'D2' }); // log axis: ticks at 1, 2, 5 of each decade
  return fig;
}

/**
 * @param opts.mu weight of the SSIM term (the plotted term is μ·L_SSIM)
 * @param opts.title chart title; `{steps}` is replaced by the steps per epoch once known
 */
export function liveLossChart(opts: { mu: number; title: string; minIntervalMs?: number }): LiveLossChart {
  const steps: StepLog[] = [];
  const epochs: EpochLog[] = [];
  let stepsPerEpoch = 1;
  const out = inNotebook() ? (require('tslab') as typeof import('tslab')).newDisplay() : null;
  let drawn = 0;
  let lastDraw = 0;
  const figure = (): PlotlyFigure => lossChart(steps, { mu: opts.mu, title: opts.title.replace('{steps}', String(stepsPerEpoch)), epochs, stepsPerEpoch });
  const draw = (final = false) => {
    if (!out || (!final && performance.now() - lastDraw < (opts.minIntervalMs ?? 2000))) return;
    out.html(figureSnippet(figure(), { includePlotly: final || drawn === 0 }));
    drawn++;
    lastDraw = performance.now();
  };
  return {
    steps, epochs, figure,
    onStart: (info) => { stepsPerEpoch = info.stepsPerEpoch; draw(true); },
    onStep: (s) => { steps.push(s); draw(); },
    onEpoch: (e) => { epochs.push(e); draw(); },
    finish: () => draw(true),
  };
}
