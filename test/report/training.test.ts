/**
 * lib/report/training.ts (the record notebook 05 writes) and lib/train/loop.ts `readStepLog`:
 * the JSON fields and s/step arithmetic, the Markdown headings, the committed-retrain skip, the
 * atomic files; a step log read back, with errors naming the file and line.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { trainingComparisonMarkdown, trainingRecordJSON, writeTrainingRecord, type TrainingRecord } from '../../lib/report/training.js';
import { comparisonRows, type ModelComparison } from '../../lib/report/compare_models.js';
import { readStepLog, StepLogError, type StepLog } from '../../lib/train/loop.js';
import { TRAIN_DEFAULTS } from '../../lib/train/config.js';
import { METRIC_NAMES, type MetricValues } from '../../lib/metrics/index.js';

const t = suite('report/training');

const vals = (v: number): MetricValues => Object.fromEntries(METRIC_NAMES.map((m) => [m, v])) as MetricValues;
const comparison = (b: string): ModelComparison => ({
  a: { label: 'pretrained', weights: 'authors' }, b: { label: b, weights: `${b}.safetensors` },
  convention: 'printed', mode: 'sum', paperNote: null, seconds: 1,
  datasets: [{ dataset: 'tno', title: 'TNO', indices: [1], allPairs: false, rows: comparisonRows(vals(1), vals(2)),
    perPair: [{ index: 1, a: vals(1), b: vals(2) }], fused: { a: 'x/a', b: 'x/b' }, fuseMs: { a: 10, b: 11 } }],
});
const step = (iteration: number, loss: number): StepLog => ({ epoch: 1, step: iteration, iteration, lr: 0.01, loss, mse: loss / 10, ssim: loss / 20, seconds: 0.5 });
const record: TrainingRecord = {
  preset: 'quick', backend: 'cpu', config: { ...TRAIN_DEFAULTS, epochs: 1, batchSize: 8 }, stepsPerEpoch: 4, seconds: 6,
  steps: [1, 2, 3, 4].map((i) => step(i, 1 / i)), epochs: [{ epoch: 1, steps: 4, lr: 0.01, loss: 0.5, mse: 0.05, ssim: 0.02, seconds: 2 }],
  thisRun: comparison('this run'), committed: null, committedFile: 'models/auif_retrained.safetensors',
};

t('trainingRecordJSON: fields, s/step = seconds / steps, comparisons embedded, missing committed retrain marked skipped', () => {
  const j = JSON.parse(trainingRecordJSON(record));
  assert.equal(Object.keys(j), ['preset', 'backend', 'config', 'seconds', 'secondsPerStep', 'epochs', 'steps', 'comparisonThisRun', 'comparisonCommitted']);
  assert.is(j.secondsPerStep, 1.5);
  assert.is(j.steps.length, 4);
  assert.is(j.config.batchSize, 8);
  assert.is(j.comparisonThisRun.b.label, 'this run');
  assert.is(j.comparisonCommitted, 'skipped: models/auif_retrained.safetensors not present');
  assert.is(JSON.parse(trainingRecordJSON({ ...record, committed: comparison('full') })).comparisonCommitted.b.label, 'full');
});

t('trainingComparisonMarkdown: both sections; the run described by its config', () => {
  const md = trainingComparisonMarkdown(record);
  assert.ok(md.startsWith('# Retrained vs pretrained (quick preset, cpu backend)\n'));
  assert.match(md, /## This run \(1 epochs × 4 steps of 8 crops, 6 s\)/);
  assert.match(md, /## The committed full-recipe retrain \(models\/auif_retrained\.safetensors\)\n\nSkipped: the file is not in this checkout\./);
  assert.is(trainingComparisonMarkdown({ ...record, committed: comparison('full') }).split('**A = pretrained**').length - 1, 2);
});

t('writeTrainingRecord writes the two files (nothing else) and readStepLog reads a log back', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auif-training-'));
  try {
    const written = await writeTrainingRecord(dir, record);
    assert.equal(written.map((f) => path.basename(f)), ['training.json', 'training-comparison.md']);
    assert.equal(fs.readdirSync(dir).sort(), ['training-comparison.md', 'training.json']);
    const log = path.join(dir, 'log.jsonl');
    fs.writeFileSync(log, record.steps.map((s) => JSON.stringify(s)).join('\n') + '\n\n');
    assert.equal(readStepLog(log), record.steps);
    fs.writeFileSync(log, `${JSON.stringify(step(1, 1))}\n{"epoch":1,\n`);
    assert.throws(() => readStepLog(log), (e: Error) => e instanceof StepLogError && e.message === `${log}:2: not a JSON line`);
    fs.writeFileSync(log, `${JSON.stringify({ ...step(1, 1), loss: 'x' })}\n`);
    assert.throws(() => readStepLog(log), new RegExp(`${log.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:1: 'loss' is missing or not a number`));
    assert.throws(() => readStepLog(path.join(dir, 'none.jsonl')), /none\.jsonl: cannot read the step log \(ENOENT\)/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

t.run();
