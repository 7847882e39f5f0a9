/**
 * safetensors reader/writer (lib/io/safetensors.ts): the PyTorch-made reference files parse,
 * re-encode byte for byte, and every malformed input is a CheckpointError naming the problem.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';

import { decodeSafetensors, encodeSafetensors, readSafetensors, writeSafetensors } from '../../lib/io/safetensors.js';
import { CheckpointError, type NamedTensor, type StateDict, tensorBytes } from '../../lib/io/tensor_record.js';
import { skipLoudly, upstreamGroup } from '../helpers/upstream.js';
import { findReferenceFile } from '../../lib/data/reference.js';
import { pretrainedStateDict } from '../../lib/model/checkpoint.js';
import { digestMismatches, pretrainedDigests } from '../helpers/fixture.js';
import { throwsCheckpoint, sameBytes } from '../helpers/checkpoint.js';

function referenceFile(name: string): string | null {
  const file = findReferenceFile(name);
  if (file === null) skipLoudly(`safetensors reference ${name}`, 'not found in datasets/reference (see lib/data/reference.ts)');
  return file;
}

function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'auif-safetensors-'));
}

/** Builds a safetensors image from a raw header object and buffer (for malformed cases). */
function image(header: unknown, buffer: number[] | Uint8Array = [], rawHeader?: string): Uint8Array {
  const json = new TextEncoder().encode(rawHeader ?? JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + buffer.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(buffer, 8 + json.length);
  return out;
}


// ---- the reference files -------------------------------------------------------------------------
const Reference = suite('safetensors: reference files');

Reference("the authors' weights written as safetensors read back: 186 tensors, prefixes, int64 num_batches_tracked = 960, every digest", async () => {
  if (!(await upstreamGroup('models'))) return;
  const digests = pretrainedDigests();
  if (!digests) return skipLoudly('pretrained digests', 'datasets/reference/auif_pretrained.sha256.json not found');
  const out = path.join(tmpDir(), 'auif_pretrained.safetensors');
  await writeSafetensors(out, await pretrainedStateDict(), { source: 'Zhaozixiang1228/IVIF-AUIF-Net Models/*.model' });
  const { tensors, metadata } = readSafetensors(out);
  assert.is(tensors.size, 186);
  assert.match(metadata.source, /IVIF-AUIF-Net/);
  assert.equal(digestMismatches(tensors, digests), []);
  const keys = [...tensors.keys()];
  assert.is(keys[0], 'base.conv1.0.kernel');
  assert.is(keys.filter((k) => k.startsWith('base.')).length, 90);
  assert.is(keys.filter((k) => k.startsWith('detail.')).length, 90);
  assert.is(keys.filter((k) => k.startsWith('decoder.')).length, 6);
  const kernel = tensors.get('base.conv1.0.kernel')!;
  assert.equal([kernel.dtype, kernel.shape], ['float32', [64, 1, 3, 3]]);
  assert.instance(kernel.data, Float32Array);
  assert.is(kernel.data.byteOffset, 0);
  const nbt = tensors.get('decoder.decoder.2.num_batches_tracked')!;
  assert.equal([nbt.dtype, nbt.shape, [...(nbt.data as BigInt64Array)]], ['int64', [], [960n]]);
  for (const [k, t] of tensors) assert.ok(k.endsWith('num_batches_tracked') ? t.dtype === 'int64' : t.dtype === 'float32', k);
});

Reference('auif_fixture.safetensors parses with the shapes of reference/README.md', () => {
  const file = referenceFile('auif_fixture.safetensors');
  if (file === null) return;
  const { tensors } = readSafetensors(file);
  assert.equal(tensors.get('eval.ir')!.shape, [1, 1, 64, 80]);
  assert.equal(tensors.get('eval.vis.base')!.shape, [11, 1, 64, 80]);
  assert.equal(tensors.get('train.input')!.shape, [4, 1, 32, 40]);
  const ir = tensors.get('eval.ir')!.data as Float32Array;
  assert.ok(ir.every((v) => v >= 0 && v <= 1), 'eval.ir is an image in [0, 1]');
});

Reference('read → write → read reproduces every PyTorch-made reference file byte for byte', async () => {
  // (torch_save/state_dict_expected.safetensors was written by the Python safetensors package, whose
  // header order differs: it is read bit for bit in torch_checkpoint.test.ts, not re-encoded here.)
  for (const name of ['auif_fixture.safetensors', 'didfuse_fixture.safetensors', 'densefuse_fixture.safetensors', 'deepfuse_fixture.safetensors']) {
    const file = referenceFile(name);
    if (file === null) return;
    const original = fs.readFileSync(file);
    const { tensors, metadata } = readSafetensors(file);
    const out = path.join(tmpDir(), path.basename(name));
    await writeSafetensors(out, tensors, metadata);
    assert.ok(sameBytes(fs.readFileSync(out), original), `${name}: rewritten file differs from the original`);
    const again = readSafetensors(out);
    assert.equal([...again.tensors.keys()], [...tensors.keys()]);
    assert.equal(again.metadata, metadata);
  }
});

// ---- encode / decode ---------------------------------------------------------------------------
const Codec = suite('safetensors: encode / decode');

function allDtypes(): StateDict {
  const nanBits = new Float32Array(new Uint32Array([0x7fa00001, 0xff800000]).buffer);
  const sd: StateDict = new Map<string, NamedTensor>([
    ['f32', { dtype: 'float32', shape: [2, 2], data: Float32Array.from([1, -2.5, 0.1, 3e38]) }],
    ['nan', { dtype: 'float32', shape: [2], data: nanBits }],
    ['f64', { dtype: 'float64', shape: [1], data: Float64Array.from([Math.PI]) }],
    ['f16', { dtype: 'float16', shape: [3], data: Uint16Array.from([0x3c00, 0xc000, 0x7e01]) }],
    ['i64', { dtype: 'int64', shape: [], data: BigInt64Array.from([-(2n ** 63n)]) }],
    ['i32', { dtype: 'int32', shape: [1, 1], data: Int32Array.from([-7]) }],
    ['u8', { dtype: 'uint8', shape: [2], data: Uint8Array.from([0, 255]) }],
    ['i8', { dtype: 'int8', shape: [1], data: Int8Array.from([-128]) }],
    ['i16', { dtype: 'int16', shape: [1], data: Int16Array.from([-32768]) }],
    ['bool', { dtype: 'bool', shape: [3], data: Uint8Array.from([1, 0, 1]) }],
    ['empty', { dtype: 'float32', shape: [0, 4], data: new Float32Array(0) }],
  ]);
  return sd;
}

Codec('every dtype round-trips bit-exactly (NaN payloads, half bits, int64 extremes, scalars, empty)', () => {
  const sd = allDtypes();
  const bytes = encodeSafetensors(sd, { note: 'x' });
  const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  assert.is((8 + headerLength) % 8, 0, 'buffer starts 8-byte aligned');
  const { tensors, metadata } = decodeSafetensors(bytes);
  assert.equal(metadata, { note: 'x' });
  assert.equal([...tensors.keys()], [...sd.keys()]);
  for (const [k, t] of sd) {
    const r = tensors.get(k)!;
    assert.equal([r.dtype, r.shape], [t.dtype, t.shape], k);
    assert.is(r.data.constructor, t.data.constructor, k);
    assert.ok(sameBytes(tensorBytes(r), tensorBytes(t)), `${k}: bytes differ`);
    assert.is(r.data.byteOffset, 0, `${k}: aligned copy`);
  }
});

Codec('the header lists tensors in insertion order with contiguous offsets, metadata last, space padding', () => {
  const sd: StateDict = new Map([
    ['b', { dtype: 'float32', shape: [1], data: Float32Array.from([1]) }],
    ['a', { dtype: 'int64', shape: [], data: BigInt64Array.from([2n]) }],
  ]);
  const bytes = encodeSafetensors(sd, { k: 'v' });
  const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  const header = new TextDecoder().decode(bytes.subarray(8, 8 + n));
  assert.is(header.trimEnd(),
    '{"b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"I64","shape":[],"data_offsets":[4,12]},"__metadata__":{"k":"v"}}');
  assert.match(header, /^[^ ]*} *$/);
  assert.is(bytes.length, 8 + n + 12);
  assert.not.match(new TextDecoder().decode(encodeSafetensors(sd)), /__metadata__/);
});

