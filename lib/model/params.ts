/**
 * The learnable state of AUIF as one typed record, and its mapping to the upstream PyTorch
 * state-dict names (so the authors' checkpoints load unchanged).
 *
 * | paper | code | upstream key (layer i) | shape |
 * |---|---|---|---|
 * | Kᵢ (C filters, 3×3) | `layers[i].K` | `conv1.i.kernel` / `conv2.i.kernel` | C×1×3×3 (PyTorch OIHW) |
 * | ηᵢ (step size) | `layers[i].eta` | `….eta` | 1 |
 * | θᵢ (fidelity weight) | `layers[i].theta` | `….theta` | 1 |
 * | BN γ, β, running μ, σ² | `layers[i].bn` | `….rest.0.{weight,bias,running_mean,running_var,num_batches_tracked}` | 1 |
 * | PReLU slope | `layers[i].alpha` | `….rest.1.weight` | 1 |
 * | decoder filter | `decoder.W` | `decoder.decoder.1.weight` | 1×1×3×3 |
 * | decoder BN | `decoder.bn` | `decoder.decoder.2.*` | 1 |
 *
 * Full keys carry the module prefix `base.`, `detail.`, `decoder.` (as in PyTorch's conversion of the
 * authors' files, whose per-tensor digests are `datasets/reference/auif_pretrained.sha256.json`).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { NamedTensor, StateDict } from '../io/tensor_record.js';
import type { BatchNormParams } from '../nn/batchnorm.js';
import type { UnrolledLayerParams } from '../unrolling/step.js';

// The per-layer records are defined by the layers below the model (nn/, unrolling/) and re-exported.
export { BN_EPS, BN_MOMENTUM, type BatchNormParams } from '../nn/batchnorm.js';
export type { UnrolledLayerParams } from '../unrolling/step.js';

export type EncoderKind = 'base' | 'detail';

export interface EncoderParams {
  kind: EncoderKind;
  /** N layers (upstream: 10); the depth is the length of this list. */
  layers: UnrolledLayerParams[];
  /**
   * The fixed filter that gives x⁰ (odd×odd, row-major, applied as a correlation after reflect
   * padding). Default: the 11×11 box blur (base) or the normalised 19×19 Laplacian (detail).
   */
  init?: Float32Array;
}

export interface DecoderParams {
  /** 1×1×3×3 filter (OIHW), no bias. */
  W: tf.Tensor4D;
  bn: BatchNormParams;
}

export interface AuifParams {
  base: EncoderParams;
  detail: EncoderParams;
  decoder: DecoderParams;
}

/** Upstream module attribute holding the layer list of each encoder. */
const LAYER_LIST: Record<EncoderKind, string> = { base: 'conv1', detail: 'conv2' };

/** Error while mapping a state dict onto {@link AuifParams}; names the key and shapes. */
export class StateDictError extends Error {
  constructor(message: string, readonly key?: string) { super(message); this.name = 'StateDictError'; }
}

/**
 * Optional buffers: the filter that gives x⁰ of each encoder, when it is not the paper's
 * (ablation variants, lib/train/variant.ts); shape [k, k], k odd. Absent in the authors' files.
 */
export const X0_KEYS: readonly string[] = ['base.x0_filter', 'detail.x0_filter'];

const BN_FIELDS = ['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked'] as const;

/** Every key (in upstream order) and expected shape for a model of `layers` layers and `channels` filters. */
export function expectedKeys(layers: number, channels: number): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const kind of ['base', 'detail'] as const) {
    for (let i = 0; i < layers; i++) {
      const p = `${kind}.${LAYER_LIST[kind]}.${i}.`;
      out.set(p + 'kernel', [channels, 1, 3, 3]);
      out.set(p + 'eta', [1]);
      out.set(p + 'theta', [1]);
      for (const f of BN_FIELDS) out.set(`${p}rest.0.${f}`, f === 'num_batches_tracked' ? [] : [1]);
      out.set(p + 'rest.1.weight', [1]);
    }
  }
  out.set('decoder.decoder.1.weight', [1, 1, 3, 3]);
  for (const f of BN_FIELDS) out.set(`decoder.decoder.2.${f}`, f === 'num_batches_tracked' ? [] : [1]);
  return out;
}

