/**
 * TensorFlow checkpoint reader (the V2 "tensor bundle": `<prefix>.index` + `<prefix>.data-SSSSS-of-NNNNN`),
 * as written by `tf.train.Saver` (TF ≥ 1.0). No TensorFlow needed; formats as documented in
 * TensorFlow's `core/util/tensor_bundle/tensor_bundle.proto` and LevelDB's `table_format.md`:
 *
 * - `.index` is a LevelDB-style SSTable. Footer (last 48 bytes): metaindex handle, index handle
 *   (each a BlockHandle = varint64 offset, varint64 size), zero padding to 40 bytes, fixed64 magic
 *   0xdb4775248b80fb57. Every block is followed by a 5-byte trailer (compression type — 0, none,
 *   in tensor bundles — and a masked CRC32C of block + type). A block is a run of entries
 *   `varint32 shared, varint32 non_shared, varint32 value_len, key[shared..] delta, value`
 *   (keys prefix-compressed against the previous key), then `fixed32 restarts[n], fixed32 n`.
 *   The index block maps a separator key to the BlockHandle of each data block.
 * - Keys are variable names, sorted; the empty key holds the BundleHeaderProto (num_shards = 1,
 *   endianness = 2, version = 3). Every other value is a BundleEntryProto: dtype = 1 (DataType
 *   enum), shape = 2 (TensorShapeProto: repeated dim = 2 { size = 1 }), shard_id = 3, offset = 4,
 *   size = 5, crc32c = 6 (fixed32, masked CRC32C of the tensor's bytes), slices = 7 (refused).
 * - The data shards hold each tensor's raw little-endian bytes, row-major in TF's own shape
 *   (conv kernels HWIO: kh × kw × in × out).
 *
 * Every block CRC and every tensor CRC is checked.
 */
import fs from 'node:fs';
import {
  CheckpointError, DTYPES, type DType, type NamedTensor, type StateDict, numel, typedArrayFromBytes,
} from './tensor_record.js';

const TABLE_MAGIC = 0xdb4775248b80fb57n;
const FOOTER_SIZE = 48;

/** TF DataType enum → {@link DType} (the numeric types a checkpoint of weights holds). */
const TF_DTYPES: Readonly<Record<number, DType>> = {
  1: 'float32', 2: 'float64', 3: 'int32', 4: 'uint8', 5: 'int16', 6: 'int8', 9: 'int64', 10: 'bool', 19: 'float16',
};

// ---- CRC32C (Castagnoli), LevelDB/TF masking -------------------------------------------------
const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[i] = c >>> 0;
  }
  return t;
})();

