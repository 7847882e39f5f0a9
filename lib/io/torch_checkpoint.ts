/**
 * PyTorch checkpoint reader (`torch.save` output), both on-disk formats, without PyTorch and
 * without executing any pickled code (see {@link unpickle}).
 *
 * **Legacy format** (torch < 1.6, or `_use_new_zipfile_serialization=False`): five pickles
 * back to back, then the raw storages. Source: `torch/serialization.py`, `_legacy_save` /
 * `_legacy_load`; `torch/csrc/serialization.cpp`, `THPStorage_writeFileRaw`.
 * ```
 * pickle  MAGIC_NUMBER = 0x1950a86a20f9469cfc6c
 * pickle  PROTOCOL_VERSION = 1001
 * pickle  sys_info = {'protocol_version': 1001, 'little_endian': True, 'type_sizes': {...}}
 * pickle  the object (e.g. an OrderedDict state dict); storages are persistent ids
 *         ('storage', storage_type, root_key, location, numel, view_metadata)
 *         with view_metadata None or (view_key, offset, view_size)
 * pickle  the storage keys, in the order their data follow
 * for each key: int64 LE element count, then count × itemsize bytes of LE data
 * ```
 *
 * **Zip format** (torch ≥ 1.6): a zip archive (entries stored, uncompressed) whose entries
 * share one top-level folder `<archive>/`: `data.pkl` (the object; persistent ids
 * `('storage', storage_type, key, location, numel)`), `data/<key>` (each storage's raw
 * bytes), optionally `byteorder` (`little`|`big`, torch ≥ 2.1) and `version`. Source:
 * `torch/serialization.py`, `_save` / `_load`.
 *
 * In both, a tensor is pickled as `torch._utils._rebuild_tensor_v2(storage, storage_offset,
 * size, stride, requires_grad, backward_hooks[, metadata])` (`torch/_utils.py`), a parameter
 * as `_rebuild_parameter(tensor, requires_grad, backward_hooks)`; offsets and strides count
 * elements. Tensors come back as contiguous row-major copies ({@link NamedTensor}).
 */
import fs from 'node:fs';
import { unzipSync } from 'fflate';

import { PickleError, builtinGlobal, type PyCallable, unpickle, type UnpickleHooks } from './pickle.js';
import {
  CheckpointError, DTYPES, type DType, type NamedTensor, type StateDict, numel, typedArrayFromBytes,
} from './tensor_record.js';

/** `torch.serialization.MAGIC_NUMBER`, first pickle of a legacy checkpoint. */
export const LEGACY_MAGIC_NUMBER = 0x1950a86a20f9469cfc6cn;
/** `torch.serialization.PROTOCOL_VERSION`, second pickle of a legacy checkpoint. */
export const LEGACY_PROTOCOL_VERSION = 1001;
/** The magic-number pickle exactly as `torch.save` writes it (protocol 2). */
const LEGACY_MAGIC_PICKLE = Uint8Array.from([0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e]);

/**
 * Pickled storage class name → dtype (`torch.storage._get_dtype_from_pickle_storage_type`).
 * `UntypedStorage` (torch ≥ 2, zip only) holds raw bytes.
 */
const STORAGE_DTYPES: Readonly<Record<string, DType>> = {
  FloatStorage: 'float32', DoubleStorage: 'float64', HalfStorage: 'float16', LongStorage: 'int64',
  IntStorage: 'int32', ByteStorage: 'uint8', CharStorage: 'int8', ShortStorage: 'int16', BoolStorage: 'bool',
  UntypedStorage: 'uint8', _UntypedStorage: 'uint8',
};

/** Options of {@link readTorchCheckpoint}. */
export interface TorchCheckpointOptions {
  /**
   * Top-level key holding the state dict (for checkpoints like `{'model': sd, 'epoch': n}`).
   * Default: the top level itself, or its `'weight'` / `'state_dict'` entry when that is a dict
   * (DIDFuse saves `{'weight': state_dict, 'epoch': n}`).
   */
  key?: string;
}

/** Which on-disk layout a checkpoint uses. */
export type TorchCheckpointFormat = 'legacy' | 'zip';

/** A `torch.<Name>Storage` class as resolved from the pickle. */
class StorageType {
  constructor(readonly name: string, readonly dtype: DType) {}
}

