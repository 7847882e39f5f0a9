/**
 * PyTorch checkpoint reader (lib/io/torch_checkpoint.ts):
 *  (a) the authors' AUIF .model files (legacy format) equal the committed per-tensor digests bit for bit;
 *  (a') the real torch.save files of datasets/reference/torch_save (PyTorch 1.13) bit for bit;
 *  (b) DIDFuse's {'weight': state_dict, 'epoch': n} files load;
 *  (c) zip checkpoints assembled here (fflate zipSync, hand-written protocol-2 data.pkl) round-trip,
 *      including strides, storage offsets, int64 and big-endian records;
 *  (d) truncated / random / malformed inputs give clear CheckpointErrors;
 *  plus the CPython-pickled fixtures of test/io/fixtures/make_fixtures.py (both formats).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { zipSync } from 'fflate';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';

import { readSafetensors } from '../../lib/io/safetensors.js';
import {
  decodeTorchCheckpoint, detectTorchCheckpointFormat, readTorchCheckpoint, readTorchObject,
} from '../../lib/io/torch_checkpoint.js';
import { CheckpointError, type NamedTensor, type StateDict, isNamedTensor, tensorBytes } from '../../lib/io/tensor_record.js';
import { projectRoot, skipLoudly, upstreamFile } from '../helpers/upstream.js';
import { findReferenceFile } from '../../lib/data/reference.js';
import { digestMismatches, pretrainedDigests } from '../helpers/fixture.js';
import { throwsCheckpoint, sameBytes } from '../helpers/checkpoint.js';

/** An upstream checkpoint ('auif/Models/…' or 'didfuse/Models/…'), staged; null with a loud SKIP when no source has it. */
async function upstreamModelFile(relative: string): Promise<string | null> {
  const [repo, ...rest] = relative.split('/');
  return upstreamFile(rest.join('/'), repo as 'auif' | 'didfuse');
}

const fixture = (name: string): string => path.join(projectRoot, 'test/io/fixtures', name);

const values = (t: NamedTensor): unknown[] => Array.from(t.data as ArrayLike<unknown>);

// ---- a protocol-2 pickle assembler, emitting what torch.save's pickler emits ---------------------
class PickleWriter {
  private readonly out: number[] = [0x80, 0x02]; // PROTO 2

  raw(...bytes: number[]): this { this.out.push(...bytes); return this; }
  private ascii(s: string): this { for (const c of s) this.out.push(c.charCodeAt(0)); return this; }
  mark(): this { return this.raw(0x28); }
  tuple(): this { return this.raw(0x74); }
  emptyTuple(): this { return this.raw(0x29); }
  reduce(): this { return this.raw(0x52); }
  setitems(): this { return this.raw(0x75); }
  stop(): Uint8Array { this.raw(0x2e); return Uint8Array.from(this.out); }
  global(module: string, name: string): this { return this.raw(0x63).ascii(`${module}\n${name}\n`); }
  str(s: string): this {
    const b = new TextEncoder().encode(s);
    return this.raw(0x58, b.length & 0xff, (b.length >> 8) & 0xff, 0, 0, ...b); // BINUNICODE
  }
  int(v: number): this {
    if (v >= 0 && v < 256) return this.raw(0x4b, v); // BININT1
    if (v >= 0 && v < 65536) return this.raw(0x4d, v & 0xff, v >> 8); // BININT2
    return this.raw(0x4a, v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >>> 24) & 0xff); // BININT
  }
  ints(vs: number[]): this { this.mark(); vs.forEach((v) => this.int(v)); return this.tuple(); }
  bool(v: boolean): this { return this.raw(v ? 0x88 : 0x89); }
  /** ('storage', torch.<type>, key, 'cpu', numel) BINPERSID — the zip-format persistent id. */
  storage(type: string, key: string, numel: number, module = 'torch'): this {
    return this.mark().str('storage').global(module, type).str(key).str('cpu').int(numel).tuple().raw(0x51);
  }
  /** torch._utils._rebuild_tensor_v2(storage, offset, size, stride, False, OrderedDict()). */
  tensor(type: string, key: string, numel: number, offset: number, size: number[], stride: number[]): this {
    this.global('torch._utils', '_rebuild_tensor_v2').mark().storage(type, key, numel).int(offset).ints(size).ints(stride)
      .bool(false).global('collections', 'OrderedDict').emptyTuple().reduce();
    return this.tuple().reduce();
  }
  /** OrderedDict() MARK … (entries) SETITEMS */
  orderedDict(entries: (w: this) => void): this {
    this.global('collections', 'OrderedDict').emptyTuple().reduce().mark();
    entries(this);
    return this.setitems();
  }
}

