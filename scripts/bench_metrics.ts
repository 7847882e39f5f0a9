/**
 * The metrics section of `npm run bench`: all 13 metrics (`computeAll`, lib/metrics) of one real
 * TNO 768×576 triplet — IR1, VIS1 and the authors' fused F1.png — timed after one warm-up call;
 * median of `runs` (≥ 10) per convention, wall and CPU time (process.cpuUsage: all threads). The
 * previous path (metricsEngine.perMap: one native call per filtered map, each metric's own function,
 * no shared sums) is timed in the same run, alternating call by call with the current one, so the
 * ratio is measured under the same load; so is each metric alone (its own function, float64 inputs),
 * for every convention. Issue 14's budget: 60 ms for each convention.
 *
 * Standalone, printing the tables (and the JSON with --json):
 *   node --import tsx scripts/bench_metrics.ts [--runs 10] [--baseline DIR] [--json]
 * `--baseline DIR`: another checkout's root (its `lib/metrics/index.ts` and, through it, its addon
 * build): its `computeAll` alternates call by call with this one's, per convention, in the same run.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { readGrey8 } from '../lib/io/image.js';
import { stagedFile } from '../lib/data/stage.js';
import {
  averageGradient, computeAll, correlationCoefficient, crossEntropy, entropy, metricsEngine, mutualInformation, psnr, qabf, scd, ssim,
  standardDeviation, spatialFrequency, toFloat64, vif, viff, type MetricConvention, type MetricImage,
} from '../lib/metrics/index.js';
import { median } from '../lib/util/stats.js';

const CONVENTIONS: MetricConvention[] = ['paper', 'printed', 'vifb'];

/** Median wall and CPU ms of one function. */
export interface Timing { ms: number; cpu_ms: number }

export interface MetricsBench {
  width: number;
  height: number;
  runs: number;
  /** Median ms per convention, and each run (rounded, in run order) for `paper`. */
  median_ms: Record<MetricConvention, number>;
  paper_runs_ms: number[];
  /** Median CPU ms per call (all threads), `paper`. */
  paper_cpu_ms: number;
  /** Median CPU ms per call per convention. */
  cpu_ms: Record<MetricConvention, number>;
  /** The previous path, alternating with the current one in this run (`paper`): wall and CPU medians, and the ratios. */
  previous: { median_ms: number; cpu_ms: number; speedup: number; cpu_ratio: number };
  /** Each metric alone (its own function, float64 inputs, `paper`): median wall and CPU ms now and on the previous path, same run. */
  per_metric_ms: Record<string, { now: number; previous: number; now_cpu: number; previous_cpu: number }>;
  /** Each metric alone under each convention (its own function with that convention, float64 inputs): median wall and CPU ms. */
  per_convention_metric_ms: Record<MetricConvention, Record<string, Timing>>;
  /** With a baseline checkout: its computeAll alternating with this one's, per convention. */
  baseline?: { dir: string; median_ms: Record<MetricConvention, number>; cpu_ms: Record<MetricConvention, number> };
  loadavg_1min: number;
}

type ComputeAll = typeof computeAll;

/** Wall and CPU time of one call of fn. */
function timed(fn: () => unknown): { ms: number; cpu: number } {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  fn();
  const ms = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { ms, cpu: (c.user + c.system) / 1000 };
}

interface Samples { ms: number[]; cpu: number[] }

/** `n` rounds of the functions called in turn (after one warm-up each); their wall and CPU samples. */
function interleave(n: number, fns: (() => unknown)[]): Samples[] {
  const out = fns.map(() => ({ ms: [] as number[], cpu: [] as number[] }));
  for (const fn of fns) fn(); // warm-up
  for (let i = 0; i < n; i++) {
    fns.forEach((fn, k) => {
      const r = timed(fn);
      out[k].ms.push(r.ms);
      out[k].cpu.push(r.cpu);
    });
  }
  return out;
}

/** fn on the current path and on the previous one (metricsEngine.perMap), alternating call by call. */
function alternate(n: number, fn: () => unknown): { now: Samples; previous: Samples } {
  try {
    const [now, previous] = interleave(n, [() => { metricsEngine.perMap = false; return fn(); }, () => { metricsEngine.perMap = true; return fn(); }]);
    return { now, previous };
  } finally {
    metricsEngine.perMap = false;
  }
}

const med = (s: Samples): Timing => ({ ms: median(s.ms), cpu_ms: median(s.cpu) });