/** A root storage: its bytes arrive after the pickle (legacy) or from a zip record. */
class Storage {
  bytes: Uint8Array | undefined;
  constructor(readonly key: string, readonly dtype: DType, readonly numel: number) {}
}

/** The storage a tensor refers to: a root storage or (legacy) a view `[offset, offset+numel)` of one. */
class StorageSlice {
  constructor(readonly storage: Storage, readonly offset: number, readonly numel: number) {}
}

/** A tensor whose data may not be loaded yet: `_rebuild_tensor_v2`'s arguments. */
class TensorRef {
  constructor(readonly slice: StorageSlice, readonly offset: number, readonly size: number[], readonly stride: number[]) {}
}

/** `torch.Tensor` / `torch.nn.Parameter` as a class marker for `_rebuild_from_type_v2`. */
class TensorClass {
  constructor(readonly name: string) {}
}

function asInt(v: unknown, what: string): number {
  if (typeof v === 'bigint' && v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(v);
  if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
  throw new CheckpointError(`${what} must be an integer, got ${String(v)}`);
}

function asIntTuple(v: unknown, what: string): number[] {
  if (!Array.isArray(v)) throw new CheckpointError(`${what} must be a tuple of integers, got ${String(v)}`);
  return v.map((x, i) => asInt(x, `${what}[${i}]`));
}

function asStr(v: unknown, what: string): string {
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array) return String.fromCharCode(...v); // py2 str pickled as bytes (ascii)
  throw new CheckpointError(`${what} must be a str, got ${String(v)}`);
}

/** Builds the torch-specific pickle hooks; `storages` collects every storage by key. */
function torchHooks(format: TorchCheckpointFormat, storages: Map<string, Storage>, loadRecord?: (s: Storage) => void): UnpickleHooks {
  const rebuildTensor: PyCallable = (args) => {
    const [slice, storageOffset, size, stride] = args;
    if (!(slice instanceof StorageSlice)) throw new CheckpointError('_rebuild_tensor_v2: first argument is not a storage');
    const sz = asIntTuple(size, 'tensor size');
    const st = asIntTuple(stride, 'tensor stride');
    if (sz.length !== st.length) throw new CheckpointError(`tensor size (${sz.length} dims) and stride (${st.length} dims) disagree`);
    if (sz.some((s) => s < 0) || st.some((s) => s < 0)) throw new CheckpointError(`negative size or stride: size (${sz}) stride (${st})`);
    return new TensorRef(slice, asInt(storageOffset, 'storage_offset'), sz, st);
  };
  const rebuildParameter: PyCallable = (args) => {
    if (!(args[0] instanceof TensorRef)) throw new CheckpointError('_rebuild_parameter: first argument is not a tensor');
    return args[0];
  };
  const globals: Record<string, unknown> = {
    'torch._utils._rebuild_tensor_v2': rebuildTensor,
    'torch._utils._rebuild_tensor': rebuildTensor,
    'torch._utils._rebuild_parameter': rebuildParameter,
    'torch._utils._rebuild_parameter_with_state': rebuildParameter,
    'torch._tensor._rebuild_from_type_v2': ((args) => {
      const [fn, cls, fnArgs] = args;
      if (typeof fn !== 'function' || !(cls instanceof TensorClass) || !Array.isArray(fnArgs)) {
        throw new CheckpointError('_rebuild_from_type_v2: only torch.Tensor / torch.nn.Parameter are supported');
      }
      return (fn as PyCallable)([...fnArgs]);
    }) satisfies PyCallable,
    'torch._tensor.Tensor': new TensorClass('torch.Tensor'),
    'torch.Tensor': new TensorClass('torch.Tensor'),
    'torch.nn.parameter.Parameter': new TensorClass('torch.nn.Parameter'),
    'torch.Size': ((args) => Object.freeze(asIntTuple(args[0] ?? [], 'torch.Size'))) satisfies PyCallable,
  };

  return {
    findClass(module: string, name: string): unknown {
      if (module === 'torch.tensor') module = 'torch._tensor'; // torch's load_module_mapping
      if (name.includes('Storage') && module.startsWith('torch')) {
        const dtype = STORAGE_DTYPES[name];
        if (dtype === undefined) {
          throw new CheckpointError(`unsupported storage type ${module}.${name} (supported: ${Object.keys(STORAGE_DTYPES).join(', ')})`);
        }
        return new StorageType(name, dtype);
      }
      return globals[`${module}.${name}`] ?? builtinGlobal(module, name);
    },

    persistentLoad(pid: unknown): unknown {
      if (!Array.isArray(pid) || pid.length === 0) throw new CheckpointError(`persistent id must be a tuple, got ${String(pid)}`);
      const typename = asStr(pid[0], 'persistent id type');
      if (typename === 'module') {
        throw new CheckpointError('the checkpoint pickles a whole nn.Module (torch.save(model)); only state dicts (torch.save(model.state_dict())) can be read');
      }
      if (typename !== 'storage') throw new CheckpointError(`unknown persistent id type '${typename}'`);
      const expectedLength = format === 'legacy' ? 6 : 5;
      if (pid.length !== expectedLength) {
        throw new CheckpointError(`${format} storage persistent id must have ${expectedLength} fields, got ${pid.length}`);
      }
      const [, type, rawKey, , rawNumel, view] = pid;
      if (!(type instanceof StorageType)) throw new CheckpointError(`storage type must be a torch.*Storage class, got ${String(type)}`);
      const key = asStr(rawKey, 'storage key');
      const count = asInt(rawNumel, `numel of storage '${key}'`);
      let storage = storages.get(key);
      if (storage === undefined) {
        storage = new Storage(key, type.dtype, count);
        storages.set(key, storage);
        loadRecord?.(storage);
      } else if (storage.dtype !== type.dtype) {
        throw new CheckpointError(`storage '${key}' used as both ${storage.dtype} and ${type.dtype}`);
      }
      if (view === undefined || view === null) return new StorageSlice(storage, 0, storage.numel);
      // Legacy storage view: (view_key, offset, view_size) in elements of the root storage.
      const [, viewOffset, viewSize] = asViewMetadata(view, key);
      if (viewOffset + viewSize > storage.numel) {
        throw new CheckpointError(`view [${viewOffset}, ${viewOffset + viewSize}) of storage '${key}' exceeds its ${storage.numel} elements`);
      }
      return new StorageSlice(storage, viewOffset, viewSize);
    },
  };
}