const f32 = (...v: number[]): Uint8Array => new Uint8Array(Float32Array.from(v).buffer);
const i64 = (...v: bigint[]): Uint8Array => new Uint8Array(BigInt64Array.from(v).buffer);

/** A zip checkpoint like torch ≥ 1.6 writes: <archive>/data.pkl, byteorder, data/<key>, version; stored. */
function zipCheckpoint(pkl: Uint8Array, storages: Record<string, Uint8Array>, archive = 'my_model', byteorder = 'little'): Uint8Array {
  const files: Record<string, Uint8Array> = { [`${archive}/data.pkl`]: pkl, [`${archive}/byteorder`]: new TextEncoder().encode(byteorder) };
  for (const [key, data] of Object.entries(storages)) files[`${archive}/data/${key}`] = data;
  files[`${archive}/version`] = new TextEncoder().encode('3\n');
  return zipSync(files, { level: 0 });
}

/** The state dict used by the zip round-trip tests. */
function handBuiltPickle(): Uint8Array {
  return new PickleWriter().orderedDict((w) => {
    w.str('a').tensor('FloatStorage', '0', 6, 0, [2, 3], [3, 1]);
    w.str('a_t').tensor('FloatStorage', '0', 6, 0, [3, 2], [1, 3]); // transpose: same storage
    w.str('a_off').tensor('FloatStorage', '0', 6, 2, [2, 2], [1, 2]); // storage_offset + strides
    w.str('ids').tensor('LongStorage', '1', 3, 0, [3], [1]);
    w.str('ids_scalar').tensor('LongStorage', '1', 3, 2, [], []);
  }).stop();
}
const A = [1, 2, 3, 4, 5, 6];
const IDS = [-5n, 2n ** 62n, 7n];

// ---- (a) the authors' AUIF checkpoints ---------------------------------------------------------
const Auif = suite('torch checkpoint: AUIF .model files (legacy format)');

Auif("base / detail / decoder equal the authors' weights bit for bit (committed per-tensor sha256 of PyTorch's conversion)", async () => {
  const digests = pretrainedDigests();
  if (!digests) return skipLoudly('AUIF checkpoint comparison', 'datasets/reference/auif_pretrained.sha256.json not found');
  const loaded: StateDict = new Map();
  for (const [name, prefix] of [['TCSVT_Encoder_Base.model', 'base.'], ['TCSVT_Encoder_Detail.model', 'detail.'], ['TCSVT_Decoder.model', 'decoder.']]) {
    const file = await upstreamModelFile(`auif/Models/${name}`);
    if (file === null) return;
    assert.is(detectTorchCheckpointFormat(fs.readFileSync(file)), 'legacy');
    for (const [k, t] of readTorchCheckpoint(file)) loaded.set(prefix + k, t);
  }
  assert.equal(digestMismatches(loaded, digests), []);
  const nbt = loaded.get('base.conv1.0.rest.0.num_batches_tracked')!;
  assert.equal([nbt.dtype, nbt.shape, values(nbt)], ['int64', [], [960n]]);
});

// ---- (a') real torch.save files (PyTorch 1.13; datasets/reference/torch_save, see its README) -----
const Real = suite('torch checkpoint: real torch.save files (zip, legacy, nested)');

const torchSave = (name: string): string | null => {
  const f = findReferenceFile(`torch_save/${name}`);
  if (!f) skipLoudly(`torch_save/${name}`, 'not found in datasets/reference/torch_save');
  return f;
};

