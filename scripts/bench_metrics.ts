/**
 * The metrics section of `npm run bench`: all 13 metrics (`computeAll`, lib/metrics) of one real
 * TNO 768×576 triplet — IR1, VIS1 and the authors' fused F1.png — timed after one warm-up call;
 * median of `runs` (≥ 10) per convention. Issue [M]'s budget is 300 ms (`paper`).
 * Alone: `node --import tsx -e "import('./scripts/bench_metrics.ts').then(async (m) => console.log(await m.benchMetricsTno()))"`.
 */
import { readGrey8 } from '../lib/io/image.js';
import { stagedFile } from '../lib/data/stage.js';
import { computeAll, type MetricConvention } from '../lib/metrics/index.js';
import { median } from '../lib/util/stats.js';

export interface MetricsBench {
  width: number;
  height: number;
  runs: number;
  /** Median ms per convention, and each run (rounded, in run order) for `paper`. */
  median_ms: Record<MetricConvention, number>;
  paper_runs_ms: number[];
}

export async function benchMetricsTno(runs = 10): Promise<MetricsBench> {
  const n = Math.max(10, runs);
  const [ir, vis, fused] = await Promise.all([
    stagedFile('Datasets/Test_data_TNO/IR1.bmp'), stagedFile('Datasets/Test_data_TNO/VIS1.bmp'), stagedFile('Test_result/TNO_TCSVT/F1.png'),
  ].map(async (f) => readGrey8(await f)));
  const median_ms = {} as Record<MetricConvention, number>;
  let paperRuns: number[] = [];
  for (const convention of ['paper', 'printed', 'vifb'] as const) {
    computeAll(ir, vis, fused, { convention }); // warm-up
    const ts: number[] = [];
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      computeAll(ir, vis, fused, { convention });
      ts.push(performance.now() - t0);
    }
    median_ms[convention] = median(ts);
    if (convention === 'paper') paperRuns = ts.map((t) => Math.round(t));
  }
  return { width: fused.width, height: fused.height, runs: n, median_ms, paper_runs_ms: paperRuns };
}
