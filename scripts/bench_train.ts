/**
 * Training-step timing for `npm run bench` (issues [P], [T], 14): one full step of the paper's
 * recipe — batch 32 of 128×128 crops, train-mode forward, L = MSE + 5·SSIM-loss, backward, Adam
 * with the three parameter groups — on random data from the upstream initialisation; median of
 * `runs` steps after one warm-up step. The default engine is the library's (on CPU backends with
 * the addon built: the native step, lib/train/native_step.ts); {@link benchTrainStepPair} also
 * times the tfjs graph with the native operator (the previous CPU path and the GPU backends'
 * formulation), alternating the two step by step so that both see the same machine load.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { GradientEngine } from '../lib/train/gradients.js';
import { optimizationStep } from '../lib/train/step.js';
import { initParams } from '../lib/train/init.js';
import { Rng } from '../lib/train/rng.js';
import { Adam } from '../lib/train/adam.js';
import { stateDictFromParams, disposeParams } from '../lib/model/params.js';
import type { OperatorImpl } from '../lib/unrolling/operator.js';
import { median } from '../lib/util/stats.js';

export interface TrainStepBench { batch: number; crop: number; runs: number; median_s: number; runs_s: number[]; tensors_before: number; tensors_after: number; engine?: GradientEngine }

interface StepOpts { batch?: number; crop?: number; operator?: OperatorImpl; engine?: GradientEngine }

/** A training run of its own (weights, Adam state, one fixed batch) through `optimizationStep`, as `train()` runs it; `step()` returns seconds. */
function stepper(opts: StepOpts) {
  const batch = opts.batch ?? 32, crop = opts.crop ?? 128;
  const params = initParams(new Rng(1));
  const weights = stateDictFromParams(params);
  disposeParams(params);
  const I = tf.randomUniform([batch, crop, crop, 1], 0, 1, 'float32', 1) as tf.Tensor4D;
  const adam = new Adam();
  const lr = { base: 1e-2, detail: 1e-3, decoder: 1e-2 };
  return {
    batch, crop,
    step(): number {
      const t0 = performance.now();
      optimizationStep(weights, adam, I, lr, { mu: 5, operator: opts.operator, engine: opts.engine });
      return (performance.now() - t0) / 1000;
    },
    dispose() { I.dispose(); },
  };
}

function summary(s: { batch: number; crop: number }, ts: number[], before: number, after: number, engine?: GradientEngine): TrainStepBench {
  return { batch: s.batch, crop: s.crop, runs: ts.length, median_s: median(ts), runs_s: ts.map((t) => Math.round(t * 1000) / 1000), tensors_before: before, tensors_after: after, ...(engine ? { engine } : {}) };
}

export async function benchTrainStep(runs = 5, opts: StepOpts = {}): Promise<TrainStepBench> {
  const s = stepper(opts);
  s.step(); // warm-up
  const before = tf.memory().numTensors;
  const ts: number[] = [];
  for (let i = 0; i < runs; i++) ts.push(s.step());
  const after = tf.memory().numTensors;
  s.dispose();
  return summary(s, ts, before, after, opts.engine);
}

/**
 * The default step and the tfjs-graph step (native operator) in the same run, alternating:
 * `graphRuns` graph steps interleaved with the first of `runs` default steps.
 */
export async function benchTrainStepPair(runs = 5, graphRuns = 3, opts: Omit<StepOpts, 'engine'> = {}): Promise<{ fast: TrainStepBench; graph: TrainStepBench; speedup: number }> {
  const a = stepper(opts);
  const b = stepper({ ...opts, engine: 'graph', operator: opts.operator ?? 'native' });
  a.step(); b.step(); // warm-up
  const before = tf.memory().numTensors;
  const ta: number[] = [], tb: number[] = [];
  for (let i = 0; i < Math.max(runs, graphRuns); i++) {
    if (i < runs) ta.push(a.step());
    if (i < graphRuns) tb.push(b.step());
  }
  const after = tf.memory().numTensors;
  a.dispose(); b.dispose();
  const fast = summary(a, ta, before, after), graph = summary(b, tb, before, after, 'graph');
  return { fast, graph, speedup: graph.median_s / fast.median_s };
}
