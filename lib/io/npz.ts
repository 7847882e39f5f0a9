/**
 * NumPy `.npz` reader (`numpy.savez`: a zip archive of `.npy` files, stored or deflated) — for
 * the official DeepFuse weights (Lasagne, `DF_model_Epoch99.npz`).
 *
 * `.npy` format (NumPy NEP 1): magic `\x93NUMPY`, major/minor version bytes, header length
 * (uint16 LE for version 1, uint32 LE for 2 and 3), an ASCII Python dict literal
 * `{'descr': '<f4', 'fortran_order': False, 'shape': (32, 1, 3, 3), }` padded with spaces, then the
 * raw data. Little-endian and byte types are read; Fortran order is transposed to C order.
 */
import fs from 'node:fs';
import { unzipSync } from 'fflate';
import { CheckpointError, DTYPES, numel, typedArrayFromBytes, type DType, type NamedTensor, type StateDict } from './tensor_record.js';

const DESCR: Readonly<Record<string, DType>> = {
  '<f4': 'float32', '<f8': 'float64', '<f2': 'float16', '<i8': 'int64', '<i4': 'int32', '<i2': 'int16',
  '|i1': 'int8', '|u1': 'uint8', '|b1': 'bool',
};

/** Decodes one `.npy` file. */
export function decodeNpy(b: Uint8Array, name = 'array', file?: string): NamedTensor {
  const fail = (m: string): never => { throw new CheckpointError(m, file, name); };
  if (b.length < 10 || b[0] !== 0x93 || String.fromCharCode(...b.subarray(1, 6)) !== 'NUMPY') fail('not a .npy array (magic \\x93NUMPY missing)');
  const major = b[6];
  const hlen = major === 1 ? b[8] | (b[9] << 8) : major === 2 || major === 3 ? (b[8] | (b[9] << 8) | (b[10] << 16) | (b[11] << 24)) >>> 0 : fail(`unsupported .npy version ${major}`);
  const start = major === 1 ? 10 : 12;
  if (start + hlen > b.length) fail('header runs past the end');
  const header = new TextDecoder().decode(b.subarray(start, start + hlen));
  const descr = /'descr'\s*:\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shapeText === undefined) fail(`unreadable header ${JSON.stringify(header.trim())}`);
  const dtype = DESCR[descr!] ?? fail(`unsupported dtype '${descr}' (little-endian numeric types only)`);
  const shape = shapeText!.split(',').map((s) => s.trim()).filter((s) => s !== '').map(Number);
  if (shape.some((d) => !Number.isSafeInteger(d) || d < 0)) fail(`bad shape (${shapeText})`);
  const itemsize = DTYPES[dtype].itemsize;
  const nbytes = numel(shape) * itemsize;
  const off = start + hlen;
  if (off + nbytes !== b.length) fail(`${b.length - off} data bytes for ${descr} (${shape}), expected ${nbytes}`);
  let data = typedArrayFromBytes(dtype, b.slice(off, off + nbytes));
  if (fortran === 'True' && shape.length > 1) {
    const out = new (data.constructor as new (n: number) => typeof data)(data.length);
    const n = shape.length;
    const idx = new Array(n).fill(0);
    for (let f = 0; f < data.length; f++) {
      // f enumerates Fortran order (first index fastest); write to the C-order position
      let c = 0;
      for (let k = 0; k < n; k++) c = c * shape[k] + idx[k];
      (out as Float32Array)[c] = (data as Float32Array)[f];
      for (let k = 0; k < n; k++) { if (++idx[k] < shape[k]) break; idx[k] = 0; }
    }
    data = out;
  }
  return { dtype, shape, data };
}

/** Reads an `.npz` archive: entry `arr_0.npy` becomes key `arr_0`, in archive order. */
export function readNpz(pathOrBytes: string | Uint8Array): StateDict {
  const file = typeof pathOrBytes === 'string' ? pathOrBytes : undefined;
  let bytes: Uint8Array;
  try { bytes = typeof pathOrBytes === 'string' ? fs.readFileSync(pathOrBytes) : pathOrBytes; } catch (e) {
    throw new CheckpointError(`cannot read file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, file);
  }
  let entries: Record<string, Uint8Array>;
  try { entries = unzipSync(bytes); } catch (e) { throw new CheckpointError(`not a zip (.npz) archive: ${(e as Error).message}`, file); }
  const out: StateDict = new Map();
  for (const [name, b] of Object.entries(entries)) {
    if (!name.endsWith('.npy')) continue;
    out.set(name.slice(0, -4), decodeNpy(b, name, file));
  }
  if (out.size === 0) throw new CheckpointError('no .npy entries in the archive', file);
  return out;
}
