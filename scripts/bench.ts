/**
 * `npm run bench [-- --json FILE] [--runs N] [--quick]`: speed and memory on this machine.
 *
 * - fuse() on the TNO 768×576 pair IR1/VIS1 through the public API with the default engine:
 *   median of N runs (default 10) after one warm-up; side by side in the same run, the tfjs 5×5
 *   form and the upstream two-convolution form (3 runs each), so each speed-up is a ratio
 *   measured here;
 * - fuse() time against image size (256² … 2048², random images), and the two tfjs paths on small
 *   sizes, for the log–log figure figures/bench-scaling.png (scripts/bench_plot.ts);
 * - fusing a 4096×4096 and a 10000×10000 pair, each in a fresh process: time and peak RSS (the
 *   ≤ 2 GB bound of issue 14; the 10000² pair is fused in exact tiles, lib/model/tiling.ts);
 * - one training step of the paper's recipe (batch 32 × 128², scripts/bench_train.ts): the default
 *   engine (the native step on CPU backends) and, alternating with it, the tfjs graph with the native
 *   operator (the previous CPU path), with the 1-min load average;
 * - all 13 metrics (computeAll) of one TNO 768×576 triplet, per convention, wall and CPU, with the
 *   previous path alternating in the same run and each metric alone (scripts/bench_metrics.ts);
 * - Bayesian fusion per pair, 768×576 and other sizes (scripts/bench_bayes.ts);
 * - DIDFuse on the same pair: native conv addon per ISA variant, tfjs vs native (scripts/bench_didfuse.ts);
 * - each ported baseline (ADF, TIF, DenseFuse, DeepFuse) on the same pair (scripts/bench_baselines.ts);
 * - peak RSS of this process, the load average before and after (the machine is shared: compare
 *   ratios within one run), and the CPU time of the fuse() runs.
 * Prints a table and writes JSON (default results/bench.json).
 */
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { initBackend } from '../lib/backend/select.js';
import { nativeStatus } from '../lib/kernels/native.js';
import { loadWeights } from '../lib/model/checkpoint.js';
import { fuse, type InferenceOptions } from '../lib/model/auif.js';
import { readGrey, writeFileAtomic, type GreyImage } from '../lib/io/image.js';
import { stagedFile } from '../lib/data/stage.js';
import type { AuifParams } from '../lib/model/params.js';
import { benchMetricsTno } from './bench_metrics.js';
import { benchTrainStepPair } from './bench_train.js';
import { benchBayes } from './bench_bayes.js';
import { benchDidfuse } from './bench_didfuse.js';
import { benchBaselines } from './bench_baselines.js';
import { median } from '../lib/util/stats.js';
import { nativeKernels } from '../lib/kernels/native.js';
import { chooseTile, tileRects } from '../lib/model/tiling.js';
import { plotScaling, type ScalingPoint } from './bench_plot.js';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Child mode: fuse one random side×side pair and print {ms, cpu_ms, peak_rss_mb, tiles} as JSON (peak RSS: the kernel's maxRSS). */
if (process.argv[2] === '--child-big') {
  const side = Number(process.argv[3]);
  await initBackend({ quiet: true });
  const params = await loadWeights();
  const ir = randomImage(side, 1), vis = randomImage(side, 2);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await fuse(ir, vis, params);
  const ms = performance.now() - t0;
  const c = process.cpuUsage(c0);
  const tiles = tileRects(side, side, chooseTile(side, side)).length;
  console.log(JSON.stringify({ ms, cpu_ms: (c.user + c.system) / 1000, peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024), tiles }));
  process.exit(0);
}

const { values } = parseArgs({ options: { json: { type: 'string' }, runs: { type: 'string', default: '10' }, quick: { type: 'boolean', default: false } } });
const runs = Number(values.runs);
const out = values.json ?? 'results/bench.json';

let peakRss = 0;
const sampleRss = () => { peakRss = Math.max(peakRss, process.memoryUsage().rss); };
const timer = setInterval(sampleRss, 50);

