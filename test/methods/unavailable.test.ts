/** The unrunnable comparison methods: each has a reason, none is registered, and each is a row of the AUIF paper's printed table. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import { UNAVAILABLE_METHODS, unavailableMethod } from '../../lib/methods/unavailable.js';
import { methodNames } from '../../lib/methods/index.js';
import { referencePath } from './_parity.js';

const t = suite('methods/unavailable');

t('FusionGAN, ImageFuse, TV-ADMM: a reason each, not registered, printed in the AUIF table', () => {
  assert.equal(UNAVAILABLE_METHODS.map((m) => m.title), ['FusionGAN', 'ImageFuse', 'TV-ADMM']);
  for (const m of UNAVAILABLE_METHODS) {
    assert.ok(m.reason.length > 40, m.name);
    assert.not.ok(methodNames().includes(m.name), `${m.name} must not be runnable`);
    assert.is(unavailableMethod(m.title)?.name, m.name);
  }
  const csv = referencePath('paper_tables.csv');
  if (!csv) return;
  const text = fs.readFileSync(csv, 'utf8');
  for (const m of UNAVAILABLE_METHODS) assert.match(text, new RegExp(`^AUIF,TNO,${m.title},`, 'm'));
});

t.run();