function asViewMetadata(view: unknown, key: string): [string, number, number] {
  if (!Array.isArray(view) || view.length !== 3) throw new CheckpointError(`view metadata of storage '${key}' must be (view_key, offset, size)`);
  return [asStr(view[0], 'view key'), asInt(view[1], 'view offset'), asInt(view[2], 'view size')];
}

/** True when `size`/`stride` describe a row-major contiguous layout (size-1 dims may have any stride). */
function isContiguous(size: number[], stride: number[]): boolean {
  let expected = 1;
  for (let d = size.length - 1; d >= 0; d--) {
    if (size[d] !== 1 && stride[d] !== expected) return false;
    expected *= size[d];
  }
  return true;
}

/**
 * Materialises a lazily rebuilt tensor: a contiguous row-major copy of
 * `storage[offset + Σ i_d·stride_d]` over all multi-indices `i` of `size`, bit-exact.
 */
function materialize(ref: TensorRef, key?: string): NamedTensor {
  const { slice, offset, size, stride } = ref;
  const { storage } = slice;
  const { dtype } = storage;
  const shape = [...size];
  const count = numel(size);
  if (storage.bytes === undefined) {
    throw new CheckpointError(`storage '${storage.key}' has no data (not in the checkpoint's storage table)`, undefined, key);
  }
  if (count === 0) return { dtype, shape, data: new DTYPES[dtype].array(0) };
  const span = size.reduce((acc, s, d) => acc + (s - 1) * stride[d], 0); // largest index reached, relative to `offset`
  if (offset + span >= slice.numel) {
    throw new CheckpointError(
      `size (${size}) / stride (${stride}) / storage_offset ${offset} reach element ${offset + span} of a ${slice.numel}-element storage '${storage.key}'`,
      undefined, key);
  }
  const itemsize = DTYPES[dtype].itemsize;
  const base = slice.offset + offset;
  if (isContiguous(size, stride)) {
    return { dtype, shape, data: typedArrayFromBytes(dtype, storage.bytes.subarray(base * itemsize, (base + count) * itemsize)) };
  }
  // Strided gather on whole machine words (1, 2 or 4 bytes; 8-byte items as two words): bit-exact.
  const unit = Math.min(itemsize, 4);
  const words = itemsize / unit;
  const Words = unit === 1 ? Uint8Array : unit === 2 ? Uint16Array : Uint32Array;
  const region = new Uint8Array(storage.bytes.subarray(base * itemsize, (base + span + 1) * itemsize)); // aligned copy
  const src = new Words(region.buffer);
  const dst = new Words(count * words);
  const nd = size.length;
  const index = new Array<number>(nd).fill(0);
  let at = 0; // source element, relative to base
  for (let o = 0; o < count; o++) {
    for (let w = 0; w < words; w++) dst[o * words + w] = src[at * words + w];
    for (let d = nd - 1; d >= 0; d--) {
      index[d]++;
      at += stride[d];
      if (index[d] < size[d]) break;
      at -= stride[d] * size[d];
      index[d] = 0;
    }
  }
  return { dtype, shape, data: typedArrayFromBytes(dtype, new Uint8Array(dst.buffer)) };
}

