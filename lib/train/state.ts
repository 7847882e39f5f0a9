/**
 * A training checkpoint: everything a run needs to continue bit for bit, in one safetensors file,
 * saved together with the weights as one atomic unit ({@link saveCheckpoint}: both written under
 * temporary names, committed by the single rename of `commit.json`):
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
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { encodeSafetensors, readSafetensors } from '../io/safetensors.js';
import { removeStaleTemps, syncDir, writeFileAtomic } from '../io/atomic.js';
import { CheckpointError, type StateDict } from '../io/tensor_record.js';
import { expectedKeys } from '../model/params.js';
import type { AdamParamState } from './adam.js';
import type { RngState } from './rng.js';
import type { TrainConfig } from './config.js';
import { modelVariantOf } from './variant.js';

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

/** The commit record of a run folder: which checkpoint/weights pair is current (see {@link saveCheckpoint}). */
export const COMMIT_FILE = 'commit.json';
export const COMMIT_FORMAT = 'auif-ts/train-commit@1';
/** Suffix of a pair written but not yet in place. */
const NEXT = '.next';

interface CommitRecord {
  format: string;
  epoch: number;
  iteration: number;
  /** sha256 of each file of the pair, by final name. */
  files: Record<string, string>;
}

const sha256 = (b: Uint8Array): string => crypto.createHash('sha256').update(b).digest('hex');

async function fileSha(file: string): Promise<string | null> {
  try {
    return sha256(await fs.promises.readFile(file));
  } catch {
    return null;
  }
}

async function readCommit(dir: string): Promise<CommitRecord | null> {
  const file = path.join(dir, COMMIT_FILE);
  let text: string;
  try {
    text = await fs.promises.readFile(file, 'utf8');
  } catch {
    return null;
  }
  let c: CommitRecord;
  try {
    c = JSON.parse(text) as CommitRecord;
  } catch (e) {
    throw new CheckpointError(`not JSON: ${(e as Error).message}`, file);
  }
  if (c?.format !== COMMIT_FORMAT || typeof c.files !== 'object' || c.files === null) {
    throw new CheckpointError(`not a run commit record (format ${JSON.stringify(c?.format)}, expected '${COMMIT_FORMAT}')`, file);
  }
  return c;
}

/**
 * Brings a run folder to its last committed state after an interrupted {@link saveCheckpoint}:
 * files of the committed pair still under their `.next` name are moved into place (roll
 * forward); a pair written but never committed is deleted (roll back), as are temporary files
 * of dead processes. Afterwards `checkpoint.safetensors` and `weights.safetensors` are the pair
 * `commit.json` names. A folder without `commit.json` (nothing committed yet, or a run of an
 * older version) only loses its uncommitted files.
 * @returns what was done, e.g. `['rolled forward weights.safetensors']`.
 * @throws CheckpointError when a committed file is missing or differs from its recorded sha256.
 */
export async function recoverRun(dir: string): Promise<string[]> {
  const done: string[] = [];
  const commit = await readCommit(dir);
  for (const name of [CHECKPOINT_FILE, WEIGHTS_FILE, COMMIT_FILE]) {
    for (const n of await removeStaleTemps(path.join(dir, name))) done.push(`removed ${n}`);
    for (const n of await removeStaleTemps(path.join(dir, name + NEXT))) done.push(`removed ${n}`);
  }
  for (const name of [CHECKPOINT_FILE, WEIGHTS_FILE]) {
    const final = path.join(dir, name), next = final + NEXT;
    const want = commit?.files[name];
    const nextSha = await fileSha(next);
    if (want === undefined) {
      if (nextSha !== null) { await fs.promises.rm(next, { force: true }); done.push(`rolled back ${name}${NEXT}`); }
      continue;
    }
    if (nextSha === want) {
      await fs.promises.rename(next, final);
      done.push(`rolled forward ${name}`);
      continue;
    }
    if (nextSha !== null) { await fs.promises.rm(next, { force: true }); done.push(`rolled back ${name}${NEXT}`); }
    const have = await fileSha(final);
    if (have !== want) {
      throw new CheckpointError(`${have === null ? 'missing' : 'differs from'} the pair committed in ${COMMIT_FILE} (epoch ${commit!.epoch}, iteration ${commit!.iteration}): sha256 ${have ?? '—'}, recorded ${want}`, final);
    }
  }
  if (done.length) await syncDir(dir);
  return done;
}

/**
 * Saves the full state (`dir/checkpoint.safetensors`) and the weights (`dir/weights.safetensors`)
 * as one atomic unit. Both files are first written completely (each atomically) under a `.next`
 * name; then `dir/commit.json` — the epoch, the iteration and the sha256 of both — replaces the
 * previous one with a single rename: that rename is the commit; then both `.next` files are
 * renamed into place. A crash before the commit leaves the previous pair in force; after it, the
 * new one: {@link recoverRun} (run by the next save and by `train({ resume })`) completes or
 * undoes whatever was interrupted, so the weights never belong to another epoch than the
 * checkpoint beside them.
 */
export async function saveCheckpoint(dir: string, s: TrainState): Promise<void> {
  await fs.promises.mkdir(dir, { recursive: true });
  await recoverRun(dir);
  const { tensors, metadata } = encodeState(s);
  const pair: [string, Uint8Array][] = [
    [CHECKPOINT_FILE, encodeSafetensors(tensors, metadata, path.join(dir, CHECKPOINT_FILE))],
    [WEIGHTS_FILE, encodeSafetensors(weightsOnly(s.weights), {
      format: 'auif-ts/weights@1', epoch: String(s.epoch), iteration: String(s.iteration), made_by: 'auif-ts train',
      // what the file is (lib/train/variant.ts; `loadWeights` checks it) and the loss weight it was trained with
      model: JSON.stringify(modelVariantOf(s.config)), mu: String(s.config.mu), seed: String(s.config.seed),
    }, path.join(dir, WEIGHTS_FILE))],
  ];
  const write = async (file: string, bytes: Uint8Array) => {
    try {
      await writeFileAtomic(file, bytes);
    } catch (e) {
      throw new CheckpointError(`write failed: ${(e as Error).message}`, file, undefined, { cause: e });
    }
  };
  for (const [name, bytes] of pair) await write(path.join(dir, name + NEXT), bytes);
  const commit: CommitRecord = {
    format: COMMIT_FORMAT, epoch: s.epoch, iteration: s.iteration,
    files: Object.fromEntries(pair.map(([name, bytes]) => [name, sha256(bytes)])),
  };
  await write(path.join(dir, COMMIT_FILE), new TextEncoder().encode(`${JSON.stringify(commit, null, 1)}\n`));
  for (const [name] of pair) await fs.promises.rename(path.join(dir, name + NEXT), path.join(dir, name));
  await syncDir(dir);
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