Codec('integer-like names keep buffer order (JSON key order is not trusted)', () => {
  const sd: StateDict = new Map([
    ['10', { dtype: 'uint8', shape: [1], data: Uint8Array.from([10]) }],
    ['2', { dtype: 'uint8', shape: [1], data: Uint8Array.from([2]) }],
  ]);
  const back = decodeSafetensors(encodeSafetensors(sd)).tensors;
  assert.equal([...back.keys()], ['10', '2']);
});

Codec('a Buffer input with a non-zero byteOffset decodes correctly', () => {
  const inner = encodeSafetensors(allDtypes());
  const padded = Buffer.alloc(inner.length + 3);
  padded.set(inner, 3);
  const view = padded.subarray(3);
  const r = decodeSafetensors(view).tensors.get('f64')!;
  assert.is((r.data as Float64Array)[0], Math.PI);
});

Codec('encoder rejects malformed tensors and reserved names, naming the key', () => {
  const bad = (t: NamedTensor, name = 'x'): StateDict => new Map([[name, t]]);
  throwsCheckpoint(() => encodeSafetensors(bad({ dtype: 'float32', shape: [3], data: new Float32Array(2) })), /tensor 'x'/, /3 elements but data has 2/);
  throwsCheckpoint(() => encodeSafetensors(bad({ dtype: 'float32', shape: [2], data: new Float64Array(2) })), /needs data as Float32Array/);
  throwsCheckpoint(() => encodeSafetensors(bad({ dtype: 'bfloat16' as never, shape: [1], data: new Uint16Array(1) })), /unknown dtype/);
  throwsCheckpoint(() => encodeSafetensors(bad({ dtype: 'uint8', shape: [-1], data: new Uint8Array(0) })), /non-negative integers/);
  throwsCheckpoint(() => encodeSafetensors(bad({ dtype: 'uint8', shape: [1], data: new Uint8Array(1) }, '__metadata__')), /may not be named __metadata__/);
  throwsCheckpoint(() => encodeSafetensors(new Map(), { k: 1 as unknown as string }), /must be a string/);
});

