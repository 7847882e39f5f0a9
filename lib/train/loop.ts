/**
 * The training loop of upstream `train.py`, as a library call:
 *
 *   for epoch = 1 … epochs:                          lr = MultiStepLR(epoch − 1) per group
 *     shuffle the N images; for step = 1 … ⌈N/B⌉:     batch = crops of the next B images
 *       L = L_MSE + μ·L_SSIM;  Adam step;  BN buffers updated
 *     checkpoint (outDir)
 *
 * ```ts
 * const { params, log } = await train({ epochs: 2, mu: 5, outDir: 'runs/a' }, {
 *   onStep: (s) => console.log(s.epoch, s.step, s.loss),   // live plots in a notebook
 *   signal: controller.signal,                             // stop: checkpoint and return
 * });
 * ```
 *
 * Determinism: every random choice comes from one seeded stream ({@link Rng}); on a given
 * backend a run is fixed by its config, and a run stopped and resumed from its checkpoint
 * continues exactly as the uninterrupted run would (weights, optimiser state, BN buffers, the
 * random stream and the epoch's shuffle are all in the checkpoint).
 */
import fs from 'node:fs';
import path from 'node:path';
import { initBackend } from '../backend/select.js';
import { nativeStatus } from '../kernels/native.js';
import { registerWasmKernels } from '../backend/wasm_kernels.js';
import type { StateDict } from '../io/tensor_record.js';
import { writeFileAtomic } from '../io/image.js';
import { makeDirs } from '../util/mkdirs.js';
import type { EpochLog, StepLog } from '../io/training_log.js';
import { readWeights } from '../model/checkpoint.js';
import { disposeParams, inferArchitecture, paramsFromStateDict, stateDictFromParams, type AuifParams } from '../model/params.js';
import { Adam } from './adam.js';
import { checkAgainstData, RECIPE_KEYS, resolveConfig, TrainConfigError, type LearningRates, type TrainConfig } from './config.js';
import { batchIndices, loadImages, makeBatch, trainingFiles } from './data.js';
import { initParams } from './init.js';
import { PARAM_GROUPS } from './parameters.js';
import { Rng } from './rng.js';
import { multiStepLr } from './schedule.js';
import { CHECKPOINT_FILE, COMMIT_FILE, WEIGHTS_FILE, loadCheckpoint, recoverRun, saveCheckpoint, type TrainState } from './state.js';
import { optimizationStep } from './step.js';
import { applyVariantAfterStep, applyVariantAtStart, etaThetaValues, modelVariantOf } from './variant.js';

// The log records live in io/ (a file format both this loop and the figures read).
export type { EpochLog, StepLog } from '../io/training_log.js';

/** Where a run stands when its loop starts (after data loading; resumed runs start part-way). */
export interface TrainStart {
  config: TrainConfig;
  images: number;
  stepsPerEpoch: number;
  /** epochs · stepsPerEpoch. */
  totalSteps: number;
  /** Steps already done (0 unless resumed). */
  iterationsDone: number;
}

export interface TrainCallbacks {
  /** Once, before the first step. */
  onStart?(info: TrainStart): void | Promise<void>;
  /** After every step (awaited when it returns a promise). */
  onStep?(log: StepLog): void | Promise<void>;
  /** After every completed epoch (and its checkpoint). */
  onEpoch?(log: EpochLog): void | Promise<void>;
  /** Abort: the loop stops before its next step, checkpoints (with outDir) and resolves. */
  signal?: AbortSignal;
}

export interface TrainResult {
  /** The trained model (tensors; free with `disposeParams`). */
  params: AuifParams;
  /** Steps run in this call. */
  log: StepLog[];
  epochs: EpochLog[];
  /** True when stopped by the signal before the last epoch ended. */
  stopped: boolean;
  /** The configuration the run used (defaults filled in; from the checkpoint when resumed). */
  config: TrainConfig;
  /** Epochs completed and steps done, in all. */
  epochsDone: number;
  iterations: number;
  stepsPerEpoch: number;
}

