/**
 * Training-step timing for `npm run bench` (issues [P], [T]): one full step of the paper's recipe
 * — batch 32 of 128×128 crops, train-mode forward, L = MSE + 5·SSIM-loss, backward, Adam with
 * the three parameter groups — on random data from the upstream initialisation; median of
 * `runs` steps after one warm-up step. The operator formulation is the library's default.
 */
import * as tf from '@tensorflow/tfjs-core';
import { lossAndGradients, type GradientEngine } from '../lib/train/gradients.js';
import { initParams } from '../lib/train/init.js';
import { Rng } from '../lib/train/rng.js';
import { Adam } from '../lib/train/adam.js';
import { groupOf } from '../lib/train/parameters.js';
import { paramsFromStateDict, stateDictFromParams, disposeParams, type AuifParams } from '../lib/model/params.js';
import type { OperatorImpl } from '../lib/unrolling/operator.js';
import { median } from '../lib/util/stats.js';

export interface TrainStepBench { batch: number; crop: number; runs: number; median_s: number; runs_s: number[]; tensors_before: number; tensors_after: number }

export async function benchTrainStep(runs = 5, opts: { batch?: number; crop?: number; operator?: OperatorImpl; engine?: GradientEngine } = {}): Promise<TrainStepBench> {
  const batch = opts.batch ?? 32, crop = opts.crop ?? 128;
  let params: AuifParams = initParams(new Rng(1));
  const I = tf.randomUniform([batch, crop, crop, 1], 0, 1, 'float32', 1) as tf.Tensor4D;
  const adam = new Adam();
  const lr = { base: 1e-2, detail: 1e-3, decoder: 1e-2 };
  const step = () => {
    const r = lossAndGradients(I, params, { operator: opts.operator, engine: opts.engine });
    const sd = stateDictFromParams(params);
    const values = new Map([...sd].map(([k, t]) => [k, t.data as Float32Array]));
    const next = adam.step(values, r.grads, (k) => lr[groupOf(k)]);
    for (const [k, v] of [...next, ...r.buffers]) sd.set(k, { ...sd.get(k)!, data: v });
    disposeParams(params);
    params = paramsFromStateDict(sd);
  };
  step(); // warm-up
  const before = tf.memory().numTensors;
  const ts: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    step();
    ts.push((performance.now() - t0) / 1000);
  }
  const after = tf.memory().numTensors;
  disposeParams(params);
  I.dispose();
  return { batch, crop, runs, median_s: median(ts), runs_s: ts.map((t) => Math.round(t * 1000) / 1000), tensors_before: before, tensors_after: after };
}
