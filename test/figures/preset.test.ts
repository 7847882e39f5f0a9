import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { byPreset, presetIndices, presetName } from '../../lib/figures/preset.js';

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

t.run();
