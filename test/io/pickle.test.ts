/**
 * The safe pickle VM (lib/io/pickle.ts) on hand-assembled byte sequences (opcode bytes from
 * CPython Lib/pickletools.py) and on pickles written by CPython itself
 * (test/io/fixtures/values_p{0,2,4,5}.pickle, made by make_fixtures.py).
 */
import fs from 'node:fs';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';

import {
  PickleError, PY_STATE, builtinGlobal, decodeLong, pyState, unpickle, type UnpickleHooks,
} from '../../lib/io/pickle.js';
import { CheckpointError } from '../../lib/io/tensor_record.js';
import { projectRoot } from '../helpers/upstream.js';

// ---- byte assembly helpers -----------------------------------------------------------------
type Part = number | string | number[] | Uint8Array;
/** Concatenates parts: a number is one byte, a string its latin-1 bytes, arrays verbatim. */
function bytes(...parts: Part[]): Uint8Array {
  const out: number[] = [];
  for (const p of parts) {
    if (typeof p === 'number') out.push(p);
    else if (typeof p === 'string') for (const c of p) out.push(c.charCodeAt(0));
    else out.push(...p);
  }
  return Uint8Array.from(out);
}
const le = (v: number, n: number): number[] => Array.from({ length: n }, (_, i) => Number((BigInt(v) >> BigInt(8 * i)) & 0xffn));
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
/** BINUNICODE 'X' + u32 length + UTF-8. */
const X = (s: string): Uint8Array => bytes('X', le(utf8(s).length, 4), utf8(s));

const PROTO2 = [0x80, 2];
const STOP = '.';
const noGlobals: UnpickleHooks = { findClass: () => undefined };
const withBuiltins: UnpickleHooks = { findClass: builtinGlobal };
const load = (b: Uint8Array, hooks: UnpickleHooks = noGlobals): unknown => unpickle(b, 0, hooks).value;

/** Asserts that `fn` throws a PickleError whose message matches every pattern. */
function throwsPickle(fn: () => unknown, ...patterns: RegExp[]): PickleError {
  try {
    fn();
  } catch (e) {
    assert.instance(e, PickleError);
    assert.instance(e, CheckpointError);
    for (const p of patterns) assert.match((e as Error).message, p);
    return e as PickleError;
  }
  throw new assert.Assertion({ message: `expected a PickleError matching ${patterns.join(', ')}`, operator: 'throws', expects: 'throw', actual: 'no throw' });
}

// ---- values ------------------------------------------------------------------------------------
const Values = suite('pickle: values');

Values('BININT1 / BININT2 / BININT (signed) / NONE / NEWTRUE / NEWFALSE', () => {
  assert.is(load(bytes(PROTO2, 'K', 200, STOP)), 200);
  assert.is(load(bytes(PROTO2, 'M', le(0xbeef, 2), STOP)), 0xbeef);
  assert.is(load(bytes(PROTO2, 'J', le(-2, 4), STOP)), -2);
  assert.is(load(bytes(PROTO2, 'J', le(0x7fffffff, 4), STOP)), 0x7fffffff);
  assert.is(load(bytes(PROTO2, 'N', STOP)), null);
  assert.is(load(bytes(PROTO2, 0x88, STOP)), true);
  assert.is(load(bytes(PROTO2, 0x89, STOP)), false);
});

Values('LONG1 / LONG4: little-endian two\'s complement; beyond 2^53 → BigInt', () => {
  assert.is(load(bytes(PROTO2, 0x8a, 0, STOP)), 0);
  assert.is(load(bytes(PROTO2, 0x8a, 1, 0xff, STOP)), -1);
  assert.is(load(bytes(PROTO2, 0x8a, 2, 0x00, 0x80, STOP)), -32768);
  assert.is(load(bytes(PROTO2, 0x8a, 9, le(0, 8), 1, STOP)), 2n ** 64n);
  // torch's legacy MAGIC_NUMBER, exactly as torch.save writes it
  assert.is(load(bytes(PROTO2, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, STOP)), 0x1950a86a20f9469cfc6cn);
  assert.is(load(bytes(PROTO2, 0x8b, le(3, 4), 0xff, 0xff, 0x7f, STOP)), 0x7fffff);
  assert.is(decodeLong(Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f, 0x00])), Number.MAX_SAFE_INTEGER);
  assert.is(decodeLong(Uint8Array.from([0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x20, 0x00])), 2n ** 53n);
});

