/**
 * A reader for MATLAB Level 5 MAT-files (`save` without `-v7.3`), numeric arrays only: enough for
 * the CSR dictionary `dict.mat` (variable `D`, single, 8×8×32) and any other dense real or
 * complex numeric variable. Format: The MathWorks, "MAT-File Format" (R2016b), ch. 1:
 *
 *   file    = 128-byte header (text, subsystem offset, version 0x0100, endian indicator 'IM'/'MI')
 *             followed by data elements;
 *   element = tag (type u32, byte count u32) + data, padded to 8 bytes — or the *small* form
 *             (byte count in the upper and type in the lower 16 bits of one u32, ≤ 4 data bytes);
 *   miCOMPRESSED (15) = a zlib stream holding one element; miMATRIX (14) = array flags (class in
 *             the low byte, 0x0800 = complex), dimensions (miINT32), name (miINT8), real part,
 *             imaginary part, each stored in any numeric type (MATLAB narrows types on save).
 *
 * Values are column-major, as MATLAB holds them: element (i₁, i₂, …) at i₁ + d₁·(i₂ + d₂·(…)).
 * Our own implementation; sparse, cell, struct, char and object variables are refused by name.
 */
import fs from 'node:fs';
import { inflateSync } from 'node:zlib';

/** A numeric MATLAB variable. */
export interface MatArray {
  name: string;
  /** MATLAB class: `double`, `single`, `int8`, …, `uint64`. */
  matClass: string;
  /** Dimensions, as `size(v)` (at least 2). */
  dims: number[];
  /** Real part, column-major (Float32Array for `single`, Float64Array otherwise). */
  real: Float32Array | Float64Array;
  /** Imaginary part for complex variables. */
  imag?: Float32Array | Float64Array;
}

/** Error about a MAT-file; the message names the file and what is wrong. */
export class MatFileError extends Error {
  constructor(message: string) { super(message); this.name = 'MatFileError'; }
}

const MI_MATRIX = 14, MI_COMPRESSED = 15;
/** Data types of numeric subelements: [name, bytes per value, reader]. */
const MI_TYPES: Record<number, [string, number, (v: DataView, o: number, le: boolean) => number]> = {
  1: ['int8', 1, (v, o) => v.getInt8(o)],
  2: ['uint8', 1, (v, o) => v.getUint8(o)],
  3: ['int16', 2, (v, o, le) => v.getInt16(o, le)],
  4: ['uint16', 2, (v, o, le) => v.getUint16(o, le)],
  5: ['int32', 4, (v, o, le) => v.getInt32(o, le)],
  6: ['uint32', 4, (v, o, le) => v.getUint32(o, le)],
  7: ['single', 4, (v, o, le) => v.getFloat32(o, le)],
  9: ['double', 8, (v, o, le) => v.getFloat64(o, le)],
  12: ['int64', 8, (v, o, le) => Number(v.getBigInt64(o, le))],
  13: ['uint64', 8, (v, o, le) => Number(v.getBigUint64(o, le))],
};
/** mxCLASS codes of the numeric classes. */
const MX_CLASSES: Record<number, string> = {
  6: 'double', 7: 'single', 8: 'int8', 9: 'uint8', 10: 'int16', 11: 'uint16', 12: 'int32', 13: 'uint32', 14: 'int64', 15: 'uint64',
};
const MX_OTHER: Record<number, string> = { 1: 'cell', 2: 'struct', 3: 'object', 4: 'char', 5: 'sparse' };

interface Element { type: number; data: DataView; next: number }

function readElement(v: DataView, off: number, le: boolean, where: string): Element {
  if (off + 8 > v.byteLength) throw new MatFileError(`${where}: truncated element tag at byte ${off}`);
  const first = v.getUint32(off, le);
  if (first >>> 16 !== 0) { // small data element: ≤ 4 bytes in the tag itself
    const n = first >>> 16, type = first & 0xffff;
    return { type, data: new DataView(v.buffer, v.byteOffset + off + 4, n), next: off + 8 };
  }
  const n = v.getUint32(off + 4, le);
  if (off + 8 + n > v.byteLength) throw new MatFileError(`${where}: element at byte ${off} claims ${n} bytes, only ${v.byteLength - off - 8} left`);
  const data = new DataView(v.buffer, v.byteOffset + off + 8, n);
  // miCOMPRESSED is not padded; everything else is padded to a multiple of 8 bytes.
  return { type: first, data, next: off + 8 + (first === MI_COMPRESSED ? n : Math.ceil(n / 8) * 8) };
}