async function timeFuse(ir: GreyImage, vis: GreyImage, params: AuifParams, n: number, opts: InferenceOptions = {}): Promise<number[]> {
  await fuse(ir, vis, params, 'sum', opts); // warm-up
  const ts: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fuse(ir, vis, params, 'sum', opts);
    ts.push(performance.now() - t0);
    sampleRss();
  }
  return ts;
}

function randomImage(side: number, seed: number): GreyImage {
  let s = seed >>> 0;
  const data = new Float32Array(side * side);
  for (let i = 0; i < data.length; i++) { s = (s * 1664525 + 1013904223) >>> 0; data[i] = Math.fround((s >>> 24) / 255); }
  return { width: side, height: side, data };
}

const loadBefore = os.loadavg();
const backend = await initBackend();
const native = nativeStatus();
const params = await loadWeights();
const ir = await readGrey(await stagedFile('Datasets/Test_data_TNO/IR1.bmp'));
const vis = await readGrey(await stagedFile('Datasets/Test_data_TNO/VIS1.bmp'));

const cpu0 = process.cpuUsage();
const fast = await timeFuse(ir, vis, params, runs);
const cpu = process.cpuUsage(cpu0);
const fastCpuMs = (cpu.user + cpu.system) / 1000 / (runs + 1);
const tfjs5 = await timeFuse(ir, vis, params, values.quick ? 1 : 3, { operator: 'tfjs' });
const ref = await timeFuse(ir, vis, params, values.quick ? 1 : 3, { operator: 'twoConv' });
const sides = values.quick ? [256, 512] : [256, 512, 1024, 2048];
const sizes: { width: number; height: number; runs: number; median_ms: number }[] = [];
for (const side of sides) {
  const n = side >= 1024 ? 3 : 5;
  const ts = await timeFuse(randomImage(side, 1), randomImage(side, 2), params, n);
  sizes.push({ width: side, height: side, runs: n, median_ms: median(ts) });
}
// the two tfjs paths at small sizes (one run each after a warm-up) for the scaling figure
const refSides = values.quick ? [128] : [128, 256];
const tfjsScaling: { tfjs_5x5: ScalingPoint[]; two_conv: ScalingPoint[] } = { tfjs_5x5: [], two_conv: [] };
for (const side of refSides) {
  const a = randomImage(side, 3), b = randomImage(side, 4);
  tfjsScaling.tfjs_5x5.push({ width: side, height: side, ms: median(await timeFuse(a, b, params, 1, { operator: 'tfjs' })) });
  tfjsScaling.two_conv.push({ width: side, height: side, ms: median(await timeFuse(a, b, params, 1, { operator: 'twoConv' })) });
}
tfjsScaling.tfjs_5x5.push({ width: ir.width, height: ir.height, ms: median(tfjs5) });
tfjsScaling.two_conv.push({ width: ir.width, height: ir.height, ms: median(ref) });
type BigRun = { width: number; height: number; ms: number; cpu_ms: number; peak_rss_mb: number; tiles: number };
function bigRun(side: number): BigRun | null {
  const child = spawnSync(process.execPath, ['--import', 'tsx', path.join(here, 'bench.ts'), '--child-big', String(side)], { encoding: 'utf8', env: { ...process.env, AUIF_QUIET: '1' } });
  if (child.status !== 0) { console.error(`${side}² run failed:\n${child.stderr}`); return null; }
  const r = JSON.parse(child.stdout.trim().split('\n').pop()!) as Omit<BigRun, 'width' | 'height'>;
  return { width: side, height: side, ms: Math.round(r.ms), cpu_ms: Math.round(r.cpu_ms), peak_rss_mb: r.peak_rss_mb, tiles: r.tiles };
}
const bigSide = values.quick ? 2048 : 4096;
const big = bigRun(bigSide);
const huge = values.quick ? null : bigRun(10000);
const loadBeforeTrain = os.loadavg()[0];
const trainPair = await benchTrainStepPair(values.quick ? 2 : 5, values.quick ? 1 : 3);
const train = trainPair.fast;
const metrics = await benchMetricsTno(runs); // issue [M]: all 13 metrics of one TNO 768×576 triplet
const bayes = await benchBayes(values.quick ? 1 : Math.min(runs, 5), values.quick); // Bayesian fusion per pair
const didfuseBench = await benchDidfuse(values.quick ? 1 : 3);
const baselines = await benchBaselines(values.quick ? 1 : 3); // issue 16: the ported baselines, same pair
clearInterval(timer);
sampleRss();

