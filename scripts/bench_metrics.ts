/**
 * The metrics section of `npm run bench`: all 13 metrics (`computeAll`, lib/metrics) of one real
 * TNO 768×576 triplet — IR1, VIS1 and the authors' fused F1.png — timed after one warm-up call;
 * median of `runs` (≥ 10) per convention, wall and CPU time (process.cpuUsage: all threads). The
 * previous path (metricsEngine.perMap: one native call per filtered map, each metric's own function,
 * no shared sums) is timed in the same run, alternating call by call with the current one, so the
 * ratio is measured under the same load; so is each metric alone (its own function, float64 inputs).
 * Issue 14's budget: 60 ms (`paper`).
 * Alone: `node --import tsx -e "import('./scripts/bench_metrics.ts').then(async (m) => console.log(await m.benchMetricsTno()))"`.
 */
import { readGrey8 } from '../lib/io/image.js';
import { stagedFile } from '../lib/data/stage.js';
import {
  averageGradient, computeAll, correlationCoefficient, crossEntropy, entropy, metricsEngine, mutualInformation, psnr, qabf, scd, ssim,
  standardDeviation, spatialFrequency, toFloat64, vif, type MetricConvention, type MetricImage,
} from '../lib/metrics/index.js';
import { median } from '../lib/util/stats.js';

export interface MetricsBench {
  width: number;
  height: number;
  runs: number;
  /** Median ms per convention, and each run (rounded, in run order) for `paper`. */
  median_ms: Record<MetricConvention, number>;
  paper_runs_ms: number[];
  /** Median CPU ms per call (all threads), `paper`. */
  paper_cpu_ms: number;
  /** The previous path, alternating with the current one in this run (`paper`): wall and CPU medians, and the ratios. */
  previous: { median_ms: number; cpu_ms: number; speedup: number; cpu_ratio: number };
  /** Each metric alone (its own function, float64 inputs): median wall and CPU ms now and on the previous path, same run. */
  per_metric_ms: Record<string, { now: number; previous: number; now_cpu: number; previous_cpu: number }>;
  loadavg_1min: number;
}

/** Wall and CPU time of one call of fn. */
function timed(fn: () => unknown): { ms: number; cpu: number } {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  fn();
  const ms = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { ms, cpu: (c.user + c.system) / 1000 };
}

/** Runs `n` alternating calls of a (current path) and b (previous path, metricsEngine.perMap). */
function alternate(n: number, fn: () => unknown): { now: { ms: number[]; cpu: number[] }; previous: { ms: number[]; cpu: number[] } } {
  const now = { ms: [] as number[], cpu: [] as number[] };
  const previous = { ms: [] as number[], cpu: [] as number[] };
  try {
    for (const perMap of [false, true]) { metricsEngine.perMap = perMap; fn(); } // warm-up
    for (let i = 0; i < n; i++) {
      for (const perMap of [false, true]) {
        metricsEngine.perMap = perMap;
        const r = timed(fn);
        const into = perMap ? previous : now;
        into.ms.push(r.ms);
        into.cpu.push(r.cpu);
      }
    }
  } finally {
    metricsEngine.perMap = false;
  }
  return { now, previous };
}

export async function benchMetricsTno(runs = 10): Promise<MetricsBench> {
  const n = Math.max(10, runs);
  const [ir, vis, fused] = await Promise.all([
    stagedFile('Datasets/Test_data_TNO/IR1.bmp'), stagedFile('Datasets/Test_data_TNO/VIS1.bmp'), stagedFile('Test_result/TNO_TCSVT/F1.png'),
  ].map(async (f) => readGrey8(await f)));
  const paper = alternate(n, () => computeAll(ir, vis, fused));
  const median_ms = { paper: median(paper.now.ms) } as Record<MetricConvention, number>;
  for (const convention of ['printed', 'vifb'] as const) {
    computeAll(ir, vis, fused, { convention }); // warm-up
    const ts: number[] = [];
    for (let i = 0; i < n; i++) ts.push(timed(() => computeAll(ir, vis, fused, { convention })).ms);
    median_ms[convention] = median(ts);
  }
  const f64 = (m: MetricImage): MetricImage => ({ width: m.width, height: m.height, data: toFloat64(m) });
  const [I, V, F] = [ir, vis, fused].map(f64);
  const single: Record<string, () => unknown> = {
    EN: () => entropy(F), SD: () => standardDeviation(F), SF: () => spatialFrequency(F), AG: () => averageGradient(F),
    MI: () => mutualInformation(I, V, F), SCD: () => scd(I, V, F), VIF: () => vif(I, V, F), Qabf: () => qabf(I, V, F),
    SSIM: () => ssim(I, V, F), CC: () => correlationCoefficient(I, V, F), 'PSNR/RMSE': () => psnr(I, V, F), CE: () => crossEntropy(I, V, F),
  };
  const per_metric_ms: MetricsBench['per_metric_ms'] = {};
  for (const [name, fn] of Object.entries(single)) {
    const r = alternate(Math.max(5, Math.ceil(n / 2)), fn);
    per_metric_ms[name] = { now: median(r.now.ms), previous: median(r.previous.ms), now_cpu: median(r.now.cpu), previous_cpu: median(r.previous.cpu) };
  }
  const prevMs = median(paper.previous.ms);
  const prevCpu = median(paper.previous.cpu);
  const cpu = median(paper.now.cpu);
  return {
    width: fused.width, height: fused.height, runs: n, median_ms, paper_runs_ms: paper.now.ms.map((t) => Math.round(t)),
    paper_cpu_ms: cpu,
    previous: { median_ms: prevMs, cpu_ms: prevCpu, speedup: prevMs / median_ms.paper, cpu_ratio: prevCpu / cpu },
    per_metric_ms,
    loadavg_1min: (await import('node:os')).loadavg()[0],
  };
}
