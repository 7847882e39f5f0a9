/**
 * The ablation knobs as configuration (lib/train/variant.ts): validation names the key; a tiny
 * run of each variant trains, its weights file records the variant and `loadWeights` reads it
 * back with the right depth, filters and x⁰; tied η/θ are one value per encoder after training
 * (and not the initial one); fixed η/θ are exactly the initial draw; the training forward and
 * the inference path use the variant's x⁰ (the loss and the decomposition differ from the
 * paper's). Tiny runs on synthetic images (crops 24², 2 layers of 8 filters, batch 2).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs-core';
import { train, type TrainConfig } from '../../lib/train/index.js';
import { TrainConfigError, resolveConfig } from '../../lib/train/config.js';
import { initParams } from '../../lib/train/init.js';
import { Rng } from '../../lib/train/rng.js';
import { ModelVariantError, X0_FILTER_KEY } from '../../lib/train/variant.js';
import { readSafetensors, writeSafetensors } from '../../lib/io/safetensors.js';
import { disposeParams, type AuifParams } from '../../lib/model/params.js';
import { loadWeights } from '../../lib/model/checkpoint.js';
import { encode } from '../../lib/model/encoder.js';
import { trainCommand } from '../../lib/cli/train.js';
import { UsageError } from '../../lib/cli/usage.js';
import { useBackend } from '../helpers/fixture.js';
import { writeSyntheticTrainingImages } from '../helpers/training_images.js';

const t = suite('train/variant');
let dir: string;
let images: string[];

t.before(async () => {
  await useBackend('wasm');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auif-variant-test-'));
  images = await writeSyntheticTrainingImages(dir);
});
t.after(() => { fs.rmSync(dir, { recursive: true, force: true }); });

const tiny = (over: Partial<TrainConfig> = {}): Partial<TrainConfig> => ({ images, cropSize: 24, layers: 2, channels: 8, batchSize: 2, stepsPerEpoch: 2, epochs: 2, seed: 5, ...over });

const scalars = (p: AuifParams, kind: 'base' | 'detail', name: 'eta' | 'theta') => p[kind].layers.map((l) => l[name].dataSync()[0]);

async function run(name: string, over: Partial<TrainConfig>) {
  const outDir = path.join(dir, name);
  const r = await train(tiny({ outDir, ...over }));
  const file = path.join(outDir, 'weights.safetensors');
  return { r, file, meta: readSafetensors(file).metadata };
}

t('validation names the key', () => {
  for (const [cfg, key] of [[{ etaTheta: 'shared' }, 'etaTheta'], [{ init: 'box' }, 'init'], [{ layers: 0 }, 'layers'], [{ channels: 2.5 }, 'channels'], [{ mu: -1 }, 'mu']] as const) {
    try {
      resolveConfig(cfg as Partial<TrainConfig>);
      assert.unreachable(`expected an error for ${JSON.stringify(cfg)}`);
    } catch (e) {
      assert.instance(e, TrainConfigError);
      assert.is((e as TrainConfigError).key, key);
      assert.match((e as Error).message, new RegExp(`'${key}'`));
    }
  }
  assert.is(resolveConfig({ etaTheta: 'tied', init: 'zero' }).etaTheta, 'tied');
});

t('auif train: the knobs as flags; a bad value names the flag', async () => {
  for (const [args, re] of [[['--init', 'box'], /--init \('init'\) must be one of paper, identity, zero, got "box"/], [['--eta-theta', 'shared'], /--eta-theta \('etaTheta'\) must be one of learned, tied, fixed/], [['--channels', '0'], /channels/]] as const) {
    try {
      await trainCommand([...args, '--out', path.join(dir, 'cli-bad')]);
      assert.unreachable(`expected a usage error for ${args.join(' ')}`);
    } catch (e) {
      assert.instance(e, UsageError);
      assert.match((e as Error).message, re);
    }
  }
  assert.not.ok(fs.existsSync(path.join(dir, 'cli-bad')));
});

t('depth and filters: the weights reload with their configuration', async () => {
  for (const [name, over] of [['depth-3', { layers: 3 }], ['filters-4', { channels: 4 }], ['mu-0', { mu: 0 }]] as const) {
    const { r, file, meta } = await run(name, over);
    disposeParams(r.params);
    const m = JSON.parse(meta.model);
    assert.equal(m, { layers: over.layers ?? 2, channels: over.channels ?? 8, etaTheta: 'learned', init: 'paper' }, name);
    assert.is(Number(meta.mu), name === 'mu-0' ? 0 : 5);
    const p = await loadWeights(file);
    assert.is(p.base.layers.length, over.layers ?? 2);
    assert.is(p.base.layers[0].K.shape[0], over.channels ?? 8);
    assert.is(p.base.init, undefined); // the paper's x⁰: no filter stored
    disposeParams(p);
  }
});

t('tied: one η and one θ per encoder after training, moved from the start', async () => {
  const { r, file, meta } = await run('tied', { etaTheta: 'tied' });
  disposeParams(r.params);
  assert.is(JSON.parse(meta.model).etaTheta, 'tied');
  const p = await loadWeights(file);
  const init = initParams(new Rng(5), { layers: 2, channels: 8 });
  for (const kind of ['base', 'detail'] as const) {
    for (const name of ['eta', 'theta'] as const) {
      const v = scalars(p, kind, name);
      assert.ok(v.every((x) => x === v[0]), `${kind} ${name} tied: ${v}`);
      assert.is.not(v[0], scalars(init, kind, name)[0], `${kind} ${name} learned`);
    }
  }
  disposeParams(p); disposeParams(init);
  // a file whose tensors break the recorded tie is refused, naming the key
  const f = readSafetensors(file);
  f.tensors.set('base.conv1.1.eta', { dtype: 'float32', shape: [1], data: Float32Array.of(0.5) });
  const bad = path.join(dir, 'bad-tied.safetensors');
  await writeSafetensors(bad, f.tensors, f.metadata);
  try { await loadWeights(bad); assert.unreachable(); } catch (e) { assert.instance(e, ModelVariantError); assert.match((e as Error).message, /base\.conv1\.1\.eta differs/); }
});

t('fixed: η and θ are exactly their initial draw; the rest learns', async () => {
  const { r, file } = await run('fixed', { etaTheta: 'fixed' });
  disposeParams(r.params);
  const p = await loadWeights(file);
  const init = initParams(new Rng(5), { layers: 2, channels: 8 });
  for (const kind of ['base', 'detail'] as const) {
    for (const name of ['eta', 'theta'] as const) assert.equal(scalars(p, kind, name), scalars(init, kind, name), `${kind} ${name}`);
    assert.is.not(p[kind].layers[0].K.dataSync()[0], init[kind].layers[0].K.dataSync()[0]);
  }
  disposeParams(p); disposeParams(init);
});

t('init identity / zero: stored, honoured by training and by inference', async () => {
  const paper = await run('init-paper', {});
  disposeParams(paper.r.params);
  const I = tf.tensor4d(Float32Array.from({ length: 24 * 24 }, (_, i) => ((i * 37) % 101) / 100), [1, 24, 24, 1]);
  for (const [init, want] of [['identity', 1], ['zero', 0]] as const) {
    const { r, file, meta } = await run(`init-${init}`, { init });
    disposeParams(r.params);
    assert.is(JSON.parse(meta.model).init, init);
    assert.is.not(r.log[0].loss, paper.r.log[0].loss, `${init}: the first step's loss differs from the paper's x⁰`);
    const sd = readSafetensors(file).tensors;
    assert.equal(Array.from(sd.get(X0_FILTER_KEY.base)!.data as Float32Array), [want]);
    const p = await loadWeights(file);
    assert.equal(Array.from(p.detail.init!), [want]);
    // inference: x⁰ of the loaded model is init ⋆ I
    const { steps } = encode(I, p.base, { keepIntermediate: true, operator: 'tfjs' });
    const x0 = steps![0].dataSync(), src = I.dataSync();
    for (let i = 0; i < x0.length; i++) if (x0[i] !== want * src[i]) assert.unreachable(`x⁰[${i}] = ${x0[i]}, expected ${want * src[i]}`);
    tf.dispose(steps!);
    disposeParams(p);
  }
  I.dispose();
  // a file whose metadata disagrees with its x⁰ filter is refused, naming the key
  const f = readSafetensors(path.join(dir, 'init-zero', 'weights.safetensors'));
  const bad = path.join(dir, 'bad-init.safetensors');
  await writeSafetensors(bad, f.tensors, { ...f.metadata, model: JSON.stringify({ ...JSON.parse(f.metadata.model), init: 'paper' }) });
  try { await loadWeights(bad); assert.unreachable(); } catch (e) { assert.instance(e, ModelVariantError); assert.match((e as Error).message, /base\.x0_filter/); }
});

t.run();
