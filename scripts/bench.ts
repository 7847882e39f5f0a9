/**
 * `npm run bench [-- --json FILE] [--runs N] [--quick]`: speed and memory on this machine.
 *
 * - fuse() on the TNO 768×576 pair IR1/VIS1 through the public API with the default engine:
 *   median of N runs (default 10) after one warm-up; side by side in the same run, the tfjs 5×5
 *   form and the upstream two-convolution form (3 runs each), so each speed-up is a ratio
 *   measured here;
 * - fuse() time against image size (256² … 2048², random images);
 * - fusing a 4096×4096 pair in a fresh process: time and peak RSS (the ≤ 2 GB bound of [P]);
 * - one training step of the paper's recipe (batch 32 × 128², scripts/bench_train.ts): the default
 *   engine (the native step on CPU backends) and, alternating with it, the tfjs graph with the native
 *   operator (the previous CPU path), with the 1-min load average;
 * - all 13 metrics (computeAll) of one TNO 768×576 triplet, per convention (scripts/bench_metrics.ts);
 * - peak RSS of this process.
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
import { median } from '../lib/util/stats.js';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Child mode: fuse one random side×side pair and print {ms, peak_rss_mb} as JSON. */
if (process.argv[2] === '--child-big') {
  const side = Number(process.argv[3]);
  await initBackend({ quiet: true });
  const params = await loadWeights();
  const ir = randomImage(side, 1), vis = randomImage(side, 2);
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 20);
  const t0 = performance.now();
  await fuse(ir, vis, params);
  const ms = performance.now() - t0;
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage().rss);
  console.log(JSON.stringify({ ms, peak_rss_mb: Math.round(peak / 2 ** 20) }));
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

const backend = await initBackend();
const native = nativeStatus();
const params = await loadWeights();
const ir = await readGrey(await stagedFile('Datasets/Test_data_TNO/IR1.bmp'));
const vis = await readGrey(await stagedFile('Datasets/Test_data_TNO/VIS1.bmp'));

const fast = await timeFuse(ir, vis, params, runs);
const tfjs5 = await timeFuse(ir, vis, params, values.quick ? 1 : 3, { operator: 'tfjs' });
const ref = await timeFuse(ir, vis, params, values.quick ? 1 : 3, { operator: 'twoConv' });
const sides = values.quick ? [256, 512] : [256, 512, 1024, 2048];
const sizes: { width: number; height: number; runs: number; median_ms: number }[] = [];
for (const side of sides) {
  const n = side >= 1024 ? 3 : 5;
  const ts = await timeFuse(randomImage(side, 1), randomImage(side, 2), params, n);
  sizes.push({ width: side, height: side, runs: n, median_ms: median(ts) });
}
const bigSide = values.quick ? 2048 : 4096;
const child = spawnSync(process.execPath, ['--import', 'tsx', path.join(here, 'bench.ts'), '--child-big', String(bigSide)], { encoding: 'utf8', env: { ...process.env, AUIF_QUIET: '1' } });
const big = child.status === 0 ? JSON.parse(child.stdout.trim().split('\n').pop()!) as { ms: number; peak_rss_mb: number } : null;
if (!big) console.error(`4096² run failed:\n${child.stderr}`);
const loadBeforeTrain = os.loadavg()[0];
const trainPair = await benchTrainStepPair(values.quick ? 2 : 5, values.quick ? 1 : 3);
const train = trainPair.fast;
const metrics = await benchMetricsTno(runs); // issue [M]: all 13 metrics of one TNO 768×576 triplet
clearInterval(timer);
sampleRss();

const result = {
  date: new Date().toISOString(),
  backend: backend.name,
  engine: native.available ? `native kernels (${native.threads} threads) + tfjs-${backend.name}` : `tfjs-${backend.name} (native kernels: ${native.reason})`,
  machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version },
  fuse_768x576_ms: median(fast),
  fuse_768x576_runs_ms: fast.map((t) => Math.round(t)),
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
  big: big ? { width: bigSide, height: bigSide, ms: Math.round(big.ms), peak_rss_mb: big.peak_rss_mb } : null,
  metrics_768x576_ms: metrics.median_ms.paper,
  metrics_768x576: metrics,
  peak_rss_mb: Math.round(peakRss / 2 ** 20),
};
console.log(`backend ${result.backend}; engine ${result.engine}
fuse() TNO 768×576, median of ${runs}:        ${result.fuse_768x576_ms.toFixed(0)} ms   (runs: ${result.fuse_768x576_runs_ms.join(', ')})
  tfjs 5×5 form, median of ${tfjs5.length}:             ${result.fuse_768x576_ms_tfjs_5x5.toFixed(0)} ms   → speed-up ×${result.speedup_vs_tfjs_5x5.toFixed(1)}
  upstream two-conv form, median of ${ref.length}:    ${result.fuse_768x576_ms_two_conv_reference.toFixed(0)} ms   → speed-up ×${result.speedup_vs_two_conv.toFixed(1)}
fuse() vs size:
${sizes.map((s) => `  ${`${s.width}×${s.height}`.padEnd(10)} ${s.median_ms.toFixed(0).padStart(7)} ms  (median of ${s.runs})`).join('\n')}
${big ? `  ${`${bigSide}×${bigSide}`.padEnd(10)} ${String(result.big!.ms).padStart(7)} ms  (one run, fresh process: peak RSS ${big.peak_rss_mb} MB)` : `  ${bigSide}² failed`}
train step (batch ${train.batch} × ${train.crop}², forward + backward + Adam), median of ${train.runs}: ${train.median_s.toFixed(2)} s  (runs: ${train.runs_s.join(', ')}; tensors ${train.tensors_before} → ${train.tensors_after})
  tfjs graph + native operator, median of ${trainPair.graph.runs} (alternating): ${trainPair.graph.median_s.toFixed(2)} s  → speed-up ×${trainPair.speedup.toFixed(1)}  (1-min load average ${loadBeforeTrain.toFixed(1)} before, ${os.loadavg()[0].toFixed(1)} after, ${os.cpus().length} CPUs)
metrics (all 13, TNO IR1/VIS1/F1 768×576), median of ${metrics.runs}: ${metrics.median_ms.paper.toFixed(0)} ms paper, ${metrics.median_ms.printed.toFixed(0)} ms printed, ${metrics.median_ms.vifb.toFixed(0)} ms vifb
peak RSS ${result.peak_rss_mb} MB
→ ${out}`);
await fs.promises.mkdir(path.dirname(path.resolve(out)), { recursive: true });
await writeFileAtomic(out, Buffer.from(JSON.stringify(result, null, 2) + '\n'));