for (const name of ['state_dict_zip.pth', 'state_dict_legacy.pth', 'nested_zip.pth']) {
  Real(`${name}: every tensor bit for bit as state_dict_expected.safetensors (dtype, shape, bytes; bool as U8)`, () => {
    const file = torchSave(name), exp = torchSave('state_dict_expected.safetensors');
    if (!file || !exp) return;
    assert.is(detectTorchCheckpointFormat(fs.readFileSync(file)), name.includes('legacy') ? 'legacy' : 'zip');
    const expected = readSafetensors(exp).tensors;
    const sd = readTorchCheckpoint(file);
    assert.equal([...sd.keys()].sort(), [...expected.keys()].sort());
    for (const [k, e] of expected) {
      const t = sd.get(k)!;
      assert.equal(t.shape, e.shape, `${k}: shape`);
      if (k === 'mask') {
        assert.is(t.dtype, 'bool');
        assert.is(e.dtype, 'uint8');
      } else {
        assert.is(t.dtype, e.dtype, `${k}: dtype`);
      }
      assert.ok(sameBytes(tensorBytes(t), tensorBytes(e)), `${k}: bytes differ`);
    }
    // What the file holds, as the reference README lists it.
    assert.equal(['float32', 'float64', 'float16', 'int32', 'int64', 'bool'].filter((d) => [...sd.values()].some((t) => t.dtype === d)),
      ['float32', 'float64', 'float16', 'int32', 'int64', 'bool']);
    assert.equal(sd.get('empty')!.shape, [0, 4]);
    assert.equal(sd.get('view.shared_b')!.shape, [3, 2]);
    assert.equal(sd.get('view.transposed')!.shape, [4, 6]);
    assert.equal([...sd.values()].filter((t) => t.shape.length === 0).length >= 2, true, '0-d tensors (a scalar, num_batches_tracked)');
  });
}

Real('nested_zip.pth: the whole object — {weight: state dict, epoch: 120, note: str}', () => {
  const file = torchSave('nested_zip.pth');
  if (!file) return;
  const obj = readTorchObject(file) as Map<string, unknown>;
  assert.instance(obj, Map);
  assert.equal([...obj.keys()], ['weight', 'epoch', 'note']);
  assert.is(Number(obj.get('epoch')), 120);
  assert.is(obj.get('note'), 'made with torch.save for the zip-format reader');
  assert.is((obj.get('weight') as Map<string, unknown>).size, readTorchCheckpoint(torchSave('state_dict_zip.pth')!).size);
});

Real('views of one storage: shared_b = shared_a[2:5, 1:3], transposed = shared_aᵀ, element for element', () => {
  const file = torchSave('state_dict_zip.pth');
  if (!file) return;
  const sd = readTorchCheckpoint(file);
  const a = sd.get('view.shared_a')!.data as Float32Array, b = sd.get('view.shared_b')!.data as Float32Array;
  const tr = sd.get('view.transposed')!.data as Float32Array;
  for (let i = 0; i < 3; i++) for (let j = 0; j < 2; j++) assert.is(b[i * 2 + j], a[(i + 2) * 4 + (j + 1)]);
  for (let i = 0; i < 4; i++) for (let j = 0; j < 6; j++) assert.is(tr[i * 6 + j], a[j * 4 + i]);
});

// ---- (b) DIDFuse ------------------------------------------------------------------------------
const Didfuse = suite('torch checkpoint: DIDFuse {weight, epoch} files');

Didfuse('encoder and decoder load the nested state dict with sane shapes', async () => {
  for (const [name, count, firstKey, firstShape] of [
    ['Encoder_weight_IJCAI.pkl', 30, 'cov1.cov1.1.weight', [64, 1, 3, 3]],
    ['Decoder_weight_IJCAI.pkl', 23, 'cov5.cov5.0.weight', [64, 128, 3, 3]],
  ] as const) {
    const file = await upstreamModelFile(`didfuse/Models/${name}`);
    if (file === null) return;
    const sd = readTorchCheckpoint(file);
    assert.is(sd.size, count, name);
    assert.equal(sd.get(firstKey)!.shape, firstShape);
    for (const [k, t] of sd) {
      if (k.endsWith('num_batches_tracked')) { assert.equal([t.dtype, t.shape], ['int64', []], k); continue; }
      assert.is(t.dtype, 'float32', k);
      assert.ok(t.shape.length === 1 || t.shape.length === 4, `${k}: shape ${t.shape}`);
      assert.ok((t.data as Float32Array).every(Number.isFinite), `${k}: non-finite values`);
      if (k.endsWith('running_var')) assert.ok((t.data as Float32Array).every((v) => v > 0), `${k}: variance > 0`);
    }
    const withKey = readTorchCheckpoint(file, { key: 'weight' });
    assert.equal([...withKey.keys()], [...sd.keys()]);
    const top = readTorchObject(file) as Map<string, unknown>;
    assert.is(top.get('epoch'), 120);
    assert.ok(isNamedTensor((top.get('weight') as Map<string, unknown>).get(firstKey)));
    throwsCheckpoint(() => readTorchCheckpoint(file, { key: 'model' }), new RegExp(`${name}: no top-level key 'model'`), /"weight", "epoch"/);
  }
});

