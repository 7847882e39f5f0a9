/**
 * train(): configuration errors, no tensor leaks, the log and checkpoint files, and exact
 * resumption — a run stopped (at an epoch boundary, or mid-epoch by its AbortSignal) and resumed
 * ends bit for bit where the uninterrupted run ends. Tiny runs on synthetic images (5 files, crops
 * 24², 2 layers of 8 filters, batch 2) to stay fast.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs-core';
import { explainStepFailure, train, TrainResourceError, type StepLog, type TrainConfig } from '../../lib/train/index.js';
import { TrainConfigError, resolveConfig } from '../../lib/train/config.js';
import { loadCheckpoint } from '../../lib/train/state.js';
import { readSafetensors } from '../../lib/io/safetensors.js';
import { disposeParams } from '../../lib/model/params.js';
import { loadWeights } from '../../lib/model/checkpoint.js';
import { useBackend } from '../helpers/fixture.js';

const t = suite('train/loop');
let dir: string;
let images: string[];

async function writeImages(): Promise<string[]> {
  const files: string[] = [];
  for (let i = 0; i < 5; i++) {
    const w = 40 + 3 * i;
    const h = 34 + i;
    const ch = i === 2 ? 3 : 1; // one colour image: the RGB → crop → luma path
    const d = Buffer.alloc(w * h * ch);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let c = 0; c < ch; c++) d[(y * w + x) * ch + c] = (x * 5 + y * 3 + i * 40 + c * 60 + ((x * y) % 17) * 4) & 255;
    const f = path.join(dir, `img${i}.png`);
    await sharp(d, { raw: { width: w, height: h, channels: ch } }).png().toFile(f);
    files.push(f);
  }
  return files;
}

const tiny = (over: Partial<TrainConfig> = {}): Partial<TrainConfig> => ({ images, cropSize: 24, layers: 2, channels: 8, batchSize: 2, stepsPerEpoch: 2, epochs: 2, seed: 11, ...over });

t.before(async () => {
  await useBackend('wasm');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auif-train-test-'));
  images = await writeImages();
});
t.after(() => { fs.rmSync(dir, { recursive: true, force: true }); });

async function rejects(p: Promise<unknown>, key: string, re: RegExp): Promise<void> {
  try {
    await p;
  } catch (e) {
    assert.instance(e, TrainConfigError);
    assert.is((e as TrainConfigError).key, key);
    assert.match((e as Error).message, re);
    return;
  }
  assert.unreachable(`expected a TrainConfigError for '${key}'`);
}

t('config errors name the key: unknown key, N < 1, bad values, batch larger than the data set', async () => {
  assert.throws(() => resolveConfig({ epoch: 3 } as unknown as Partial<TrainConfig>), (e: Error) => e instanceof TrainConfigError && /unknown key 'epoch'/.test(e.message));
  for (const key of ['epochs', 'batchSize', 'stepsPerEpoch', 'layers', 'channels'] as const) {
    assert.throws(() => resolveConfig({ [key]: 0 }), (e: Error) => (e as TrainConfigError).key === key && /integer ≥ 1, got 0/.test(e.message), key);
  }
  assert.throws(() => resolveConfig({ epochs: 2.5 }), /'epochs' must be an integer/);
  assert.throws(() => resolveConfig({ cropSize: 8 }), /'cropSize' must be an integer ≥ 10/);
  assert.throws(() => resolveConfig({ mu: -1 }), /'mu' must be a number ≥ 0/);
  assert.throws(() => resolveConfig({ lr: { base: 1e-2, encoder: 1 } as unknown as TrainConfig['lr'] }), /unknown key 'lr.encoder'/);
  assert.throws(() => resolveConfig({ resume: true }), /'resume' needs 'outDir'/);
  assert.equal(resolveConfig({ lr: { base: 1, detail: 2, decoder: 3 } }).lr, { base: 1, detail: 2, decoder: 3 });
  assert.equal(resolveConfig({}).lr, { base: 1e-2, detail: 1e-3, decoder: 1e-2 });
  await rejects(train(tiny({ batchSize: 6 })), 'batchSize', /'batchSize' \(6\) is larger than the data set \(5 images\)/);
  await rejects(train(tiny({ stepsPerEpoch: 4 })), 'stepsPerEpoch', /exceeds the 3 batches of 2/);
});

t('no leaks: the tensor count is the same after every step, and back to the start after dispose', async () => {
  const start = tf.memory().numTensors;
  const counts: number[] = [];
  const r = await train(tiny({ epochs: 1, stepsPerEpoch: 3 }), { onStep: () => { counts.push(tf.memory().numTensors); } });
  assert.is(counts.length, 3);
  assert.ok(counts.every((c) => c === counts[0]), `tensor counts ${counts}`);
  assert.is(counts[0], start);
  disposeParams(r.params);
  assert.is(tf.memory().numTensors, start);
});

t('the log: one line per step with epoch, step, lr, loss, mse, ssim; lr follows MultiStepLR', async () => {
  const out = path.join(dir, 'log-run');
  const r = await train(tiny({ epochs: 3, milestones: [2], outDir: out }));
  disposeParams(r.params);
  const lines = fs.readFileSync(path.join(out, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as StepLog);
  assert.is(lines.length, 6);
  assert.equal(lines.map((l) => [l.epoch, l.step, l.iteration]), [[1, 1, 1], [1, 2, 2], [2, 1, 3], [2, 2, 4], [3, 1, 5], [3, 2, 6]]);
  assert.equal(lines.map((l) => l.lr), [1e-2, 1e-2, 1e-2, 1e-2, 1e-2 * 0.1, 1e-2 * 0.1]);
  for (const l of lines) {
    assert.ok(Number.isFinite(l.loss) && Math.abs(l.loss - (l.mse + 5 * l.ssim)) < 1e-5, JSON.stringify(l));
    assert.ok(l.seconds > 0);
  }
  assert.equal(r.epochs.map((e) => e.epoch), [1, 2, 3]);
  // weights.safetensors is a plain weights file; the checkpoint holds the optimiser state too.
  const p = await loadWeights(path.join(out, 'weights.safetensors'));
  assert.is(p.base.layers.length, 2);
  disposeParams(p);
  const ck = loadCheckpoint(path.join(out, 'checkpoint.safetensors'));
  assert.is(ck.epoch, 3);
  assert.is(ck.iteration, 6);
  assert.is(ck.adam.get('base.conv1.0.kernel')!.step, 6);
  assert.is((ck.weights.get('decoder.decoder.2.num_batches_tracked')!.data as BigInt64Array)[0], 6n);
  await rejects(train(tiny({ outDir: out })), 'outDir', /already holds a run/);
  await rejects(train({ outDir: out, resume: true, mu: 3 }), 'mu', /'mu' is 3 but the checkpoint's run used 5/);
});

/** Every tensor of two checkpoint files, byte for byte. */
function sameCheckpoint(a: string, b: string): void {
  const ta = readSafetensors(a).tensors;
  const tb = readSafetensors(b).tensors;
  assert.equal([...ta.keys()], [...tb.keys()]);
  for (const [k, x] of ta) {
    const y = tb.get(k)!;
    assert.equal(Buffer.from(x.data.buffer, x.data.byteOffset, x.data.byteLength), Buffer.from(y.data.buffer, y.data.byteOffset, y.data.byteLength), k);
  }
}

