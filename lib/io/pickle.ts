/**
 * A small, safe Python pickle virtual machine: it interprets the pickle opcodes (protocols
 * 0–5) but never executes code — every global (`GLOBAL`, `STACK_GLOBAL`, `INST`) is resolved
 * through a caller-supplied allow-list ({@link UnpickleHooks.findClass}); an unknown global is an
 * error, not an import.
 *
 * Sources for the opcode semantics: CPython `Lib/pickle.py` (class `_Unpickler`) and
 * `Lib/pickletools.py` (the opcode table and documentation); PEP 307 (protocol 2), PEP 3154
 * (protocol 4: FRAME, MEMOIZE, STACK_GLOBAL, …), PEP 574 (protocol 5).
 *
 * Python → JavaScript mapping:
 * | Python                   | JavaScript                                               |
 * | ------------------------ | -------------------------------------------------------- |
 * | `None`, `True`, `False`  | `null`, `true`, `false`                                  |
 * | `int`                    | `number` when a safe integer (≤ 2^53 − 1 in magnitude), else `bigint` |
 * | `float`                  | `number`                                                 |
 * | `str`                    | `string`                                                 |
 * | `bytes`, `bytearray`     | `Uint8Array`                                             |
 * | `tuple`                  | frozen `Array`                                           |
 * | `list`                   | `Array`                                                  |
 * | `dict`, `OrderedDict`    | `Map` (insertion order preserved, any key type)          |
 * | `set`, `frozenset`       | `Set`                                                    |
 * | objects from globals     | whatever the `findClass` callable returns                |
 * | `BUILD` state on objects without `__setstate__` | stored under {@link PY_STATE}     |
 */

import { CheckpointError } from './tensor_record.js';

/** A Python callable resolved by `findClass`: receives the positional arguments. */
export type PyCallable = (args: unknown[]) => unknown;

/** Callbacks through which the VM reaches the outside world. */
export interface UnpickleHooks {
  /**
   * Resolves a global `module.name`. Return a {@link PyCallable} for anything that is called
   * (REDUCE, NEWOBJ, INST, OBJ), or any marker value for globals used as data (e.g. PyTorch
   * storage types). Return `undefined` for globals that are not allowed: the VM then throws a
   * {@link PickleError} naming `module.name` and the byte offset.
   */
  findClass(module: string, name: string): unknown;
  /** Resolves a persistent id (PERSID/BINPERSID). Without this hook those opcodes are errors. */
  persistentLoad?(pid: unknown): unknown;
}

/** Result of {@link unpickle}: the value and the offset just after its STOP opcode. */
export interface UnpickleResult {
  value: unknown;
  end: number;
}

/**
 * Key under which `BUILD` stores an object's state (Python's `obj.__dict__` update) when the
 * object has no `__setstate__` method; e.g. the `_metadata` attribute of a state-dict
 * `OrderedDict`. The value is a `Map` of attribute name → value.
 */
export const PY_STATE: unique symbol = Symbol('pickle.state');

/** The `BUILD` state attached to an object, if any (see {@link PY_STATE}). */
export function pyState(obj: unknown): Map<unknown, unknown> | undefined {
  if (obj === null || typeof obj !== 'object') return undefined;
  return (obj as { [PY_STATE]?: Map<unknown, unknown> })[PY_STATE];
}

/**
 * Error raised by the VM: names the opcode (byte value and name) and its byte offset.
 * `truncated` is true when the data ended before the pickle did.
 */
export class PickleError extends CheckpointError {
  constructor(
    message: string,
    readonly offset: number,
    readonly opcode?: number,
    readonly truncated = false,
    options?: ErrorOptions,
  ) {
    super(message, undefined, undefined, options);
    this.name = 'PickleError';
  }
}