// ---- (c) zip checkpoints assembled here ----------------------------------------------------------
const Zip = suite('torch checkpoint: zip format (hand-assembled)');

Zip('tensors round-trip: contiguous, transposed (stride), storage_offset, int64, 0-d', () => {
  const bytes = zipCheckpoint(handBuiltPickle(), { 0: f32(...A), 1: i64(...IDS) });
  assert.is(detectTorchCheckpointFormat(bytes), 'zip');
  const sd = decodeTorchCheckpoint(bytes);
  assert.equal([...sd.keys()], ['a', 'a_t', 'a_off', 'ids', 'ids_scalar']);
  assert.equal([sd.get('a')!.shape, values(sd.get('a')!)], [[2, 3], A]);
  assert.equal([sd.get('a_t')!.shape, values(sd.get('a_t')!)], [[3, 2], [1, 4, 2, 5, 3, 6]]);
  assert.equal([sd.get('a_off')!.shape, values(sd.get('a_off')!)], [[2, 2], [3, 5, 4, 6]]);
  assert.equal([sd.get('ids')!.dtype, values(sd.get('ids')!)], ['int64', IDS]);
  assert.equal([sd.get('ids_scalar')!.shape, values(sd.get('ids_scalar')!)], [[], [7n]]);
  for (const t of sd.values()) assert.is(t.data.byteOffset, 0);
});

Zip('any archive folder name; a file on disk; big-endian records are byte-swapped', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auif-torch-'));
  const file = path.join(dir, 'ckpt.pth');
  fs.writeFileSync(file, zipCheckpoint(handBuiltPickle(), { 0: f32(...A), 1: i64(...IDS) }, 'archive'));
  assert.equal(values(readTorchCheckpoint(file).get('a_t')!), [1, 4, 2, 5, 3, 6]);
  const swap = (b: Uint8Array, n: number): Uint8Array => {
    const out = new Uint8Array(b);
    for (let i = 0; i < out.length; i += n) out.subarray(i, i + n).reverse();
    return out;
  };
  const big = zipCheckpoint(handBuiltPickle(), { 0: swap(f32(...A), 4), 1: swap(i64(...IDS), 8) }, 'be', 'big');
  const sd = decodeTorchCheckpoint(big);
  assert.equal(values(sd.get('a_off')!), [3, 5, 4, 6]);
  assert.equal(values(sd.get('ids')!), IDS);
});

Zip('malformed zips: no data.pkl, missing or short storage record, corrupt archive', () => {
  throwsCheckpoint(() => decodeTorchCheckpoint(zipSync({ 'x/readme.txt': new Uint8Array(3) }, { level: 0 }), { file: 'f.pt' }),
    /^f\.pt: zip archive has no <archive>\/data\.pkl/);
  throwsCheckpoint(() => decodeTorchCheckpoint(zipCheckpoint(handBuiltPickle(), { 0: f32(...A) })), /storage record my_model\/data\/1 is missing/);
  throwsCheckpoint(() => decodeTorchCheckpoint(zipCheckpoint(handBuiltPickle(), { 0: f32(1, 2), 1: i64(...IDS) })),
    /storage record my_model\/data\/0 has 8 bytes, expected 24 \(6 × float32\): truncated/);
  const whole = zipCheckpoint(handBuiltPickle(), { 0: f32(...A), 1: i64(...IDS) });
  throwsCheckpoint(() => decodeTorchCheckpoint(whole.subarray(0, whole.length - 30)), /corrupt or truncated zip archive/);
});

// ---- the CPython-pickled fixtures (both formats) -------------------------------------------------
const Fixtures = suite('torch checkpoint: fixtures written by CPython pickle (make_fixtures.py)');