/** Swaps the bytes of every `itemsize`-byte element (big-endian zip records). */
function byteswap(bytes: Uint8Array, itemsize: number): Uint8Array {
  const out = new Uint8Array(bytes);
  if (itemsize > 1) for (let i = 0; i < out.length; i += itemsize) out.subarray(i, i + itemsize).reverse();
  return out;
}

/** Detects the layout from the first bytes: zip local-file/EOCD signature, else legacy. */
export function detectTorchCheckpointFormat(bytes: Uint8Array): TorchCheckpointFormat {
  const pk = bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b &&
    ((bytes[2] === 3 && bytes[3] === 4) || (bytes[2] === 5 && bytes[3] === 6));
  return pk ? 'zip' : 'legacy';
}

function isTar(bytes: Uint8Array): boolean {
  return bytes.length >= 262 && String.fromCharCode(...bytes.subarray(257, 262)) === 'ustar';
}

/** Reads a legacy-format checkpoint; returns the top-level object with lazy tensors resolved to storages. */
function loadLegacy(bytes: Uint8Array): unknown {
  const n = bytes.length;
  if (n === 0) throw new CheckpointError('empty file (0 bytes): not a PyTorch checkpoint');
  if (isTar(bytes)) throw new CheckpointError('tar-format checkpoint (PyTorch < 0.1.10) is not supported');
  if (n < LEGACY_MAGIC_PICKLE.length && LEGACY_MAGIC_PICKLE.subarray(0, n).every((b, i) => bytes[i] === b)) {
    throw new CheckpointError(`file truncated: ${n} bytes, it ends inside the ${LEGACY_MAGIC_PICKLE.length}-byte magic-number pickle`);
  }

  const storages = new Map<string, Storage>();
  const hooks = torchHooks('legacy', storages);
  const plainHooks: UnpickleHooks = { findClass: builtinGlobal };
  let pos = 0;
  const next = (what: string, h: UnpickleHooks): unknown => {
    if (pos >= n) throw new CheckpointError(`file truncated: it ends at byte ${n}, before the ${what} pickle`);
    try {
      const r = unpickle(bytes, pos, h);
      pos = r.end;
      return r.value;
    } catch (e) {
      if (e instanceof PickleError && e.truncated) {
        throw new CheckpointError(`file truncated: ${n} bytes, it ends inside the ${what} pickle that starts at byte ${pos} (${e.detail})`, undefined, undefined, { cause: e });
      }
      if (e instanceof CheckpointError) {
        throw new CheckpointError(`in the ${what} pickle: ${e.detail}`, undefined, e.key, { cause: e });
      }
      throw e;
    }
  };

  let magic: unknown;
  try {
    magic = next('magic-number', plainHooks);
  } catch (e) {
    throw new CheckpointError(
      `not a PyTorch checkpoint: neither a zip archive nor a legacy pickle stream starting with the magic number (${(e as Error).message})`,
      undefined, undefined, { cause: e });
  }
  if (magic !== LEGACY_MAGIC_NUMBER) {
    throw new CheckpointError(`not a PyTorch checkpoint: invalid magic number ${typeof magic === 'bigint' || typeof magic === 'number' ? String(magic) : typeof magic} (expected 0x${LEGACY_MAGIC_NUMBER.toString(16)})`);
  }
  const version = next('protocol-version', plainHooks);
  if (version !== LEGACY_PROTOCOL_VERSION) throw new CheckpointError(`unsupported legacy protocol version ${String(version)} (expected ${LEGACY_PROTOCOL_VERSION})`);
  const sysInfo = next('sys_info', plainHooks);
  if (sysInfo instanceof Map && sysInfo.get('little_endian') === false) {
    throw new CheckpointError('big-endian legacy checkpoints are not supported');
  }
  const value = next('main object', hooks);
  const keys = next('storage-key list', plainHooks);
  if (!Array.isArray(keys)) throw new CheckpointError('the storage-key pickle is not a list');

  // Raw storages: per key, an int64 LE element count, then count × itemsize bytes.
  const plan = keys.map((k, i) => {
    const key = asStr(k, `storage key #${i}`);
    const storage = storages.get(key);
    if (storage === undefined) throw new CheckpointError(`storage '${key}' is listed in the storage table but used by no tensor`);
    return storage;
  });
  const expectedSize = plan.reduce((acc, s) => acc + 8 + s.numel * DTYPES[s.dtype].itemsize, pos);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  plan.forEach((storage, i) => {
    const nbytes = storage.numel * DTYPES[storage.dtype].itemsize;
    const which = `storage '${storage.key}' (${i + 1} of ${plan.length}, ${storage.numel} × ${storage.dtype})`;
    if (pos + 8 > n || pos + 8 + nbytes > n) {
      throw new CheckpointError(
        `file truncated: expected ${expectedSize} bytes, found ${n}; ${which} needs ${8 + nbytes} bytes at byte ${pos} but only ${Math.max(0, n - pos)} are present`);
    }
    const count = view.getBigInt64(pos, true);
    if (count !== BigInt(storage.numel)) {
      throw new CheckpointError(`${which}: the file says ${count} elements at byte ${pos}, the pickle says ${storage.numel} (corrupt file?)`);
    }
    storage.bytes = bytes.subarray(pos + 8, pos + 8 + nbytes);
    pos += 8 + nbytes;
  });
  return value;
}

