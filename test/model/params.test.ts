import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { paramsFromStateDict, stateDictFromParams, disposeParams, expectedKeys, StateDictError } from '../../lib/model/params.js';
import { readUpstreamModels, loadWeights } from '../../lib/model/checkpoint.js';
import { tensorBytes, type StateDict } from '../../lib/io/tensor_record.js';
import { readSafetensors } from '../../lib/io/safetensors.js';
import { findReferenceFile } from '../../lib/data/reference.js';
import { digestMismatches, loadFixture, pretrainedDigests, skipFixture, useBackend } from '../helpers/fixture.js';
import { skipLoudly, upstreamFile } from '../helpers/upstream.js';
import path from 'node:path';

const fixture = loadFixture();
const t = suite('model/params');
t.before(() => useBackend('cpu'));

const clone = (sd: StateDict): StateDict => new Map([...sd].map(([k, v]) => [k, { ...v, shape: [...v.shape] }]));

t('pretrained: 10 layers, 64 filters; state dict round trip is exact (keys, order, bytes)', () => {
  if (!fixture) return skipFixture();
  const p = paramsFromStateDict(fixture.pretrained);
  assert.is(p.base.layers.length, 10);
  assert.equal(p.base.layers[0].K.shape, [64, 1, 3, 3]);
  assert.is(p.decoder.bn.numBatchesTracked, 960n);
  const back = stateDictFromParams(p);
  assert.equal([...back.keys()].sort(), [...fixture.pretrained.keys()].sort());
  assert.equal([...back.keys()], [...expectedKeys(10, 64).keys()]);
  for (const [k, v] of fixture.pretrained) {
    assert.equal(back.get(k)!.shape, v.shape, k);
    assert.equal(Array.from(back.get(k)!.data as ArrayLike<number | bigint>), Array.from(v.data as ArrayLike<number | bigint>), k);
  }
  disposeParams(p);
});

t('missing key → error naming it', () => {
  if (!fixture) return skipFixture();
  const sd = clone(fixture.pretrained);
  sd.delete('detail.conv2.3.theta');
  assert.throws(() => paramsFromStateDict(sd), (e: Error) => e instanceof StateDictError && /missing 1 key.*detail\.conv2\.3\.theta/.test(e.message));
});

t('unexpected key → error naming it', () => {
  if (!fixture) return skipFixture();
  const sd = clone(fixture.pretrained);
  sd.set('decoder.decoder.1.bias', { dtype: 'float32', shape: [1], data: new Float32Array(1) });
  assert.throws(() => paramsFromStateDict(sd), (e: Error) => e instanceof StateDictError && /unexpected key.*decoder\.decoder\.1\.bias/.test(e.message));
});

t('wrong shape → error naming the key and both shapes', () => {
  if (!fixture) return skipFixture();
  const sd = clone(fixture.pretrained);
  sd.set('base.conv1.4.kernel', { dtype: 'float32', shape: [64, 1, 5, 5], data: new Float32Array(64 * 25) });
  assert.throws(() => paramsFromStateDict(sd, { layers: 10, channels: 64 }),
    (e: Error) => e instanceof StateDictError && /base\.conv1\.4\.kernel.*\[64, 1, 5, 5\].*\[64, 1, 3, 3\]/.test(e.message));
  const sd2 = clone(fixture.pretrained);
  sd2.set('base.conv1.0.eta', { dtype: 'float64', shape: [1], data: new Float64Array(1) });
  assert.throws(() => paramsFromStateDict(sd2), /base\.conv1\.0\.eta.*float64/);
});

t('not an AUIF checkpoint → clear error', () => {
  assert.throws(() => paramsFromStateDict(new Map([['weight', { dtype: 'float32', shape: [1], data: new Float32Array(1) }]])), /not an AUIF checkpoint/);
});

t("upstream Models/*.model load bit for bit as the authors' weights (committed per-tensor sha256 of PyTorch's conversion)", async () => {
  const f = await upstreamFile('Models/TCSVT_Decoder.model');
  if (!f) return;
  const digests = pretrainedDigests();
  if (!digests) return skipLoudly('pretrained digests', 'datasets/reference/auif_pretrained.sha256.json not found');
  const sd = readUpstreamModels(path.dirname(f));
  assert.is(digests.size, 186);
  assert.equal(digestMismatches(sd, digests), []);
  // The digests notice a one-ulp change of one value, and a reordered key.
  const kernel = sd.get('detail.conv2.7.kernel')!;
  const bumped: StateDict = new Map(sd);
  const data = Float32Array.from(kernel.data as Float32Array);
  data[17] = Math.fround(data[17] * (1 + 2 ** -23));
  bumped.set('detail.conv2.7.kernel', { ...kernel, data });
  assert.equal(digestMismatches(bumped, digests).map((m) => m.split(':')[0]), ['detail.conv2.7.kernel']);
  const reordered: StateDict = new Map([...sd].reverse());
  assert.match(digestMismatches(reordered, digests)[0], /^keys differ/);
  // Where PyTorch's own conversion is at hand (../shared/reference), the same bytes, directly.
  const converted = findReferenceFile('auif_pretrained.safetensors');
  if (converted) {
    for (const [k, v] of readSafetensors(converted).tensors) {
      assert.ok(Buffer.from(tensorBytes(sd.get(k)!)).equals(Buffer.from(tensorBytes(v))), k);
    }
  }
  disposeParams(await loadWeights());
});

t('loadWeights on a missing file names it', async () => {
  await loadWeights('/nonexistent/w.safetensors').then(() => assert.unreachable(), (e: Error) => assert.match(e.message, '/nonexistent/w.safetensors'));
});
t.run();