const result = {
  date: new Date().toISOString(),
  backend: backend.name,
  engine: native.available ? `native kernels (${native.threads} threads) + tfjs-${backend.name}` : `tfjs-${backend.name} (native kernels: ${native.reason})`,
  machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version },
  simd: nativeKernels()?.simdInfo?.() ?? null,
  load_average_before: loadBefore.map((v) => Math.round(v * 10) / 10),
  load_average_after: os.loadavg().map((v) => Math.round(v * 10) / 10),
  fuse_768x576_ms: median(fast),
  fuse_768x576_runs_ms: fast.map((t) => Math.round(t)),
  fuse_768x576_cpu_ms: Math.round(fastCpuMs),
  fuse_768x576_ms_tfjs_5x5: median(tfjs5),
  fuse_768x576_ms_two_conv_reference: median(ref),
  speedup_vs_tfjs_5x5: median(tfjs5) / median(fast),
  speedup_vs_two_conv: median(ref) / median(fast),
  train_step_s: train.median_s,
  train_step: train,
  train_step_s_graph: trainPair.graph.median_s, // the tfjs graph with the native operator (the previous CPU path), same run
  train_step_speedup_vs_graph: trainPair.speedup,
  train_step_graph: trainPair.graph,
  loadavg_1min: { before_train: loadBeforeTrain, end: os.loadavg()[0] },
  sizes,
  big,
  '10000x10000': huge,
  scaling: {
    fuse: [...sizes.filter((s) => s.width < 768).map((s) => ({ width: s.width, height: s.height, ms: s.median_ms })), { width: ir.width, height: ir.height, ms: median(fast) },
      ...sizes.filter((s) => s.width >= 768).map((s) => ({ width: s.width, height: s.height, ms: s.median_ms })), ...[big, huge].filter((b): b is BigRun => b !== null)],
    ...tfjsScaling,
  },
  metrics_768x576_ms: metrics.median_ms.paper,
  metrics_768x576_ms_previous: metrics.previous.median_ms, // the previous path (one native call per map, no shared sums), alternating in this run
  metrics_speedup_vs_previous: metrics.previous.speedup,
  metrics_768x576: metrics,
  bayes_768x576_ms: bayes.median_ms,
  bayes,
  didfuse_768x576_ms: didfuseBench.median_ms,
  didfuse: didfuseBench,
  baselines_768x576: baselines,
  peak_rss_mb: Math.round(peakRss / 2 ** 20),
};
console.log(`backend ${result.backend}; engine ${result.engine}
load average ${result.load_average_before.join(' ')} → ${result.load_average_after.join(' ')} on ${os.cpus().length} cores; hot loops ${result.simd}
fuse() TNO 768×576, median of ${runs}:        ${result.fuse_768x576_ms.toFixed(0)} ms   (runs: ${result.fuse_768x576_runs_ms.join(', ')}; CPU ${result.fuse_768x576_cpu_ms} ms per call)
  tfjs 5×5 form, median of ${tfjs5.length}:             ${result.fuse_768x576_ms_tfjs_5x5.toFixed(0)} ms   → speed-up ×${result.speedup_vs_tfjs_5x5.toFixed(1)}
  upstream two-conv form, median of ${ref.length}:    ${result.fuse_768x576_ms_two_conv_reference.toFixed(0)} ms   → speed-up ×${result.speedup_vs_two_conv.toFixed(1)}
fuse() vs size:
${sizes.map((s) => `  ${`${s.width}×${s.height}`.padEnd(10)} ${s.median_ms.toFixed(0).padStart(7)} ms  (median of ${s.runs})`).join('\n')}
${[big, huge].filter((b): b is BigRun => b !== null).map((b) => `  ${`${b.width}×${b.height}`.padEnd(10)} ${String(b.ms).padStart(7)} ms  (one run, fresh process, ${b.tiles} tile(s): peak RSS ${b.peak_rss_mb} MB, CPU ${b.cpu_ms} ms)`).join('\n')}
train step (batch ${train.batch} × ${train.crop}², forward + backward + Adam), median of ${train.runs}: ${train.median_s.toFixed(2)} s  (runs: ${train.runs_s.join(', ')}; tensors ${train.tensors_before} → ${train.tensors_after})
  tfjs graph + native operator, median of ${trainPair.graph.runs} (alternating): ${trainPair.graph.median_s.toFixed(2)} s  → speed-up ×${trainPair.speedup.toFixed(1)}  (1-min load average ${loadBeforeTrain.toFixed(1)} before, ${os.loadavg()[0].toFixed(1)} after, ${os.cpus().length} CPUs)
metrics (all 13, TNO IR1/VIS1/F1 768×576), median of ${metrics.runs}: ${metrics.median_ms.paper.toFixed(0)} ms paper (CPU ${metrics.paper_cpu_ms.toFixed(0)} ms), ${metrics.median_ms.printed.toFixed(0)} ms printed, ${metrics.median_ms.vifb.toFixed(0)} ms vifb; previous path (alternating) ${metrics.previous.median_ms.toFixed(0)} ms (CPU ${metrics.previous.cpu_ms.toFixed(0)} ms) → ×${metrics.previous.speedup.toFixed(1)} (CPU ×${metrics.previous.cpu_ratio.toFixed(1)}; load ${metrics.loadavg_1min.toFixed(1)})
BF (Bayesian fusion) TNO 768×576, median of ${bayes.runs}: ${bayes.median_ms.toFixed(0)} ms wall, ${bayes.median_cpu_ms.toFixed(0)} ms CPU (one thread; load ${bayes.loadavg_1min.toFixed(1)}); ${bayes.sizes.map((z) => `${z.width}×${z.height} ${z.median_ms.toFixed(0)} ms`).join(', ')}
DIDFuse fuse() TNO 768×576 (${didfuseBench.isa}, ${didfuseBench.threads} threads), median of ${didfuseBench.runs}: ${didfuseBench.median_ms.toFixed(0)} ms, ${didfuseBench.median_cpu_s.toFixed(1)} CPU-s; per variant ${Object.entries(didfuseBench.isa_ms).map(([k, v]) => `${k} ${v} ms`).join(', ')}; 192×144 crop: tfjs ${didfuseBench.crop.tfjs_ms.toFixed(0)} ms vs native ${didfuseBench.crop.native_ms.toFixed(0)} ms → ×${didfuseBench.crop.speedup.toFixed(1)}
baselines (TNO IR1/VIS1 768×576): ${baselines.map((b) => `${b.method} ${b.median_ms.toFixed(0)} ms${b.tfjs_median_ms ? ` (tfjs ${b.tfjs_median_ms.toFixed(0)})` : ''}${b.ts_median_ms ? ` (TypeScript ADMM ${b.ts_median_ms.toFixed(0)})` : ''}`).join(', ')}
peak RSS ${result.peak_rss_mb} MB
→ ${out}`);
await fs.promises.mkdir(path.dirname(path.resolve(out)), { recursive: true });
await writeFileAtomic(out, Buffer.from(JSON.stringify(result, null, 2) + '\n'));
try {
  const fig = await plotScaling([
    { name: 'fuse() — native kernels', points: result.scaling.fuse },
    { name: 'tfjs 5×5 form', points: result.scaling.tfjs_5x5 },
    { name: 'tfjs upstream two-conv form', points: result.scaling.two_conv },
  ], values.quick ? 'figures/quick/bench-scaling' : 'figures/bench-scaling');
  console.log(`→ ${fig.png}`);
} catch (e) {
  console.error(`scaling figure not written: ${(e as Error).message.split('\n')[0]}`);
}