/** Largest uncompressed `data.pkl` the zip reader inflates (a state dict's is a few kB). */
export const MAX_ZIP_PICKLE_BYTES = 256 * 1024 * 1024;

/**
 * Reads a zip-format checkpoint; returns the top-level object with lazy tensors.
 *
 * Nothing is inflated beyond what the pickle declares: the central directory is listed first
 * (fflate inflates into a buffer of the declared size, never more), `data.pkl` is inflated
 * only when it declares at most {@link MAX_ZIP_PICKLE_BYTES}, and each storage record only
 * when its declared size equals numel × itemsize of the storage the pickle names — a zip bomb
 * is refused before any large allocation.
 */
function loadZip(bytes: Uint8Array): unknown {
  const listing = new Map<string, number>();
  const unzip = (filter: (name: string, size: number) => boolean): Record<string, Uint8Array> => {
    try {
      return unzipSync(bytes, { filter: (f) => filter(f.name, f.originalSize) });
    } catch (e) {
      throw new CheckpointError(`corrupt or truncated zip archive (${(e as Error).message})`, undefined, undefined, { cause: e });
    }
  };
  unzip((name, size) => { listing.set(name, size); return false; });
  const names = [...listing.keys()];
  const pkls = names.filter((name) => /^[^/]+\/data\.pkl$/.test(name));
  if (pkls.length === 0) {
    if (names.some((name) => name.endsWith('constants.pkl'))) throw new CheckpointError('TorchScript archive (torch.jit.save) is not a state-dict checkpoint');
    throw new CheckpointError(`zip archive has no <archive>/data.pkl: not a PyTorch checkpoint (entries: ${names.slice(0, 5).join(', ')}${names.length > 5 ? ', …' : ''})`);
  }
  if (pkls.length > 1) throw new CheckpointError(`zip archive has several data.pkl records: ${pkls.join(', ')}`);
  const pkl = pkls[0];
  const prefix = pkl.slice(0, -'data.pkl'.length);
  if (listing.get(pkl)! > MAX_ZIP_PICKLE_BYTES) {
    throw new CheckpointError(`${pkl} declares ${listing.get(pkl)} bytes uncompressed, more than the ${MAX_ZIP_PICKLE_BYTES} this reader inflates (corrupt file or zip bomb)`);
  }
  const meta = unzip((name, size) => name === pkl || (name === `${prefix}byteorder` && size <= 16));

  const order = meta[`${prefix}byteorder`];
  const byteorder = order === undefined ? 'little' : new TextDecoder().decode(order);
  if (byteorder !== 'little' && byteorder !== 'big') throw new CheckpointError(`unknown byteorder record ${JSON.stringify(byteorder)}`);

  const storages = new Map<string, Storage>();
  let value: unknown;
  try {
    value = unpickle(meta[pkl], 0, torchHooks('zip', storages)).value;
  } catch (e) {
    if (e instanceof PickleError && e.truncated) {
      throw new CheckpointError(`${pkl} is truncated (${e.detail})`, undefined, undefined, { cause: e });
    }
    if (e instanceof CheckpointError) throw new CheckpointError(`in ${pkl}: ${e.detail}`, undefined, e.key, { cause: e });
    throw e;
  }
  // The storage records the pickle names, each checked against its declared size before inflating.
  const wanted = new Map<string, Storage>();
  for (const storage of storages.values()) {
    const name = `${prefix}data/${storage.key}`;
    const nbytes = storage.numel * DTYPES[storage.dtype].itemsize;
    const declared = listing.get(name);
    if (declared === undefined) throw new CheckpointError(`storage record ${name} is missing from the zip archive`);
    if (declared !== nbytes) {
      throw new CheckpointError(`storage record ${name} has ${declared} bytes, expected ${nbytes} (${storage.numel} × ${storage.dtype})${declared < nbytes ? ': truncated' : ''}`);
    }
    wanted.set(name, storage);
  }
  const records = unzip((name) => wanted.has(name));
  for (const [name, storage] of wanted) {
    const record = records[name];
    const nbytes = storage.numel * DTYPES[storage.dtype].itemsize;
    if (record === undefined || record.length !== nbytes) {
      throw new CheckpointError(`storage record ${name} inflates to ${record?.length ?? 0} bytes, expected ${nbytes}: truncated or corrupt`);
    }
    storage.bytes = byteorder === 'big' ? byteswap(record, DTYPES[storage.dtype].itemsize) : record;
  }
  return value;
}

