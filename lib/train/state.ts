/**
 * A training checkpoint: everything a run needs to continue bit for bit, in one safetensors file
 * written atomically (temporary file, fsync, rename):
 *
 * | tensors | what |
 * |---|---|
 * | `base.conv1.0.kernel`, …, `decoder.decoder.2.num_batches_tracked` | the model, upstream names (as `weights.safetensors`) |
 * | `optimizer.exp_avg.<key>`, `optimizer.exp_avg_sq.<key>`, `optimizer.step.<key>` | Adam's m, v and step count of each parameter |
 * | `loop.rng` (int64 × 4) | the random stream's state |
 * | `loop.perm` (int32 × N, or × 0 before the epoch's shuffle is drawn) | the current epoch's shuffle |
 *
 * and `__metadata__`: `format`, `epoch` (epochs completed), `stepInEpoch` (batches of the next
 * epoch already done), `iteration` (steps done), `config` (the run's {@link TrainConfig}, JSON).
 */
import fs from 'node:fs';
import path from 'node:path';
import { readSafetensors, writeSafetensors } from '../io/safetensors.js';
import { CheckpointError, type StateDict } from '../io/tensor_record.js';
import { expectedKeys } from '../model/params.js';
import type { AdamParamState } from './adam.js';
import type { RngState } from './rng.js';
import type { TrainConfig } from './config.js';

export const CHECKPOINT_FORMAT = 'auif-ts/train-checkpoint@1';
export const CHECKPOINT_FILE = 'checkpoint.safetensors';
export const WEIGHTS_FILE = 'weights.safetensors';

/** The state of a run between two steps. */
export interface TrainState {
  /** Parameters and BN buffers, upstream names (float32; `num_batches_tracked` int64). */
  weights: StateDict;
  /** Adam state by parameter key. */
  adam: Map<string, AdamParamState>;
  /** Epochs completed. */
  epoch: number;
  /** Steps of epoch `epoch` (0-based) already done; 0 at an epoch boundary. */
  stepInEpoch: number;
  /** Steps done in all. */
  iteration: number;
  rng: RngState;
  /** The shuffle of the epoch in progress (null until it is drawn). */
  perm: Int32Array | null;
  config: TrainConfig;
}

const OPT = 'optimizer.';

/** The weights of a state only (what `loadWeights` reads). */
export function weightsOnly(weights: StateDict): StateDict {
  return new Map([...weights].filter(([k]) => !k.startsWith(OPT) && !k.startsWith('loop.')));
}

/** Serialises a state (see the module comment). */
export function encodeState(s: TrainState): { tensors: StateDict; metadata: Record<string, string> } {
  const tensors: StateDict = new Map(s.weights);
  for (const [key, st] of s.adam) {
    tensors.set(`${OPT}exp_avg.${key}`, { dtype: 'float32', shape: [...s.weights.get(key)!.shape], data: Float32Array.from(st.expAvg) });
    tensors.set(`${OPT}exp_avg_sq.${key}`, { dtype: 'float32', shape: [...s.weights.get(key)!.shape], data: Float32Array.from(st.expAvgSq) });
    tensors.set(`${OPT}step.${key}`, { dtype: 'int64', shape: [], data: BigInt64Array.of(BigInt(st.step)) });
  }
  tensors.set('loop.rng', { dtype: 'int64', shape: [4], data: BigInt64Array.from(s.rng.map((w) => BigInt(w))) });
  const perm = s.perm ?? new Int32Array(0);
  tensors.set('loop.perm', { dtype: 'int32', shape: [perm.length], data: Int32Array.from(perm) });
  const metadata = {
    format: CHECKPOINT_FORMAT,
    epoch: String(s.epoch),
    stepInEpoch: String(s.stepInEpoch),
    iteration: String(s.iteration),
    config: JSON.stringify(s.config),
  };
  return { tensors, metadata };
}

/** Writes `dir/checkpoint.safetensors` (the full state) and `dir/weights.safetensors`, each atomically. */
export async function saveCheckpoint(dir: string, s: TrainState): Promise<void> {
  await fs.promises.mkdir(dir, { recursive: true });
  const { tensors, metadata } = encodeState(s);
  await writeSafetensors(path.join(dir, CHECKPOINT_FILE), tensors, metadata);
  await writeSafetensors(path.join(dir, WEIGHTS_FILE), weightsOnly(s.weights), {
    format: 'auif-ts/weights@1', epoch: String(s.epoch), iteration: String(s.iteration), made_by: 'auif-ts train',
  });
}

function metaInt(meta: Record<string, string>, key: string, file: string): number {
  const v = Number(meta[key]);
  if (meta[key] === undefined || !Number.isSafeInteger(v) || v < 0) throw new CheckpointError(`metadata '${key}' is ${JSON.stringify(meta[key])}, expected an integer ≥ 0`, file);
  return v;
}

/** Reads a checkpoint written by {@link saveCheckpoint}; errors name the file and what is wrong. */
export function loadCheckpoint(file: string): TrainState {
  const { tensors, metadata } = readSafetensors(file);
  if (metadata.format !== CHECKPOINT_FORMAT) {
    throw new CheckpointError(`not a training checkpoint (metadata format ${JSON.stringify(metadata.format)}, expected '${CHECKPOINT_FORMAT}')`, file);
  }
  let config: TrainConfig;
  try {
    config = JSON.parse(metadata.config) as TrainConfig;
  } catch (e) {
    throw new CheckpointError(`metadata 'config' is not JSON: ${(e as Error).message}`, file);
  }
  const weights: StateDict = new Map();
  const adam = new Map<string, AdamParamState>();
  for (const [k, t] of tensors) {
    if (!k.startsWith(OPT) && !k.startsWith('loop.')) weights.set(k, t);
  }
  const expected = expectedKeys(config.layers, config.channels);
  for (const k of expected.keys()) if (!weights.has(k)) throw new CheckpointError(`missing tensor '${k}'`, file, k);
  for (const [k, t] of tensors) {
    const m = /^optimizer\.exp_avg\.(.+)$/.exec(k);
    if (!m) continue;
    const key = m[1];
    const sq = tensors.get(`${OPT}exp_avg_sq.${key}`);
    const step = tensors.get(`${OPT}step.${key}`);
    if (!sq || !step || !weights.has(key)) throw new CheckpointError(`incomplete optimizer state for '${key}'`, file, key);
    adam.set(key, { step: Number((step.data as BigInt64Array)[0]), expAvg: t.data as Float32Array, expAvgSq: sq.data as Float32Array });
  }
  const rngT = tensors.get('loop.rng');
  const permT = tensors.get('loop.perm');
  if (!rngT || rngT.dtype !== 'int64' || rngT.data.length !== 4) throw new CheckpointError("missing or malformed 'loop.rng'", file, 'loop.rng');
  if (!permT || permT.dtype !== 'int32') throw new CheckpointError("missing or malformed 'loop.perm'", file, 'loop.perm');
  const stepInEpoch = metaInt(metadata, 'stepInEpoch', file);
  return {
    weights,
    adam,
    epoch: metaInt(metadata, 'epoch', file),
    stepInEpoch,
    iteration: metaInt(metadata, 'iteration', file),
    rng: Array.from(rngT.data as BigInt64Array, Number) as RngState,
    perm: permT.data.length > 0 ? (permT.data as Int32Array) : null,
    config,
  };
}