// ---- atomic writes -----------------------------------------------------------------------------
const Write = suite('safetensors: atomic write');

Write('writes via a temporary file and leaves only the final file', async () => {
  const dir = tmpDir();
  const file = path.join(dir, 'w.safetensors');
  fs.writeFileSync(file, 'old contents');
  await writeSafetensors(file, allDtypes(), { a: 'b' });
  assert.equal(fs.readdirSync(dir), ['w.safetensors']);
  assert.is(readSafetensors(file).tensors.size, allDtypes().size);
});

Write('a rejected write leaves the existing file untouched and no temporary file', async () => {
  const dir = tmpDir();
  const file = path.join(dir, 'keep.safetensors');
  fs.writeFileSync(file, 'precious');
  const bad: StateDict = new Map([['x', { dtype: 'float32', shape: [4], data: new Float32Array(1) }]]);
  let error: unknown;
  try { await writeSafetensors(file, bad); } catch (e) { error = e; }
  assert.instance(error, CheckpointError);
  assert.match((error as Error).message, /keep\.safetensors: tensor 'x'/);
  assert.is(fs.readFileSync(file, 'utf8'), 'precious');
  assert.equal(fs.readdirSync(dir), ['keep.safetensors']);
});

Write('an I/O failure is a CheckpointError and creates nothing', async () => {
  const dir = tmpDir();
  const file = path.join(dir, 'missing-dir', 'x.safetensors');
  let error: unknown;
  try { await writeSafetensors(file, allDtypes()); } catch (e) { error = e; }
  assert.instance(error, CheckpointError);
  assert.match((error as Error).message, /write failed/);
  assert.equal(fs.readdirSync(dir), []);
});

// ---- malformed files -----------------------------------------------------------------------------
const Errors = suite('safetensors: malformed input');