/** Runs `body`, attaching `file` to any CheckpointError that lacks one. */
function withFile<T>(file: string | undefined, body: () => T): T {
  try {
    return body();
  } catch (e) {
    // Backstop for structures the unpickler's depth limit cannot see (e.g. containers filled
    // after being nested): a recursive consumer's stack overflow becomes a clear message.
    if (e instanceof RangeError && /call stack/i.test(e.message)) {
      throw new CheckpointError('too deeply nested: the pickled object nests deeper than this reader can follow (corrupt or hostile data)', file, undefined, { cause: e });
    }
    if (e instanceof CheckpointError && e.file === undefined && file !== undefined) {
      throw new CheckpointError(e.detail, file, e.key, { cause: e });
    }
    throw e;
  }
}

function readBytes(file: string): Uint8Array {
  try {
    return fs.readFileSync(file);
  } catch (e) {
    throw new CheckpointError(`cannot read file: ${(e as Error).message}`, file, undefined, { cause: e });
  }
}

function loadObject(bytes: Uint8Array): unknown {
  return detectTorchCheckpointFormat(bytes) === 'zip' ? loadZip(bytes) : loadLegacy(bytes);
}

/** Deep copy of an unpickled value with every tensor materialised (shared references kept shared). */
function resolveTensors(value: unknown, seen = new Map<unknown, unknown>()): unknown {
  if (value instanceof TensorRef) return materialize(value);
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return value;
  if (seen.has(value)) return seen.get(value);
  if (value instanceof Map) {
    const out = new Map<unknown, unknown>();
    seen.set(value, out);
    for (const [k, v] of value) out.set(k, v instanceof TensorRef ? materialize(v, String(k)) : resolveTensors(v, seen));
    return out;
  }
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    seen.set(value, out);
    for (const v of value) out.push(resolveTensors(v, seen));
    return Object.isFrozen(value) ? Object.freeze(out) : out;
  }
  if (value instanceof Set) {
    const out = new Set<unknown>();
    seen.set(value, out);
    for (const v of value) out.add(resolveTensors(v, seen));
    return out;
  }
  return value;
}

