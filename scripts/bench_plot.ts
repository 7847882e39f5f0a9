/**
 * The bench's scaling figure: fuse() time against the number of pixels, log–log, for the native
 * one-pass kernel (with tiling above ~6 M pixels) and the two tfjs reference paths, from one
 * `npm run bench` run (results/bench.json → figures/bench-scaling.{png,html}).
 */
import { lineChart } from '../lib/figures/charts.js';
import { saveFigure } from '../lib/figures/plotly.js';

export interface ScalingPoint { width: number; height: number; ms: number }

export async function plotScaling(series: { name: string; points: ScalingPoint[] }[], base: string): Promise<{ html: string; png: string }> {
  const fig = lineChart(series.map((s) => ({ name: s.name, x: s.points.map((p) => p.width * p.height), y: s.points.map((p) => p.ms / 1000) })),
    { markers: true, xTitle: 'pixels per image of the pair', yTitle: 'fuse() time (s)', logY: true, title: 'AUIF fuse() time vs image size (one bench run, this machine)' });
  (fig.layout!.xaxis as Record<string, unknown>).type = 'log';
  (fig.layout!.xaxis as Record<string, unknown>).exponentformat = 'power';
  return saveFigure(fig, base, { width: 760, height: 440 });
}
