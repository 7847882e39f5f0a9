/**
 * The training recipe as one typed record, with the upstream values as defaults
 * (`args.py`, `train.py`), and its validation: errors name the key and say what is allowed.
 *
 * | key | default | upstream |
 * |---|---|---|
 * | `epochs` | 80 | `epochs = 80` |
 * | `batchSize` | 32 | `batch_size = 32` |
 * | `stepsPerEpoch` | ⌈N/batchSize⌉ (12) | `Iter_per_epoch` |
 * | `mu` | 5 | `loss = mse + 5*ssim` |
 * | `lr` | base 1e-2, detail 1e-3, decoder 1e-2 | `lr`, `0.1*lr`, `lr` of the three Adams |
 * | `milestones`, `gamma` | [41, 81], 0.1 | `MultiStepLR(opt, [41, 81], gamma=0.1)` |
 * | `layers`, `channels` | 10, 64 | `layer_numb = 10`, `channel = 64` |
 * | `etaTheta` | `learned` (per layer) | `nn.Parameter` per layer; `tied`, `fixed`: ablation variants (variant.ts) |
 * | `init` | `paper` (box 11×11 / Laplacian 19×19) | `kornia.filters`; `identity`, `zero`: ablation variants (variant.ts) |
 * | `cropSize` | 128 | `img_size = 128` (`RandomResizedCrop`) |
 * | `seed` | 0 | — (upstream is unseeded) |
 * | `images` | the 360 staged `Train_data_FLIR/FLIR` images | `ImageFolder(train_data_path)` |
 * | `weights` | — (random init) | — |
 * | `outDir`, `resume` | —, false | — |
 * | `operator` | library default | — |
 */
import type { OperatorImpl } from '../unrolling/operator.js';
import { MIN_SIDE } from '../unrolling/filters.js';
import { DEFAULT_CHANNELS, DEFAULT_LAYERS } from './init.js';
import { DEFAULT_BATCH_SIZE, DEFAULT_CROP_SIZE } from './data.js';
import { DEFAULT_MU } from './loss.js';
import { DEFAULT_GAMMA, DEFAULT_MILESTONES } from './schedule.js';
import { PARAM_GROUPS, type ParamGroup } from './parameters.js';
import { ETA_THETA_MODES, INIT_MAPS, type EtaThetaMode, type InitMap } from './variant.js';

/** The formulations of the layer operator (lib/unrolling/operator.ts `OperatorImpl`). */
export const OPERATOR_IMPLS: readonly OperatorImpl[] = ['fast', 'native', 'tfjs', 'twoConv'];

/** Learning rate of each parameter group. */
export type LearningRates = Record<ParamGroup, number>;

export interface TrainConfig {
  /** Epochs to train (1-based epochs 1…epochs). */
  epochs: number;
  batchSize: number;
  /** Steps per epoch; default ⌈N/batchSize⌉ (every batch of the shuffled set once). */
  stepsPerEpoch?: number;
  /** Weight μ of the SSIM term. */
  mu: number;
  lr: LearningRates;
  milestones: number[];
  gamma: number;
  /** Unrolled layers per encoder. */
  layers: number;
  /** Filters per layer (C of Kₖ). */
  channels: number;
  /** ηₖ, θₖ: one per layer and learned (paper; also when omitted), tied across layers, or fixed at their initial draw. */
  etaTheta?: EtaThetaMode;
  /** x⁰: the paper's box / Laplacian filtering (also when omitted), x⁰ = I, or x⁰ = 0. */
  init?: InitMap;
  /** Seed of the run's random stream (init, shuffles, crops). */
  seed: number;
  /** Side of the square training crops. */
  cropSize: number;
  /** Training image files (default: the staged upstream training set). */
  images?: string[];
  /** Start from these weights (a file `loadWeights` reads) instead of the random init. */
  weights?: string;
  /** Folder for `checkpoint.safetensors`, `weights.safetensors` and `log.jsonl`. */
  outDir?: string;
  /** Continue from `outDir/checkpoint.safetensors`. */
  resume: boolean;
  /** Start a new run in `outDir` even when it holds an earlier run (its files are replaced). */
  force?: boolean;
  /** Formulation of the layer operator (default: the library's). */
  operator?: OperatorImpl;
}

