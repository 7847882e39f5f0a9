/**
 * The model variants of the ablation study (issue 17) as configuration, in the spirit of
 * deepinv's `params_algo` / `trainable_params` (a scalar shared by all layers = tied, a list =
 * one per layer, a switch for what learns):
 *
 * | key | values (first = the paper's) | what changes |
 * |---|---|---|
 * | `layers` | 10 · any N ≥ 1 | depth N of each encoder (exists in {@link TrainConfig}) |
 * | `channels` | 64 · any C ≥ 1 | filters Kₖ per layer (exists) |
 * | `etaTheta` | `learned` · `tied` · `fixed` | ηₖ, θₖ one per layer and learned; one value per encoder shared by all layers; kept at their initial draw |
 * | `init` | `paper` · `identity` · `zero` | x⁰ = box₁₁⋆I / lap₁₉⋆I; x⁰ = I; x⁰ = 0 |
 * | `mu` | 5 · any μ ≥ 0 | weight of L_SSIM (exists) |
 *
 * How each is realised:
 * - `init`: the filter that gives x⁰ is stored in the state dict as a buffer
 *   `base.x0_filter` / `detail.x0_filter` (k×k, here 1×1: [1] for identity, [0] for zero), which
 *   {@link paramsFromStateDict} reads into `EncoderParams.init` — so the training forward, the
 *   checkpoint and the inference path (`loadWeights`, `auif fuse --weights`) all use it. The
 *   paper's configuration has no such key: its files are unchanged.
 * - `tied`: at the start every layer of an encoder gets layer 0's draw of η (θ); after every
 *   optimisation step each encoder's ηₖ (θₖ) are replaced by their mean over the layers — a
 *   projection onto the tied set (each layer's Adam still normalises its own gradient, so this
 *   is not Adam on one shared scalar: with equal values and the per-layer gradients gₖ it moves
 *   the shared value by the mean of the per-layer Adam steps).
 * - `fixed`: after every step ηₖ, θₖ are restored to their values before it (their initial
 *   draw, since nothing else changes them): nothing of them learns; the other parameters see the
 *   same loss as in the paper's model.
 *
 * The weights file's metadata records the variant (`model`: {@link ModelVariant} as JSON), and
 * `loadWeights` checks it against the tensors (depth, filters, x⁰ filter, tied values).
 */
import type { NamedTensor, StateDict } from '../io/tensor_record.js';
import { boxKernel, laplacianKernel } from '../unrolling/filters.js';
import { DEFAULT_CHANNELS, DEFAULT_LAYERS } from './init.js';

/** How ηₖ, θₖ are parametrised. */
export type EtaThetaMode = 'learned' | 'tied' | 'fixed';
export const ETA_THETA_MODES: readonly EtaThetaMode[] = ['learned', 'tied', 'fixed'];
/** What gives x⁰. */
export type InitMap = 'paper' | 'identity' | 'zero';
export const INIT_MAPS: readonly InitMap[] = ['paper', 'identity', 'zero'];

/** What a weights file is: the knobs that change the model (not the training recipe). */
export interface ModelVariant {
  layers: number;
  channels: number;
  etaTheta: EtaThetaMode;
  init: InitMap;
}

export const MODEL_VARIANT_FORMAT = 'auif-ts/model-variant@1';

/** State-dict key of an encoder's x⁰ filter (present only when init ≠ paper). */
export const X0_FILTER_KEY = { base: 'base.x0_filter', detail: 'detail.x0_filter' } as const;

/** The x⁰ filter of an encoder under `init` (paper: box 11×11 / Laplacian 19×19; identity: [1]; zero: [0]). */
export function initFilter(init: InitMap, kind: 'base' | 'detail'): Float32Array {
  if (init === 'identity') return Float32Array.of(1);
  if (init === 'zero') return Float32Array.of(0);
  return kind === 'base' ? boxKernel() : laplacianKernel();
}

/** The model variant of a (partial) training configuration; undefined keys are the paper's. */
export function modelVariantOf(cfg: { layers?: number; channels?: number; etaTheta?: EtaThetaMode; init?: InitMap }): ModelVariant {
  return { layers: cfg.layers ?? DEFAULT_LAYERS, channels: cfg.channels ?? DEFAULT_CHANNELS, etaTheta: cfg.etaTheta ?? 'learned', init: cfg.init ?? 'paper' };
}

const ENC = [['base', 'conv1'], ['detail', 'conv2']] as const;

function layerCount(sd: StateDict, kind: 'base' | 'detail'): number {
  let n = 0;
  while (sd.has(`${kind}.${kind === 'base' ? 'conv1' : 'conv2'}.${n}.eta`)) n++;
  return n;
}

function scalar(v: number): NamedTensor {
  return { dtype: 'float32', shape: [1], data: Float32Array.of(v) };
}

/**
 * Puts a fresh (or given) state dict into the variant's form: the x⁰ filter keys for init ≠
 * paper, and for `tied` every layer's η (θ) set to layer 0's. The paper's variant is untouched.
 */
export function applyVariantAtStart(sd: StateDict, v: Pick<ModelVariant, 'etaTheta' | 'init'>): void {
  for (const [kind] of ENC) {
    if (v.init !== 'paper') {
      const f = initFilter(v.init, kind);
      const k = Math.round(Math.sqrt(f.length));
      sd.set(X0_FILTER_KEY[kind], { dtype: 'float32', shape: [k, k], data: f });
    } else sd.delete(X0_FILTER_KEY[kind]);
  }
  if (v.etaTheta === 'tied') {
    for (const [kind, list] of ENC) {
      for (const name of ['eta', 'theta']) {
        const first = (sd.get(`${kind}.${list}.0.${name}`)!.data as Float32Array)[0];
        for (let i = 1; i < layerCount(sd, kind); i++) sd.set(`${kind}.${list}.${i}.${name}`, scalar(first));
      }
    }
  }
}