export const LOG_FILE = 'log.jsonl';

/**
 * A training step the backend could not run (the wasm backend's memory exhausted); the message
 * says which configuration, why and what to do instead.
 */
export class TrainResourceError extends Error {
  constructor(message: string) { super(message); this.name = 'TrainResourceError'; }
}

/** Errors of the wasm runtime when its heap (at most 4 GB) is exhausted. */
const WASM_OUT_OF_MEMORY = /Aborted\(\)|Cannot enlarge memory|out of memory|memory access out of bounds/i;

/** Rethrows a wasm out-of-memory abort of a training step as a {@link TrainResourceError} that says what to do. */
export function explainStepFailure(e: unknown, backend: string, cfg: TrainConfig): never {
  const err = e as Error;
  if (backend === 'wasm' && WASM_OUT_OF_MEMORY.test(String(err?.message))) {
    const native = nativeStatus();
    throw new TrainResourceError(
      `the wasm backend ran out of memory in a training step (batch ${cfg.batchSize} of ${cfg.cropSize}×${cfg.cropSize}, `
      + `layer operator: ${native.available && cfg.operator !== 'tfjs' && cfg.operator !== 'twoConv' ? 'native' : `tfjs (native kernels ${native.available ? 'not used' : `unavailable: ${native.reason}`})`}). `
      + 'The tfjs formulation keeps every layer\'s intermediate maps for the backward pass and does not fit wasm\'s heap at the paper\'s batch of 32. '
      + 'Build the native kernels (`npm run build:native`; needs g++ and make, e.g. `apt-get install g++ make`), '
      + 'train on a GPU/libtensorflow backend (see README, Backends), or use a smaller batch (--batch 8).');
  }
  throw e;
}

/** A step log that cannot be read; names the file and the line. */
/** Training diverged: a step's loss is NaN or infinite. Nothing of that step is saved. */
export class TrainDivergedError extends Error {
  constructor(message: string) { super(message); this.name = 'TrainDivergedError'; }
}

/** Another live process trains into the same folder (its lock file names the pid). */
export class TrainLockError extends Error {
  constructor(message: string) { super(message); this.name = 'TrainLockError'; }
}

/** The lock file of a run folder: `DIR/.lock` holding the pid of the process that trains there. */
export const LOCK_FILE = '.lock';

function pidAlive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
}

/**
 * Takes the run folder's lock (`O_EXCL` create of {@link LOCK_FILE} with our pid). A lock whose
 * pid is alive is refused; a stale one (its process is gone) is taken over, with a message.
 * Returns the release function.
 */
export function acquireRunLock(dir: string, warn: (msg: string) => void = (m) => process.stderr.write(`[auif] ${m}\n`)): () => void {
  const file = path.join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      fs.writeFileSync(file, `${process.pid}\n`, { flag: 'wx' });
      return () => {
        try { if (fs.readFileSync(file, 'utf8').trim() === String(process.pid)) fs.unlinkSync(file); } catch { /* already gone */ }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    let text = '';
    try { text = fs.readFileSync(file, 'utf8').trim(); } catch { continue; } // released meanwhile: retry
    const pid = Number(text);
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && pidAlive(pid)) {
      throw new TrainLockError(`${dir} is in use: process ${pid} is training there (lock ${file}); wait for it, stop it, or choose another --out`);
    }
    warn(`taking over the stale lock ${file} (process ${text || '?'} is gone)`);
    try { fs.unlinkSync(file); } catch { /* raced: retry */ }
  }
  throw new TrainLockError(`${dir}: could not take the lock ${file}`);
}

/** First non-finite value of a state dict's float tensors, as "key[index] = value", or null. */
function firstNonFinite(sd: StateDict): string | null {
  for (const [k, t] of sd) {
    if (t.dtype !== 'float32' && t.dtype !== 'float64') continue;
    const d = t.data as Float32Array | Float64Array;
    for (let i = 0; i < d.length; i++) if (!Number.isFinite(d[i])) return `${k}[${i}] = ${d[i]}`;
  }
  return null;
}

