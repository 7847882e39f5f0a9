/**
 * The `.npz`/`.npy` reader: the official DeepFuse archive (6 float32 arrays in Lasagne order,
 * shapes as its README lists; 316 976 values), a Fortran-order array and malformed inputs.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { zipSync } from 'fflate';
import { decodeNpy, readNpz } from '../../lib/io/npz.js';
import { CheckpointError } from '../../lib/io/tensor_record.js';
import { upstreamFile } from '../helpers/upstream.js';

const t = suite('io/npz');

function npy(descr: string, shape: number[], data: Uint8Array, fortran = false): Uint8Array {
  let h = `{'descr': '${descr}', 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  while ((10 + h.length + 1) % 64) h += ' ';
  h += '\n';
  const out = new Uint8Array(10 + h.length + data.length);
  out.set([0x93, ...new TextEncoder().encode('NUMPY'), 1, 0, h.length & 0xff, h.length >> 8]);
  out.set(new TextEncoder().encode(h), 10);
  out.set(data, 10 + h.length);
  return out;
}

t('DF_model_Epoch99.npz: arr_0..arr_5 with the published shapes', async () => {
  const f = await upstreamFile('DF_model_Epoch99.npz', 'deepfuse');
  if (!f) return;
  const sd = readNpz(f);
  const keys = [...sd.keys()].sort();
  assert.equal(keys, ['arr_0', 'arr_1', 'arr_2', 'arr_3', 'arr_4', 'arr_5']);
  assert.equal(keys.map((k) => sd.get(k)!.shape), [[32, 1, 3, 3], [64, 32, 5, 5], [64, 64, 7, 7], [32, 64, 5, 5], [16, 32, 5, 5], [1, 16, 7, 7]]);
  assert.is([...sd.values()].reduce((s, v) => s + v.data.length, 0), 316976);
  assert.ok([...sd.values()].every((v) => v.dtype === 'float32' && (v.data as Float32Array).every(Number.isFinite)));
});

t('Fortran order is transposed to C order; stored and deflated zips both read', () => {
  const f = new Float64Array([1, 4, 2, 5, 3, 6]); // 2×3 [[1,2,3],[4,5,6]] in column-major order
  const a = decodeNpy(npy('<f8', [2, 3], new Uint8Array(f.buffer), true));
  assert.equal([...a.data as Float64Array], [1, 2, 3, 4, 5, 6]);
  const b = npy('<i4', [3], new Uint8Array(new Int32Array([7, 8, 9]).buffer));
  for (const level of [0, 6] as const) {
    const sd = readNpz(zipSync({ 'x.npy': b }, { level }));
    assert.equal([...sd.get('x')!.data as Int32Array], [7, 8, 9]);
  }
});

t('malformed: no magic, big-endian dtype, short data, not a zip', () => {
  const throws = (f: () => unknown, re: RegExp) => { try { f(); assert.unreachable(); } catch (e) { assert.instance(e, CheckpointError); assert.match((e as Error).message, re); } };
  throws(() => decodeNpy(new Uint8Array(20)), /magic/);
  throws(() => decodeNpy(npy('>f4', [1], new Uint8Array(4))), /unsupported dtype '>f4'/);
  throws(() => decodeNpy(npy('<f4', [2], new Uint8Array(4))), /4 data bytes .* expected 8/);
  throws(() => readNpz(new Uint8Array([1, 2, 3, 4])), /not a zip/);
});

t.run();