/** CRC32C of `bytes` (crc = ~0, reflected polynomial 0x82f63b78, final ~). */
export function crc32c(bytes: Uint8Array, init = 0): number {
  let c = ~init >>> 0;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

/** LevelDB/TF CRC masking: rot15(crc) + 0xa282ead8 (mod 2³²). */
export function maskCrc(crc: number): number {
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0;
}

// ---- varints and protobuf --------------------------------------------------------------------
class Reader {
  constructor(readonly b: Uint8Array, public pos: number, readonly end: number, readonly what: string, readonly file?: string) {}
  fail(msg: string): never { throw new CheckpointError(`${this.what}: ${msg} (at byte ${this.pos})`, this.file); }
  varint(): bigint {
    let v = 0n, shift = 0n;
    for (;;) {
      if (this.pos >= this.end) this.fail('truncated varint');
      const byte = this.b[this.pos++];
      v |= BigInt(byte & 0x7f) << shift;
      if (!(byte & 0x80)) return v;
      shift += 7n;
      if (shift > 63n) this.fail('varint longer than 10 bytes');
    }
  }
  num(): number {
    const v = this.varint();
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) this.fail(`value ${v} too large`);
    return Number(v);
  }
  bytes(n: number): Uint8Array {
    if (n < 0 || this.pos + n > this.end) this.fail(`field of ${n} bytes runs past the end`);
    const out = this.b.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  fixed32(): number {
    const s = this.bytes(4);
    return (s[0] | (s[1] << 8) | (s[2] << 16) | (s[3] << 24)) >>> 0;
  }
}

type Field = { no: number; wire: number; v?: bigint; bytes?: Uint8Array; fixed?: number };

function protoFields(buf: Uint8Array, what: string, file?: string): Field[] {
  const r = new Reader(buf, 0, buf.length, what, file);
  const out: Field[] = [];
  while (r.pos < r.end) {
    const tag = r.num();
    const no = tag >>> 3, wire = tag & 7;
    if (wire === 0) out.push({ no, wire, v: r.varint() });
    else if (wire === 2) out.push({ no, wire, bytes: r.bytes(r.num()) });
    else if (wire === 5) out.push({ no, wire, fixed: r.fixed32() });
    else if (wire === 1) { r.bytes(8); out.push({ no, wire }); }
    else r.fail(`unsupported protobuf wire type ${wire} (field ${no})`);
  }
  return out;
}

// ---- SSTable ---------------------------------------------------------------------------------
interface Handle { offset: number; size: number }

function readHandle(r: Reader): Handle { return { offset: r.num(), size: r.num() }; }

function blockContents(b: Uint8Array, h: Handle, what: string, file?: string): Uint8Array {
  if (h.offset + h.size + 5 > b.length) throw new CheckpointError(`${what}: block [${h.offset}, +${h.size}] runs past the end of the file (${b.length} bytes)`, file);
  const data = b.subarray(h.offset, h.offset + h.size);
  const type = b[h.offset + h.size];
  if (type !== 0) throw new CheckpointError(`${what}: compressed block (type ${type}); only uncompressed tables are supported`, file);
  const stored = new Reader(b, h.offset + h.size + 1, h.offset + h.size + 5, what, file).fixed32();
  const got = maskCrc(crc32c(b.subarray(h.offset, h.offset + h.size + 1)));
  if (stored !== got) throw new CheckpointError(`${what}: block CRC mismatch at offset ${h.offset} (stored ${stored.toString(16)}, computed ${got.toString(16)})`, file);
  return data;
}

/** The (key, value) entries of one block, keys decoded from their prefix compression. */
function blockEntries(block: Uint8Array, what: string, file?: string): [string, Uint8Array][] {
  if (block.length < 4) throw new CheckpointError(`${what}: block of ${block.length} bytes`, file);
  const nRestarts = new Reader(block, block.length - 4, block.length, what, file).fixed32();
  const end = block.length - 4 - 4 * nRestarts;
  if (end < 0) throw new CheckpointError(`${what}: ${nRestarts} restart points do not fit in a ${block.length}-byte block`, file);
  const r = new Reader(block, 0, end, what, file);
  const out: [string, Uint8Array][] = [];
  let key = new Uint8Array(0);
  const dec = new TextDecoder('utf-8', { fatal: true });
  while (r.pos < end) {
    const shared = r.num(), nonShared = r.num(), vlen = r.num();
    if (shared > key.length) r.fail(`entry shares ${shared} bytes with a ${key.length}-byte key`);
    const delta = r.bytes(nonShared);
    const k = new Uint8Array(shared + nonShared);
    k.set(key.subarray(0, shared)); k.set(delta, shared);
    key = k;
    out.push([dec.decode(k), r.bytes(vlen)]);
  }
  return out;
}

/** Every (key, value) of an SSTable, in key order. */
export function readSstable(b: Uint8Array, file?: string): [string, Uint8Array][] {
  if (b.length < FOOTER_SIZE) throw new CheckpointError(`not a TensorFlow checkpoint index: ${b.length} bytes, shorter than the 48-byte table footer`, file);
  const fr = new Reader(b, b.length - FOOTER_SIZE, b.length, 'index footer', file);
  const magic = BigInt(new Reader(b, b.length - 8, b.length, 'magic', file).fixed32()) | (BigInt(new Reader(b, b.length - 4, b.length, 'magic', file).fixed32()) << 32n);
  if (magic !== TABLE_MAGIC) throw new CheckpointError(`not a TensorFlow checkpoint index: table magic ${magic.toString(16)}, expected ${TABLE_MAGIC.toString(16)}`, file);
  readHandle(fr); // metaindex (empty in tensor bundles)
  const index = readHandle(fr);
  const out: [string, Uint8Array][] = [];
  for (const [, hv] of blockEntries(blockContents(b, index, 'index block', file), 'index block', file)) {
    const h = readHandle(new Reader(hv, 0, hv.length, 'block handle', file));
    out.push(...blockEntries(blockContents(b, h, 'data block', file), 'data block', file));
  }
  return out;
}

/** One BundleEntryProto: where a tensor lives in the data shards. */
export interface BundleEntry { key: string; dtype: DType; shape: number[]; shard: number; offset: number; size: number; crc32c?: number }

function parseEntry(key: string, v: Uint8Array, file?: string): BundleEntry {
  const e: Partial<BundleEntry> & { shape: number[] } = { key, shape: [], shard: 0, offset: 0, size: 0 };
  let dtypeCode = 0;
  for (const f of protoFields(v, `entry '${key}'`, file)) {
    if (f.no === 1) dtypeCode = Number(f.v);
    else if (f.no === 2) {
      for (const d of protoFields(f.bytes!, `shape of '${key}'`, file)) {
        if (d.no === 2) {
          const size = protoFields(d.bytes!, `dim of '${key}'`, file).find((x) => x.no === 1)?.v ?? 0n;
          e.shape.push(Number(BigInt.asIntN(64, size)));
        } else if (d.no === 3 && d.v) throw new CheckpointError(`tensor '${key}': unknown rank`, file);
      }
    } else if (f.no === 3) e.shard = Number(f.v);
    else if (f.no === 4) e.offset = Number(f.v);
    else if (f.no === 5) e.size = Number(f.v);
    else if (f.no === 6) e.crc32c = f.fixed;
    else if (f.no === 7) throw new CheckpointError(`tensor '${key}': partitioned (sliced) variables are not supported`, file);
  }
  const dtype = TF_DTYPES[dtypeCode];
  if (!dtype) throw new CheckpointError(`tensor '${key}': unsupported TF DataType ${dtypeCode}`, file);
  if (e.shape.some((d) => !Number.isSafeInteger(d) || d < 0)) throw new CheckpointError(`tensor '${key}': bad shape [${e.shape}]`, file);
  const want = numel(e.shape) * DTYPES[dtype].itemsize;
  if (want !== e.size) throw new CheckpointError(`tensor '${key}': ${e.size} bytes for ${dtype} [${e.shape}] (expected ${want})`, file);
  return { ...e, dtype } as BundleEntry;
}

/** The checkpoint prefix of `p` (accepts the prefix itself, `<prefix>.index` or a data shard). */
export function checkpointPrefix(p: string): string {
  return p.replace(/\.index$/, '').replace(/\.data-\d{5}-of-\d{5}$/, '');
}

/** The tensor table of a checkpoint (`.index` bytes): header fields and entries. */
export function readBundleIndex(indexBytes: Uint8Array, file?: string): { numShards: number; entries: BundleEntry[] } {
  let numShards = 1;
  const entries: BundleEntry[] = [];
  for (const [k, v] of readSstable(indexBytes, file)) {
    if (k === '') {
      for (const f of protoFields(v, 'bundle header', file)) {
        if (f.no === 1) numShards = Number(f.v);
        else if (f.no === 2 && Number(f.v) !== 0) throw new CheckpointError('bundle header: big-endian checkpoint not supported', file);
      }
    } else entries.push(parseEntry(k, v, file));
  }
  return { numShards, entries };
}

/**
 * Reads a TensorFlow V2 checkpoint into a state dict (TF names and shapes, e.g.
 * `encoder/conv1_1/kernel` 3×3×1×16). `filter` selects keys (e.g. drop the Adam slots).
 * @param prefixOrFile the checkpoint prefix, its `.index` or a data shard path.
 * @throws CheckpointError naming the file and tensor on a malformed index, a missing shard, an
 *   out-of-range entry or a CRC mismatch.
 */
export function readTfCheckpoint(prefixOrFile: string, filter: (key: string) => boolean = () => true): StateDict {
  const prefix = checkpointPrefix(prefixOrFile);
  const indexFile = `${prefix}.index`;
  let indexBytes: Uint8Array;
  try { indexBytes = fs.readFileSync(indexFile); } catch (e) {
    throw new CheckpointError(`cannot read TensorFlow checkpoint index: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, indexFile);
  }
  const { numShards, entries } = readBundleIndex(indexBytes, indexFile);
  const shards = new Map<number, Uint8Array>();
  const shard = (i: number): Uint8Array => {
    let b = shards.get(i);
    if (!b) {
      const f = `${prefix}.data-${String(i).padStart(5, '0')}-of-${String(numShards).padStart(5, '0')}`;
      try { b = fs.readFileSync(f); } catch (e) {
        throw new CheckpointError(`cannot read checkpoint data shard: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, f);
      }
      shards.set(i, b);
    }
    return b;
  };
  const out: StateDict = new Map();
  for (const e of entries) {
    if (!filter(e.key)) continue;
    if (e.shard >= numShards) throw new CheckpointError(`shard ${e.shard} of ${numShards}`, indexFile, e.key);
    const b = shard(e.shard);
    if (e.offset + e.size > b.length) throw new CheckpointError(`bytes [${e.offset}, ${e.offset + e.size}) run past the data shard (${b.length} bytes)`, indexFile, e.key);
    const bytes = b.subarray(e.offset, e.offset + e.size);
    if (e.crc32c !== undefined && maskCrc(crc32c(bytes)) !== e.crc32c) throw new CheckpointError('CRC32C of the tensor bytes does not match the index', indexFile, e.key);
    const t: NamedTensor = { dtype: e.dtype, shape: e.shape, data: typedArrayFromBytes(e.dtype, bytes) };
    out.set(e.key, t);
  }
  return out;
}

/** The slot variables a TF 1.x optimizer leaves in a checkpoint: Adam's moments (`…/Adam`, `…/Adam_1`) and its β powers (`beta1_power`, `beta2_power`). */
export function isOptimizerSlot(key: string): boolean {
  return key.includes('Adam') || key.endsWith('_power');
}

/** A TensorFlow V2 checkpoint's model weights only ({@link readTfCheckpoint} without {@link isOptimizerSlot} keys). */
export function readTfInferenceWeights(prefixOrFile: string): StateDict {
  return readTfCheckpoint(prefixOrFile, (k) => !isOptimizerSlot(k));
}