export class StepLogError extends Error {
  constructor(message: string) { super(message); this.name = 'StepLogError'; }
}

/**
 * The step log of a run (`DIR/log.jsonl`: one JSON {@link StepLog} per line, as `train()` appends
 * them). A line that is not JSON, or lacks a numeric epoch, step, iteration or loss, is an error
 * naming the file and the line number.
 */
export function readStepLog(file: string): StepLog[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new StepLogError(`${file}: cannot read the step log (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return text.split('\n').flatMap((line, i): StepLog[] => {
    if (line.trim() === '') return [];
    let v: unknown;
    try { v = JSON.parse(line); } catch { throw new StepLogError(`${file}:${i + 1}: not a JSON line`); }
    const s = v as Record<string, unknown>;
    for (const k of ['epoch', 'step', 'iteration', 'loss']) {
      if (typeof s?.[k] !== 'number') throw new StepLogError(`${file}:${i + 1}: '${k}' is missing or not a number`);
    }
    return [s as unknown as StepLog];
  });
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The run's configuration when resuming: the checkpoint's, with explicitly given keys checked against it. */
function resumedConfig(given: Partial<TrainConfig>, saved: TrainConfig): TrainConfig {
  const explicit = resolveConfig(given);
  for (const k of RECIPE_KEYS) {
    if (given[k] === undefined) continue;
    const a = k === 'lr' ? explicit.lr : explicit[k];
    if (!sameValue(a, saved[k])) {
      throw new TrainConfigError(`train config: '${k}' is ${JSON.stringify(a)} but the checkpoint's run used ${JSON.stringify(saved[k])}; a resumed run keeps its recipe`, k);
    }
  }
  return { ...saved, epochs: given.epochs ?? saved.epochs, outDir: explicit.outDir, resume: true };
}

/** Keeps the first `iterations` lines of an existing log (steps after the checkpoint are redone). */
async function truncateLog(file: string, iterations: number): Promise<void> {
  if (!fs.existsSync(file)) return;
  const lines = (await fs.promises.readFile(file, 'utf8')).split('\n').filter((l) => l.trim() !== '');
  const kept = lines.filter((l) => {
    try { return (JSON.parse(l) as StepLog).iteration <= iterations; } catch { return false; }
  });
  await writeFileAtomic(file, Buffer.from(kept.map((l) => l + '\n').join('')));
}

function mean(xs: number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN;
}

