/**
 * The training-loss chart of notebook 05, redrawn in place while `train()` runs: per step the
 * total loss L = L_MSE + μ·L_SSIM and its two terms (log scale), and the mean loss per epoch.
 * Its `onStart` / `onStep` / `onEpoch` are `train()`'s callbacks; in a tslab kernel it redraws one
 * output (a {@link ChartDisplay}) at most every `minIntervalMs` — the plotly JSON only, which
 * JupyterLab/VS Code draw live — elsewhere it only records. `finish()` draws the final chart with
 * all its renderings (PNG included, for the saved notebook). `figure()` is the chart as a plotly
 * spec (for `saveFigure`).
 */
import { lineChart } from './charts.js';
import type { PlotlyFigure } from './plotly.js';
import { newChartDisplay } from './display.js';
import type { EpochLog, StepLog } from '../io/training_log.js';

export interface LiveLossChart {
  readonly steps: StepLog[];
  readonly epochs: EpochLog[];
  /** `train()`'s start record (its `TrainStart`); the chart needs only the steps per epoch. */
  onStart(info: { stepsPerEpoch: number }): void;
  onStep(s: StepLog): void;
  onEpoch(e: EpochLog): void;
  /** The chart now. */
  figure(): PlotlyFigure;
  /** Draws the final state with every rendering (PNG included), so the saved notebook shows it. */
  finish(): Promise<void>;
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
  const out = newChartDisplay();
  let lastDraw = -Infinity;
  const figure = (): PlotlyFigure => lossChart(steps, { mu: opts.mu, title: opts.title.replace('{steps}', String(stepsPerEpoch)), epochs, stepsPerEpoch });
  const draw = (force = false) => {
    if (!out || (!force && performance.now() - lastDraw < (opts.minIntervalMs ?? 2000))) return;
    const last = steps[steps.length - 1];
    out.update(figure(), last ? `[training loss: step ${last.iteration}, loss ${last.loss.toPrecision(4)}]` : '[training loss: starting]');
    lastDraw = performance.now();
  };
  return {
    steps, epochs, figure,
    onStart: (info) => { stepsPerEpoch = info.stepsPerEpoch; draw(true); },
    onStep: (s) => { steps.push(s); draw(); },
    onEpoch: (e) => { epochs.push(e); draw(); },
    finish: async () => { if (out) await out.final(figure()); },
  };
}
