/**
 * The chart types of the reproduction, as plotly figure specs ({@link PlotlyFigure}): line and
 * bar charts, histograms (intensities; grey-level differences for parity), and the learned
 * per-layer scalars of an encoder (ηₖ, θₖ, …). Rendering is in `plotly.ts` / `display.ts`.
 */
import type { PlotlyFigure } from './plotly.js';
import type { EncoderParams } from '../model/params.js';

/** A named series of y values (x defaults to 0, 1, 2, …). */
export interface Series { name: string; y: ArrayLike<number>; x?: ArrayLike<number | string> }

export interface ChartOptions {
  title?: string;
  xTitle?: string;
  yTitle?: string;
  /** Logarithmic y axis. */
  logY?: boolean;
  width?: number;
  height?: number;
}

/** Okabe–Ito colours (colour-blind safe), in order. */
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9', '#F0E442', '#000000'];

/** The common layout: white background, light grid, legend on top. */
export function baseLayout(opts: ChartOptions = {}): Record<string, unknown> {
  return {
    title: opts.title ? { text: opts.title, x: 0.02, xanchor: 'left' } : undefined,
    template: 'none',
    paper_bgcolor: 'white',
    plot_bgcolor: 'white',
    font: { family: 'DejaVu Sans, Liberation Sans, Arial, sans-serif', size: 13 },
    colorway: PALETTE,
    margin: { l: 64, r: 24, t: opts.title ? 64 : 32, b: 56 },
    legend: { orientation: 'h', yanchor: 'bottom', y: 1.02, xanchor: 'right', x: 1 },
    xaxis: { title: { text: opts.xTitle ?? '' }, gridcolor: '#e5e5e5', zeroline: false, automargin: true },
    yaxis: { title: { text: opts.yTitle ?? '' }, gridcolor: '#e5e5e5', zeroline: false, automargin: true, type: opts.logY ? 'log' : 'linear', exponentformat: 'power' },
    width: opts.width,
    height: opts.height ?? 420,
  };
}

const arr = (v: ArrayLike<number | string>) => Array.from(v);

/** Lines (with markers when `markers`), one trace per series. */
export function lineChart(series: Series[], opts: ChartOptions & { markers?: boolean } = {}): PlotlyFigure {
  return {
    data: series.map((s) => ({
      type: 'scatter', mode: opts.markers ? 'lines+markers' : 'lines', name: s.name,
      x: s.x ? arr(s.x) : Array.from({ length: s.y.length }, (_, i) => i), y: arr(s.y),
    })),
    layout: baseLayout(opts),
  };
}

/** Grouped bars: one trace per series over the same categories. */
export function barChart(categories: string[], series: Series[], opts: ChartOptions = {}): PlotlyFigure {
  for (const s of series) {
    if (s.y.length !== categories.length) throw new Error(`barChart: series '${s.name}' has ${s.y.length} values for ${categories.length} categories`);
  }
  return {
    data: series.map((s) => ({ type: 'bar', name: s.name, x: categories, y: arr(s.y) })),
    layout: { ...baseLayout(opts), barmode: 'group' },
  };
}

/**
 * Histograms given as counts per bin (e.g. 256 grey levels), drawn as step lines so several
 * overlap legibly. With `density`, each series is divided by its total (fractions of pixels).
 */
export function histogramChart(series: Series[], opts: ChartOptions & { density?: boolean } = {}): PlotlyFigure {
  return {
    data: series.map((s) => {
      const y = arr(s.y) as number[];
      const total = opts.density ? y.reduce((a, b) => a + b, 0) || 1 : 1;
      return {
        type: 'scatter', mode: 'lines', line: { shape: 'hvh', width: 1.5 }, name: s.name,
        x: s.x ? arr(s.x) : y.map((_, i) => i), y: y.map((v) => v / total),
      };
    }),
    layout: baseLayout({ yTitle: opts.density ? 'fraction of pixels' : 'pixels', ...opts }),
  };
}

/**
 * Histogram of grey-level differences ours − theirs (a `Parity.histogram`: index d + 255 holds
 * the pixels with difference d), one bar trace per data set, over −m…m with m the largest
 * |d| seen (at least 2), log scale so single differing pixels stay visible.
 */
export function differenceHistogramChart(sets: { name: string; histogram: ArrayLike<number> }[], opts: ChartOptions = {}): PlotlyFigure {
  let m = 2;
  for (const s of sets) {
    if (s.histogram.length !== 511) throw new Error(`differenceHistogramChart: '${s.name}' has ${s.histogram.length} bins, expected 511 (differences −255…255)`);
    for (let i = 0; i < 511; i++) if (s.histogram[i] > 0) m = Math.max(m, Math.abs(i - 255));
  }
  const xs = Array.from({ length: 2 * m + 1 }, (_, i) => i - m);
  return {
    data: sets.map((s) => ({
      type: 'bar', name: s.name, x: xs, y: xs.map((d) => s.histogram[d + 255]),
      text: xs.map((d) => String(s.histogram[d + 255])), textposition: 'outside',
    })),
    layout: {
      ...baseLayout({ xTitle: 'ours − authors (grey levels)', yTitle: 'pixels (log scale)', logY: true, ...opts }),
      barmode: 'group',
      xaxis: { title: { text: opts.xTitle ?? 'ours − authors (grey levels)' }, dtick: 1, gridcolor: '#e5e5e5', zeroline: false },
    },
  };
}