Values('text forms: INT (I01/I00 are bools), LONG, FLOAT', () => {
  assert.is(load(bytes('I-42\n', STOP)), -42);
  assert.is(load(bytes('I01\n', STOP)), true);
  assert.is(load(bytes('I00\n', STOP)), false);
  assert.is(load(bytes('L123456789012345678901234567890L\n', STOP)), 123456789012345678901234567890n);
  assert.is(load(bytes('L5\n', STOP)), 5);
  assert.is(load(bytes('F-2.5e-3\n', STOP)), -2.5e-3);
  assert.is(load(bytes('Finf\n', STOP)), Infinity);
  assert.ok(Number.isNaN(load(bytes('Fnan\n', STOP))));
});

Values('BINFLOAT is an 8-byte big-endian double', () => {
  assert.is(load(bytes(PROTO2, 'G', 0x3f, 0xf8, 0, 0, 0, 0, 0, 0, STOP)), 1.5);
  assert.is(Object.is(load(bytes(PROTO2, 'G', 0x80, 0, 0, 0, 0, 0, 0, 0, STOP)), -0), true);
});

Values('strings: BINUNICODE (UTF-8), SHORT_BINUNICODE, BINUNICODE8, SHORT_BINSTRING, BINSTRING', () => {
  assert.is(load(bytes(PROTO2, X('héllo ✓'), STOP)), 'héllo ✓');
  assert.is(load(bytes(0x80, 4, 0x8c, 3, 'abc', STOP)), 'abc');
  assert.is(load(bytes(0x80, 4, 0x8d, le(2, 8), 'hi', STOP)), 'hi');
  assert.is(load(bytes(PROTO2, 'U', 2, 'py', STOP)), 'py');
  assert.is(load(bytes(PROTO2, 'T', le(3, 4), 'two', STOP)), 'two');
  assert.is(load(bytes(PROTO2, 'X', le(0, 4), STOP)), '');
});

Values('text strings: STRING (quoted repr with escapes) and UNICODE (raw-unicode-escape)', () => {
  assert.is(load(bytes("S'a\\nb\\x41\\'c\\\\'\n", STOP)), "a\nbA'c\\");
  assert.is(load(bytes('S"q"\n', STOP)), 'q');
  assert.is(load(bytes('Vcaf\xe9 \\u2713\n', STOP)), 'café ✓');
});

Values('bytes: BINBYTES, SHORT_BINBYTES, BINBYTES8, BYTEARRAY8 → Uint8Array copies', () => {
  const src = bytes(0x80, 3, 'B', le(3, 4), 1, 2, 3, STOP);
  const v = load(src) as Uint8Array;
  assert.instance(v, Uint8Array);
  assert.equal([...v], [1, 2, 3]);
  assert.is.not(v.buffer, src.buffer);
  assert.equal([...(load(bytes(0x80, 3, 'C', 2, 0xff, 0x00, STOP)) as Uint8Array)], [0xff, 0]);
  assert.equal([...(load(bytes(0x80, 4, 0x8e, le(1, 8), 7, STOP)) as Uint8Array)], [7]);
  assert.equal([...(load(bytes(0x80, 5, 0x96, le(2, 8), 8, 9, STOP)) as Uint8Array)], [8, 9]);
  // protocol 2 carries bytes as _codecs.encode(str, 'latin1')
  const viaCodecs = bytes(PROTO2, 'c_codecs\nencode\n', X('\u00ff\u0000'), X('latin1'), 0x86, 'R', STOP);
  assert.equal([...(load(viaCodecs, withBuiltins) as Uint8Array)], [0xff, 0]);
});

// ---- containers --------------------------------------------------------------------------------
const Containers = suite('pickle: containers');

Containers('tuples are frozen arrays: EMPTY_TUPLE, TUPLE1/2/3, MARK…TUPLE', () => {
  const t0 = load(bytes(PROTO2, ')', STOP)) as unknown[];
  assert.equal(t0, []);
  assert.ok(Object.isFrozen(t0));
  assert.equal(load(bytes(PROTO2, 'K', 1, 0x85, STOP)), [1]);
  assert.equal(load(bytes(PROTO2, 'K', 1, 'K', 2, 0x86, STOP)), [1, 2]);
  assert.equal(load(bytes(PROTO2, 'K', 1, 'K', 2, 'K', 3, 0x87, STOP)), [1, 2, 3]);
  const t4 = load(bytes(PROTO2, '(', 'K', 1, 'K', 2, 'K', 3, 'K', 4, 't', STOP)) as unknown[];
  assert.equal(t4, [1, 2, 3, 4]);
  assert.ok(Object.isFrozen(t4));
});