function numbers(e: Element, le: boolean, where: string): number[] {
  const t = MI_TYPES[e.type];
  if (!t) throw new MatFileError(`${where}: unsupported data type ${e.type}`);
  const [, size, get] = t;
  const out: number[] = new Array(Math.floor(e.data.byteLength / size));
  for (let i = 0; i < out.length; i++) out[i] = get(e.data, i * size, le);
  return out;
}

function typedValues(e: Element, matClass: string, count: number, le: boolean, where: string): Float32Array | Float64Array {
  const t = MI_TYPES[e.type];
  if (!t) throw new MatFileError(`${where}: unsupported data type ${e.type}`);
  const [, size, get] = t;
  if (e.data.byteLength < count * size) throw new MatFileError(`${where}: ${e.data.byteLength / size} values stored for ${count} elements`);
  const out = matClass === 'single' ? new Float32Array(count) : new Float64Array(count);
  for (let i = 0; i < count; i++) out[i] = get(e.data, i * size, le);
  return out;
}

function parseMatrix(d: DataView, le: boolean, where: string): MatArray {
  let off = 0;
  const flagsEl = readElement(d, off, le, where); off = flagsEl.next;
  const flags = flagsEl.data.getUint32(0, le);
  const cls = flags & 0xff, complex = (flags & 0x0800) !== 0;
  const dimsEl = readElement(d, off, le, where); off = dimsEl.next;
  const dims = numbers(dimsEl, le, where);
  const nameEl = readElement(d, off, le, where); off = nameEl.next;
  const name = new TextDecoder('latin1').decode(new Uint8Array(nameEl.data.buffer, nameEl.data.byteOffset, nameEl.data.byteLength));
  const matClass = MX_CLASSES[cls];
  if (!matClass) throw new MatFileError(`${where}: variable '${name}' is a ${MX_OTHER[cls] ?? `class-${cls}`} array; only numeric arrays are read`);
  const count = dims.reduce((a, b) => a * b, 1);
  const re = readElement(d, off, le, where); off = re.next;
  const out: MatArray = { name, matClass, dims, real: typedValues(re, matClass, count, le, `${where} '${name}'`) };
  if (complex) out.imag = typedValues(readElement(d, off, le, where), matClass, count, le, `${where} '${name}'`);
  return out;
}

/** Every numeric variable of a Level 5 MAT-file held in `bytes` (`where` names it in errors). */
export function parseMat(bytes: Uint8Array, where = 'MAT-file'): MatArray[] {
  if (bytes.length < 128) throw new MatFileError(`${where}: ${bytes.length} bytes, shorter than the 128-byte MAT-file header`);
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 116));
  const ind = String.fromCharCode(bytes[126], bytes[127]);
  if (!head.startsWith('MATLAB 5.0 MAT-file') || (ind !== 'IM' && ind !== 'MI')) {
    throw new MatFileError(`${where}: not a MATLAB Level 5 MAT-file (HDF5-based -v7.3 files are not read)`);
  }
  const le = ind === 'IM';
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: MatArray[] = [];
  for (let off = 128; off + 8 <= v.byteLength;) {
    const e = readElement(v, off, le, where);
    off = e.next;
    if (e.type === MI_COMPRESSED) {
      const raw = inflateSync(new Uint8Array(e.data.buffer, e.data.byteOffset, e.data.byteLength));
      const inner = readElement(new DataView(raw.buffer, raw.byteOffset, raw.byteLength), 0, le, where);
      if (inner.type === MI_MATRIX) out.push(parseMatrix(inner.data, le, where));
    } else if (e.type === MI_MATRIX) {
      out.push(parseMatrix(e.data, le, where));
    }
  }
  return out;
}

/** The numeric variable `name` of a MAT-file; a {@link MatFileError} naming file and variable otherwise. */
export function readMatVariable(file: string, name: string): MatArray {
  const vars = parseMat(fs.readFileSync(file), file);
  const v = vars.find((x) => x.name === name);
  if (!v) throw new MatFileError(`${file}: no variable '${name}' (has: ${vars.map((x) => x.name).join(', ') || 'none'})`);
  return v;
}
