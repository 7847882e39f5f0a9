/**
 * DeepFuse — Prabhakar, Srikar, Babu, "DeepFuse: A Deep Unsupervised Approach for Exposure Fusion
 * with Extreme Exposure Image Pairs", ICCV 2017. Two variants, each summarised below from its
 * authors' code; our own implementation of each.
 *
 * **Default, `model: 'huili'`** — Hui Li's TensorFlow re-implementation (hli1221/Imagefusion_deepfuse,
 * checkpoint `deepfuse_model_bs2_epoch4_all.ckpt`, read by `lib/io/tf_checkpoint.ts`): the
 * "DeepFuse" of the AUIF and DIDFuse tables (TNO EN 6.860, MI 2.298, AG 3.599 reproduced exactly).
 * All convolutions 3×3, stride 1, reflection padding 1, with bias:
 *
 *   φₖ = C₂(ReLU(C₁(Iₖ)))  (1→16→32, no activation after C₂),   φ = φ_ir + φ_vis,
 *   y = C₅(ReLU(C₄(ReLU(C₃(φ)))))  (32→32→16→1)
 *
 * **`model: 'official'`** — the ICCV network and weights (KRamPrabhakar/DeepFuse
 * `DF_model_Epoch99.npz`, Lasagne, read by `lib/io/npz.ts`; its kernels are true convolutions,
 * rotated 180° here for cross-correlation). Zero 'same' padding, no bias, leaky ReLU (0.01) after
 * every layer including the last:
 *
 *   φₖ = C₂(C₁(Iₖ))  (3×3 1→32, 5×5 32→64, shared),   φ = φ_ir + φ_vis,
 *   y = C₆(C₅(C₄(C₃(φ))))  (7×7 64→64, 5×5 64→32, 5×5 32→16, 7×7 16→1)
 *
 * The grey 0..255 images are fed as the two luminance inputs (the official code has no grey
 * path; this is the reference's convention). Output, both: per-image min–max to 0..255, rounded
 * (scipy `imsave`; the official `main.py` min–max-normalises first, then `imsave` again).
 * The returned F is the written 8-bit image / 255.
 */
import * as tf from '@tensorflow/tfjs-core';
import path from 'node:path';
import { readTfInferenceWeights } from '../io/tf_checkpoint.js';
import { readNpz } from '../io/npz.js';
import { readSafetensors } from '../io/safetensors.js';
import type { StateDict } from '../io/tensor_record.js';
import { stagedFile, stagedTfCheckpoint } from '../data/stage.js';
import { biasVector, bytescale, conv, hwioKernel, oihwKernel, siameseRaw, type ConvLayer } from './cnn.js';
import { bytesToUnit, checkMethodPair, planeImage } from './pair.js';
import { checkOptions, MethodError, type FusionMethod, type Fuser, type LoadOptions, type MethodInfo } from './types.js';

export const DEEPFUSE_INFO: MethodInfo = {
  name: 'deepfuse',
  title: 'DeepFuse',
  citation: 'Prabhakar, Srikar, Babu: DeepFuse: A Deep Unsupervised Approach for Exposure Fusion with Extreme Exposure Image Pairs, ICCV 2017 (as re-implemented by H. Li, hli1221/Imagefusion_deepfuse)',
  family: 'learned',
  parameters: 18817,
  minSide: 2,
  defaults: { model: 'huili' },
};

export const DEEPFUSE_HUILI_CKPT = 'models/deepfuse_models/deepfuse_model_bs2_epoch4_all.ckpt';
export const DEEPFUSE_OFFICIAL_NPZ = 'DF_model_Epoch99.npz';

export interface DeepFuseNet { model: 'huili' | 'official'; encoder: ConvLayer[]; decoder: ConvLayer[]; parameters: number }

const HUILI: [string, number, number][] = [['encoder/conv1_1', 1, 16], ['encoder/conv1_2', 16, 32], ['decoder/conv2_1', 32, 32], ['decoder/conv2_2', 32, 16], ['decoder/conv2_3', 16, 1]];
const OFFICIAL: [number, number, number][] = [[32, 1, 3], [64, 32, 5], [64, 64, 7], [32, 64, 5], [16, 32, 5], [1, 16, 7]];

const count = (ls: ConvLayer[]) => ls.reduce((s, l) => s + l.W.size + (l.b?.size ?? 0), 0);

/** Hui Li's network from its TF checkpoint tensors (HWIO), or from the safetensors conversion (OIHW, `encoder.conv1_1.weight`). */
export function deepFuseFromHuiLi(sd: StateDict, file?: string): DeepFuseNet {
  const oihw = sd.has('encoder.conv1_1.weight');
  const ls = HUILI.map(([n, i, o]) => {
    const k = oihw ? n.replace('/', '.') : n;
    return {
      W: oihw ? oihwKernel(sd.get(`${k}.weight`), `${k}.weight`, [o, i, 3, 3], file) : hwioKernel(sd.get(`${k}/kernel`), `${k}/kernel`, [3, 3, i, o], file),
      b: biasVector(sd.get(oihw ? `${k}.bias` : `${k}/bias`), oihw ? `${k}.bias` : `${k}/bias`, o, file),
    };
  });
  return { model: 'huili', encoder: ls.slice(0, 2), decoder: ls.slice(2), parameters: count(ls) };
}