function describeKeys(m: Map<unknown, unknown>): string {
  const keys = [...m.keys()].map((k) => JSON.stringify(typeof k === 'bigint' ? k.toString() : k));
  return keys.length > 8 ? `${keys.slice(0, 8).join(', ')}, … (${keys.length} keys)` : keys.join(', ');
}

/** Picks the state dict out of a checkpoint's top-level object and materialises its tensors. */
function selectStateDict(top: unknown, key: string | undefined): StateDict {
  let dict: unknown = top;
  if (key !== undefined) {
    if (!(top instanceof Map) || !top.has(key)) {
      throw new CheckpointError(`no top-level key '${key}' (top level: ${top instanceof Map ? `dict with keys ${describeKeys(top)}` : typeof top})`);
    }
    dict = top.get(key);
  } else if (top instanceof Map) {
    for (const candidate of ['weight', 'state_dict']) {
      if (top.get(candidate) instanceof Map) { dict = top.get(candidate); break; }
    }
  }
  if (dict instanceof TensorRef) throw new CheckpointError('the checkpoint holds a single tensor, not a state dict');
  if (!(dict instanceof Map)) throw new CheckpointError(`expected a state dict (a dict of tensors), got ${dict === null ? 'None' : typeof dict}`);
  const out: StateDict = new Map();
  for (const [k, v] of dict) {
    if (!(v instanceof TensorRef)) continue; // plain scalars / metadata beside the tensors
    if (typeof k !== 'string') throw new CheckpointError(`state-dict key ${String(k)} is not a str`);
    out.set(k, materialize(v, k));
  }
  if (out.size === 0) throw new CheckpointError(`no tensors found in the state dict (keys: ${describeKeys(dict)})`);
  return out;
}

/**
 * Decodes a PyTorch checkpoint held in memory (either format; see the module comment) and
 * returns its state dict. `file` only labels error messages.
 * @see readTorchCheckpoint
 */
export function decodeTorchCheckpoint(bytes: Uint8Array, opts: TorchCheckpointOptions & { file?: string } = {}): StateDict {
  return withFile(opts.file, () => selectStateDict(loadObject(bytes), opts.key));
}

/**
 * Reads the state dict of a PyTorch checkpoint written by `torch.save`, in either the legacy
 * (torch < 1.6) or the zip (torch ≥ 1.6) format — see the module comment for both layouts.
 *
 * The state dict is the top-level dict, or `top[opts.key]`, or else `top['weight']` /
 * `top['state_dict']` when that entry is a dict. Entries that are not tensors (e.g. `epoch`)
 * are skipped. Tensors keep the checkpoint's key order and come back as contiguous,
 * bit-exact copies honouring `storage_offset` and `stride`.
 *
 * Storage types: Float, Double, Half (raw bits), Long, Int, Byte, Char, Short, Bool, and
 * torch ≥ 2 `UntypedStorage` (bytes). Allowed globals: `torch._utils._rebuild_tensor(_v2)`,
 * `_rebuild_parameter(_with_state)`, `torch._tensor._rebuild_from_type_v2` (for Tensor and
 * Parameter), `torch.Size`, `collections.OrderedDict`, and the safe builtins of
 * {@link builtinGlobal}; anything else is refused.
 *
 * @throws CheckpointError naming the file: not a checkpoint (bad magic, not a zip, no
 *   data.pkl), truncated file (expected vs present bytes and the storage key), unsupported
 *   storage type, unknown global (`module.name`), a pickled `nn.Module`, inconsistent
 *   size/stride/offset, or no tensors found.
 */
export function readTorchCheckpoint(path: string, opts: TorchCheckpointOptions = {}): StateDict {
  return decodeTorchCheckpoint(readBytes(path), { ...opts, file: path });
}

/**
 * Reads a whole checkpoint object (not only its state dict) with every tensor materialised
 * as a {@link NamedTensor}; dicts are `Map`s, tuples frozen arrays (see {@link unpickle}).
 * Useful for metadata such as DIDFuse's `epoch`.
 * @throws CheckpointError as {@link readTorchCheckpoint}.
 */
export function readTorchObject(pathOrBytes: string | Uint8Array): unknown {
  const file = typeof pathOrBytes === 'string' ? pathOrBytes : undefined;
  const bytes = typeof pathOrBytes === 'string' ? readBytes(pathOrBytes) : pathOrBytes;
  return withFile(file, () => resolveTensors(loadObject(bytes)));
}
