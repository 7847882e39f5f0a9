/**
 * `auif train`: trains AUIF with the upstream recipe (lib/train), with a progress bar and ETA,
 * one JSON line per step in OUT/log.jsonl and a checkpoint per epoch. Ctrl-C finishes the
 * current step, writes a checkpoint and exits cleanly; `--resume` continues bit for bit.
 *
 *   auif train [--epochs N] [--mu X] [--layers N] [--seed S] [--out DIR] [--resume]
 *              [--batch N] [--steps N] [--crop N] [--weights FILE]
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { initBackend } from '../backend/select.js';
import { LOG_FILE, train, type StepLog } from '../train/loop.js';
import { TrainConfigError, type TrainConfig } from '../train/config.js';
import { CHECKPOINT_FILE, WEIGHTS_FILE } from '../train/state.js';
import { disposeParams } from '../model/params.js';
import { createProgress, type Progress } from '../util/progress.js';
import { UsageError } from './usage.js';
import { median } from '../util/stats.js';
import { applyMaxPixels, MAX_PIXELS_OPTION } from './max_pixels.js';

export const TRAIN_USAGE = `usage:
  auif train [--epochs N] [--mu X] [--layers N] [--seed S] [--out DIR] [--resume | --force]
             [--batch N] [--steps N] [--crop N] [--weights FILE]
             [--channels C] [--eta-theta learned|tied|fixed] [--init paper|identity|zero] [--max-pixels N]
    upstream recipe by default: 80 epochs, batch 32, 12 steps/epoch, mu 5, 10 layers, crops 128;
    writes DIR/checkpoint.safetensors, DIR/weights.safetensors, DIR/log.jsonl (default DIR: out/train);
    Ctrl-C checkpoints and exits; --resume continues the run in DIR`;

/** Default output folder. */
export const DEFAULT_TRAIN_OUT = 'out/train';

function num(flag: string, v: string | undefined, integer: boolean): number | undefined {
  if (v === undefined) return undefined;
  // Strict decimal only: Number() would also take '0x10', '1e3' for an integer, ' 5 ', 'Infinity'.
  const decimal = integer ? /^[+-]?\d+$/ : /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
  const x = Number(v);
  if (!decimal.test(v) || !Number.isFinite(x) || (integer && !Number.isSafeInteger(x))) {
    throw new UsageError(`--${flag} must be ${integer ? 'an integer' : 'a number'}, got '${v}'\n${TRAIN_USAGE}`);
  }
  return x;
}

/** "1h 02m", "3m 05s", "12s". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${s}s`;
}

export async function trainCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      epochs: { type: 'string' }, mu: { type: 'string' }, layers: { type: 'string' }, seed: { type: 'string' },
      out: { type: 'string' }, resume: { type: 'boolean' }, batch: { type: 'string' }, steps: { type: 'string' },
      crop: { type: 'string' }, weights: { type: 'string' }, force: { type: 'boolean' },
      channels: { type: 'string' }, 'eta-theta': { type: 'string' }, init: { type: 'string' }, ...MAX_PIXELS_OPTION,
    },
    strict: true,
  });
  applyMaxPixels(values['max-pixels']);
  const outDir = values.out ?? DEFAULT_TRAIN_OUT;
  const given: Partial<TrainConfig> = {
    epochs: num('epochs', values.epochs, true),
    mu: num('mu', values.mu, false),
    layers: num('layers', values.layers, true),
    seed: num('seed', values.seed, true),
    batchSize: num('batch', values.batch, true),
    stepsPerEpoch: num('steps', values.steps, true),
    cropSize: num('crop', values.crop, true),
    weights: values.weights,
    channels: num('channels', values.channels, true),
    etaTheta: values['eta-theta'] as TrainConfig['etaTheta'], // validated by resolveConfig
    init: values.init as TrainConfig['init'],
    outDir,
    resume: values.resume ?? false,
    force: values.force,
  };
  const config = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)) as Partial<TrainConfig>;

  await initBackend();
  const controller = new AbortController();
  let interrupts = 0;
  // Ctrl-C (SIGINT) and SIGTERM (kill, a scheduler, a closing terminal): finish the step,
  // checkpoint, exit; a second signal exits at once.
  const onSignal = (signal: NodeJS.Signals) => {
    const what = signal === 'SIGINT' ? 'Ctrl-C' : signal;
    interrupts += 1;
    if (interrupts > 1) {
      process.stderr.write(`\n[auif] second ${what}: exiting without a checkpoint of the current step\n`);
      process.exit(signal === 'SIGINT' ? 130 : 143);
    }
    process.stderr.write(`\n[auif] ${what}: finishing this step, then writing a checkpoint (${what} again to quit at once)\n`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  let bar: Progress | undefined;
  const stepTimes: number[] = [];
  let total = 0;
  const t0 = performance.now();
  try {
    const result = await train(config, {
      signal: controller.signal,
      onStart: (info) => {
        total = info.totalSteps;
        process.stderr.write(`[auif] training on ${info.images} images, ${info.config.epochs} epochs × ${info.stepsPerEpoch} steps of ${info.config.batchSize}`
          + `${info.iterationsDone ? ` (resuming after step ${info.iterationsDone})` : ''} → ${outDir}\n`);
        bar = createProgress(`train ${path.basename(outDir)}`, total, 'steps');
        if (info.iterationsDone) bar.tick(info.iterationsDone);
      },
      onStep: (s: StepLog) => {
        stepTimes.push(s.seconds);
        const recent = median(stepTimes.slice(-20));
        bar?.tick(1, `epoch ${s.epoch} step ${s.step} | loss ${s.loss.toFixed(4)} | ${recent.toFixed(2)} s/step | ETA ${formatDuration((total - s.iteration) * recent)}`);
      },
    });
    bar?.stop();
    disposeParams(result.params);
    const wall = (performance.now() - t0) / 1000;
    const inEpoch = result.iterations - result.epochsDone * result.stepsPerEpoch;
    const where = result.stopped
      ? `stopped after ${result.iterations} steps (epoch ${result.epochsDone + (inEpoch > 0 ? 1 : 0)}${inEpoch > 0 ? `, step ${inEpoch}` : ' done'}); checkpoint written. Resume with: auif train --resume --out ${outDir}`
      : `done: ${result.epochsDone} epochs, ${result.iterations} steps`;
    process.stderr.write(`[auif] ${where}\n[auif] ${result.log.length} steps in ${formatDuration(wall)}, median ${median(stepTimes).toFixed(2)} s/step; `
      + `weights → ${path.join(outDir, WEIGHTS_FILE)}, checkpoint → ${path.join(outDir, CHECKPOINT_FILE)}, log → ${path.join(outDir, LOG_FILE)}\n`);
  } catch (e) {
    bar?.stop();
    if (e instanceof TrainConfigError) {
      // Name the command-line flag where the config key has one.
      const flags: Record<string, string> = { epochs: '--epochs', mu: '--mu', layers: '--layers', seed: '--seed', outDir: '--out', resume: '--resume', force: '--force', batchSize: '--batch', stepsPerEpoch: '--steps', cropSize: '--crop', weights: '--weights', channels: '--channels', etaTheta: '--eta-theta', init: '--init' };
      const msg = e.message.replace(/^train config: /, '');
      throw new UsageError(msg.replace(/'(\w+)'/, (m, key: string) => (flags[key] ? `${flags[key]} (${m})` : m)));
    }
    throw e;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