/** The learned scalars of each layer of an encoder (k = 0 … N−1). */
export interface EncoderScalars {
  /** Step sizes ηₖ. */
  eta: number[];
  /** Fidelity weights θₖ. */
  theta: number[];
  /** PReLU slopes. */
  alpha: number[];
  /** Batch-norm scale γ/√(σ̂² + ε) and shift β − μ̂·γ/√(σ̂² + ε) (eval mode, per layer). */
  bnScale: number[];
  bnShift: number[];
}

/** Reads ηₖ, θₖ, the PReLU slope and the eval-mode BN affine map of every layer. */
export function encoderScalars(enc: EncoderParams, eps = 1e-5): EncoderScalars {
  const v = (t: { dataSync(): ArrayLike<number> }) => t.dataSync()[0];
  const out: EncoderScalars = { eta: [], theta: [], alpha: [], bnScale: [], bnShift: [] };
  for (const l of enc.layers) {
    out.eta.push(v(l.eta));
    out.theta.push(v(l.theta));
    out.alpha.push(v(l.alpha));
    const s = v(l.bn.gamma) / Math.sqrt(v(l.bn.runningVar) + eps);
    out.bnScale.push(s);
    out.bnShift.push(v(l.bn.beta) - v(l.bn.runningMean) * s);
  }
  return out;
}

/**
 * Learned ηₖ and θₖ per layer of the base and detail encoders: two panels side by side
 * (η left, θ right), k on the x axis.
 */
export function layerScalarsChart(encoders: { name: string; scalars: EncoderScalars }[], opts: ChartOptions = {}): PlotlyFigure {
  const data: Record<string, unknown>[] = [];
  encoders.forEach((e, i) => {
    const x = e.scalars.eta.map((_, k) => k);
    const color = PALETTE[i % PALETTE.length];
    data.push({ type: 'scatter', mode: 'lines+markers', name: `${e.name}: η`, x, y: e.scalars.eta, xaxis: 'x', yaxis: 'y', line: { color }, marker: { symbol: 'circle' }, legendgroup: e.name });
    data.push({ type: 'scatter', mode: 'lines+markers', name: `${e.name}: θ`, x, y: e.scalars.theta, xaxis: 'x2', yaxis: 'y2', line: { color, dash: 'dot' }, marker: { symbol: 'diamond' }, legendgroup: e.name });
  });
  const base = baseLayout(opts);
  const axis = (title: string) => ({ title: { text: title }, gridcolor: '#e5e5e5', zeroline: false, automargin: true });
  return {
    data,
    layout: {
      ...base,
      grid: { rows: 1, columns: 2, pattern: 'independent' },
      xaxis: { ...axis('layer k'), dtick: 1 }, yaxis: axis('step size ηₖ'),
      xaxis2: { ...axis('layer k'), dtick: 1 }, yaxis2: axis('fidelity weight θₖ'),
    },
  };
}

/** A named series of one value per category and metric, for {@link metricPanelsChart}. */
export interface PanelSeries { name: string; values: Record<string, (number | null)[]> }

/**
 * Small multiples: one panel per metric (`columns` per row, each with its own y axis), grouped
 * bars per category (e.g. test set), one colour per series (e.g. paper | ours | authors' images),
 * a single legend. A null value leaves its bar out.
 */
export function metricPanelsChart(metrics: string[], categories: string[], series: PanelSeries[], opts: ChartOptions & { columns?: number } = {}): PlotlyFigure {
  for (const s of series) {
    for (const m of metrics) {
      const v = s.values[m];
      if (!v || v.length !== categories.length) throw new Error(`metricPanelsChart: series '${s.name}' has ${v ? v.length : 'no'} values of ${m} for ${categories.length} categories`);
    }
  }
  const cols = Math.min(opts.columns ?? 3, metrics.length), rows = Math.ceil(metrics.length / cols);
  const base = baseLayout({ ...opts, height: opts.height ?? 260 * rows + 110 });
  const layout: Record<string, unknown> = {
    ...base, margin: { ...(base.margin as object), t: 110 }, legend: { ...(base.legend as object), y: 1.06 },
    barmode: 'group', grid: { rows, columns: cols, pattern: 'independent', ygap: 0.3 },
  };
  const data = metrics.flatMap((m, k) => {
    const ax = k === 0 ? '' : String(k + 1);
    layout[`yaxis${ax}`] = { title: { text: m }, gridcolor: '#e5e5e5', zeroline: false, automargin: true };
    return series.map((s, j) => ({
      type: 'bar', name: s.name, x: categories, y: s.values[m], xaxis: `x${ax}`, yaxis: `y${ax}`,
      marker: { color: PALETTE[j % PALETTE.length] }, legendgroup: s.name, showlegend: k === 0,
    }));
  });
  return { data, layout };
}
