/**
 * Weight initialisation of a fresh AUIF, as the upstream modules initialise themselves
 * (`AUIFNet.py`; PyTorch defaults where the code does not say):
 *
 * | tensor | upstream | distribution |
 * |---|---|---|
 * | Kₖ (C×1×3×3) | `nn.Parameter(torch.randn(64, 1, 3, 3))` | N(0, 1) |
 * | ηₖ | `nn.init.normal_(…, mean=0.1, std=0.03)` | N(0.1, 0.03²) |
 * | θₖ | `nn.init.normal_(…, mean=1e-3, std=1e-4)` | N(1e-3, (1e-4)²) |
 * | BN γ, β, running μ, σ², count | `nn.BatchNorm2d(1)` | 1, 0, 0, 1, 0 |
 * | PReLU slope | `nn.PReLU()` | 0.25 |
 * | decoder W (1×1×3×3) | `nn.Conv2d(1, 1, 3, bias=False)`: `kaiming_uniform_(a=√5)` | U(−b, b), b = gain·√(3/fan_in) = √(1/3)·√(3/9) = 1/3 |
 *
 * Draw order: the base encoder's layers (K, η, θ of each), then the detail encoder's, then W —
 * the order in which upstream constructs the modules. PyTorch's generators are not reproduced
 * (upstream also draws η, θ on the GPU's Philox stream and K on the CPU's mt19937), so a seed
 * here gives a different sample from the same distributions; see {@link Rng}.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { AuifParams, BatchNormParams, EncoderKind, EncoderParams } from '../model/params.js';
import type { Rng } from './rng.js';

/** Upstream depth (layers per encoder) and filters per layer. */
export const DEFAULT_LAYERS = 10;
export const DEFAULT_CHANNELS = 64;
/** PReLU's default slope. */
export const PRELU_INIT = 0.25;

/** Distributions of the unrolled-layer parameters. */
export const INIT = {
  K: { mean: 0, std: 1 },
  eta: { mean: 0.1, std: 0.03 },
  theta: { mean: 1e-3, std: 1e-4 },
} as const;

/** Bound of PyTorch's default Conv2d weight init, kaiming_uniform_(a=√5): b = √(2/(1+a²))·√(3/fan_in) = 1/√fan_in. */
export function convInitBound(fanIn: number): number {
  const gain = Math.sqrt(2 / (1 + 5));
  return gain * Math.sqrt(3 / fanIn);
}

/** A fresh BatchNorm2d(1): γ = 1, β = 0, running mean 0, running variance 1, no batch seen. */
export function freshBatchNorm(): BatchNormParams {
  return { gamma: tf.tensor1d([1]), beta: tf.tensor1d([0]), runningMean: tf.tensor1d([0]), runningVar: tf.tensor1d([1]), numBatchesTracked: 0n };
}

function normals(rng: Rng, n: number, mean: number, std: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.normal(mean, std);
  return out;
}

function freshEncoder(rng: Rng, kind: EncoderKind, layers: number, channels: number): EncoderParams {
  return {
    kind,
    layers: Array.from({ length: layers }, () => {
      const K = tf.tensor4d(normals(rng, channels * 9, INIT.K.mean, INIT.K.std), [channels, 1, 3, 3]);
      const eta = tf.tensor1d(normals(rng, 1, INIT.eta.mean, INIT.eta.std));
      const theta = tf.tensor1d(normals(rng, 1, INIT.theta.mean, INIT.theta.std));
      return { K, eta, theta, bn: freshBatchNorm(), alpha: tf.tensor1d([PRELU_INIT]) };
    }),
  };
}

/**
 * A freshly initialised AUIF of `layers` layers per encoder and `channels` filters per layer,
 * drawn from `rng` (see the module comment for the distributions).
 */
export function initParams(rng: Rng, opts: { layers?: number; channels?: number } = {}): AuifParams {
  const layers = opts.layers ?? DEFAULT_LAYERS;
  const channels = opts.channels ?? DEFAULT_CHANNELS;
  if (!Number.isInteger(layers) || layers < 1) throw new RangeError(`initParams: layers must be an integer ≥ 1, got ${layers}`);
  if (!Number.isInteger(channels) || channels < 1) throw new RangeError(`initParams: channels must be an integer ≥ 1, got ${channels}`);
  const base = freshEncoder(rng, 'base', layers, channels);
  const detail = freshEncoder(rng, 'detail', layers, channels);
  const b = convInitBound(9);
  const w = new Float32Array(9);
  for (let i = 0; i < 9; i++) w[i] = -b + 2 * b * rng.uniform();
  return { base, detail, decoder: { W: tf.tensor4d(w, [1, 1, 3, 3]), bn: freshBatchNorm() } };
}
