/**
 * The TensorFlow V2 checkpoint reader against the published checkpoints (DenseFuse λ = 1e2, Hui
 * Li's DeepFuse epoch 4; staged from their repositories) and the `.safetensors` conversions made
 * of them in ../shared/upstream (PyTorch layout: OIHW kernels, DenseFuse's dense-block input groups
 * reversed): every value bit for bit equal, checked through the conversions' committed per-tensor
 * sha256 digests (`datasets/reference/*.sha256.json`, scripts/make-reference-digests.ts; the
 * conversions are upstream weights, so not committed). Plus malformed-file cases.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkpointPrefix, crc32c, isOptimizerSlot, maskCrc, readBundleIndex, readSstable, readTfCheckpoint, readTfInferenceWeights } from '../../lib/io/tf_checkpoint.js';
import { CheckpointError, type NamedTensor } from '../../lib/io/tensor_record.js';
import { DENSEFUSE_TF_CKPT } from '../../lib/methods/densefuse.js';
import { DEEPFUSE_HUILI_CKPT } from '../../lib/methods/deepfuse.js';
import { findReferenceFile } from '../../lib/data/reference.js';
import { digestMismatches, type TensorDigest } from '../helpers/fixture.js';
import { skipLoudly, upstreamFile } from '../helpers/upstream.js';

const t = suite('io/tf_checkpoint');

/** Per-tensor digests of a conversion (datasets/reference/<name>.sha256.json), or null after a loud skip. */
function conversionDigests(name: string): Map<string, TensorDigest> | null {
  const f = findReferenceFile(`${name}.sha256.json`);
  if (f) return new Map(Object.entries((JSON.parse(fs.readFileSync(f, 'utf8')) as { tensors: Record<string, TensorDigest> }).tensors));
  skipLoudly(`conversion digests ${name}`, `datasets/reference/${name}.sha256.json not found`);
  return null;
}

/** The tensors of `got` in the digests' key order (missing keys left out: digestMismatches names them). */
function inOrder(got: Map<string, NamedTensor>, digests: Map<string, TensorDigest>): Map<string, NamedTensor> {
  const out = new Map<string, NamedTensor>();
  for (const k of digests.keys()) if (got.has(k)) out.set(k, got.get(k)!);
  for (const [k, v] of got) if (!out.has(k)) out.set(k, v);
  return out;
}

async function staged(prefix: string, repo: 'densefuse-tf' | 'deepfuse-huili'): Promise<string | null> {
  const d = await upstreamFile(`${prefix}.data-00000-of-00001`, repo);
  const i = await upstreamFile(`${prefix}.index`, repo);
  return d && i ? checkpointPrefix(i) : null;
}

/** HWIO → OIHW, with the input channels taken in 16-channel groups in `groups` order. */
function toOihw(t: NamedTensor, groups?: number[]): NamedTensor {
  const [H, W, I, O] = t.shape;
  const src = t.data as Float32Array;
  const out = new Float32Array(src.length);
  const g = groups ?? [0];
  const gs = I / g.length;
  for (let o = 0; o < O; o++) for (let i = 0; i < I; i++) for (let h = 0; h < H; h++) for (let w = 0; w < W; w++) {
    const srcI = g[Math.floor(i / gs)] * gs + (i % gs);
    out[((o * I + i) * H + h) * W + w] = src[((h * W + w) * I + srcI) * O + o];
  }
  return { dtype: 'float32', shape: [O, I, H, W], data: out };
}

t('DenseFuse λ = 1e2: 50 entries (weights + Adam slots); the 16 weights = the safetensors conversion bit for bit', async () => {
  const prefix = await staged(DENSEFUSE_TF_CKPT, 'densefuse-tf');
  const digests = conversionDigests('densefuse_tf_gray_1e2');
  if (!prefix || !digests) return;
  const all = readTfCheckpoint(prefix);
  assert.is(all.size, 50);
  assert.equal(all.get('beta1_power')!.shape, []);
  const got = new Map<string, NamedTensor>();
  const map: [string, string, number[] | undefined][] = [
    ['encoder/conv1_1', 'conv1', undefined], ['encoder/dense_block_conv1', 'DB1.denseblock.0.dense_conv', undefined],
    ['encoder/dense_block_conv2', 'DB1.denseblock.1.dense_conv', [1, 0]], ['encoder/dense_block_conv3', 'DB1.denseblock.2.dense_conv', [2, 1, 0]],
    ['decoder/conv2_1', 'conv2', [3, 2, 1, 0]], ['decoder/conv2_2', 'conv3', [0, 1, 2, 3]], ['decoder/conv2_3', 'conv4', [0, 1]], ['decoder/conv2_4', 'conv5', [0]],
  ];
  for (const [tfName, ptName, groups] of map) {
    const k = all.get(`${tfName}/kernel`)!;
    assert.is(k.dtype, 'float32');
    got.set(`${ptName}.conv2d.weight`, toOihw(k, groups));
    got.set(`${ptName}.conv2d.bias`, all.get(`${tfName}/bias`)!);
  }
  assert.is(digests.size, 16);
  assert.equal(digestMismatches(inOrder(got, digests), digests), []);
});

