/**
 * Building blocks of the two learned baselines (DenseFuse, DeepFuse) on tfjs: a 3×3/k×k
 * convolution with reflection or zero padding, weight-layout conversion, and the authors'
 * output writers. Tensors are NHWC, kernels HWIO (TensorFlow's layout).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { NamedTensor } from '../io/tensor_record.js';
import { CheckpointError } from '../io/tensor_record.js';
import { NATIVE_BACKENDS } from '../kernels/native.js';
import { loadAddon } from '../kernels/addon.js';

/** `native/baseline_kernels.cc`: one threaded float32 convolution layer (NHWC, HWIO). */
interface BaselineKernels {
  conv2d(x: Float32Array, N: number, H: number, W: number, Cin: number, w: Float32Array, K: number, Cout: number,
    bias: Float32Array | null, pad: 0 | 1, act: 0 | 1 | 2, y: Float32Array): void;
}
/** The baselines' native addon (build/Release/baseline_kernels.node), or null with the reason. */
export function baselineKernels(): { k: BaselineKernels | null; reason: string } {
  return loadAddon<BaselineKernels>('baseline_kernels');
}

/** Whether {@link conv} runs natively now (addon built, a CPU tfjs backend active). */
export function convIsNative(): boolean {
  if (process.env.AUIF_BASELINE_NATIVE === '0') return false; // per call: lets the bench time the fallback in one run
  return baselineKernels().k !== null && NATIVE_BACKENDS.includes(tf.getBackend());
}

/** One convolution layer: kernel HWIO (kh × kw × in × out), optional bias. */
export interface ConvLayer { W: tf.Tensor4D; b?: tf.Tensor1D }

/** y = act(W ⋆ pad(x) + b): stride 1, 'same' size, padding `reflect` (mirror without the edge) or `zero`. */
export function conv(x: tf.Tensor4D, l: ConvLayer, pad: 'reflect' | 'zero', act: 'relu' | 'leaky' | 'none'): tf.Tensor4D {
  if (convIsNative()) {
    const [N, H, W, Cin] = x.shape;
    const [K, , , Cout] = l.W.shape;
    const y = new Float32Array(N * H * W * Cout);
    baselineKernels().k!.conv2d(x.dataSync() as Float32Array, N, H, W, Cin, l.W.dataSync() as Float32Array, K, Cout,
      l.b ? (l.b.dataSync() as Float32Array) : null, pad === 'reflect' ? 1 : 0, act === 'relu' ? 1 : act === 'leaky' ? 2 : 0, y);
    return tf.tensor4d(y, [N, H, W, Cout]);
  }
  return tf.tidy(() => {
    const [kh, kw] = l.W.shape;
    const p: [number, number][] = [[0, 0], [kh >> 1, kh >> 1], [kw >> 1, kw >> 1], [0, 0]];
    const xp = pad === 'reflect' ? tf.mirrorPad(x, p, 'reflect') : tf.pad(x, p);
    let y = tf.conv2d(xp, l.W, 1, 'valid');
    if (l.b) y = tf.add(y, l.b);
    if (act === 'relu') y = tf.relu(y);
    else if (act === 'leaky') y = tf.leakyRelu(y, 0.01);
    return y as tf.Tensor4D;
  });
}

function f32(t: NamedTensor, key: string, file?: string): Float32Array {
  if (t.dtype !== 'float32') throw new CheckpointError(`expected float32, got ${t.dtype}`, file, key);
  return t.data as Float32Array;
}

/** A TF kernel (HWIO, as stored) as a tensor; checks the expected shape. */
export function hwioKernel(t: NamedTensor | undefined, key: string, shape: number[], file?: string): tf.Tensor4D {
  if (!t) throw new CheckpointError('missing from the checkpoint', file, key);
  if (t.shape.join() !== shape.join()) throw new CheckpointError(`shape [${t.shape}], expected [${shape}]`, file, key);
  return tf.tensor4d(f32(t, key, file), shape as [number, number, number, number]);
}

/**
 * A PyTorch kernel (OIHW) as HWIO: W_hwio[h][w][i][o] = W_oihw[o][i][h][w]; `flip` rotates it by
 * 180° first (a true convolution's kernel, e.g. Lasagne's `flip_filters=True`, as a
 * cross-correlation's: W[:, :, ::-1, ::-1]).
 */
