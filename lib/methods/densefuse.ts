/**
 * DenseFuse — Li & Wu, "DenseFuse: A Fusion Approach to Infrared and Visible Images", IEEE TIP
 * 28(5):2614–2623, 2019. Architecture and rules from the authors' code (hli1221/imagefusion_densefuse,
 * TensorFlow; hli1221/densefuse-pytorch), summarised below; our own implementation.
 *
 * Every convolution is 3×3, stride 1, reflection padding 1, with bias, ReLU (not the last one).
 * Inputs are the 8-bit grey values (0..255, not rescaled).
 *
 *   encoder:  x₀ = C₁(I) (1→16);  dense block nₖ = Dₖ([n_{k−1}, …, n₁, x₀]), k = 1..3 (16·k → 16);
 *             φ = [n₃, n₂, n₁, x₀]   (TF concatenation order; PyTorch's is [x₀, n₁, n₂, n₃])
 *   fusion:   sum  φ_F = φ_ir + φ_vis                (TF "addition", the paper's)
 *             mean φ_F = (φ_ir + φ_vis)/2            (the PyTorch test code's "addition")
 *             l1   φ_F = w_ir φ_ir + w_vis φ_vis,  w_k = Cₖ/(C_ir + C_vis),  Cₖ = Σ_c |φₖᶜ|   (no window, as the TF code)
 *   decoder:  64→64→32→16 (ReLU) → 1 (linear)
 *   output:   minmax  ⌊(y − min)·255/(max − min) + 0.5⌋ (scipy `imsave`, TF code)
 *             truncate clamp(y, 0, 255) → uint8 (PyTorch code)
 *
 * Default (`model: 'tf'`): the TF checkpoint λ = 1e2 (`densefuse_model_bs2_epoch4_all_weight_1e2.ckpt`,
 * read in its published `.index`/`.data` format by `lib/io/tf_checkpoint.ts`) with the sum rule
 * and min–max output — the variant behind the AUIF and DIDFuse tables (TNO EN 6.842, MI 2.302,
 * AG 3.597 reproduced exactly). `model: 'pytorch'` reads `densefuse_gray.model` (legacy pickle,
 * `lib/io/torch_checkpoint.ts`), default rule mean and truncating output, as its test code.
 * The returned F is the written 8-bit image / 255.
 */
import * as tf from '@tensorflow/tfjs-core';
import path from 'node:path';
import { readTfInferenceWeights } from '../io/tf_checkpoint.js';
import { readTorchCheckpoint } from '../io/torch_checkpoint.js';
import { readSafetensors } from '../io/safetensors.js';
import type { StateDict } from '../io/tensor_record.js';
import { stagedFile, stagedTfCheckpoint } from '../data/stage.js';
import { biasVector, bytescale, clampTruncate, conv, hwioKernel, oihwKernel, siameseRaw, type ConvLayer } from './cnn.js';
import { bytesToUnit, checkMethodPair, planeImage } from './pair.js';
import { checkOptions, MethodError, type FusionMethod, type Fuser, type LoadOptions, type MethodInfo } from './types.js';

export const DENSEFUSE_INFO: MethodInfo = {
  name: 'densefuse',
  title: 'DenseFuse',
  citation: 'Li, Wu: DenseFuse: A Fusion Approach to Infrared and Visible Images, IEEE TIP 28(5), 2019',
  family: 'learned',
  parameters: 74193,
  minSide: 2,
  defaults: { model: 'tf', rule: 'sum', output: 'minmax' },
};

/** The published TF checkpoint (λ = 1e2) and PyTorch weights, as staged. */
export const DENSEFUSE_TF_CKPT = 'models/densefuse_gray/densefuse_model_bs2_epoch4_all_weight_1e2.ckpt';
export const DENSEFUSE_PT_MODEL = 'models/densefuse_gray.model';

export type DenseFuseRule = 'sum' | 'mean' | 'l1';
export type DenseFuseOutput = 'minmax' | 'truncate';