const F32 = (begin: number, end: number, shape: number[] = [1]) => ({ dtype: 'F32', shape, data_offsets: [begin, end] });

Errors('too short / truncated header / unreadable file, with the file name', () => {
  throwsCheckpoint(() => decodeSafetensors(new Uint8Array(5)), /5 bytes, shorter than the 8-byte header length/);
  const good = encodeSafetensors(allDtypes());
  throwsCheckpoint(() => decodeSafetensors(good.subarray(0, 40)), /truncated header: header length field says \d+ bytes but only 32 bytes follow/);
  const dir = tmpDir();
  const file = path.join(dir, 'cut.safetensors');
  fs.writeFileSync(file, good.subarray(0, good.length - 3));
  throwsCheckpoint(() => readSafetensors(file), /cut\.safetensors: /, /out of range/, /truncated\?/);
  throwsCheckpoint(() => readSafetensors(path.join(dir, 'nope.safetensors')), /nope\.safetensors: cannot read file/);
});

Errors('invalid JSON, non-object header, bad UTF-8', () => {
  throwsCheckpoint(() => decodeSafetensors(image(null, [], '{"a": [1, 2')), /invalid JSON header/);
  throwsCheckpoint(() => decodeSafetensors(image(null, [], '[1, 2, 3]')), /does not start with '\{'/);
  const badUtf8 = image(null, [], '{"a":1}');
  badUtf8[10] = 0xff;
  throwsCheckpoint(() => decodeSafetensors(badUtf8), /invalid JSON header/);
});

Errors('unknown dtype, bad shape, bad offsets — each names the key', () => {
  throwsCheckpoint(() => decodeSafetensors(image({ w: { dtype: 'BF16', shape: [1], data_offsets: [0, 2] } }, [0, 0])), /tensor 'w'/, /unknown or unsupported dtype "BF16"/);
  throwsCheckpoint(() => decodeSafetensors(image({ w: { dtype: 'F32', shape: [1.5], data_offsets: [0, 4] } }, [0, 0, 0, 0])), /tensor 'w'/, /shape must be/);
  throwsCheckpoint(() => decodeSafetensors(image({ w: { dtype: 'F32', shape: [1], data_offsets: [0] } }, [0, 0, 0, 0])), /data_offsets must be \[begin, end\]/);
  throwsCheckpoint(() => decodeSafetensors(image({ w: F32(4, 0) }, [0, 0, 0, 0])), /begin > end/);
  throwsCheckpoint(() => decodeSafetensors(image({ w: F32(0, 8, [2]) }, [0, 0, 0, 0])), /tensor 'w'/, /out of range: the byte buffer has 4 bytes/);
  throwsCheckpoint(() => decodeSafetensors(image({ w: F32(0, 8) }, new Uint8Array(8))), /tensor 'w'/, /span 8 bytes but shape \[1\] × F32 needs 4/);
});

Errors('overlapping tensors, holes and trailing bytes are rejected', () => {
  throwsCheckpoint(() => decodeSafetensors(image({ a: F32(0, 4), b: F32(2, 6) }, new Uint8Array(6))), /tensor 'b'/, /overlap tensor 'a'/);
  throwsCheckpoint(() => decodeSafetensors(image({ a: F32(0, 4), b: F32(8, 12) }, new Uint8Array(12))), /tensor 'b'/, /hole in the byte buffer: bytes 4\.\.8/);
  throwsCheckpoint(() => decodeSafetensors(image({ a: F32(0, 4) }, new Uint8Array(6))), /has 6 bytes but the tensors cover only 4/);
});

Errors('__metadata__ must be a string → string map', () => {
  throwsCheckpoint(() => decodeSafetensors(image({ __metadata__: { epoch: 3 } })), /__metadata__\["epoch"\] must be a string/);
  throwsCheckpoint(() => decodeSafetensors(image({ __metadata__: ['x'] })), /__metadata__ must be an object/);
  assert.equal(decodeSafetensors(image({ __metadata__: { a: 'b' } })).metadata, { a: 'b' });
});

Reference.run();
Codec.run();
Write.run();
Errors.run();
