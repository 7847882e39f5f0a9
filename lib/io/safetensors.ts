/**
 * safetensors reader and writer.
 *
 * Format (https://github.com/huggingface/safetensors, README "Format"):
 *
 * ```
 * [ 8 bytes: N, unsigned 64-bit little-endian ]
 * [ N bytes: UTF-8 JSON header ]
 *     { "<name>": { "dtype": "F32", "shape": [d0, d1, …], "data_offsets": [begin, end] }, …,
 *       "__metadata__": { "<string>": "<string>", … } }        ← optional
 * [ byte buffer: the tensors' raw little-endian, row-major data ]
 * ```
 *
 * `data_offsets` are byte offsets relative to the start of the byte buffer (i.e. to `8 + N`);
 * `end − begin` must equal `numel(shape) × itemsize`; the tensors must not overlap and must
 * index the whole buffer without holes (the spec forbids holes to prevent polyglot files).
 * The header may be padded at its end with spaces (0x20); writers pad it to a multiple of 8
 * so that the buffer starts 8-byte aligned.
 */
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic as atomicWrite } from './atomic.js';

import {
  CheckpointError, DTYPES, type DType, type NamedTensor, type StateDict,
  numel, tensorBytes, typedArrayFromBytes, validateTensor,
} from './tensor_record.js';

/** safetensors dtype code ↔ {@link DType}. Other codes (BF16, U16, U32, U64, F8_*) are rejected. */
const CODE_TO_DTYPE: Readonly<Record<string, DType>> = {
  F32: 'float32', F64: 'float64', F16: 'float16', I64: 'int64', I32: 'int32',
  U8: 'uint8', I8: 'int8', I16: 'int16', BOOL: 'bool',
};
const DTYPE_TO_CODE: Readonly<Record<DType, string>> = Object.fromEntries(
  Object.entries(CODE_TO_DTYPE).map(([code, dtype]) => [dtype, code]),
) as Record<DType, string>;

const METADATA_KEY = '__metadata__';
/** Largest header accepted when reading (the reference implementation's limit, 100 MB). */
const MAX_HEADER_BYTES = 100_000_000;

/** Contents of a safetensors file. */
export interface SafetensorsContents {
  /** Tensors in byte-buffer order (for files written by {@link encodeSafetensors}: header order). */
  tensors: StateDict;
  /** The `__metadata__` string map (empty when absent). */
  metadata: Record<string, string>;
}

interface HeaderEntry { key: string; dtype: DType; shape: number[]; begin: number; end: number }

/**
 * Reads a safetensors file (or its bytes) into a state dict.
 *
 * Format: see the module comment (8-byte LE header length, JSON header, byte buffer).
 * Tensors come back in the order of their `data_offsets` (the buffer order) — JSON object key
 * order is not reliable in JavaScript for integer-like keys. Data are copied into freshly
 * allocated, aligned typed arrays (no views into the file).
 *
 * @param pathOrBytes a file path, or the file's bytes.
 * @throws CheckpointError naming the file (and the tensor key) when the file is shorter than
 *   8 bytes, the header is truncated or not valid UTF-8 JSON, a dtype is unknown, a shape is
 *   malformed, or offsets are out of range, overlapping, leave holes or do not match
 *   `numel(shape) × itemsize`; or when `__metadata__` is not a string → string map.
 */
export function readSafetensors(pathOrBytes: string | Uint8Array): SafetensorsContents {
  let bytes: Uint8Array;
  let file: string | undefined;
  if (typeof pathOrBytes === 'string') {
    file = pathOrBytes;
    try {
      bytes = fs.readFileSync(pathOrBytes);
    } catch (e) {
      throw new CheckpointError(`cannot read file: ${(e as Error).message}`, file, undefined, { cause: e });
    }
  } else {
    bytes = pathOrBytes;
  }
  return decodeSafetensors(bytes, file);
}

/**
 * Decodes safetensors bytes (see {@link readSafetensors}); `file` only labels error messages.
 */