Containers('nested dicts and lists: EMPTY_DICT + MARK…SETITEMS, EMPTY_LIST + APPEND/APPENDS, DICT, LIST, SETITEM', () => {
  // {'a': {'b': [1, (2, 3)]}, 'c': []} assembled the way protocol 2 does it
  const b = bytes(PROTO2,
    '}', 'q', 0, '(',
    X('a'), '}', 'q', 1, X('b'), ']', 'q', 2, '(', 'K', 1, 'K', 2, 'K', 3, 0x86, 'e', 's',
    X('c'), ']', 'u', STOP);
  const v = load(b) as Map<string, unknown>;
  assert.instance(v, Map);
  assert.equal([...v.keys()], ['a', 'c']);
  const inner = v.get('a') as Map<string, unknown>;
  assert.instance(inner, Map);
  assert.equal(inner.get('b'), [1, [2, 3]]);
  assert.equal(v.get('c'), []);
  assert.ok(!Object.isFrozen(v.get('c')));

  const d = load(bytes('(', X('x'), 'K', 1, X('y'), 'K', 2, 'd', STOP)) as Map<string, number>;
  assert.equal([...d], [['x', 1], ['y', 2]]);
  assert.equal(load(bytes('(', 'K', 5, 'K', 6, 'l', 'K', 7, 'a', STOP)), [5, 6, 7]);
  // non-string keys are kept as they are
  const ik = load(bytes(PROTO2, '}', 'K', 3, X('three'), 's', STOP)) as Map<unknown, unknown>;
  assert.is(ik.get(3), 'three');
});

Containers('sets: EMPTY_SET + ADDITEMS, FROZENSET, builtins.set', () => {
  const s = load(bytes(0x80, 4, 0x8f, '(', 'K', 1, 'K', 2, 0x90, STOP)) as Set<number>;
  assert.equal([...s], [1, 2]);
  assert.equal([...(load(bytes(0x80, 4, '(', 'K', 9, 0x91, STOP)) as Set<number>)], [9]);
  const viaGlobal = bytes(PROTO2, 'c__builtin__\nset\n', ']', '(', 'K', 4, 'e', 0x85, 'R', STOP);
  assert.equal([...(load(viaGlobal, withBuiltins) as Set<number>)], [4]);
});

Containers('memo: BINPUT/BINGET share identity; LONG_BINPUT/LONG_BINGET; MEMOIZE; PUT/GET', () => {
  const shared = load(bytes(PROTO2, ']', 'q', 7, 'h', 7, 0x86, STOP)) as unknown[][];
  assert.is(shared[0], shared[1]);
  const long = load(bytes(PROTO2, X('v'), 'r', le(70000, 4), 'j', le(70000, 4), 0x86, STOP));
  assert.equal(long, ['v', 'v']);
  const memoize = load(bytes(0x80, 4, ']', 0x94, X('z'), 0x94, 'h', 0, 0x87, 'h', 1, 0x86, STOP)) as [unknown[], string];
  assert.is(memoize[0][0], memoize[0][2]);
  assert.equal([memoize[0][1], memoize[1]], ['z', 'z']);
  const text = load(bytes('(lp0\n', 'g0\n', 'a', STOP)) as unknown[];
  assert.is(text[0], text);
});

Containers('stack ops: POP, POP_MARK, DUP', () => {
  assert.is(load(bytes(PROTO2, 'K', 1, 'K', 2, '0', STOP)), 1);
  assert.is(load(bytes(PROTO2, 'K', 1, '(', 'K', 2, 'K', 3, '1', STOP)), 1);
  const d = load(bytes(PROTO2, ']', '2', 0x86, STOP)) as unknown[];
  assert.is(d[0], d[1]);
});

// ---- globals, objects, persistent ids ------------------------------------------------------------
const Objects = suite('pickle: globals, objects, persistent ids');

Objects('GLOBAL collections.OrderedDict + REDUCE → Map; BUILD state lands in pyState', () => {
  // OrderedDict with items and a _metadata attribute, exactly as torch state dicts are pickled
  const b = bytes(PROTO2, 'ccollections\nOrderedDict\n', 'q', 0, ')', 'R', 'q', 1,
    '(', X('w'), 'K', 1, X('b'), 'K', 2, 'u',
    '}', X('_metadata'), 'h', 0, ')', 'R', 's', 'b', STOP);
  const v = load(b, withBuiltins) as Map<string, number>;
  assert.instance(v, Map);
  assert.equal([...v], [['w', 1], ['b', 2]]);
  const state = pyState(v);
  assert.instance(state, Map);
  assert.instance(state!.get('_metadata'), Map);
  assert.not.ok(Object.keys(v).includes(String(PY_STATE)));
});