export async function benchMetricsTno(runs = 10, baselineDir?: string): Promise<MetricsBench> {
  const n = Math.max(10, runs);
  const [ir, vis, fused] = await Promise.all([
    stagedFile('Datasets/Test_data_TNO/IR1.bmp'), stagedFile('Datasets/Test_data_TNO/VIS1.bmp'), stagedFile('Test_result/TNO_TCSVT/F1.png'),
  ].map(async (f) => readGrey8(await f)));
  const baselineEntry = baselineDir ? path.resolve(baselineDir, 'lib', 'metrics', 'index.ts') : '';
  if (baselineDir && !existsSync(baselineEntry)) throw new Error(`bench_metrics: --baseline ${baselineDir}: ${baselineEntry} does not exist`);
  const baseline = baselineDir
    ? ((await import(pathToFileURL(path.resolve(baselineDir, 'lib', 'metrics', 'index.ts')).href)) as { computeAll: ComputeAll }).computeAll
    : null;
  const paper = alternate(n, () => computeAll(ir, vis, fused));
  const median_ms = { paper: median(paper.now.ms) } as Record<MetricConvention, number>;
  const cpu_ms = { paper: median(paper.now.cpu) } as Record<MetricConvention, number>;
  const base = baseline ? { dir: path.resolve(baselineDir!), median_ms: {} as Record<MetricConvention, number>, cpu_ms: {} as Record<MetricConvention, number> } : undefined;
  for (const convention of CONVENTIONS) {
    if (convention === 'paper' && !baseline) continue; // timed above, alternating with the previous path
    const fns = [() => computeAll(ir, vis, fused, { convention })];
    if (baseline) fns.push(() => baseline(ir, vis, fused, { convention }));
    const [now, old] = interleave(n, fns);
    median_ms[convention] = median(now.ms);
    cpu_ms[convention] = median(now.cpu);
    if (base && old) {
      base.median_ms[convention] = median(old.ms);
      base.cpu_ms[convention] = median(old.cpu);
    }
  }
  const f64 = (m: MetricImage): MetricImage => ({ width: m.width, height: m.height, data: toFloat64(m) });
  const [I, V, F] = [ir, vis, fused].map(f64);
  const single = (convention: MetricConvention): Record<string, () => unknown> => {
    const o = { convention };
    return {
      EN: () => entropy(F), SD: () => standardDeviation(F, o), SF: () => spatialFrequency(F, o), AG: () => averageGradient(F),
      MI: () => mutualInformation(I, V, F, o), SCD: () => scd(I, V, F), VIF: () => (convention === 'printed' ? viff(I, V, F) : vif(I, V, F)),
      Qabf: () => qabf(I, V, F, o), SSIM: () => ssim(I, V, F), CC: () => correlationCoefficient(I, V, F), 'PSNR/RMSE': () => psnr(I, V, F, o),
      CE: () => crossEntropy(I, V, F, o),
    };
  };
  const m = Math.max(5, Math.ceil(n / 2));
  const per_metric_ms: MetricsBench['per_metric_ms'] = {};
  for (const [name, fn] of Object.entries(single('paper'))) {
    const r = alternate(m, fn);
    per_metric_ms[name] = { now: median(r.now.ms), previous: median(r.previous.ms), now_cpu: median(r.now.cpu), previous_cpu: median(r.previous.cpu) };
  }
  const per_convention_metric_ms = {} as MetricsBench['per_convention_metric_ms'];
  for (const convention of CONVENTIONS) {
    const fns = single(convention);
    const names = Object.keys(fns);
    // the metrics in turn, round by round, so a load change affects all alike
    const samples = interleave(m, names.map((k) => fns[k]));
    per_convention_metric_ms[convention] = Object.fromEntries(names.map((k, i) => [k, med(samples[i])]));
  }
  const prevMs = median(paper.previous.ms);
  const prevCpu = median(paper.previous.cpu);
  return {
    width: fused.width, height: fused.height, runs: n, median_ms, paper_runs_ms: paper.now.ms.map((t) => Math.round(t)),
    paper_cpu_ms: cpu_ms.paper, cpu_ms,
    previous: { median_ms: prevMs, cpu_ms: prevCpu, speedup: prevMs / median_ms.paper, cpu_ratio: prevCpu / cpu_ms.paper },
    per_metric_ms,
    per_convention_metric_ms,
    ...(base ? { baseline: base } : {}),
    loadavg_1min: os.loadavg()[0],
  };
}

/** The tables of one {@link benchMetricsTno} result as text. */
export function metricsBenchText(r: MetricsBench): string {
  const f = (x: number) => x.toFixed(1).padStart(6);
  const lines = [`computeAll, TNO IR1/VIS1/F1 ${r.width}×${r.height}, median of ${r.runs} (ms; wall / CPU of all threads):`];
  for (const c of CONVENTIONS) {
    let line = `  ${c.padEnd(8)} ${f(r.median_ms[c])} / ${f(r.cpu_ms[c])}`;
    if (r.baseline) line += `   baseline ${f(r.baseline.median_ms[c])} / ${f(r.baseline.cpu_ms[c])}   → wall ×${(r.baseline.median_ms[c] / r.median_ms[c]).toFixed(2)}, CPU ×${(r.baseline.cpu_ms[c] / r.cpu_ms[c]).toFixed(2)}`;
    lines.push(line);
  }
  lines.push(`  previous path (perMap, paper, alternating): ${f(r.previous.median_ms)} / ${f(r.previous.cpu_ms)} → ×${r.previous.speedup.toFixed(2)} wall, ×${r.previous.cpu_ratio.toFixed(2)} CPU`);
  const names = Object.keys(r.per_convention_metric_ms.paper);
  lines.push('each metric alone (its own function, float64 inputs), median wall / CPU ms:');
  lines.push(`  ${'metric'.padEnd(10)}${CONVENTIONS.map((c) => c.padStart(17)).join('')}`);
  for (const k of names) lines.push(`  ${k.padEnd(10)}${CONVENTIONS.map((c) => `${f(r.per_convention_metric_ms[c][k].ms)} / ${f(r.per_convention_metric_ms[c][k].cpu_ms)}`.padStart(17)).join('')}`);
  lines.push(`1-min load average ${r.loadavg_1min.toFixed(2)} on ${os.cpus().length} CPUs`);
  return lines.join('\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '10' }, baseline: { type: 'string' }, json: { type: 'boolean', default: false } } });
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) {
    console.error(`bench_metrics: --runs must be a positive integer, got '${values.runs}'`);
    process.exit(2);
  }
  const r = await benchMetricsTno(runs, values.baseline).catch((e: Error) => {
    console.error(e.message);
    process.exit(2);
  });
  console.log(metricsBenchText(r));
  if (values.json) console.log(JSON.stringify(r, null, 2));
}