/** An invalid training configuration; `key` names the offending key. */
export class TrainConfigError extends Error {
  constructor(message: string, readonly key?: string) { super(message); this.name = 'TrainConfigError'; }
}

export const TRAIN_DEFAULTS: Readonly<TrainConfig> = Object.freeze({
  epochs: 80,
  batchSize: DEFAULT_BATCH_SIZE,
  mu: DEFAULT_MU,
  lr: { base: 1e-2, detail: 1e-3, decoder: 1e-2 },
  milestones: [...DEFAULT_MILESTONES],
  gamma: DEFAULT_GAMMA,
  layers: DEFAULT_LAYERS,
  channels: DEFAULT_CHANNELS,
  seed: 0,
  cropSize: DEFAULT_CROP_SIZE,
  resume: false,
});

export const TRAIN_CONFIG_KEYS: readonly (keyof TrainConfig)[] = [
  'epochs', 'batchSize', 'stepsPerEpoch', 'mu', 'lr', 'milestones', 'gamma', 'layers', 'channels',
  'etaTheta', 'init', 'seed', 'cropSize', 'images', 'weights', 'outDir', 'resume', 'operator', 'force',
];

/** Keys that fix the run's trajectory: a resumed run must keep them. */
export const RECIPE_KEYS: readonly (keyof TrainConfig)[] = [
  'batchSize', 'stepsPerEpoch', 'mu', 'lr', 'milestones', 'gamma', 'layers', 'channels', 'etaTheta', 'init', 'seed', 'cropSize', 'images', 'weights', 'operator',
];

function positiveInt(cfg: Partial<TrainConfig>, key: 'epochs' | 'batchSize' | 'stepsPerEpoch' | 'layers' | 'channels' | 'cropSize', min = 1): void {
  const v = cfg[key];
  if (v === undefined) return;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    throw new TrainConfigError(`train config: '${key}' must be an integer ≥ ${min}, got ${JSON.stringify(v)}`, key);
  }
}

function finite(cfg: Partial<TrainConfig>, key: 'mu' | 'gamma', ok: (v: number) => boolean, what: string): void {
  const v = cfg[key];
  if (v === undefined) return;
  if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v)) throw new TrainConfigError(`train config: '${key}' must be ${what}, got ${JSON.stringify(v)}`, key);
}

/**
 * Checks a partial configuration (unknown keys, types, ranges) and fills in the defaults.
 * What depends on the data (batch size vs. number of images, steps per epoch) is checked by
 * {@link checkAgainstData} once the images are known.
 */