Objects('findClass callables receive the positional args; STACK_GLOBAL, NEWOBJ, INST, OBJ; __setstate__', () => {
  const calls: string[] = [];
  class Point { constructor(readonly x: unknown, readonly y: unknown) {} state: unknown; __setstate__(s: unknown) { this.state = s; } }
  const hooks: UnpickleHooks = {
    findClass(module, name) {
      calls.push(`${module}.${name}`);
      return module === 'geo' && name === 'Point' ? (args: unknown[]) => new Point(args[0], args[1]) : undefined;
    },
  };
  const p = load(bytes(0x80, 4, 0x8c, 3, 'geo', 0x8c, 5, 'Point', 0x93, 'K', 1, 'K', 2, 0x86, 0x81, 'K', 9, 'b', STOP), hooks) as Point;
  assert.instance(p, Point);
  assert.equal([p.x, p.y, p.state], [1, 2, 9]);
  const inst = load(bytes('(K\x03K\x04igeo\nPoint\n', STOP), hooks) as Point;
  assert.equal([inst.x, inst.y], [3, 4]);
  const obj = load(bytes('(cgeo\nPoint\nK\x05K\x06o', STOP), hooks) as Point;
  assert.equal([obj.x, obj.y], [5, 6]);
  assert.equal(calls, ['geo.Point', 'geo.Point', 'geo.Point']);
});

Objects('FRAME (protocol 4) is accepted and skipped', () => {
  assert.is(load(bytes(0x80, 4, 0x95, le(3, 8), 'K', 5, STOP)), 5);
});

Objects('BINPERSID and PERSID hand their id to persistentLoad', () => {
  const seen: unknown[] = [];
  const hooks: UnpickleHooks = { findClass: () => undefined, persistentLoad: (pid) => { seen.push(pid); return `loaded:${String(pid)}`; } };
  const v = load(bytes(PROTO2, '(', X('storage'), 'K', 3, 't', 'Q', 'Pabc\n', 0x86, STOP), hooks);
  assert.equal(v, ['loaded:storage,3', 'loaded:abc']);
  assert.equal(seen, [['storage', 3], 'abc']);
});

Objects('returns the offset after STOP, so concatenated pickles can be read in turn', () => {
  const b = bytes(PROTO2, 'K', 1, STOP, PROTO2, X('two'), STOP, 'N', STOP);
  const r1 = unpickle(b, 0, noGlobals);
  assert.equal([r1.value, r1.end], [1, 5]);
  const r2 = unpickle(b, r1.end, noGlobals);
  assert.equal([r2.value, r2.end], ['two', 5 + 11]);
  const r3 = unpickle(b, r2.end, noGlobals);
  assert.equal([r3.value, r3.end], [null, b.length]);
});

Objects('pickles written by CPython (protocols 0, 2, 4, 5) decode to the same value', () => {
  for (const protocol of [0, 2, 4, 5]) {
    const file = path.join(projectRoot, `test/io/fixtures/values_p${protocol}.pickle`);
    const b = fs.readFileSync(file);
    const { value, end } = unpickle(b, 0, withBuiltins);
    assert.is(end, b.length, `protocol ${protocol}: end`);
    const v = value as Map<string, unknown>;
    const expected: [string, unknown][] = [
      ['int', 7], ['neg', -300], ['big', 2n ** 70n], ['negbig', -(2n ** 64n) - 1n], ['float', 1.5],
      ['str', 'h\u00e9llo \u2713'], ['none', null], ['t', true], ['f', false],
      ['tuple', [1, 'a', [2.5]]], ['list', [1, [2, 3], new Map()]],
    ];
    for (const [k, want] of expected) assert.equal(v.get(k), want, `protocol ${protocol}: ${k}`);
    assert.equal([...(v.get('bytes') as Uint8Array)], [0, 255], `protocol ${protocol}: bytes`);
    assert.ok(Object.isFrozen(v.get('tuple')), `protocol ${protocol}: tuple frozen`);
    const shared = v.get('shared') as unknown[];
    assert.is(shared[0], shared[1], `protocol ${protocol}: memo identity`);
    assert.equal([...(v.get('od') as Map<string, number>)], [['k', 1]]);
    assert.equal([...(v.get('set') as Set<number>)], [3]);
    assert.equal([...(v.get('frozen') as Set<number>)], [4]);
  }
});