function checkFixtureTensors(sd: StateDict, label: string): void {
  const get = (k: string): NamedTensor => { const t = sd.get(k); assert.ok(t, `${label}: ${k} missing`); return t!; };
  const close = (t: NamedTensor, shape: number[], want: number[], k: string): void => {
    assert.equal(t.shape, shape, `${label}: ${k} shape`);
    assert.equal(values(t), Array.from(Float32Array.from(want)), `${label}: ${k} values`);
  };
  close(get('w'), [2, 3], [0.5, -1.25, 3, 0.001, 7, -0], 'w');
  close(get('wt'), [3, 2], [0.5, 0.001, -1.25, 7, 3, -0], 'wt');
  close(get('tail'), [2], [7, -0], 'tail');
  close(get('strided'), [2, 2], [1, 3, 5, 7], 'strided');
  close(get('p'), [2, 2], [1, 2, 3, 4], 'p');
  assert.equal([...new Uint32Array(get('nan').data.buffer)], [0x7fa00001, 0xff800000], `${label}: NaN payload bits`);
  assert.equal([get('idx').dtype, values(get('idx'))], ['int64', [-1n, 2n ** 40n, 2n ** 53n + 1n]]);
  assert.equal([get('h').dtype, values(get('h'))], ['float16', [0x3c00, 0xc000, 0x3800]]);
  assert.equal([get('mask').dtype, values(get('mask'))], ['bool', [1, 0, 1]]);
  assert.equal([get('u8').dtype, values(get('u8'))], ['uint8', [0, 255]]);
  assert.equal([get('i8').dtype, values(get('i8'))], ['int8', [-128, 127]]);
  assert.equal([get('i16').dtype, values(get('i16'))], ['int16', [-32768, 32767]]);
  assert.equal([get('i32').dtype, values(get('i32'))], ['int32', [-(2 ** 31), 2 ** 31 - 1]]);
  assert.equal([get('f64').dtype, values(get('f64'))], ['float64', [Math.PI, -0]]);
  assert.equal([get('num_batches_tracked').shape, values(get('num_batches_tracked'))], [[], [960n]]);
  assert.equal([get('empty').shape, get('empty').data.length], [[0, 3], 0]);
}

Fixtures('legacy format: every storage type, views (view_metadata), parameters, {weight, epoch} nesting', () => {
  const sd = readTorchCheckpoint(fixture('tiny_legacy.pt'));
  checkFixtureTensors(sd, 'legacy');
  assert.equal([sd.get('view')!.shape, values(sd.get('view')!)], [[2], [13, 14]]);
  const top = readTorchObject(fixture('tiny_legacy.pt')) as Map<string, unknown>;
  assert.equal([top.get('epoch'), top.get('note')], [7, 'fixture']);
});

Fixtures('zip format: the same tensors from a 64-byte-aligned archive', () => {
  checkFixtureTensors(readTorchCheckpoint(fixture('tiny_zip.pt')), 'zip');
});

// ---- (d) truncated, random and malformed inputs ------------------------------------------------
const Errors = suite('torch checkpoint: errors');

Errors('every truncation of a legacy checkpoint is a CheckpointError saying so', async () => {
  const file = await upstreamModelFile('auif/Models/TCSVT_Decoder.model');
  if (file === null) return;
  const full = fs.readFileSync(file);
  throwsCheckpoint(() => decodeTorchCheckpoint(full.subarray(0, 0)), /empty file/);
  for (let cut = 1; cut < full.length; cut++) {
    throwsCheckpoint(() => decodeTorchCheckpoint(full.subarray(0, cut), { file: `cut${cut}` }), new RegExp(`^cut${cut}: file truncated`));
  }
});

Errors('truncated copies on disk: the message names the file, the storage, expected and present bytes', async () => {
  const file = await upstreamModelFile('auif/Models/TCSVT_Decoder.model');
  if (file === null) return;
  const full = fs.readFileSync(file);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auif-torch-'));
  const inData = path.join(dir, 'in_data.model');
  fs.writeFileSync(inData, full.subarray(0, full.length - 10));
  throwsCheckpoint(() => readTorchCheckpoint(inData), /in_data\.model: file truncated/,
    new RegExp(`expected ${full.length} bytes, found ${full.length - 10}`), /storage '\d+' \(6 of 6, 1 × float32\)/);
  const inPickle = path.join(dir, 'in_pickle.model');
  fs.writeFileSync(inPickle, full.subarray(0, 500));
  throwsCheckpoint(() => readTorchCheckpoint(inPickle), /in_pickle\.model: file truncated: 500 bytes, it ends inside the main object pickle/);
});