/** DenseFuse's 8 convolutions and the dense block's concatenation order. */
export interface DenseFuseNet { conv1: ConvLayer; dense: ConvLayer[]; decoder: ConvLayer[]; order: 'tf' | 'torch'; parameters: number }

const TF_NAMES = ['encoder/conv1_1', 'encoder/dense_block_conv1', 'encoder/dense_block_conv2', 'encoder/dense_block_conv3',
  'decoder/conv2_1', 'decoder/conv2_2', 'decoder/conv2_3', 'decoder/conv2_4'];
const PT_NAMES = ['conv1', 'DB1.denseblock.0.dense_conv', 'DB1.denseblock.1.dense_conv', 'DB1.denseblock.2.dense_conv',
  'conv2', 'conv3', 'conv4', 'conv5'];
const SHAPES: [number, number][] = [[1, 16], [16, 16], [32, 16], [48, 16], [64, 64], [64, 32], [32, 16], [16, 1]];

/** Builds the network from a TF checkpoint's tensors (HWIO kernels, TF concatenation order). */
export function denseFuseFromTf(sd: StateDict, file?: string): DenseFuseNet {
  const layers = TF_NAMES.map((n, i) => ({
    W: hwioKernel(sd.get(`${n}/kernel`), `${n}/kernel`, [3, 3, SHAPES[i][0], SHAPES[i][1]], file),
    b: biasVector(sd.get(`${n}/bias`), `${n}/bias`, SHAPES[i][1], file),
  }));
  return { conv1: layers[0], dense: layers.slice(1, 4), decoder: layers.slice(4), order: 'tf', parameters: countParams(layers) };
}

/** Builds the network from a PyTorch state dict (OIHW kernels, PyTorch concatenation order). */
export function denseFuseFromTorch(sd: StateDict, file?: string): DenseFuseNet {
  const layers = PT_NAMES.map((n, i) => ({
    W: oihwKernel(sd.get(`${n}.conv2d.weight`), `${n}.conv2d.weight`, [SHAPES[i][1], SHAPES[i][0], 3, 3], file),
    b: biasVector(sd.get(`${n}.conv2d.bias`), `${n}.conv2d.bias`, SHAPES[i][1], file),
  }));
  return { conv1: layers[0], dense: layers.slice(1, 4), decoder: layers.slice(4), order: 'torch', parameters: countParams(layers) };
}

function countParams(layers: ConvLayer[]): number {
  return layers.reduce((s, l) => s + l.W.size + (l.b?.size ?? 0), 0);
}

export function disposeDenseFuse(net: DenseFuseNet): void {
  for (const l of [net.conv1, ...net.dense, ...net.decoder]) { l.W.dispose(); l.b?.dispose(); }
}

/** The encoder φ(I) of a batch (NHWC, 0..255), 64 channels in the network's own order. */
export function denseFuseEncode(I: tf.Tensor4D, net: DenseFuseNet): tf.Tensor4D {
  return tf.tidy(() => {
    const x0 = conv(I, net.conv1, 'reflect', 'relu');
    let feats: tf.Tensor4D[] = [x0];
    for (const l of net.dense) {
      const input = feats.length === 1 ? feats[0] : tf.concat(feats, 3);
      const n = conv(input, l, 'reflect', 'relu');
      feats = net.order === 'tf' ? [n, ...feats] : [...feats, n];
    }
    return tf.concat(feats, 3);
  });
}

/** The fusion rule on two encoder outputs (1×H×W×64 each). */
export function denseFuseRule(a: tf.Tensor4D, b: tf.Tensor4D, rule: DenseFuseRule): { fused: tf.Tensor4D; wIr?: tf.Tensor4D } {
  return tf.tidy(() => {
    if (rule === 'sum') return { fused: tf.add(a, b) as tf.Tensor4D };
    if (rule === 'mean') return { fused: tf.div(tf.add(a, b), 2) as tf.Tensor4D };
    const ca = tf.sum(tf.abs(a), 3, true), cb = tf.sum(tf.abs(b), 3, true);
    const den = tf.add(ca, cb);
    const wa = tf.div(ca, den) as tf.Tensor4D, wb = tf.div(cb, den);
    return { fused: tf.add(tf.mul(wa, a), tf.mul(wb, b)) as tf.Tensor4D, wIr: wa };
  });
}

