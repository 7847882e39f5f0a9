/**
 * The check of the ablation CSV against its checkpoints (lib/train/ablations_check.ts), on tiny
 * hand-made cases whose answer is known: the relative difference and its 1e-3 threshold (just
 * inside and just outside), a zero in the CSV, a value missing from the recomputation, the
 * worst line, the even deterministic sample, which (variant, seed) can be checked (weights
 * files present or not needed), refused options, and the verdict of the table. The check run
 * end to end (re-scoring real trained weights, then a tampered CSV) is in ablations.test.ts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  ABLATION_CHECK_TOLERANCE, ablationCheckCandidates, ablationCheckMarkdown, compareWithCsv, csvRelativeDifference, evenSample, selectCheckTargets, worstCheckLine,
  type AblationCheckReport,
} from '../../lib/train/ablations_check.js';
import type { AblationRow } from '../../lib/train/ablations.js';

const t = suite('train/ablations_check');

t('relative difference |c′ − c| / |c|; a zero in the CSV', () => {
  assert.is(ABLATION_CHECK_TOLERANCE, 1e-3);
  assert.ok(Math.abs(csvRelativeDifference(10, 10.005) - 5e-4) < 1e-15);
  assert.ok(Math.abs(csvRelativeDifference(-2, -2.01) - 5e-3) < 1e-15); // |c| in the denominator
  assert.is(csvRelativeDifference(0, 0), 0);
  assert.is(csvRelativeDifference(0, 1e-9), Infinity);
  assert.ok(Number.isNaN(csvRelativeDifference(1, NaN)));
});

t('compare: inside / outside 1e-3, a missing value, another run and set left out', () => {
  const rows: AblationRow[] = [
    { variant: 'depth-3', seed: 1, dataset: 'tno', metric: 'EN', value: 7 },
    { variant: 'depth-3', seed: 1, dataset: 'tno', metric: 'SD', value: 40 },
    { variant: 'depth-3', seed: 1, dataset: 'tno', metric: 'VIF', value: 0.5 },
    { variant: 'depth-3', seed: 1, dataset: 'flir', metric: 'EN', value: 6 },
    { variant: 'depth-3', seed: 2, dataset: 'tno', metric: 'EN', value: 99 },
  ];
  const means = { tno: { EN: 7 * (1 + 0.9e-3), SD: 40 * (1 - 1.1e-3) }, flir: { EN: 6 } }; // VIF missing
  const lines = compareWithCsv(rows, 'depth-3', 1, means);
  assert.equal(lines.map((l) => [l.dataset, l.metric, l.ok]), [['tno', 'EN', true], ['tno', 'SD', false], ['tno', 'VIF', false], ['flir', 'EN', true]]);
  assert.ok(Math.abs(lines[0].rel - 0.9e-3) < 1e-12 && Math.abs(lines[1].rel - 1.1e-3) < 1e-12);
  assert.ok(Number.isNaN(lines[2].recomputed));
  assert.equal(compareWithCsv(rows, 'depth-3', 1, means, { datasets: ['flir'] }).map((l) => l.metric), ['EN']);
  assert.equal(compareWithCsv(rows, 'depth-3', 1, means, { tol: 2e-3 }).map((l) => l.ok), [true, true, false, true]);
  // the worst line: a missing value counts as the worst
  assert.is(worstCheckLine(lines)!.metric, 'VIF');
  assert.is(worstCheckLine(lines.filter((l) => l.metric !== 'VIF'))!.metric, 'SD');
  assert.is(worstCheckLine([]), undefined);
  // the table names what does not agree, and the verdict
  const report = (ls: typeof lines): AblationCheckReport => ({ targets: [{ variant: 'depth-3', seed: 1, weights: 'classic', mode: 'sum' }], lines: ls, worst: worstCheckLine(ls), ok: ls.length > 0 && ls.every((l) => l.ok), tol: 1e-3 });
  const md = ablationCheckMarkdown(report(lines));
  assert.match(md, /\| depth-3 \| 1 \| tno \| 1 of 3 \| VIF \| 0\.5 \| NaN \| NaN \|/);
  assert.match(md, /\| depth-3 \| 1 \| tno \| SD \| 40 \| 39\.956 \| 1\.10e-3 \|/);
  assert.match(md, /2 of 4 values do not agree with the CSV to 0\.001 relative/);
  assert.match(ablationCheckMarkdown(report([lines[0], lines[3]])), /All 2 values of 1 run agree with the CSV to 0\.001 relative \(worst 9\.00e-4: depth-3\/seed1 tno EN\)/);
});

t('even sample: deterministic, spread, all when n ≥ m', () => {
  const xs = Array.from({ length: 22 }, (_, i) => i);
  assert.equal(evenSample(xs, 2), [5, 16]);
  assert.equal(evenSample(xs, 3), [3, 11, 18]);
  assert.equal(evenSample(xs, 1), [11]);
  assert.equal(evenSample([1, 2], 5), [1, 2]);
  assert.throws(() => evenSample(xs, 0), /positive integer, got 0/);
});

t('candidates: trained and rule runs need their weights file; authors and classic none; options refused by name', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auif-ablation-check-'));
  try {
    const paths = { models: path.join(dir, 'models'), csv: path.join(dir, 'ablations.csv'), runs: path.join(dir, 'runs') };
    const row = (variant: string, seed: number): AblationRow => ({ variant, seed, dataset: 'tno', metric: 'EN', value: 1 });
    const rows = [row('authors', 0), row('classic', 0), row('paper', 1), row('paper', 2), row('depth-3', 1), row('rule-l1', 1), row('rule-l1', 2), row('made-up', 1)];
    for (const f of ['paper/seed1.safetensors', 'depth-3/seed1.safetensors']) {
      fs.mkdirSync(path.dirname(path.join(paths.models, f)), { recursive: true });
      fs.writeFileSync(path.join(paths.models, f), '');
    }
    const c = ablationCheckCandidates(rows, paths);
    assert.equal(c.map((x) => `${x.variant}/${x.seed}:${typeof x.weights === 'string' ? x.weights : path.relative(paths.models, x.weights.file)}:${x.mode}`), [
      'paper/1:paper/seed1.safetensors:sum', 'depth-3/1:depth-3/seed1.safetensors:sum', 'authors/0:authors:sum', 'rule-l1/1:paper/seed1.safetensors:l1', 'classic/0:classic:sum',
    ]); // paper/2 and rule-l1/2: no paper/seed2 weights; made-up: not a variant of the study
    assert.equal(selectCheckTargets({ rows, paths, variant: 'rule-l1' }).map((x) => x.seed), [1]);
    assert.throws(() => selectCheckTargets({ rows, paths, variant: 'rule-l1', seed: 2 }), /rule-l1\/seed2: nothing to check \(seeds in .*ablations\.csv: 1, 2; a trained or rule variant also needs its weights file/);
    assert.throws(() => selectCheckTargets({ rows, paths, variant: 'depth-7' }), /unknown variant 'depth-7'/);
    assert.throws(() => selectCheckTargets({ rows, paths, seed: 1 }), /--seed needs --variant/);
    assert.throws(() => selectCheckTargets({ rows: [row('paper', 2)], paths }), /nothing to check: no \(variant, seed\)/);
    assert.is(selectCheckTargets({ rows, paths }).length, 2);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

t.run();