/** Opcode byte → name, from CPython Lib/pickletools.py. */
const OPCODE_NAMES: Readonly<Record<number, string>> = {
  0x28: 'MARK', 0x2e: 'STOP', 0x30: 'POP', 0x31: 'POP_MARK', 0x32: 'DUP', 0x46: 'FLOAT', 0x49: 'INT',
  0x4a: 'BININT', 0x4b: 'BININT1', 0x4c: 'LONG', 0x4d: 'BININT2', 0x4e: 'NONE', 0x50: 'PERSID',
  0x51: 'BINPERSID', 0x52: 'REDUCE', 0x53: 'STRING', 0x54: 'BINSTRING', 0x55: 'SHORT_BINSTRING',
  0x56: 'UNICODE', 0x58: 'BINUNICODE', 0x61: 'APPEND', 0x62: 'BUILD', 0x63: 'GLOBAL', 0x64: 'DICT',
  0x7d: 'EMPTY_DICT', 0x65: 'APPENDS', 0x67: 'GET', 0x68: 'BINGET', 0x69: 'INST', 0x6a: 'LONG_BINGET',
  0x6c: 'LIST', 0x5d: 'EMPTY_LIST', 0x6f: 'OBJ', 0x70: 'PUT', 0x71: 'BINPUT', 0x72: 'LONG_BINPUT',
  0x73: 'SETITEM', 0x74: 'TUPLE', 0x29: 'EMPTY_TUPLE', 0x75: 'SETITEMS', 0x47: 'BINFLOAT',
  0x80: 'PROTO', 0x81: 'NEWOBJ', 0x82: 'EXT1', 0x83: 'EXT2', 0x84: 'EXT4', 0x85: 'TUPLE1', 0x86: 'TUPLE2',
  0x87: 'TUPLE3', 0x88: 'NEWTRUE', 0x89: 'NEWFALSE', 0x8a: 'LONG1', 0x8b: 'LONG4',
  0x42: 'BINBYTES', 0x43: 'SHORT_BINBYTES',
  0x8c: 'SHORT_BINUNICODE', 0x8d: 'BINUNICODE8', 0x8e: 'BINBYTES8', 0x8f: 'EMPTY_SET', 0x90: 'ADDITEMS',
  0x91: 'FROZENSET', 0x92: 'NEWOBJ_EX', 0x93: 'STACK_GLOBAL', 0x94: 'MEMOIZE', 0x95: 'FRAME',
  0x96: 'BYTEARRAY8', 0x97: 'NEXT_BUFFER', 0x98: 'READONLY_BUFFER',
};

/** Highest pickle protocol understood (PROTO argument). */
export const HIGHEST_PROTOCOL = 5;

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Python int → number when safe, else bigint. */
function pyInt(v: bigint): number | bigint {
  return v <= MAX_SAFE && v >= -MAX_SAFE ? Number(v) : v;
}

/** Decodes a little-endian two's-complement integer (LONG1/LONG4 payload). */
export function decodeLong(bytes: Uint8Array): number | bigint {
  if (bytes.length === 0) return 0;
  let v = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]);
  if (bytes[bytes.length - 1] & 0x80) v -= 1n << BigInt(8 * bytes.length);
  return pyInt(v);
}

/** Decodes bytes as ISO-8859-1 (one code unit per byte; not WHATWG 'latin1' = windows-1252). */
function latin1(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 0x8000) s += String.fromCharCode(...b.subarray(i, i + 0x8000));
  return s;
}

function tuple(items: unknown[]): readonly unknown[] {
  return Object.freeze(items);
}

function describe(v: unknown): string {
  if (v === null) return 'None';
  if (Array.isArray(v)) return Object.isFrozen(v) ? 'tuple' : 'list';
  if (v instanceof Map) return 'dict';
  if (v instanceof Uint8Array) return 'bytes';
  if (typeof v === 'object') return v.constructor?.name ?? 'object';
  return typeof v;
}

/**
 * Safe built-in globals, for use inside a `findClass` hook: `collections.OrderedDict` → `Map`,
 * `builtins`/`__builtin__` `set`, `frozenset` → `Set`, `bytearray` → `Uint8Array`,
 * `_codecs.encode(str, 'latin1'|'utf-8')` → `Uint8Array` (how protocol-2 pickles carry `bytes`).
 * Returns `undefined` for anything else.
 */