/** The decoder: 64 → 64 → 32 → 16 (ReLU) → 1 (linear); raw output on the 0..255 scale. */
export function denseFuseDecode(phi: tf.Tensor4D, net: DenseFuseNet): tf.Tensor4D {
  return tf.tidy(() => {
    let y = phi;
    net.decoder.forEach((l, i) => { y = conv(y, l, 'reflect', i === net.decoder.length - 1 ? 'none' : 'relu'); });
    return y;
  });
}

/** Reads DenseFuse weights: a TF checkpoint (prefix, `.index` or data shard), a PyTorch `.model`/`.pth`, or a `.safetensors` in PyTorch layout. */
export function readDenseFuseWeights(file: string): DenseFuseNet {
  if (/\.(index|ckpt)$|\.data-\d{5}-of-\d{5}$/.test(file)) return denseFuseFromTf(readTfInferenceWeights(file), file);
  if (file.endsWith('.safetensors')) return denseFuseFromTorch(readSafetensors(file).tensors, file);
  return denseFuseFromTorch(readTorchCheckpoint(file), file);
}

function parseOptions(opts: LoadOptions) {
  checkOptions(DENSEFUSE_INFO, opts, ['model', 'rule', 'output']);
  const model = (opts.model ?? 'tf') as 'tf' | 'pytorch';
  if (model !== 'tf' && model !== 'pytorch') throw new MethodError(`densefuse: model must be 'tf' (λ = 1e2 checkpoint, the papers') or 'pytorch', got '${opts.model}'`);
  const rule = (opts.rule ?? (model === 'tf' ? 'sum' : 'mean')) as DenseFuseRule;
  if (!['sum', 'mean', 'l1'].includes(rule)) throw new MethodError(`densefuse: rule must be sum, mean or l1, got '${opts.rule}'`);
  const output = (opts.output ?? (model === 'tf' ? 'minmax' : 'truncate')) as DenseFuseOutput;
  if (output !== 'minmax' && output !== 'truncate') throw new MethodError(`densefuse: output must be minmax or truncate, got '${opts.output}'`);
  return { model, rule, output };
}

/** DenseFuse behind the method interface (see the module comment for variants and defaults). */
export const densefuse: FusionMethod = {
  info: DENSEFUSE_INFO,
  async load(opts: LoadOptions = {}): Promise<Fuser> {
    const o = parseOptions(opts);
    let file = opts.weights;
    if (!file) {
      file = o.model === 'tf' ? await stagedTfCheckpoint(DENSEFUSE_TF_CKPT, 'densefuse-tf') : await stagedFile(DENSEFUSE_PT_MODEL, 'densefuse-pytorch');
    }
    const net = readDenseFuseWeights(path.resolve(file));
    const info: MethodInfo = { ...DENSEFUSE_INFO, parameters: net.parameters, defaults: { ...DENSEFUSE_INFO.defaults, ...o } };
    return {
      info,
      async fuse(ir, vis, call = {}) {
        checkMethodPair(info, ir, vis);
        const [h, w] = [ir.height, ir.width];
        const raw = await siameseRaw(ir, vis, (x) => denseFuseEncode(x, net), (a, b) => denseFuseRule(a, b, o.rule).fused, (phi) => denseFuseDecode(phi, net));
        const u8 = o.output === 'minmax' ? bytescale(raw) : clampTruncate(raw);
        const F = bytesToUnit(u8, w, h);
        return call.intermediates ? { F, maps: [{ name: 'y_raw', image: planeImage(raw, w, h), description: 'decoder output before writing (0..255 scale)' }] } : { F };
      },
      dispose() { disposeDenseFuse(net); },
    };
  },
};