export function oihwKernel(t: NamedTensor | undefined, key: string, shape: number[], file?: string, flip = false): tf.Tensor4D {
  if (!t) throw new CheckpointError('missing from the weights', file, key);
  if (t.shape.join() !== shape.join()) throw new CheckpointError(`shape [${t.shape}], expected [${shape}]`, file, key);
  const [O, I, H, W] = shape;
  const src = f32(t, key, file);
  const out = new Float32Array(src.length);
  for (let o = 0; o < O; o++) for (let i = 0; i < I; i++) for (let h = 0; h < H; h++) for (let w = 0; w < W; w++) {
    const hh = flip ? H - 1 - h : h, ww = flip ? W - 1 - w : w;
    out[((h * W + w) * I + i) * O + o] = src[((o * I + i) * H + hh) * W + ww];
  }
  return tf.tensor4d(out, [H, W, I, O]);
}

/** A bias vector; checks its length. */
export function biasVector(t: NamedTensor | undefined, key: string, n: number, file?: string): tf.Tensor1D {
  if (!t) throw new CheckpointError('missing from the weights', file, key);
  if (t.shape.join() !== String(n)) throw new CheckpointError(`shape [${t.shape}], expected [${n}]`, file, key);
  return tf.tensor1d(f32(t, key, file));
}

/**
 * `scipy.misc.imsave` of a float image (its `bytescale`, in float32 like numpy on a float32
 * array): s = 255/(max − min), u8 = ⌊(y − min)·s + 0.5⌋ (after clipping to 0..255). A constant
 * image (max = min) is written as 0, as `bytescale` does (it divides by 1 then).
 */
export function bytescale(y: Float32Array): Uint8Array {
  let lo = Infinity, hi = -Infinity;
  for (const v of y) { if (v < lo) lo = v; if (v > hi) hi = v; }
  const range = Math.fround(hi - lo);
  const scale = Math.fround(255 / (range === 0 ? 1 : range));
  const out = new Uint8Array(y.length);
  for (let i = 0; i < y.length; i++) {
    let v = Math.fround(Math.fround(y[i] - lo) * scale);
    v = v < 0 ? 0 : v > 255 ? 255 : v;
    out[i] = Math.floor(Math.fround(v + 0.5));
  }
  return out;
}

/** PyTorch test code's writing: clamp(0, 255) then `astype('uint8')` (truncation). */
export function clampTruncate(y: Float32Array): Uint8Array {
  const out = new Uint8Array(y.length);
  for (let i = 0; i < y.length; i++) { const v = y[i]; out[i] = v <= 0 || Number.isNaN(v) ? 0 : v >= 255 ? 255 : Math.trunc(v); }
  return out;
}

/** A [0, 1] grey image as an NHWC tensor on the 0..255 scale (the 8-bit values, exact). */
export function bytesTensor(data: Float32Array, h: number, w: number): tf.Tensor4D {
  const v = new Float32Array(data.length);
  for (let i = 0; i < v.length; i++) v[i] = Math.round(data[i] * 255);
  return tf.tensor4d(v, [1, h, w, 1]);
}

/**
 * The forward pass of a Siamese encoder–decoder fusion network (DenseFuse, DeepFuse):
 *
 *   y = Dec(merge(Enc(I_ir), Enc(I_vis)))
 *
 * with both sources encoded as one batch of two (Enc shares its weights), returned as the raw
 * float output of the decoder (h·w values, row-major) for the method's own writing rule.
 * `ir` and `vis` are grey images on [0, 1] of the same size (the caller checks it).
 */
export async function siameseRaw(ir: { data: Float32Array; width: number; height: number },
  vis: { data: Float32Array; width: number; height: number },
  encode: (x: tf.Tensor4D) => tf.Tensor4D, merge: (a: tf.Tensor4D, b: tf.Tensor4D) => tf.Tensor4D,
  decode: (phi: tf.Tensor4D) => tf.Tensor4D): Promise<Float32Array> {
  const [h, w] = [ir.height, ir.width];
  const y = tf.tidy(() => {
    const phi = encode(tf.concat([bytesTensor(ir.data, h, w), bytesTensor(vis.data, h, w)], 0));
    const [a, b] = tf.split(phi, 2, 0) as [tf.Tensor4D, tf.Tensor4D];
    return decode(merge(a, b));
  });
  const raw = (await y.data()) as Float32Array;
  y.dispose();
  return raw;
}
