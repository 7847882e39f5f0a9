/**
 * Hostile checkpoints (issue [R] rows 7 and 11): a pickle nested 200 000 deep and zip bombs give
 * one clear CheckpointError — no stack overflow, no inflation beyond what the pickle declares.
 */
import fs from 'node:fs';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { unzipSync, zipSync } from 'fflate';
import { decodeTorchCheckpoint, MAX_ZIP_PICKLE_BYTES } from '../../lib/io/torch_checkpoint.js';
import { unpickle, builtinGlobal, MAX_PICKLE_DEPTH, PickleError } from '../../lib/io/pickle.js';
import { CheckpointError } from '../../lib/io/tensor_record.js';
import { projectRoot } from '../helpers/upstream.js';

const t = suite('io/hostile checkpoints');
const tinyZip = fs.readFileSync(path.join(projectRoot, 'test/io/fixtures/tiny_zip.pt'));

/** `]`×n then `a`×(n−1): lists nested n deep (protocol 2). */
function nestedLists(n: number): Uint8Array {
  return Uint8Array.from([0x80, 2, ...new Array(n).fill(0x5d), ...new Array(n - 1).fill(0x61), 0x2e]);
}

function expectCheckpointError(bytes: Uint8Array, re: RegExp): void {
  try {
    decodeTorchCheckpoint(bytes, { file: 'hostile.pt' });
    assert.unreachable('should throw');
  } catch (e) {
    assert.instance(e, CheckpointError, `got ${(e as Error).name}: ${(e as Error).message}`);
    assert.match((e as Error).message, re);
    assert.match((e as Error).message, /hostile\.pt/);
  }
}

t('a pickle nested 200 000 deep: "too deeply nested", no stack overflow', () => {
  expectCheckpointError(nestedLists(200_000), /too deeply nested/);
});

t('the depth limit sits at MAX_PICKLE_DEPTH: one level below passes, one above fails', () => {
  assert.is(MAX_PICKLE_DEPTH, 1000);
  const ok = unpickle(nestedLists(MAX_PICKLE_DEPTH), 0, { findClass: builtinGlobal });
  let v: unknown = ok.value; let depth = 0;
  while (Array.isArray(v)) { depth++; v = v[0]; }
  assert.is(depth, MAX_PICKLE_DEPTH);
  assert.throws(() => unpickle(nestedLists(MAX_PICKLE_DEPTH + 1), 0, { findClass: builtinGlobal }), (e: unknown) => e instanceof PickleError && /too deeply nested/.test((e as Error).message));
});

t('deep nesting through tuples and dicts is caught too', () => {
  const n = 5000;
  const tuples = Uint8Array.from([0x80, 2, 0x29, ...new Array(n).fill(0x85 /* TUPLE1 */), 0x2e]);
  assert.throws(() => unpickle(tuples, 0, { findClass: builtinGlobal }), /too deeply nested/);
  // {0: {0: … {}}}: EMPTY_DICT, then n × (EMPTY_DICT, SWAP-free form: MARK key value DICT).
  const nested: number[] = [0x80, 2, 0x7d]; // innermost {}
  for (let i = 0; i < n; i++) { nested.splice(2, 0, 0x28, 0x4b, 0); nested.push(0x64); } // MARK 0 <inner> DICT
  nested.push(0x2e);
  assert.throws(() => unpickle(Uint8Array.from(nested), 0, { findClass: builtinGlobal }), /too deeply nested/);
});

t('zip bomb: a storage record whose declared size is not the storage size is refused before inflating', () => {
  const entries = unzipSync(tinyZip);
  const name = Object.keys(entries).find((k) => /\/data\/\d+$/.test(k))!;
  const bomb = zipSync({ ...entries, [name]: [new Uint8Array(64 * 1024 * 1024), { level: 9 }] });
  assert.ok(bomb.length < 1024 * 1024, `the bomb is small on disk (${bomb.length} bytes)`);
  const before = process.memoryUsage().arrayBuffers;
  expectCheckpointError(bomb, new RegExp(`storage record ${name.replace(/[/.]/g, '\\$&')} has 67108864 bytes, expected \\d+`));
  const grew = process.memoryUsage().arrayBuffers - before;
  assert.ok(grew < 32 * 1024 * 1024, `no 64 MiB inflation (array buffers grew by ${grew} bytes)`);
});

t('zip bomb: a data.pkl declaring more than MAX_ZIP_PICKLE_BYTES is refused before inflating', () => {
  const entries = unzipSync(tinyZip);
  const pkl = Object.keys(entries).find((k) => k.endsWith('/data.pkl'))!;
  const zip = zipSync(entries, { level: 0 });
  // Patch the declared uncompressed size of data.pkl in the central directory to 1 GiB.
  const buf = Buffer.from(zip);
  let at = buf.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
  while (at >= 0) {
    const nameLen = buf.readUInt16LE(at + 28);
    const entryName = buf.toString('utf8', at + 46, at + 46 + nameLen);
    if (entryName === pkl) buf.writeUInt32LE(1024 * 1024 * 1024, at + 24);
    at = buf.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]), at + 4);
  }
  expectCheckpointError(buf, new RegExp(`declares 1073741824 bytes uncompressed, more than the ${MAX_ZIP_PICKLE_BYTES}`));
});

t('a lying declared size cannot inflate more than it declares (record then fails its size check)', () => {
  const entries = unzipSync(tinyZip);
  const name = Object.keys(entries).find((k) => /\/data\/\d+$/.test(k))!;
  const good = decodeTorchCheckpoint(tinyZip);
  assert.ok(good.size > 0, 'the fixture itself reads');
  const expected = entries[name].length;
  const zip = Buffer.from(zipSync({ ...entries, [name]: [new Uint8Array(16 * 1024 * 1024), { level: 9 }] }));
  // Declare the storage's true size in both headers: the 16 MiB stream is cut at that size.
  let at = zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
  while (at >= 0) {
    const nameLen = zip.readUInt16LE(at + 28);
    if (zip.toString('utf8', at + 46, at + 46 + nameLen) === name) {
      zip.writeUInt32LE(expected, at + 24);
      zip.writeUInt32LE(expected, zip.readUInt32LE(at + 42) + 22);
    }
    at = zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]), at + 4);
  }
  const before = process.memoryUsage().arrayBuffers;
  try { decodeTorchCheckpoint(zip); } catch (e) { assert.instance(e, CheckpointError); }
  assert.ok(process.memoryUsage().arrayBuffers - before < 8 * 1024 * 1024, 'nothing near 16 MiB was inflated');
});

t.run();