function toFloat32(t: NamedTensor, key: string): Float32Array {
  if (t.dtype !== 'float32') throw new StateDictError(`state dict key '${key}' has dtype ${t.dtype}, expected float32`, key);
  const data = t.data as Float32Array;
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) {
      throw new StateDictError(`state dict key '${key}' holds a non-finite value (${data[i]}) at element ${i} of ${data.length}; refusing weights that would give a meaningless image`, key);
    }
  }
  return data;
}

/** Infers (layers, channels) from a state dict with upstream names. */
export function inferArchitecture(sd: StateDict): { layers: number; channels: number } {
  // The depth is the number of base kernels; their indices must be exactly 0…N−1 (checked
  // before anything of that size is allocated: a key 'base.conv1.999999999.kernel' is refused).
  const indices = new Set<number>();
  let largest = '';
  for (const k of sd.keys()) {
    const m = /^base\.conv1\.(\d+)\.kernel$/.exec(k);
    if (!m) continue;
    const i = Number(m[1]);
    indices.add(i);
    if (!largest || i > Number(/\.(\d+)\.kernel$/.exec(largest)![1])) largest = k;
  }
  const layers = indices.size;
  if (layers > 0 && !indices.has(layers - 1)) {
    throw new StateDictError(`state dict key '${largest}': layer indices must run 0…${layers - 1} (${layers} base kernels), not up to ${/\.(\d+)\.kernel$/.exec(largest)![1]}`, largest);
  }
  const k0 = sd.get('base.conv1.0.kernel');
  if (!k0 || layers === 0) {
    throw new StateDictError(`state dict has no 'base.conv1.0.kernel': not an AUIF checkpoint (keys: ${[...sd.keys()].slice(0, 5).join(', ')}…)`, 'base.conv1.0.kernel');
  }
  return { layers, channels: k0.shape[0] };
}

/**
 * Builds {@link AuifParams} from a state dict with the prefixed upstream names. Checks up front:
 * every expected key present, no unexpected key, every shape and dtype right; the error names
 * the key and both shapes.
 */
