/**
 * The record of a retraining run next to the pretrained model (notebook 05): `training.json`
 * (preset, backend, the configuration, wall time and s/step, the per-step and per-epoch log,
 * both model comparisons) and `training-comparison.md` (the comparisons as tables). The
 * comparisons are {@link compareModels} results: this run vs the authors' weights, and, when the
 * committed full-recipe retrain is present, that one vs the authors' weights.
 */
import path from 'node:path';
import { writeFileAtomic } from '../io/image.js';
import type { TrainConfig } from '../train/config.js';
import type { EpochLog, StepLog } from '../io/training_log.js';
import { modelComparisonJSON, modelComparisonMarkdown, type ModelComparison } from './compare_models.js';

export interface TrainingRecord {
  preset: string;
  backend: string;
  /** The run's configuration (`train()`'s `result.config`). */
  config: TrainConfig;
  stepsPerEpoch: number;
  /** Wall time of the run in seconds. */
  seconds: number;
  steps: StepLog[];
  epochs: EpochLog[];
  /** This run (B) vs the pretrained weights (A). */
  thisRun: ModelComparison;
  /** The committed retrain vs the pretrained weights; null when that file is not in the checkout. */
  committed: ModelComparison | null;
  /** The committed retrain's path, for the tables (e.g. `models/auif_retrained.safetensors`). */
  committedFile: string;
}

/** training.json: everything in the record, s/step = seconds / steps; comparisons as their JSON. */
export function trainingRecordJSON(r: TrainingRecord): string {
  const json = {
    preset: r.preset, backend: r.backend, config: r.config, seconds: r.seconds,
    secondsPerStep: r.seconds / r.steps.length, epochs: r.epochs, steps: r.steps,
    comparisonThisRun: JSON.parse(modelComparisonJSON(r.thisRun)),
    comparisonCommitted: r.committed ? JSON.parse(modelComparisonJSON(r.committed)) : `skipped: ${r.committedFile} not present`,
  };
  return JSON.stringify(json, null, 2) + '\n';
}

/** training-comparison.md: a heading per comparison, the committed one marked skipped when absent. */
export function trainingComparisonMarkdown(r: TrainingRecord): string {
  return [
    `# Retrained vs pretrained (${r.preset} preset, ${r.backend} backend)\n`,
    `## This run (${r.config.epochs} epochs × ${r.stepsPerEpoch} steps of ${r.config.batchSize} crops, ${r.seconds.toFixed(0)} s)\n`,
    modelComparisonMarkdown(r.thisRun),
    `## The committed full-recipe retrain (${r.committedFile})\n`,
    r.committed ? modelComparisonMarkdown(r.committed) : 'Skipped: the file is not in this checkout.\n',
  ].join('\n');
}

/** Writes `dir/training.json` and `dir/training-comparison.md` atomically; returns their paths. */
export async function writeTrainingRecord(dir: string, r: TrainingRecord): Promise<string[]> {
  const files: [string, string][] = [['training.json', trainingRecordJSON(r)], ['training-comparison.md', trainingComparisonMarkdown(r)]];
  for (const [name, text] of files) await writeFileAtomic(path.join(dir, name), Buffer.from(text));
  return files.map(([name]) => path.join(dir, name));
}