export function resolveConfig(partial: Partial<TrainConfig> = {}): TrainConfig {
  if (partial === null || typeof partial !== 'object' || Array.isArray(partial)) {
    throw new TrainConfigError(`train config must be an object, got ${JSON.stringify(partial)}`);
  }
  for (const k of Object.keys(partial)) {
    if (!(TRAIN_CONFIG_KEYS as readonly string[]).includes(k)) {
      throw new TrainConfigError(`train config: unknown key '${k}' (known: ${TRAIN_CONFIG_KEYS.join(', ')})`, k);
    }
  }
  const cfg = partial;
  positiveInt(cfg, 'epochs');
  positiveInt(cfg, 'batchSize');
  positiveInt(cfg, 'stepsPerEpoch');
  positiveInt(cfg, 'layers');
  positiveInt(cfg, 'channels');
  positiveInt(cfg, 'cropSize', MIN_SIDE);
  finite(cfg, 'mu', (v) => v >= 0, 'a number ≥ 0');
  finite(cfg, 'gamma', (v) => v > 0, 'a number > 0');
  if (cfg.seed !== undefined && (typeof cfg.seed !== 'number' || !Number.isInteger(cfg.seed) || cfg.seed < 0 || cfg.seed >= 2 ** 32)) {
    throw new TrainConfigError(`train config: 'seed' must be an integer in [0, 2³²), got ${JSON.stringify(cfg.seed)}`, 'seed');
  }
  if (cfg.lr !== undefined) {
    if (cfg.lr === null || typeof cfg.lr !== 'object') throw new TrainConfigError(`train config: 'lr' must be an object { base, detail, decoder }, got ${JSON.stringify(cfg.lr)}`, 'lr');
    for (const [g, v] of Object.entries(cfg.lr)) {
      if (!(PARAM_GROUPS as readonly string[]).includes(g)) throw new TrainConfigError(`train config: unknown key 'lr.${g}' (known: ${PARAM_GROUPS.map((p) => `lr.${p}`).join(', ')})`, `lr.${g}`);
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new TrainConfigError(`train config: 'lr.${g}' must be a number ≥ 0, got ${JSON.stringify(v)}`, `lr.${g}`);
    }
  }
  if (cfg.milestones !== undefined && (!Array.isArray(cfg.milestones) || !cfg.milestones.every((m) => Number.isInteger(m) && m >= 1))) {
    throw new TrainConfigError(`train config: 'milestones' must be a list of integers ≥ 1 (epoch indices), got ${JSON.stringify(cfg.milestones)}`, 'milestones');
  }
  if (cfg.images !== undefined && (!Array.isArray(cfg.images) || cfg.images.length === 0 || !cfg.images.every((f) => typeof f === 'string'))) {
    throw new TrainConfigError(`train config: 'images' must be a non-empty list of file paths, got ${JSON.stringify(cfg.images)?.slice(0, 80)}`, 'images');
  }
  for (const k of ['weights', 'outDir'] as const) {
    if (cfg[k] !== undefined && (typeof cfg[k] !== 'string' || cfg[k] === '')) throw new TrainConfigError(`train config: '${k}' must be a path, got ${JSON.stringify(cfg[k])}`, k);
  }
  if (cfg.resume !== undefined && typeof cfg.resume !== 'boolean') throw new TrainConfigError(`train config: 'resume' must be true or false, got ${JSON.stringify(cfg.resume)}`, 'resume');
  if (cfg.force !== undefined && typeof cfg.force !== 'boolean') throw new TrainConfigError(`train config: 'force' must be true or false, got ${JSON.stringify(cfg.force)}`, 'force');
  if (cfg.force && cfg.resume) throw new TrainConfigError("train config: 'force' (start afresh) and 'resume' (continue) exclude each other", 'force');
  if (cfg.resume && !cfg.outDir) throw new TrainConfigError("train config: 'resume' needs 'outDir' (the folder holding checkpoint.safetensors)", 'resume');
  if (cfg.etaTheta !== undefined && !(ETA_THETA_MODES as readonly unknown[]).includes(cfg.etaTheta)) {
    throw new TrainConfigError(`train config: 'etaTheta' must be one of ${ETA_THETA_MODES.join(', ')}, got ${JSON.stringify(cfg.etaTheta)}`, 'etaTheta');
  }
  if (cfg.init !== undefined && !(INIT_MAPS as readonly unknown[]).includes(cfg.init)) {
    throw new TrainConfigError(`train config: 'init' must be one of ${INIT_MAPS.join(', ')}, got ${JSON.stringify(cfg.init)}`, 'init');
  }
  if (cfg.operator !== undefined && !(OPERATOR_IMPLS as readonly string[]).includes(cfg.operator)) {
    throw new TrainConfigError(`train config: 'operator' must be one of ${OPERATOR_IMPLS.join(', ')}, got ${JSON.stringify(cfg.operator)}`, 'operator');
  }
  return {
    ...TRAIN_DEFAULTS,
    ...Object.fromEntries(Object.entries(cfg).filter(([, v]) => v !== undefined)),
    lr: { ...TRAIN_DEFAULTS.lr, ...(cfg.lr ?? {}) },
    milestones: [...(cfg.milestones ?? TRAIN_DEFAULTS.milestones)],
  } as TrainConfig;
}

/** Checks the batch layout against the number of training images; returns the steps per epoch. */
export function checkAgainstData(cfg: TrainConfig, nImages: number): number {
  if (cfg.batchSize > nImages) {
    throw new TrainConfigError(`train config: 'batchSize' (${cfg.batchSize}) is larger than the data set (${nImages} image${nImages === 1 ? '' : 's'})`, 'batchSize');
  }
  const full = Math.ceil(nImages / cfg.batchSize);
  const steps = cfg.stepsPerEpoch ?? full;
  if (steps > full) {
    throw new TrainConfigError(`train config: 'stepsPerEpoch' (${steps}) exceeds the ${full} batch${full === 1 ? '' : 'es'} of ${cfg.batchSize} that ${nImages} images give per epoch`, 'stepsPerEpoch');
  }
  return steps;
}