Errors('random bytes and other non-checkpoints are rejected clearly', () => {
  let seed = 12345;
  const rand = (): number => { seed = (seed * 1103515245 + 12345) >>> 0; return seed >>> 24; };
  for (let trial = 0; trial < 20; trial++) {
    const junk = Uint8Array.from({ length: 64 + trial * 37 }, rand);
    throwsCheckpoint(() => decodeTorchCheckpoint(junk, { file: 'junk.bin' }), /^junk\.bin: not a PyTorch checkpoint/);
  }
  const fakeZip = Uint8Array.from([0x50, 0x4b, 3, 4, ...Array.from({ length: 60 }, rand)]);
  throwsCheckpoint(() => decodeTorchCheckpoint(fakeZip), /corrupt or truncated zip archive/);
  const otherPickle = new PickleWriter().int(5).stop();
  throwsCheckpoint(() => decodeTorchCheckpoint(otherPickle), /not a PyTorch checkpoint: invalid magic number 5/);
  throwsCheckpoint(() => readTorchCheckpoint(path.join(os.tmpdir(), 'does-not-exist.pt')), /does-not-exist\.pt: cannot read file/);
});

Errors('a corrupt element count in the legacy data section is reported', async () => {
  const file = await upstreamModelFile('auif/Models/TCSVT_Decoder.model');
  if (file === null) return;
  const bytes = new Uint8Array(fs.readFileSync(file));
  bytes[1105] = 99; // first storage's int64 count (9 → 99); see the layout in torch_checkpoint.ts
  throwsCheckpoint(() => decodeTorchCheckpoint(bytes), /storage '\d+' \(1 of 6, 9 × float32\): the file says 99 elements at byte 1105, the pickle says 9/);
});

Errors('unsupported storage type, unknown global, pickled module are refused by name', () => {
  const withTensor = (type: string, module = 'torch'): Uint8Array => new PickleWriter().orderedDict((w) => {
    w.str('x').global('torch._utils', '_rebuild_tensor_v2').mark().storage(type, '0', 1, module).int(0).ints([1]).ints([1])
      .bool(false).global('collections', 'OrderedDict').emptyTuple().reduce().tuple().reduce();
  }).stop();
  throwsCheckpoint(() => decodeTorchCheckpoint(zipCheckpoint(withTensor('BFloat16Storage'), { 0: new Uint8Array(2) }), { file: 'bf16.pt' }),
    /^bf16\.pt: /, /unsupported storage type torch\.BFloat16Storage/);
  const conv = new PickleWriter().global('torch.nn.modules.conv', 'Conv2d').emptyTuple().reduce().stop();
  throwsCheckpoint(() => decodeTorchCheckpoint(zipCheckpoint(conv, {})), /unknown global torch\.nn\.modules\.conv\.Conv2d/, /byte 2/);
  const modulePid = new PickleWriter().mark().str('module').str('Net').str('net.py').str('src').tuple().raw(0x51).stop();
  throwsCheckpoint(() => decodeTorchCheckpoint(zipCheckpoint(modulePid, {})), /whole nn\.Module/);
  // UntypedStorage (torch ≥ 2) is raw bytes
  const untyped = decodeTorchCheckpoint(zipCheckpoint(withTensor('UntypedStorage', 'torch.storage'), { 0: Uint8Array.from([42]) }));
  assert.equal([untyped.get('x')!.dtype, values(untyped.get('x')!)], ['uint8', [42]]);
});

Errors('inconsistent size/stride/offset and non-state-dict top levels', () => {
  const oob = new PickleWriter().orderedDict((w) => { w.str('big').tensor('FloatStorage', '0', 6, 1, [3, 2], [2, 1]); }).stop();
  throwsCheckpoint(() => decodeTorchCheckpoint(zipCheckpoint(oob, { 0: f32(...A) })), /tensor 'big'/, /reach element 6 of a 6-element storage '0'/);
  const noTensors = new PickleWriter().orderedDict((w) => { w.str('epoch').int(3); }).stop();
  throwsCheckpoint(() => decodeTorchCheckpoint(zipCheckpoint(noTensors, {})), /no tensors found in the state dict \(keys: "epoch"\)/);
  const single = new PickleWriter().tensor('FloatStorage', '0', 6, 0, [6], [1]).stop();
  throwsCheckpoint(() => decodeTorchCheckpoint(zipCheckpoint(single, { 0: f32(...A) })), /single tensor, not a state dict/);
  assert.ok(isNamedTensor(readTorchObject(zipCheckpoint(single, { 0: f32(...A) }))));
});

Auif.run();
Real.run();
Didfuse.run();
Zip.run();
Fixtures.run();
Errors.run();