export function builtinGlobal(module: string, name: string): PyCallable | undefined {
  const full = `${module === '__builtin__' ? 'builtins' : module}.${name}`;
  switch (full) {
    case 'collections.OrderedDict':
      return (args) => {
        const m = new Map<unknown, unknown>();
        const init = args[0];
        if (init instanceof Map) for (const [k, v] of init) m.set(k, v);
        else if (Array.isArray(init)) for (const pair of init) {
          if (!Array.isArray(pair) || pair.length !== 2) throw new Error('OrderedDict() argument must be a sequence of pairs');
          m.set(pair[0], pair[1]);
        }
        return m;
      };
    case 'builtins.set':
    case 'builtins.frozenset':
      return (args) => new Set(Array.isArray(args[0]) ? args[0] : []);
    case 'builtins.bytearray':
      return (args) => {
        const a = args[0];
        if (a === undefined) return new Uint8Array(0);
        if (a instanceof Uint8Array) return new Uint8Array(a);
        if (typeof a === 'string' && args[1] !== undefined) return encodeString(a, String(args[1]));
        if (Array.isArray(a)) return Uint8Array.from(a as number[]);
        throw new Error(`bytearray() of ${describe(a)} not supported`);
      };
    case '_codecs.encode':
      return (args) => {
        if (typeof args[0] !== 'string') throw new Error('_codecs.encode expects a str');
        return encodeString(args[0], args[1] === undefined ? 'utf-8' : String(args[1]));
      };
    default:
      return undefined;
  }
}

function encodeString(s: string, encoding: string): Uint8Array {
  const enc = encoding.toLowerCase().replace(/[-_]/g, '');
  if (enc === 'latin1' || enc === 'iso88591') {
    const out = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c > 0xff) throw new Error(`character U+${c.toString(16)} cannot be encoded as latin-1`);
      out[i] = c;
    }
    return out;
  }
  if (enc === 'utf8') return new TextEncoder().encode(s);
  throw new Error(`unsupported encoding ${JSON.stringify(encoding)}`);
}

/** Python-style unescaping for the text opcodes STRING ('…' repr) and UNICODE (raw-unicode-escape). */
function unescapePython(s: string, rawUnicode: boolean): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c !== '\\' || i + 1 >= s.length) { out += c; continue; }
    const d = s[++i];
    const hex = (n: number): string => {
      const h = s.slice(i + 1, i + 1 + n);
      if (!/^[0-9a-fA-F]+$/.test(h) || h.length !== n) throw new Error(`bad \\${d} escape`);
      i += n;
      return String.fromCodePoint(parseInt(h, 16));
    };
    if (rawUnicode) {
      if (d === 'u') out += hex(4);
      else if (d === 'U') out += hex(8);
      else out += '\\' + d;
      continue;
    }
    switch (d) {
      case '\\': out += '\\'; break;
      case "'": out += "'"; break;
      case '"': out += '"'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case 'a': out += '\x07'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'v': out += '\v'; break;
      case 'x': out += hex(2); break;
      case '\n': break;
      default:
        if (/[0-7]/.test(d)) {
          let oct = d;
          while (oct.length < 3 && /[0-7]/.test(s[i + 1] ?? '')) oct += s[++i];
          out += String.fromCharCode(parseInt(oct, 8));
        } else {
          out += '\\' + d;
        }
    }
  }
  return out;
}

/**
 * Runs the pickle VM on `bytes` starting at `offset` until the first STOP opcode.
 *
 * Format: a pickle is a sequence of one-byte opcodes with inline arguments, operating on a
 * stack, a mark stack and a memo; `STOP` ('.') returns the top of the stack. Several pickles
 * may follow each other in one buffer (the legacy PyTorch format does this), hence `end`.
 * Supported: every opcode of protocols 0–5 except the extension registry (EXT1/2/4) and
 * out-of-band buffers (NEXT_BUFFER, READONLY_BUFFER). See the module comment for the value
 * mapping and the sources.
 *
 * @param bytes the buffer holding the pickle.
 * @param offset where the pickle starts (default 0).
 * @param hooks global resolution and persistent-id loading; see {@link UnpickleHooks}.
 * @returns the unpickled value and the offset just past its STOP opcode.
 * @throws PickleError naming the opcode (byte and name) and byte offset for an unknown or
 *   unsupported opcode, an unknown global (`module.name`), truncated data, a stack/mark/memo
 *   inconsistency, or an error thrown by a hook (kept as `cause`).
 */
/** Deepest container nesting {@link unpickle} accepts (Python's own recursion limit is 1000). */
export const MAX_PICKLE_DEPTH = 1000;