/** ηₖ, θₖ of every layer (the values, copied), for {@link applyVariantAfterStep}. */
export function etaThetaValues(sd: StateDict): Map<string, number> {
  const out = new Map<string, number>();
  for (const [k, t] of sd) if (/^(base\.conv1|detail\.conv2)\.\d+\.(eta|theta)$/.test(k)) out.set(k, (t.data as Float32Array)[0]);
  return out;
}

/**
 * The variant's constraint after an optimisation step: `fixed` restores `before` (the values
 * before the step); `tied` sets each encoder's ηₖ (θₖ) to their mean over the layers (float64
 * sum, rounded once to float32); `learned` does nothing.
 */
export function applyVariantAfterStep(sd: StateDict, mode: EtaThetaMode, before: Map<string, number>): void {
  if (mode === 'fixed') {
    for (const [k, v] of before) sd.set(k, scalar(v));
  } else if (mode === 'tied') {
    for (const [kind, list] of ENC) {
      const n = layerCount(sd, kind);
      for (const name of ['eta', 'theta']) {
        let s = 0;
        for (let i = 0; i < n; i++) s += (sd.get(`${kind}.${list}.${i}.${name}`)!.data as Float32Array)[0];
        const m = Math.fround(s / n);
        for (let i = 0; i < n; i++) sd.set(`${kind}.${list}.${i}.${name}`, scalar(m));
      }
    }
  }
}

/** A weights file whose recorded variant disagrees with its tensors, or is malformed. */
export class ModelVariantError extends Error {
  constructor(message: string, readonly key?: string) { super(message); this.name = 'ModelVariantError'; }
}

/** Parses and validates the `model` metadata entry (JSON of a {@link ModelVariant}). */
export function parseModelVariant(text: string, file: string): ModelVariant {
  let v: Record<string, unknown>;
  try { v = JSON.parse(text) as Record<string, unknown>; } catch { throw new ModelVariantError(`${file}: metadata 'model' is not JSON`, 'model'); }
  if (v === null || typeof v !== 'object') throw new ModelVariantError(`${file}: metadata 'model' is not an object`, 'model');
  for (const k of ['layers', 'channels'] as const) {
    if (!Number.isInteger(v[k]) || (v[k] as number) < 1) throw new ModelVariantError(`${file}: metadata 'model.${k}' must be an integer ≥ 1, got ${JSON.stringify(v[k])}`, `model.${k}`);
  }
  if (!(ETA_THETA_MODES as readonly unknown[]).includes(v.etaTheta)) throw new ModelVariantError(`${file}: metadata 'model.etaTheta' must be one of ${ETA_THETA_MODES.join(', ')}, got ${JSON.stringify(v.etaTheta)}`, 'model.etaTheta');
  if (!(INIT_MAPS as readonly unknown[]).includes(v.init)) throw new ModelVariantError(`${file}: metadata 'model.init' must be one of ${INIT_MAPS.join(', ')}, got ${JSON.stringify(v.init)}`, 'model.init');
  return { layers: v.layers as number, channels: v.channels as number, etaTheta: v.etaTheta as EtaThetaMode, init: v.init as InitMap };
}

/**
 * Checks a state dict against the variant its file records: depth and filters, the x⁰ filter
 * (absent for paper, equal to {@link initFilter} otherwise) and, for `tied`, one η (θ) value per
 * encoder. The error names the file and the key.
 */
export function checkVariant(sd: StateDict, v: ModelVariant, file: string): void {
  const layers = layerCount(sd, 'base');
  const k0 = sd.get('base.conv1.0.kernel');
  if (layers !== v.layers) throw new ModelVariantError(`${file}: metadata says ${v.layers} layers but the tensors have ${layers}`, 'model.layers');
  if (k0 && k0.shape[0] !== v.channels) throw new ModelVariantError(`${file}: metadata says ${v.channels} filters per layer but base.conv1.0.kernel has ${k0.shape[0]}`, 'model.channels');
  for (const [kind] of ENC) {
    const t = sd.get(X0_FILTER_KEY[kind]);
    if (v.init === 'paper') {
      if (t) throw new ModelVariantError(`${file}: metadata says init 'paper' but the file has ${X0_FILTER_KEY[kind]}`, X0_FILTER_KEY[kind]);
      continue;
    }
    const want = initFilter(v.init, kind);
    if (!t || t.dtype !== 'float32' || t.data.length !== want.length || want.some((w, i) => (t.data as Float32Array)[i] !== w)) {
      throw new ModelVariantError(`${file}: metadata says init '${v.init}' but ${X0_FILTER_KEY[kind]} is ${t ? `[${Array.from(t.data as Float32Array).slice(0, 4).join(', ')}]` : 'missing'}`, X0_FILTER_KEY[kind]);
    }
  }
  if (v.etaTheta === 'tied') {
    for (const [kind, list] of ENC) {
      for (const name of ['eta', 'theta']) {
        const first = (sd.get(`${kind}.${list}.0.${name}`)?.data as Float32Array | undefined)?.[0];
        for (let i = 1; i < layers; i++) {
          const key = `${kind}.${list}.${i}.${name}`;
          if ((sd.get(key)?.data as Float32Array | undefined)?.[0] !== first) throw new ModelVariantError(`${file}: metadata says η/θ tied but ${key} differs from layer 0`, key);
        }
      }
    }
  }
}
