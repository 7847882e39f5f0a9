/**
 * The method registry and AUIF behind it: the interface changes no pixel (AUIF through
 * `getMethod('auif')` equals `fuse()` bit for bit on a real TNO pair), unknown names and options
 * are refused with a message naming them, and the metadata agrees with the weights.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { getMethod, listMethods, methodNames, MethodError, METHODS } from '../../lib/methods/index.js';
import { loadWeights } from '../../lib/model/checkpoint.js';
import { fuse } from '../../lib/model/auif.js';
import { disposeParams } from '../../lib/model/params.js';
import { readGrey } from '../../lib/io/image.js';
import { initBackend } from '../../lib/backend/select.js';
import { upstreamFile } from '../helpers/upstream.js';

const t = suite('methods/registry');

t('every method has complete metadata and a unique lower-case name', () => {
  const names = methodNames();
  assert.ok(names.includes('auif'));
  assert.is(new Set(names).size, names.length, 'names unique');
  for (const info of listMethods()) {
    assert.match(info.name, /^[a-z][a-z0-9-]*$/);
    assert.ok(info.title.length > 0 && info.citation.length > 20, `${info.name}: title and citation`);
    assert.ok(['learned', 'model-based', 'classic'].includes(info.family), `${info.name}: family`);
    assert.ok(Number.isInteger(info.parameters) && info.parameters >= 0, `${info.name}: parameters`);
    assert.ok(info.family !== 'learned' || info.parameters > 0, `${info.name}: a learned method has parameters`);
    assert.ok(Number.isInteger(info.minSide) && info.minSide >= 1, `${info.name}: minSide`);
  }
  assert.is(METHODS.length, names.length);
});

t('an unknown method name is refused, naming it and the known ones', () => {
  try {
    getMethod('nosuch');
    assert.unreachable('should throw');
  } catch (e) {
    assert.instance(e, MethodError);
    assert.match((e as Error).message, /unknown method 'nosuch'/);
    assert.match((e as Error).message, /auif/);
  }
  assert.is(getMethod('AUIF').info.name, 'auif', 'names are case-insensitive');
});

t('auif: an unknown option or a bad mode is refused before any weights are read', async () => {
  const rejects = async (p: Promise<unknown>, re: RegExp) => {
    try { await p; assert.unreachable('should reject'); } catch (e) { assert.instance(e, MethodError); assert.match((e as Error).message, re); }
  };
  await rejects(getMethod('auif').load({ modee: 'sum' }), /unknown option 'modee'/);
  await rejects(getMethod('auif').load({ mode: 'max' }), /mode must be one of sum, average, l1, got 'max'/);
});

t('auif through the registry = fuse() bit for bit (TNO pair 3, each rule); 11 631 parameters', async () => {
  const [irFile, visFile] = [await upstreamFile('Datasets/Test_data_TNO/IR3.bmp'), await upstreamFile('Datasets/Test_data_TNO/VIS3.bmp')];
  if (!irFile || !visFile) return;
  await initBackend({ quiet: true });
  const [ir, vis] = [await readGrey(irFile), await readGrey(visFile)];
  const params = await loadWeights();
  try {
    for (const mode of ['sum', 'average', 'l1'] as const) {
      const fuser = await getMethod('auif').load({ mode });
      assert.is(fuser.info.parameters, 11631);
      const { F, maps } = await fuser.fuse(ir, vis, { intermediates: mode === 'sum' });
      const ref = await fuse(ir, vis, params, mode);
      assert.is(F.width, ir.width);
      assert.is(F.height, ir.height);
      let diff = 0;
      for (let i = 0; i < F.data.length; i++) if (F.data[i] !== ref.data[i]) diff++;
      assert.is(diff, 0, `${mode}: ${diff} pixels differ from fuse()`);
      if (mode === 'sum') {
        assert.equal(maps!.map((m) => m.name), ['B_ir', 'B_vis', 'D_ir', 'D_vis']);
        for (const m of maps!) assert.is(m.image.data.length, ir.width * ir.height);
      }
      fuser.dispose();
    }
  } finally {
    disposeParams(params);
  }
});

t.run();