/** Yields to the event loop (so that a signal handler, e.g. Ctrl-C, can run between steps). */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Trains AUIF with the upstream recipe (every key of {@link TrainConfig} optional; defaults are
 * upstream's). With `outDir`, writes `checkpoint.safetensors` + `weights.safetensors` after every
 * epoch and on stop, and appends one JSON line per step to `log.jsonl`.
 * @throws TrainConfigError for a bad configuration (unknown key, N < 1, batch larger than the data…)
 */
export async function train(config: Partial<TrainConfig> = {}, callbacks: TrainCallbacks = {}): Promise<TrainResult> {
  let cfg = resolveConfig(config);
  const backend = await initBackend({ quiet: true });
  // On wasm, ∂conv/∂x through XNNPACK (faster); always the same kernels, so a run and its
  // resumption compute identically.
  if (backend.name === 'wasm') registerWasmKernels({ replaceConv2DBackpropInput: true });

  // State: fresh or from the checkpoint.
  let state: TrainState;
  const ckptFile = cfg.outDir ? path.join(cfg.outDir, CHECKPOINT_FILE) : undefined;
  if (cfg.resume) {
    if (cfg.outDir && fs.existsSync(cfg.outDir)) await recoverRun(cfg.outDir); // finish or undo an interrupted save
    if (!ckptFile || !fs.existsSync(ckptFile)) throw new TrainConfigError(`train config: 'resume' is set but there is no ${CHECKPOINT_FILE} in ${cfg.outDir}`, 'resume');
    state = loadCheckpoint(ckptFile);
    cfg = resumedConfig(config, state.config);
    state.config = cfg;
    if (cfg.epochs < state.epoch) throw new TrainConfigError(`train config: 'epochs' (${cfg.epochs}) is below the ${state.epoch} epochs the checkpoint has already done`, 'epochs');
  } else {
    if (cfg.outDir && fs.existsSync(cfg.outDir) && !fs.statSync(cfg.outDir).isDirectory()) {
      throw new TrainConfigError(`train config: 'outDir' ${cfg.outDir} is a file, not a folder`, 'outDir');
    }
    const earlier = cfg.outDir ? [CHECKPOINT_FILE, COMMIT_FILE, WEIGHTS_FILE, LOG_FILE].filter((f) => fs.existsSync(path.join(cfg.outDir!, f))) : [];
    if (earlier.length && !cfg.force) {
      throw new TrainConfigError(`train config: ${cfg.outDir} already holds a run (${earlier.join(', ')}); pass resume: true (--resume) to continue it, force: true (--force) to start afresh there, or choose another outDir`, 'outDir');
    }
    const rng = new Rng(cfg.seed);
    let weights: StateDict;
    if (cfg.weights) {
      weights = readWeights(cfg.weights);
      disposeParams(paramsFromStateDict(weights)); // validates names, shapes, dtypes
      const arch = inferArchitecture(weights);
      for (const k of ['layers', 'channels'] as const) {
        if (config[k] !== undefined && config[k] !== arch[k]) throw new TrainConfigError(`train config: '${k}' is ${config[k]} but the weights ${cfg.weights} have ${arch[k]}`, k);
      }
      cfg = { ...cfg, layers: arch.layers, channels: arch.channels };
    } else {
      const p = initParams(rng, { layers: cfg.layers, channels: cfg.channels });
      weights = stateDictFromParams(p);
      disposeParams(p);
    }
    applyVariantAtStart(weights, modelVariantOf(cfg)); // x⁰ filter, tied η/θ (the paper's: nothing)
    state = { weights, adam: new Map(), epoch: 0, stepInEpoch: 0, iteration: 0, rng: rng.state(), perm: null, config: cfg };
  }

  const files = cfg.images ?? (await trainingFiles({ quiet: true }));
  const stepsPerEpoch = checkAgainstData(cfg, files.length);
  if (state.stepInEpoch >= stepsPerEpoch) throw new TrainConfigError(`train config: the checkpoint stopped after step ${state.stepInEpoch} of an epoch of ${stepsPerEpoch}`, 'stepsPerEpoch');
  if (state.perm && state.perm.length !== files.length) throw new TrainConfigError(`train config: the checkpoint's epoch shuffles ${state.perm.length} images but there are ${files.length}`, 'images');
  const images = await loadImages(files);
  const smallest = images.reduce((m, im, i) => (Math.min(im.width, im.height) < Math.min(images[m].width, images[m].height) ? i : m), 0);
  if (images.length && cfg.cropSize > Math.min(images[smallest].width, images[smallest].height)) {
    throw new TrainConfigError(`train config: 'cropSize' ${cfg.cropSize} is larger than the smallest training image (${files[smallest]}: ${images[smallest].width}×${images[smallest].height})`, 'cropSize');
  }

  const logFile = cfg.outDir ? path.join(cfg.outDir, LOG_FILE) : undefined;
  let releaseLock = () => {};
  if (cfg.outDir) {
    try {
      await makeDirs(cfg.outDir);
    } catch (e) {
      throw new TrainConfigError(`train config: 'outDir' ${cfg.outDir}: ${(e as Error).message}`, 'outDir');
    }
    releaseLock = acquireRunLock(cfg.outDir);
  }
  try {
    return await runLoop();
  } finally {
    releaseLock();
  }

  async function runLoop(): Promise<TrainResult> {
  if (cfg.outDir) {
    if (cfg.resume) await truncateLog(logFile!, state.iteration);
    else await writeFileAtomic(logFile!, new Uint8Array(0)); // a fresh run's log replaces an earlier one whole (--force)
  }

  const adam = new Adam();
  for (const [k, v] of state.adam) adam.state.set(k, v);
  state.adam = adam.state;
  const rng = Rng.fromState(state.rng);
  const log: StepLog[] = [];
  const epochs: EpochLog[] = [];
  let stopped = false;

  const checkpoint = async () => {
    if (!cfg.outDir) return;
    const bad = firstNonFinite(state.weights);
    if (bad) throw new TrainDivergedError(`refusing to save non-finite weights (${bad}); the last good checkpoint in ${cfg.outDir} is kept`);
    state.rng = rng.state();
    await saveCheckpoint(cfg.outDir, state);
  };

  await callbacks.onStart?.({ config: cfg, images: files.length, stepsPerEpoch, totalSteps: cfg.epochs * stepsPerEpoch, iterationsDone: state.iteration });
  outer: while (state.epoch < cfg.epochs) {
    const e = state.epoch; // 0-based: the scheduler has stepped e times
    const lr = Object.fromEntries(PARAM_GROUPS.map((g) => [g, multiStepLr(cfg.lr[g], e, cfg.milestones, cfg.gamma)])) as LearningRates;
    if (state.perm === null) state.perm = rng.permutation(files.length);
    const epochStart = performance.now();
    const epochSteps: StepLog[] = [];
    while (state.stepInEpoch < stepsPerEpoch) {
      if (callbacks.signal?.aborted) {
        stopped = true;
        break outer;
      }
      const t0 = performance.now();
      const batch = makeBatch(rng, images, batchIndices(state.perm!, cfg.batchSize, state.stepInEpoch), cfg.cropSize);
      let l;
      try {
        const before = cfg.etaTheta === 'fixed' ? etaThetaValues(state.weights) : new Map<string, number>();
        l = optimizationStep(state.weights, adam, batch, lr, { mu: cfg.mu, operator: cfg.operator });
        if (cfg.etaTheta && cfg.etaTheta !== 'learned') applyVariantAfterStep(state.weights, cfg.etaTheta, before);
      } catch (e) {
        explainStepFailure(e, backend.name, cfg);
      } finally {
        batch.dispose();
      }
      if (![l.loss, l.mse, l.ssim].every(Number.isFinite)) {
        throw new TrainDivergedError(`training diverged at step ${state.iteration + 1} (epoch ${e + 1}, step ${state.stepInEpoch + 1}): loss ${l.loss}, mse ${l.mse}, ssim ${l.ssim}; `
          + `stopped without saving this step${cfg.outDir ? `; the last good checkpoint in ${cfg.outDir} (epoch ${state.epoch}) is kept` : ''}. Lower the learning rates or check the data`);
      }
      state.stepInEpoch += 1;
      state.iteration += 1;
      const entry: StepLog = {
        epoch: e + 1, step: state.stepInEpoch, iteration: state.iteration, lr: lr.base,
        loss: l.loss, mse: l.mse, ssim: l.ssim, seconds: (performance.now() - t0) / 1000,
      };
      log.push(entry);
      epochSteps.push(entry);
      if (logFile) await fs.promises.appendFile(logFile, JSON.stringify(entry) + '\n');
      await callbacks.onStep?.(entry);
      await yieldToEventLoop();
    }
    state.epoch += 1;
    state.stepInEpoch = 0;
    state.perm = null;
    await checkpoint();
    const summary: EpochLog = {
      epoch: e + 1, steps: epochSteps.length, lr: lr.base,
      loss: mean(epochSteps.map((s) => s.loss)), mse: mean(epochSteps.map((s) => s.mse)), ssim: mean(epochSteps.map((s) => s.ssim)),
      seconds: (performance.now() - epochStart) / 1000,
    };
    epochs.push(summary);
    await callbacks.onEpoch?.(summary);
  }
  if (stopped) await checkpoint();

  return {
    params: paramsFromStateDict(state.weights),
    log, epochs, stopped, config: cfg,
    epochsDone: state.epoch, iterations: state.iteration, stepsPerEpoch,
  };
  }
}