t("Hui Li's DeepFuse epoch 4: the 10 weights = the safetensors conversion bit for bit", async () => {
  const prefix = await staged(DEEPFUSE_HUILI_CKPT, 'deepfuse-huili');
  const digests = conversionDigests('huili_deepfuse_tf_epoch4');
  if (!prefix || !digests) return;
  const sd = readTfInferenceWeights(prefix);
  assert.is(sd.size, 10);
  // what was dropped is exactly the optimizer's slots: Adam, Adam_1 per weight, and β1/β2 powers
  const all = readTfCheckpoint(prefix);
  const dropped = [...all.keys()].filter((k) => !sd.has(k));
  assert.is(dropped.length, 2 * 10 + 2);
  assert.ok(dropped.every(isOptimizerSlot), dropped.join(', '));
  const got = new Map<string, NamedTensor>();
  for (const [k, v] of sd) got.set(k.replace('/', '.').replace('/kernel', '.weight').replace('/bias', '.bias'), v.shape.length === 4 ? toOihw(v, [0]) : v);
  assert.is(digests.size, 10);
  assert.equal(digestMismatches(inOrder(got, digests), digests), []);
});

t('isOptimizerSlot: Adam moments and β powers only', () => {
  for (const k of ['encoder/conv1/kernel/Adam', 'encoder/conv1/kernel/Adam_1', 'beta1_power', 'beta2_power']) assert.ok(isOptimizerSlot(k), k);
  for (const k of ['encoder/conv1/kernel', 'decoder/conv2/bias', 'global_step']) assert.not.ok(isOptimizerSlot(k), k);
});

t('CRC32C matches the standard check value; masking as LevelDB', () => {
  assert.is(crc32c(new TextEncoder().encode('123456789')), 0xe3069283);
  assert.is(maskCrc(0), 0xa282ead8);
});

t('malformed index: too short, bad magic, corrupted block, missing shard — each a CheckpointError naming the problem', async () => {
  const prefix = await staged(DENSEFUSE_TF_CKPT, 'densefuse-tf');
  if (!prefix) return;
  const bytes = new Uint8Array(fs.readFileSync(`${prefix}.index`));
  const throws = (f: () => unknown, re: RegExp) => {
    try { f(); assert.unreachable('should throw'); } catch (e) { assert.instance(e, CheckpointError); assert.match((e as Error).message, re); }
  };
  throws(() => readSstable(bytes.subarray(0, 20), 'x.index'), /shorter than the 48-byte table footer/);
  const badMagic = bytes.slice(); badMagic[badMagic.length - 1] ^= 0xff;
  throws(() => readSstable(badMagic, 'x.index'), /table magic/);
  const badBlock = bytes.slice(); badBlock[10] ^= 0x01;
  throws(() => readBundleIndex(badBlock, 'x.index'), /CRC mismatch|entry|truncated/);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'auif-tfckpt-'));
  try {
    fs.writeFileSync(path.join(tmp, 'm.ckpt.index'), bytes);
    throws(() => readTfCheckpoint(path.join(tmp, 'm.ckpt.index')), /cannot read checkpoint data shard: ENOENT/);
    const data = new Uint8Array(fs.readFileSync(`${prefix}.data-00000-of-00001`)); data[100] ^= 1;
    fs.writeFileSync(path.join(tmp, 'm.ckpt.data-00000-of-00001'), data);
    throws(() => readTfCheckpoint(path.join(tmp, 'm.ckpt')), /CRC32C of the tensor bytes/);
  } finally { fs.rmSync(tmp, { recursive: true, force: true }); }
});

t.run();