export function paramsFromStateDict(sd: StateDict, arch = inferArchitecture(sd)): AuifParams {
  const expected = expectedKeys(arch.layers, arch.channels);
  const missing = [...expected.keys()].filter((k) => !sd.has(k));
  if (missing.length) {
    throw new StateDictError(`state dict is missing ${missing.length} key(s): ${missing.slice(0, 6).join(', ')}${missing.length > 6 ? ', …' : ''}`, missing[0]);
  }
  const unexpected = [...sd.keys()].filter((k) => !expected.has(k) && !X0_KEYS.includes(k));
  if (unexpected.length) {
    throw new StateDictError(`state dict has unexpected key(s) for a ${arch.layers}-layer, ${arch.channels}-channel AUIF: ${unexpected.slice(0, 6).join(', ')}`, unexpected[0]);
  }
  for (const [k, shape] of expected) {
    const got = sd.get(k)!.shape;
    if (got.length !== shape.length || got.some((d, i) => d !== shape[i])) {
      throw new StateDictError(`state dict key '${k}' has shape [${got.join(', ')}], expected [${shape.join(', ')}]`, k);
    }
  }
  // dtype and finiteness of every float tensor, before any tensor is allocated.
  for (const k of expected.keys()) if (!k.endsWith('num_batches_tracked')) toFloat32(sd.get(k)!, k);
  const f = (k: string) => sd.get(k)!.data as Float32Array;
  const bn = (p: string): BatchNormParams => {
    const nbt = sd.get(p + 'num_batches_tracked')!;
    if (nbt.dtype !== 'int64') throw new StateDictError(`state dict key '${p}num_batches_tracked' has dtype ${nbt.dtype}, expected int64`, p + 'num_batches_tracked');
    return {
      gamma: tf.tensor1d(f(p + 'weight')),
      beta: tf.tensor1d(f(p + 'bias')),
      runningMean: tf.tensor1d(f(p + 'running_mean')),
      runningVar: tf.tensor1d(f(p + 'running_var')),
      numBatchesTracked: (nbt.data as BigInt64Array)[0],
    };
  };
  const x0 = (kind: EncoderKind): { init?: Float32Array } => {
    const key = `${kind}.x0_filter`;
    const t = sd.get(key);
    if (!t) return {};
    const k = t.shape[0];
    if (t.shape.length !== 2 || t.shape[1] !== k || k % 2 === 0) throw new StateDictError(`state dict key '${key}' has shape [${t.shape.join(', ')}], expected an odd square [k, k]`, key);
    return { init: Float32Array.from(toFloat32(t, key)) };
  };
  const encoder = (kind: EncoderKind): EncoderParams => ({
    kind,
    ...x0(kind),
    layers: Array.from({ length: arch.layers }, (_, i) => {
      const p = `${kind}.${LAYER_LIST[kind]}.${i}.`;
      return {
        K: tf.tensor4d(f(p + 'kernel'), [arch.channels, 1, 3, 3]),
        eta: tf.tensor1d(f(p + 'eta')),
        theta: tf.tensor1d(f(p + 'theta')),
        bn: bn(p + 'rest.0.'),
        alpha: tf.tensor1d(f(p + 'rest.1.weight')),
      };
    }),
  });
  return {
    base: encoder('base'),
    detail: encoder('detail'),
    decoder: { W: tf.tensor4d(f('decoder.decoder.1.weight'), [1, 1, 3, 3]), bn: bn('decoder.decoder.2.') },
  };
}

/** The inverse of {@link paramsFromStateDict}: upstream names, float32 / int64 tensors. */
export function stateDictFromParams(params: AuifParams): StateDict {
  const sd: StateDict = new Map();
  const put = (k: string, t: tf.Tensor) => sd.set(k, { dtype: 'float32', shape: [...t.shape], data: Float32Array.from(t.dataSync()) });
  const putBn = (p: string, b: BatchNormParams) => {
    put(p + 'weight', b.gamma); put(p + 'bias', b.beta);
    put(p + 'running_mean', b.runningMean); put(p + 'running_var', b.runningVar);
    sd.set(p + 'num_batches_tracked', { dtype: 'int64', shape: [], data: BigInt64Array.of(b.numBatchesTracked) });
  };
  for (const enc of [params.base, params.detail]) {
    if (enc.init) {
      const k = Math.round(Math.sqrt(enc.init.length));
      sd.set(`${enc.kind}.x0_filter`, { dtype: 'float32', shape: [k, k], data: Float32Array.from(enc.init) });
    }
    enc.layers.forEach((l, i) => {
      const p = `${enc.kind}.${LAYER_LIST[enc.kind]}.${i}.`;
      put(p + 'kernel', l.K); put(p + 'eta', l.eta); put(p + 'theta', l.theta);
      putBn(p + 'rest.0.', l.bn);
      put(p + 'rest.1.weight', l.alpha);
    });
  }
  put('decoder.decoder.1.weight', params.decoder.W);
  putBn('decoder.decoder.2.', params.decoder.bn);
  return sd;
}

/** Frees every tensor of a parameter record. */
export function disposeParams(params: AuifParams): void {
  const bnT = (b: BatchNormParams) => [b.gamma, b.beta, b.runningMean, b.runningVar];
  tf.dispose([
    ...[params.base, params.detail].flatMap((e) => e.layers.flatMap((l) => [l.K, l.eta, l.theta, l.alpha, ...bnT(l.bn)])),
    params.decoder.W, ...bnT(params.decoder.bn),
  ]);
}