// ---- errors --------------------------------------------------------------------------------------
const Errors = suite('pickle: errors');

Errors('unknown opcode: names the byte and its offset', () => {
  const e = throwsPickle(() => load(bytes(PROTO2, 'K', 1, 0xff, STOP)), /unknown opcode 0xff/, /at byte 4/);
  assert.is(e.offset, 4);
  assert.is(e.opcode, 0xff);
});

Errors('unknown global: names module.name and the offset; nothing is resolved implicitly', () => {
  const e = throwsPickle(() => load(bytes(PROTO2, 'cos\nsystem\n', STOP), withBuiltins), /unknown global os\.system/, /GLOBAL \(0x63\) at byte 2/);
  assert.is(e.offset, 2);
  throwsPickle(() => load(bytes(0x80, 4, 0x8c, 8, 'builtins', 0x8c, 4, 'eval', 0x93, STOP), withBuiltins), /unknown global builtins\.eval/, /STACK_GLOBAL/);
});

Errors('truncated data: a length past the end, a missing STOP, an empty buffer', () => {
  const t1 = throwsPickle(() => load(bytes(PROTO2, 'X', le(10, 4), 'abc')), /truncated/, /needs 10 more byte\(s\) at byte 7 but only 3 remain/, /BINUNICODE/);
  assert.ok(t1.truncated);
  assert.ok(throwsPickle(() => load(bytes(PROTO2, 'K', 1)), /truncated/, /before STOP/).truncated);
  assert.ok(throwsPickle(() => load(new Uint8Array(0)), /truncated/).truncated);
  assert.ok(throwsPickle(() => load(bytes(PROTO2, 'J', 1, 2)), /truncated/).truncated);
  assert.ok(throwsPickle(() => load(bytes('I12')), /truncated/, /newline/).truncated);
  assert.ok(throwsPickle(() => load(bytes(0x80, 4, 0x8d, le(1e6, 8))), /truncated/).truncated);
  assert.not.ok(throwsPickle(() => load(bytes(PROTO2, 0xff)), /unknown opcode/).truncated);
});

Errors('stack, mark and memo inconsistencies', () => {
  throwsPickle(() => load(bytes(PROTO2, STOP)), /stack underflow/, /STOP/);
  throwsPickle(() => load(bytes(PROTO2, 't', STOP)), /MARK missing/);
  throwsPickle(() => load(bytes(PROTO2, 'h', 3, STOP)), /memo key 3 missing/, /BINGET/);
  throwsPickle(() => load(bytes(PROTO2, ']', '(', 'K', 1, 'u', STOP)), /odd number of items/);
  throwsPickle(() => load(bytes(PROTO2, ']', X('k'), 'K', 1, 's', STOP)), /cannot set items on list/);
  throwsPickle(() => load(bytes(PROTO2, ')', 'K', 1, 'a', STOP)), /cannot append to tuple/);
});

Errors('calls: non-callable REDUCE target, errors inside callables and hooks are wrapped with the offset', () => {
  throwsPickle(() => load(bytes(PROTO2, 'K', 1, ')', 'R', STOP)), /number object is not callable/, /REDUCE/);
  const boom = new Error('boom');
  const e = throwsPickle(() => load(bytes(PROTO2, 'cm\nf\n', ')', 'R', STOP), { findClass: () => () => { throw boom; } }),
    /m\.f failed: boom/, /REDUCE \(0x52\) at byte 8/);
  assert.is(e.cause, boom);
  throwsPickle(() => load(bytes(PROTO2, 'cm\nf\n', STOP), { findClass: () => { throw new Error('denied'); } }), /cannot resolve global m\.f: denied/);
  throwsPickle(() => load(bytes(PROTO2, 'K', 1, 'Q', STOP)), /no persistentLoad hook/);
  throwsPickle(() => load(bytes(PROTO2, 'K', 1, 'Q', STOP), { findClass: () => undefined, persistentLoad: () => { throw new Error('nope'); } }), /persistent_load failed: nope/);
});

Errors('unsupported features: protocol > 5, extension registry, out-of-band buffers', () => {
  throwsPickle(() => load(bytes(0x80, 6, STOP)), /unsupported pickle protocol 6/);
  throwsPickle(() => load(bytes(PROTO2, 0x82, 1, STOP)), /extension registry/);
  throwsPickle(() => load(bytes(0x80, 5, 0x97, STOP)), /out-of-band/);
});

Values.run();
Containers.run();
Objects.run();
Errors.run();
