/**
 * Shared record types for checkpoint I/O: a named, dense, row-major (C-contiguous) tensor, a
 * state dict (ordered map of name → tensor), the error every reader throws, and the dtype
 * table that maps each element type to its byte size and typed-array class.
 *
 * All multi-byte data are little-endian, as in PyTorch checkpoints and safetensors files; the
 * typed arrays produced here are copies with their own, aligned `ArrayBuffer` (never views into
 * a file buffer), so `data.byteOffset === 0` always holds.
 */

/** Element types understood by the readers and writers (PyTorch names). */
export type DType = 'float32' | 'float64' | 'float16' | 'int64' | 'int32' | 'uint8' | 'int8' | 'int16' | 'bool';

/** Typed-array storage of a tensor; see {@link DTYPES} for which class goes with which dtype. */
export type TensorData =
  | Float32Array | Float64Array | BigInt64Array | Int32Array
  | Uint8Array | Int8Array | Int16Array | Uint16Array;

/**
 * A dense tensor in row-major (C-contiguous) order, like a contiguous PyTorch tensor.
 * `data.length` equals the product of `shape` (1 for a scalar, `shape = []`).
 * `float16` is kept as raw IEEE-754 half bits in a `Uint16Array` (see {@link halfToFloat});
 * `bool` is one byte per element (0 or 1) in a `Uint8Array`; `int64` is a `BigInt64Array`.
 */
export interface NamedTensor {
  dtype: DType;
  shape: number[];
  data: TensorData;
}

/** Tensors by name; a `Map`, so insertion order (the checkpoint's order) is preserved. */
export type StateDict = Map<string, NamedTensor>;

/**
 * Error raised by every checkpoint reader/writer. The message is prefixed with the file and the
 * tensor key when known (`"<file>: tensor '<key>': <message>"`); both are also kept as fields.
 */
export class CheckpointError extends Error {
  /** The message without the file/key prefix. */
  readonly detail: string;

  constructor(message: string, readonly file?: string, readonly key?: string, options?: ErrorOptions) {
    super(`${file !== undefined ? `${file}: ` : ''}${key !== undefined ? `tensor '${key}': ` : ''}${message}`, options);
    this.name = 'CheckpointError';
    this.detail = message;
  }
}

type TypedArrayCtor = {
  new (buffer: ArrayBuffer, byteOffset?: number, length?: number): TensorData;
  new (length: number): TensorData;
  readonly BYTES_PER_ELEMENT: number;
};

/** Per-dtype facts: bytes per element, the typed-array class used for `NamedTensor.data`. */
export interface DTypeInfo {
  readonly itemsize: number;
  readonly array: TypedArrayCtor;
}

/** The dtype table (itemsize in bytes and typed-array class). */
export const DTYPES: Readonly<Record<DType, DTypeInfo>> = {
  float32: { itemsize: 4, array: Float32Array as unknown as TypedArrayCtor },
  float64: { itemsize: 8, array: Float64Array as unknown as TypedArrayCtor },
  float16: { itemsize: 2, array: Uint16Array as unknown as TypedArrayCtor },
  int64: { itemsize: 8, array: BigInt64Array as unknown as TypedArrayCtor },
  int32: { itemsize: 4, array: Int32Array as unknown as TypedArrayCtor },
  uint8: { itemsize: 1, array: Uint8Array as unknown as TypedArrayCtor },
  int8: { itemsize: 1, array: Int8Array as unknown as TypedArrayCtor },
  int16: { itemsize: 2, array: Int16Array as unknown as TypedArrayCtor },
  bool: { itemsize: 1, array: Uint8Array as unknown as TypedArrayCtor },
};

/** True when `s` is one of the {@link DType} names. */
export function isDType(s: unknown): s is DType {
  return typeof s === 'string' && Object.prototype.hasOwnProperty.call(DTYPES, s);
}

/** Number of elements of a tensor of this shape: the product of the sizes (1 for `[]`). */
export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function assertLittleEndianHost(): void {
  if (!HOST_IS_LITTLE_ENDIAN) {
    throw new CheckpointError('big-endian hosts are not supported: checkpoint data are little-endian');
  }
}

/**
 * Copies little-endian element bytes into a fresh, aligned typed array of `dtype`.
 * `bytes.length` must be a multiple of the itemsize. The copy is bit-exact (no float
 * round-trip, so NaN payloads and half-precision bits are preserved).
 */
export function typedArrayFromBytes(dtype: DType, bytes: Uint8Array): TensorData {
  assertLittleEndianHost();
  const { itemsize, array } = DTYPES[dtype];
  if (bytes.length % itemsize !== 0) {
    throw new CheckpointError(`${bytes.length} bytes is not a whole number of ${dtype} elements (${itemsize} bytes each)`);
  }
  // A copy into a new ArrayBuffer at byteOffset 0 (aligned for any itemsize). Not `bytes.slice()`:
  // on a Node Buffer that is a view into the same memory.
  const copy = new Uint8Array(bytes);
  return new array(copy.buffer, 0, bytes.length / itemsize);
}

/** The raw little-endian bytes of a tensor's data (a view, not a copy). */
export function tensorBytes(t: NamedTensor): Uint8Array {
  assertLittleEndianHost();
  return new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
}

/** True when `v` has the shape of a {@link NamedTensor} (dtype name, shape array, typed-array data). */
export function isNamedTensor(v: unknown): v is NamedTensor {
  if (typeof v !== 'object' || v === null) return false;
  const t = v as Partial<NamedTensor>;
  return isDType(t.dtype) && Array.isArray(t.shape) && ArrayBuffer.isView(t.data);
}

/**
 * Checks that a tensor is well formed: known dtype, shape of non-negative integers, `data`
 * of the typed-array class for that dtype, and `data.length === numel(shape)`.
 * @throws CheckpointError naming `file` and `key`.
 */
export function validateTensor(t: NamedTensor, key?: string, file?: string): void {
  if (!isDType(t.dtype)) throw new CheckpointError(`unknown dtype ${JSON.stringify(t.dtype)}`, file, key);
  if (!Array.isArray(t.shape) || !t.shape.every((s) => Number.isSafeInteger(s) && s >= 0)) {
    throw new CheckpointError(`shape must be an array of non-negative integers, got ${JSON.stringify(t.shape)}`, file, key);
  }
  const { array } = DTYPES[t.dtype];
  if (!(t.data instanceof (array as unknown as typeof Uint8Array))) {
    throw new CheckpointError(`dtype ${t.dtype} needs data as ${array.name}, got ${t.data?.constructor?.name}`, file, key);
  }
  if (t.data.length !== numel(t.shape)) {
    throw new CheckpointError(`shape [${t.shape.join(', ')}] has ${numel(t.shape)} elements but data has ${t.data.length}`, file, key);
  }
}

/**
 * Converts IEEE-754 binary16 bits (as stored for `float16`) to float32 values, exactly
 * (every half value is representable in float32).
 */
export function halfToFloat(bits: Uint16Array): Float32Array {
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) {
    const h = bits[i];
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >> 10) & 0x1f;
    const frac = h & 0x3ff;
    if (exp === 0) out[i] = sign * frac * 2 ** -24;
    else if (exp === 0x1f) out[i] = frac ? NaN : sign * Infinity;
    else out[i] = sign * (1 + frac / 1024) * 2 ** (exp - 15);
  }
  return out;
}