t('2 steps + resume = 4 steps exactly (stopped at an epoch boundary)', async () => {
  const full = path.join(dir, 'full');
  const part = path.join(dir, 'part');
  const a = await train(tiny({ outDir: full }));
  disposeParams(a.params);
  const b1 = await train(tiny({ outDir: part, epochs: 1 }));
  disposeParams(b1.params);
  assert.is(b1.iterations, 2);
  const b2 = await train({ outDir: part, resume: true, epochs: 2 });
  disposeParams(b2.params);
  assert.is(b2.log.length, 2);
  assert.equal(b2.log.map((s) => s.loss), a.log.slice(2).map((s) => s.loss));
  sameCheckpoint(path.join(full, 'checkpoint.safetensors'), path.join(part, 'checkpoint.safetensors'));
  assert.equal(fs.readFileSync(path.join(part, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).loss), a.log.map((s) => s.loss));
});

t('stopped mid-epoch by the signal, then resumed = uninterrupted, bit for bit', async () => {
  const full = path.join(dir, 'full3');
  const part = path.join(dir, 'part3');
  const cfg = tiny({ epochs: 2, stepsPerEpoch: 3 });
  const a = await train({ ...cfg, outDir: full });
  disposeParams(a.params);
  const controller = new AbortController();
  const b1 = await train({ ...cfg, outDir: part }, { signal: controller.signal, onStep: (s) => { if (s.iteration === 2) controller.abort(); } });
  disposeParams(b1.params);
  assert.ok(b1.stopped);
  assert.is(b1.iterations, 2);
  assert.is(b1.epochsDone, 0);
  const ck = loadCheckpoint(path.join(part, 'checkpoint.safetensors'));
  assert.is(ck.stepInEpoch, 2);
  assert.ok(ck.perm !== null && ck.perm.length === 5);
  const b2 = await train({ outDir: part, resume: true });
  disposeParams(b2.params);
  assert.is(b2.log.length, 4);
  assert.equal([...b1.log, ...b2.log].map((s) => [s.iteration, s.loss]), a.log.map((s) => [s.iteration, s.loss]));
  sameCheckpoint(path.join(full, 'checkpoint.safetensors'), path.join(part, 'checkpoint.safetensors'));
});

t('a wasm out-of-memory abort in a step becomes a TrainResourceError saying what to do; other errors pass unchanged', () => {
  const cfg = resolveConfig({ batchSize: 32, cropSize: 128 });
  assert.throws(() => explainStepFailure(new Error('Aborted(). Build with -sASSERTIONS for more info.'), 'wasm', cfg),
    (e: Error) => e instanceof TrainResourceError && /ran out of memory in a training step \(batch 32 of 128×128/.test(e.message)
      && /npm run build:native/.test(e.message) && /--batch 8/.test(e.message));
  const other = new Error('something else');
  assert.throws(() => explainStepFailure(other, 'wasm', cfg), (e: Error) => e === other);
  const abortOnCpu = new Error('Aborted()');
  assert.throws(() => explainStepFailure(abortOnCpu, 'cpu', cfg), (e: Error) => e === abortOnCpu);
});

t('same seed → same run; another seed → another run', async () => {
  const a = await train(tiny({ epochs: 1 }));
  const b = await train(tiny({ epochs: 1 }));
  const c = await train(tiny({ epochs: 1, seed: 12 }));
  assert.equal(a.log.map((s) => s.loss), b.log.map((s) => s.loss));
  assert.not.equal(a.log.map((s) => s.loss), c.log.map((s) => s.loss));
  [a, b, c].forEach((r) => disposeParams(r.params));
});

t.run();
