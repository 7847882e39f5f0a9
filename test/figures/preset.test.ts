import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { byPreset, presetIndices, presetName, presetOutputDirs } from '../../lib/figures/preset.js';

const t = suite('figures/preset');

t('AUIF_PRESET: quick by default, quick|full (any case), anything else is an error naming it', () => {
  assert.is(presetName(undefined), 'quick');
  assert.is(presetName(''), 'quick');
  assert.is(presetName('FULL'), 'full');
  assert.throws(() => presetName('fast'), /AUIF_PRESET="fast" is not a preset \(use quick or full\)/);
});

t('byPreset and presetIndices', () => {
  assert.is(byPreset(4, 40, 'quick'), 4);
  assert.is(byPreset(4, 40, 'full'), 40);
  assert.equal(presetIndices(5, [2, 9, 4], 'quick'), [2, 4]);
  assert.equal(presetIndices(3, [2], 'full'), [1, 2, 3]);
});

t('presetOutputDirs: figures/, results/ under full; their quick/ subfolders under quick; created', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'auif-preset-'));
  try {
    assert.equal(presetOutputDirs(root, 'full'), { figures: path.join(root, 'figures'), results: path.join(root, 'results') });
    const q = presetOutputDirs(root, 'quick');
    assert.equal(q, { figures: path.join(root, 'figures', 'quick'), results: path.join(root, 'results', 'quick') });
    assert.ok(fs.statSync(q.figures).isDirectory() && fs.statSync(q.results).isDirectory());
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

t.run();
