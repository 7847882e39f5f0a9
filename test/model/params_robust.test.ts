/**
 * Weights that must be refused at load (issue [R] rows 2 and 6): non-finite values name the
 * tensor; a huge layer index is refused at once, before anything of that size is allocated.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { expectedKeys, paramsFromStateDict, disposeParams, StateDictError } from '../../lib/model/params.js';
import type { StateDict } from '../../lib/io/tensor_record.js';
import { initBackend } from '../../lib/backend/select.js';

const t = suite('model/params robustness');
t.before(async () => { await initBackend({ quiet: true }); });

function synthetic(layers = 2, channels = 4): StateDict {
  const sd: StateDict = new Map();
  for (const [k, shape] of expectedKeys(layers, channels)) {
    const n = shape.reduce((a, b) => a * b, 1);
    if (k.endsWith('num_batches_tracked')) sd.set(k, { dtype: 'int64', shape, data: BigInt64Array.of(0n) });
    else sd.set(k, { dtype: 'float32', shape, data: new Float32Array(n).fill(k.endsWith('running_var') ? 1 : 0.1) });
  }
  return sd;
}

function refuses(sd: StateDict, re: RegExp, key?: string): void {
  try {
    disposeParams(paramsFromStateDict(sd));
    assert.unreachable('should throw');
  } catch (e) {
    assert.instance(e, StateDictError, (e as Error).message);
    assert.match((e as Error).message, re);
    if (key) assert.is((e as StateDictError).key, key);
  }
}

t('a well-formed synthetic state dict loads (the baseline of the cases below)', () => {
  const p = paramsFromStateDict(synthetic());
  assert.is(p.base.layers.length, 2);
  disposeParams(p);
});

for (const [what, v] of [['NaN', NaN], ['Infinity', Infinity], ['-Infinity', -Infinity]] as const) {
  for (const key of ['detail.conv2.1.kernel', 'base.conv1.0.eta', 'decoder.decoder.2.running_var']) {
    t(`${what} in ${key} is refused, naming the tensor and the element`, () => {
      const sd = synthetic();
      const tensor = sd.get(key)!;
      (tensor.data as Float32Array)[tensor.data.length - 1] = v;
      refuses(sd, new RegExp(`'${key.replace(/\./g, '\\.')}' holds a non-finite value \\(${what}\\) at element ${tensor.data.length - 1}`), key);
    });
  }
}

t("a key 'base.conv1.999999999.kernel' is refused at once, naming it", () => {
  const sd = synthetic();
  sd.set('base.conv1.999999999.kernel', { dtype: 'float32', shape: [4, 1, 3, 3], data: new Float32Array(36) });
  const t0 = performance.now();
  const rss0 = process.memoryUsage().rss;
  refuses(sd, /base\.conv1\.999999999\.kernel/, 'base.conv1.999999999.kernel');
  assert.ok(performance.now() - t0 < 5000, 'refused quickly (was 48 s)');
  assert.ok(process.memoryUsage().rss - rss0 < 200e6, 'no large allocation (was 2.2 GB)');
});

t('non-contiguous layer indices are refused', () => {
  const sd = synthetic(3);
  for (const k of [...sd.keys()]) if (k.startsWith('base.conv1.1.')) sd.delete(k);
  refuses(sd, /base\.conv1/);
});

t.run();