export function unpickle(bytes: Uint8Array, offset: number, hooks: UnpickleHooks): UnpickleResult {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = bytes.length;
  let pos = offset;
  let opPos = offset;
  let op = -1;
  let stack: unknown[] = [];
  const metastack: unknown[][] = [];
  const memo = new Map<number, unknown>();

  const globalNames = new WeakMap<object, string>();
  const opName = (): string => (op < 0 ? 'end of data' : `${OPCODE_NAMES[op] ?? 'opcode'} (0x${op.toString(16).padStart(2, '0')})`);
  const fail = (msg: string, cause?: unknown, truncated = false): never => {
    throw new PickleError(`${msg} [pickle ${opName()} at byte ${opPos}]`, opPos, op < 0 ? undefined : op, truncated,
      cause === undefined ? undefined : { cause });
  };
  const truncated = (msg: string): never => fail(`pickle data truncated: ${msg}`, undefined, true);
  const need = (k: number): void => {
    if (pos + k > n) truncated(`needs ${k} more byte(s) at byte ${pos} but only ${Math.max(0, n - pos)} remain`);
  };
  const take = (k: number): Uint8Array => {
    need(k);
    const out = bytes.subarray(pos, pos + k);
    pos += k;
    return out;
  };
  const u8 = (): number => { need(1); return bytes[pos++]; };
  const u16 = (): number => { need(2); const v = view.getUint16(pos, true); pos += 2; return v; };
  const u32 = (): number => { need(4); const v = view.getUint32(pos, true); pos += 4; return v; };
  const i32 = (): number => { need(4); const v = view.getInt32(pos, true); pos += 4; return v; };
  const u64 = (): number => {
    need(8);
    const v = view.getBigUint64(pos, true);
    pos += 8;
    if (v > BigInt(n)) truncated(`length ${v} exceeds the ${n}-byte buffer`);
    return Number(v);
  };
  const line = (): string => {
    const nl = bytes.indexOf(0x0a, pos);
    if (nl < 0) truncated('no newline ending the text argument');
    const s = latin1(bytes.subarray(pos, nl));
    pos = nl + 1;
    return s;
  };
  /** GLOBAL/INST arguments are UTF-8 lines; `line()` returned them as latin-1 code units. */
  const utf8Line = (s: string): string => text(Uint8Array.from(s, (c) => c.charCodeAt(0)));
  const text = (b: Uint8Array): string => {
    try { return utf8.decode(b); } catch (e) { return fail('invalid UTF-8 in string', e); }
  };
  // A function, not `stack.push`: the argument may call popMark(), which replaces `stack`.
  const push = (v: unknown): void => { stack.push(v); };
  const pop = (): unknown => {
    if (stack.length === 0) fail('stack underflow');
    return stack.pop();
  };
  const top = (): unknown => {
    if (stack.length === 0) fail('stack underflow');
    return stack[stack.length - 1];
  };
  const popMark = (): unknown[] => {
    if (metastack.length === 0) fail('MARK missing: no mark on the mark stack');
    const items = stack;
    stack = metastack.pop()!;
    return items;
  };
  const memoGet = (i: number): unknown => {
    if (!memo.has(i)) fail(`memo key ${i} missing`);
    return memo.get(i);
  };
  const memoPut = (i: number): void => { memo.set(i, top()); };
  const resolveGlobal = (module: string, name: string): unknown => {
    let v: unknown;
    try { v = hooks.findClass(module, name); } catch (e) { fail(`cannot resolve global ${module}.${name}: ${(e as Error).message}`, e); }
    if (v === undefined) fail(`unknown global ${module}.${name} (not on the allow-list; nothing is imported)`);
    if (typeof v === 'function' || (typeof v === 'object' && v !== null)) globalNames.set(v as object, `${module}.${name}`);
    return v;
  };
  const call = (fn: unknown, args: unknown[]): unknown => {
    if (typeof fn !== 'function') fail(`${describe(fn)} object is not callable`);
    try { return (fn as PyCallable)(args); } catch (e) {
      if (e instanceof PickleError) throw e;
      return fail(`${globalNames.get(fn as object) ?? 'call'} failed: ${(e as Error).message}`, e);
    }
  };
  // Nesting depth of every container built so far; deeper than MAX_PICKLE_DEPTH is refused
  // (a state dict nests ~5 levels; a hostile pickle nested 200 000 deep would overflow every
  // recursive consumer: printing, copying, comparing).
  const depths = new WeakMap<object, number>();
  const depthOf = (v: unknown): number => (v !== null && typeof v === 'object' ? depths.get(v) ?? 1 : 0);
  const nest = <T>(container: T, items: readonly unknown[]): T => {
    let d = depthOf(container);
    for (const it of items) d = Math.max(d, depthOf(it) + 1);
    if (d > MAX_PICKLE_DEPTH) fail(`too deeply nested: containers nest more than ${MAX_PICKLE_DEPTH} levels deep (corrupt or hostile data)`);
    if (container !== null && typeof container === 'object') depths.set(container as object, d);
    return container;
  };
  const setItems = (target: unknown, items: unknown[]): void => {
    if (items.length % 2 !== 0) fail(`odd number of items (${items.length}) for key/value pairs`);
    if (!(target instanceof Map)) fail(`cannot set items on ${describe(target)}`);
    for (let i = 0; i < items.length; i += 2) (target as Map<unknown, unknown>).set(items[i], items[i + 1]);
    nest(target, items);
  };
  const appendItems = (target: unknown, items: unknown[]): void => {
    if (!Array.isArray(target) || Object.isFrozen(target)) fail(`cannot append to ${describe(target)}`);
    for (const it of items) (target as unknown[]).push(it);
    nest(target, items);
  };

  while (true) {
    opPos = pos;
    if (pos >= n) { op = -1; truncated('reached the end of the data before STOP'); }
    op = bytes[pos++];
    switch (op) {
      // ---- framing / control
      case 0x80: { // PROTO
        const proto = u8();
        if (proto > HIGHEST_PROTOCOL) fail(`unsupported pickle protocol ${proto}`);
        break;
      }
      case 0x95: u64(); break; // FRAME: length is a buffering hint only
      case 0x2e: { // STOP
        const value = pop();
        return { value, end: pos };
      }
      case 0x28: metastack.push(stack); stack = []; break; // MARK
      case 0x30: if (stack.length > 0) stack.pop(); else popMark(); break; // POP (a mark counts as an item)
      case 0x31: popMark(); break; // POP_MARK
      case 0x32: push(top()); break; // DUP

      // ---- numbers
      case 0x4a: push(i32()); break; // BININT
      case 0x4b: push(u8()); break; // BININT1
      case 0x4d: push(u16()); break; // BININT2
      case 0x8a: push(decodeLong(take(u8()))); break; // LONG1
      case 0x8b: { // LONG4
        const k = i32();
        if (k < 0) fail(`negative LONG4 byte count ${k}`);
        push(decodeLong(take(k)));
        break;
      }
      case 0x47: { need(8); push(view.getFloat64(pos, false)); pos += 8; break; } // BINFLOAT (big-endian)
      case 0x49: { // INT (text); I01/I00 are True/False
        const s = line();
        if (s === '01') push(true);
        else if (s === '00') push(false);
        else if (/^[+-]?\d+$/.test(s)) push(pyInt(BigInt(s)));
        else fail(`bad INT literal ${JSON.stringify(s)}`);
        break;
      }
      case 0x4c: { // LONG (text, optional trailing L)
        const s = line().replace(/L$/, '');
        if (!/^[+-]?\d+$/.test(s)) fail(`bad LONG literal ${JSON.stringify(s)}`);
        push(pyInt(BigInt(s)));
        break;
      }
      case 0x46: { // FLOAT (text)
        const s = line().trim();
        const v = /^[+-]?(inf|infinity)$/i.test(s) ? (s.startsWith('-') ? -Infinity : Infinity) : /^[+-]?nan$/i.test(s) ? NaN : Number(s);
        if (Number.isNaN(v) && !/nan/i.test(s)) fail(`bad FLOAT literal ${JSON.stringify(s)}`);
        push(v);
        break;
      }

      // ---- singletons
      case 0x4e: push(null); break; // NONE
      case 0x88: push(true); break; // NEWTRUE
      case 0x89: push(false); break; // NEWFALSE

      // ---- strings and bytes
      case 0x58: push(text(take(u32()))); break; // BINUNICODE
      case 0x8c: push(text(take(u8()))); break; // SHORT_BINUNICODE
      case 0x8d: push(text(take(u64()))); break; // BINUNICODE8
      case 0x55: push(text(take(u8()))); break; // SHORT_BINSTRING (py2 str, decoded as UTF-8 like torch.load)
      case 0x54: { // BINSTRING
        const k = i32();
        if (k < 0) fail(`negative BINSTRING length ${k}`);
        push(text(take(k)));
        break;
      }
      case 0x53: { // STRING (text repr in quotes)
        const s = line().trim();
        if (s.length < 2 || (s[0] !== "'" && s[0] !== '"') || s[s.length - 1] !== s[0]) fail('STRING argument is not quoted');
        try { push(unescapePython(s.slice(1, -1), false)); } catch (e) { fail(`bad STRING literal: ${(e as Error).message}`, e); }
        break;
      }
      case 0x56: { // UNICODE (raw-unicode-escape text)
        const s = line();
        try { push(unescapePython(s, true)); } catch (e) { fail(`bad UNICODE literal: ${(e as Error).message}`, e); }
        break;
      }
      case 0x42: push(new Uint8Array(take(u32()))); break; // BINBYTES
      case 0x43: push(new Uint8Array(take(u8()))); break; // SHORT_BINBYTES
      case 0x8e: push(new Uint8Array(take(u64()))); break; // BINBYTES8
      case 0x96: push(new Uint8Array(take(u64()))); break; // BYTEARRAY8

      // ---- containers
      case 0x29: push(tuple([])); break; // EMPTY_TUPLE
      case 0x74: { const items = popMark(); push(nest(tuple(items), items)); break; } // TUPLE
      case 0x85: { const a = pop(); push(nest(tuple([a]), [a])); break; } // TUPLE1
      case 0x86: { const b = pop(); const a = pop(); push(nest(tuple([a, b]), [a, b])); break; } // TUPLE2
      case 0x87: { const c = pop(); const b = pop(); const a = pop(); push(nest(tuple([a, b, c]), [a, b, c])); break; } // TUPLE3
      case 0x5d: push([]); break; // EMPTY_LIST
      case 0x6c: { const items = popMark(); push(nest(items, items)); break; } // LIST
      case 0x61: { const v = pop(); appendItems(top(), [v]); break; } // APPEND
      case 0x65: { const items = popMark(); appendItems(top(), items); break; } // APPENDS
      case 0x7d: push(new Map()); break; // EMPTY_DICT
      case 0x64: { const m = new Map(); setItems(m, popMark()); push(m); break; } // DICT
      case 0x73: { const v = pop(); const k = pop(); setItems(top(), [k, v]); break; } // SETITEM
      case 0x75: { const items = popMark(); setItems(top(), items); break; } // SETITEMS
      case 0x8f: push(new Set()); break; // EMPTY_SET
      case 0x90: { // ADDITEMS
        const items = popMark();
        const s = top();
        if (!(s instanceof Set)) fail(`cannot add items to ${describe(s)}`);
        for (const it of items) (s as Set<unknown>).add(it);
        nest(s, items);
        break;
      }
      case 0x91: { const items = popMark(); push(nest(new Set(items), items)); break; } // FROZENSET

      // ---- memo
      case 0x71: memoPut(u8()); break; // BINPUT
      case 0x72: memoPut(u32()); break; // LONG_BINPUT
      case 0x70: { // PUT (text)
        const s = line();
        if (!/^\d+$/.test(s)) fail(`bad PUT index ${JSON.stringify(s)}`);
        memoPut(Number(s));
        break;
      }
      case 0x94: memo.set(memo.size, top()); break; // MEMOIZE
      case 0x68: push(memoGet(u8())); break; // BINGET
      case 0x6a: push(memoGet(u32())); break; // LONG_BINGET
      case 0x67: { // GET (text)
        const s = line();
        if (!/^\d+$/.test(s)) fail(`bad GET index ${JSON.stringify(s)}`);
        push(memoGet(Number(s)));
        break;
      }

      // ---- globals, calls, object construction
      case 0x63: { const module = line(); const name = line(); push(resolveGlobal(utf8Line(module), utf8Line(name))); break; } // GLOBAL
      case 0x93: { // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') fail('STACK_GLOBAL needs two str on the stack');
        push(resolveGlobal(module as string, name as string));
        break;
      }
      case 0x52: { // REDUCE: callable(*args)
        const args = pop();
        const fn = pop();
        if (!Array.isArray(args)) fail(`REDUCE arguments must be a tuple, got ${describe(args)}`);
        push(nest(call(fn, [...(args as unknown[])]), [args]));
        break;
      }
      case 0x81: { // NEWOBJ: cls.__new__(cls, *args), modelled as calling the resolved class
        const args = pop();
        const cls = pop();
        if (!Array.isArray(args)) fail(`NEWOBJ arguments must be a tuple, got ${describe(args)}`);
        push(call(cls, [...(args as unknown[])]));
        break;
      }
      case 0x92: { // NEWOBJ_EX: cls.__new__(cls, *args, **kwargs)
        const kwargs = pop();
        const args = pop();
        const cls = pop();
        if (!Array.isArray(args)) fail(`NEWOBJ_EX arguments must be a tuple, got ${describe(args)}`);
        if (!(kwargs instanceof Map) || kwargs.size > 0) fail('NEWOBJ_EX with keyword arguments is not supported');
        push(call(cls, [...(args as unknown[])]));
        break;
      }
      case 0x69: { // INST (protocol 0): module, name lines; args from the mark
        const module = utf8Line(line());
        const name = utf8Line(line());
        const args = popMark();
        push(call(resolveGlobal(module, name), args));
        break;
      }
      case 0x6f: { // OBJ (protocol 1): mark, cls, args...
        const items = popMark();
        if (items.length === 0) fail('OBJ without a class');
        push(call(items[0], items.slice(1)));
        break;
      }
      case 0x62: { // BUILD: obj.__setstate__(state), or obj.__dict__.update(state)
        const state = pop();
        const obj = top();
        if (obj === null || typeof obj !== 'object' || Object.isFrozen(obj)) fail(`BUILD on ${describe(obj)}`);
        const setstate = (obj as { __setstate__?: unknown }).__setstate__;
        if (typeof setstate === 'function') {
          try { (setstate as (s: unknown) => void).call(obj, state); } catch (e) { fail(`__setstate__ failed: ${(e as Error).message}`, e); }
          break;
        }
        let dictState = state;
        let slotState: unknown = null;
        if (Array.isArray(state) && Object.isFrozen(state) && state.length === 2) [dictState, slotState] = state;
        const attrs = pyState(obj) ?? new Map<unknown, unknown>();
        for (const part of [dictState, slotState]) {
          if (part === null) continue;
          if (!(part instanceof Map)) fail(`BUILD state must be a dict, got ${describe(part)}`);
          for (const [k, v] of part as Map<unknown, unknown>) attrs.set(k, v);
        }
        nest(obj, [state]);
        Object.defineProperty(obj, PY_STATE, { value: attrs, configurable: true, enumerable: false, writable: true });
        break;
      }

      // ---- persistent ids
      case 0x50: { // PERSID (text)
        const pid = line();
        if (!hooks.persistentLoad) fail('persistent id found but no persistentLoad hook');
        try { push(hooks.persistentLoad!(pid)); } catch (e) { fail(`persistent_load failed: ${(e as Error).message}`, e); }
        break;
      }
      case 0x51: { // BINPERSID
        const pid = pop();
        if (!hooks.persistentLoad) fail('persistent id found but no persistentLoad hook');
        try { push(hooks.persistentLoad!(pid)); } catch (e) { fail(`persistent_load failed: ${(e as Error).message}`, e); }
        break;
      }

      case 0x82: case 0x83: case 0x84: fail('the copyreg extension registry (EXT1/EXT2/EXT4) is not supported'); break;
      case 0x97: case 0x98: fail('out-of-band buffers (protocol 5) are not supported'); break;
      default:
        fail(`unknown opcode 0x${op.toString(16).padStart(2, '0')} (${JSON.stringify(String.fromCharCode(op))}); corrupt data or not a pickle`);
    }
  }
}