/** The official network from the Lasagne arrays arr_0..arr_5 (OIHW, flipped: true convolutions). */
export function deepFuseFromLasagne(sd: StateDict, file?: string): DeepFuseNet {
  const ls = OFFICIAL.map(([o, i, k], n) => ({ W: oihwKernel(sd.get(`arr_${n}`), `arr_${n}`, [o, i, k, k], file, true) }));
  return { model: 'official', encoder: ls.slice(0, 2), decoder: ls.slice(2), parameters: count(ls) };
}

export function disposeDeepFuse(net: DeepFuseNet): void {
  for (const l of [...net.encoder, ...net.decoder]) { l.W.dispose(); l.b?.dispose(); }
}

/** φ of a batch (NHWC, 0..255): the second encoder layer's output. */
export function deepFuseEncode(I: tf.Tensor4D, net: DeepFuseNet): tf.Tensor4D {
  return tf.tidy(() => net.model === 'huili'
    ? conv(conv(I, net.encoder[0], 'reflect', 'relu'), net.encoder[1], 'reflect', 'none')
    : conv(conv(I, net.encoder[0], 'zero', 'leaky'), net.encoder[1], 'zero', 'leaky'));
}

/** The decoder's raw output from the merged features φ_ir + φ_vis. */
export function deepFuseDecode(phi: tf.Tensor4D, net: DeepFuseNet): tf.Tensor4D {
  return tf.tidy(() => {
    let y = phi;
    net.decoder.forEach((l, i) => {
      y = net.model === 'huili' ? conv(y, l, 'reflect', i === net.decoder.length - 1 ? 'none' : 'relu') : conv(y, l, 'zero', 'leaky');
    });
    return y;
  });
}

/** The official `main.py` normalisation before `imsave`: z = (h − min)/(max − min)·255 (float32). */
export function officialNormalise(h: Float32Array): Float32Array {
  let lo = Infinity, hi = -Infinity;
  for (const v of h) { if (v < lo) lo = v; if (v > hi) hi = v; }
  const r = Math.fround(hi - lo);
  return h.map((v) => Math.fround(Math.fround(Math.fround(v - lo) / r) * 255));
}

/** Reads DeepFuse weights: a TF checkpoint (Hui Li), a Lasagne `.npz` (official) or the safetensors conversion (Hui Li). */
export function readDeepFuseWeights(file: string): DeepFuseNet {
  if (file.endsWith('.npz')) return deepFuseFromLasagne(readNpz(file), file);
  if (file.endsWith('.safetensors')) return deepFuseFromHuiLi(readSafetensors(file).tensors, file);
  return deepFuseFromHuiLi(readTfInferenceWeights(file), file);
}

/** DeepFuse behind the method interface (see the module comment). */
export const deepfuse: FusionMethod = {
  info: DEEPFUSE_INFO,
  async load(opts: LoadOptions = {}): Promise<Fuser> {
    checkOptions(DEEPFUSE_INFO, opts, ['model']);
    const model = (opts.model ?? 'huili') as 'huili' | 'official';
    if (model !== 'huili' && model !== 'official') throw new MethodError(`deepfuse: model must be 'huili' (H. Li's re-implementation, the papers') or 'official' (ICCV weights), got '${opts.model}'`);
    let file = opts.weights;
    if (!file) {
      file = model === 'huili' ? await stagedTfCheckpoint(DEEPFUSE_HUILI_CKPT, 'deepfuse-huili') : await stagedFile(DEEPFUSE_OFFICIAL_NPZ, 'deepfuse');
    }
    const net = readDeepFuseWeights(path.resolve(file));
    const info: MethodInfo = { ...DEEPFUSE_INFO, parameters: net.parameters, defaults: { model: net.model } };
    return {
      info,
      async fuse(ir, vis, call = {}) {
        checkMethodPair(info, ir, vis);
        const [h, w] = [ir.height, ir.width];
        const raw = await siameseRaw(ir, vis, (x) => deepFuseEncode(x, net), (a, b) => tf.add(a, b) as tf.Tensor4D, (phi) => deepFuseDecode(phi, net));
        const u8 = bytescale(net.model === 'official' ? officialNormalise(raw) : raw);
        const F = bytesToUnit(u8, w, h);
        return call.intermediates ? { F, maps: [{ name: 'y_raw', image: planeImage(raw, w, h), description: 'last layer output before min–max writing' }] } : { F };
      },
      dispose() { disposeDeepFuse(net); },
    };
  },
};