export function decodeSafetensors(bytes: Uint8Array, file?: string): SafetensorsContents {
  const fail = (msg: string, key?: string): never => { throw new CheckpointError(msg, file, key); };

  if (bytes.length < 8) fail(`not a safetensors file: ${bytes.length} bytes, shorter than the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n64 = view.getBigUint64(0, true);
  if (n64 > BigInt(bytes.length - 8)) {
    fail(`truncated header: header length field says ${n64} bytes but only ${bytes.length - 8} bytes follow it`);
  }
  const n = Number(n64);
  if (n > MAX_HEADER_BYTES) fail(`header of ${n} bytes exceeds the ${MAX_HEADER_BYTES}-byte limit`);
  if (n < 2) fail(`header of ${n} bytes is too short to hold a JSON object`);

  let header: unknown;
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n));
    if (!text.startsWith('{')) fail(`header does not start with '{' (got ${JSON.stringify(text.slice(0, 16))})`);
    header = JSON.parse(text);
  } catch (e) {
    if (e instanceof CheckpointError) throw e;
    throw new CheckpointError(`invalid JSON header (${n} bytes): ${(e as Error).message}`, file, undefined, { cause: e });
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) fail('header is not a JSON object');

  const bufferStart = 8 + n;
  const bufferLength = bytes.length - bufferStart;
  const metadata: Record<string, string> = {};
  const entries: HeaderEntry[] = [];

  for (const [key, value] of Object.entries(header as Record<string, unknown>)) {
    if (key === METADATA_KEY) {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) fail(`${METADATA_KEY} must be an object of strings`);
      for (const [mk, mv] of Object.entries(value as Record<string, unknown>)) {
        if (typeof mv !== 'string') fail(`${METADATA_KEY}[${JSON.stringify(mk)}] must be a string, got ${JSON.stringify(mv)}`);
        metadata[mk] = mv as string;
      }
      continue;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) fail('header entry is not an object', key);
    const { dtype: code, shape, data_offsets: offsets } = value as Record<string, unknown>;
    if (typeof code !== 'string' || !Object.prototype.hasOwnProperty.call(CODE_TO_DTYPE, code)) {
      fail(`unknown or unsupported dtype ${JSON.stringify(code)} (supported: ${Object.keys(CODE_TO_DTYPE).join(', ')})`, key);
    }
    const dtype = CODE_TO_DTYPE[code as string];
    if (!Array.isArray(shape) || !shape.every((s) => Number.isSafeInteger(s) && s >= 0)) {
      fail(`shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`, key);
    }
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) {
      fail(`data_offsets must be [begin, end] with non-negative integers, got ${JSON.stringify(offsets)}`, key);
    }
    const [begin, end] = offsets as [number, number];
    if (begin > end) fail(`data_offsets [${begin}, ${end}] has begin > end`, key);
    if (end > bufferLength) {
      fail(`data_offsets [${begin}, ${end}] out of range: the byte buffer has ${bufferLength} bytes (file truncated?)`, key);
    }
    const expected = numel(shape as number[]) * DTYPES[dtype].itemsize;
    if (end - begin !== expected) {
      fail(`data_offsets [${begin}, ${end}] span ${end - begin} bytes but shape [${(shape as number[]).join(', ')}] × ${code} needs ${expected}`, key);
    }
    entries.push({ key, dtype, shape: [...(shape as number[])], begin, end });
  }

  // Buffer order; zero-size tensors sort before a same-offset non-empty one.
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i];
    if (e.begin < covered) {
      fail(`data_offsets [${e.begin}, ${e.end}] overlap tensor '${entries[i - 1].key}' [${entries[i - 1].begin}, ${entries[i - 1].end}]`, e.key);
    }
    if (e.begin > covered) fail(`hole in the byte buffer: bytes ${covered}..${e.begin} belong to no tensor`, e.key);
    covered = e.end;
  }
  if (covered !== bufferLength) {
    fail(`the byte buffer has ${bufferLength} bytes but the tensors cover only ${covered} (trailing bytes)`);
  }

  const tensors: StateDict = new Map();
  for (const e of entries) {
    const data = typedArrayFromBytes(e.dtype, bytes.subarray(bufferStart + e.begin, bufferStart + e.end));
    tensors.set(e.key, { dtype: e.dtype, shape: e.shape, data });
  }
  return { tensors, metadata };
}

/**
 * Encodes tensors as a safetensors file image.
 *
 * Layout (see the module comment): the header lists the tensors in the map's insertion order
 * with contiguous `data_offsets` (first tensor at 0), followed by `"__metadata__"` when
 * `metadata` is given and non-empty; the JSON is compact (no spaces) and padded with spaces so
 * that `8 + N` is a multiple of 8. This is the layout of `../shared/reference/*.safetensors`,
 * so reading and re-encoding those files reproduces them byte for byte.
 *
 * @throws CheckpointError naming the key when a tensor is malformed (see
 *   {@link validateTensor}), a name is `"__metadata__"`, or a metadata value is not a string.
 */
export function encodeSafetensors(tensors: StateDict, metadata?: Record<string, string>, file?: string): Uint8Array {
  const parts: string[] = [];
  let offset = 0;
  for (const [key, t] of tensors) {
    if (key === METADATA_KEY) throw new CheckpointError(`a tensor may not be named ${METADATA_KEY}`, file, key);
    validateTensor(t, key, file);
    const size = t.data.byteLength;
    parts.push(`${JSON.stringify(key)}:{"dtype":"${DTYPE_TO_CODE[t.dtype]}","shape":${JSON.stringify(t.shape)},"data_offsets":[${offset},${offset + size}]}`);
    offset += size;
  }
  if (metadata !== undefined && Object.keys(metadata).length > 0) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') throw new CheckpointError(`${METADATA_KEY}[${JSON.stringify(k)}] must be a string`, file);
    }
    parts.push(`"${METADATA_KEY}":${JSON.stringify(metadata)}`);
  }
  const json = new TextEncoder().encode(`{${parts.join(',')}}`);
  const headerLength = Math.ceil(json.length / 8) * 8;

  const out = new Uint8Array(8 + headerLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLength), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength);
  let pos = 8 + headerLength;
  for (const t of tensors.values()) {
    out.set(tensorBytes(t), pos);
    pos += t.data.byteLength;
  }
  return out;
}

/**
 * Writes tensors to a safetensors file atomically: the image from {@link encodeSafetensors} is
 * written to a temporary sibling, fsync'ed, then renamed over `path` (lib/io/atomic.ts; the directory fsync'ed
 * where the platform allows). A failure never leaves a partial file under `path`; the
 * temporary file is removed on error.
 *
 * @throws CheckpointError for malformed tensors (before anything is written) or I/O errors.
 */
export async function writeSafetensors(filePath: string, tensors: StateDict, metadata?: Record<string, string>): Promise<void> {
  const image = encodeSafetensors(tensors, metadata, filePath);
  await writeFileAtomic(filePath, image);
}

/** Writes `bytes` to `filePath` atomically (lib/io/atomic.ts); errors become CheckpointErrors naming the file. */
async function writeFileAtomic(filePath: string, bytes: Uint8Array): Promise<void> {
  try {
    await atomicWrite(filePath, bytes);
  } catch (e) {
    throw new CheckpointError(`write failed: ${(e as Error).message}`, filePath, undefined, { cause: e });
  }
}
