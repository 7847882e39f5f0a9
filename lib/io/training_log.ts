/**
 * The records of a training run's log, as `train()` (lib/train/loop.ts) reports them to its
 * callbacks and appends them to `DIR/log.jsonl` (one {@link StepLog} per line), and as the
 * figures (lib/figures/live_loss.ts) and reports (lib/report/training.ts) read them. A file
 * format, so it sits in io/, below both the trainer and its readers.
 */

/** One line of the training log (one per step). */
export interface StepLog {
  /** 1-based epoch. */
  epoch: number;
  /** 1-based step within the epoch. */
  step: number;
  /** 1-based step count over the whole run. */
  iteration: number;
  /** Learning rate of the base group (the one upstream prints); the others scale with it. */
  lr: number;
  loss: number;
  mse: number;
  ssim: number;
  /** Wall time of the step (batch, forward, backward, update), seconds. */
  seconds: number;
}

/** Summary of an epoch (over the steps run in this call). */
export interface EpochLog {
  epoch: number;
  steps: number;
  lr: number;
  loss: number;
  mse: number;
  ssim: number;
  seconds: number;
}
