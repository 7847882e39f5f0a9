/**
 * The MAT-file reader against files written by GNU Octave 7.3 (`test/io/fixtures/tiny_v6.mat`,
 * uncompressed Level 5, and `tiny_v7.mat`, zlib-compressed, both made by
 *   x = reshape(single(1:24)/7, 2,3,4); y = [1.5 -2; 3 4e10]; z = int16([-3 7 9]); c = [1+2i, 3-4i];
 *   save('-v6', 'tiny_v6.mat', 'x','y','z','c'); save('-v7', 'tiny_v7.mat', 'x','y','z','c');
 * so the expected values are those expressions), and the CSR dictionary `dict.mat` (staged)
 * against scipy.io.loadmat's reading of it (scipy 1.17: float32, 8×8×32, Σ = −3.96288539213856,
 * D[0,0,0] = −0.00020790854, D[3,5,17] = −0.16351241, every filter of unit l2 norm).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { MatFileError, parseMat, readMatVariable } from '../../lib/io/matfile.js';
import { CSR_DICTIONARY } from '../../lib/methods/csr.js';
import { upstreamFile } from '../helpers/upstream.js';

const t = suite('io/matfile');
const here = path.dirname(fileURLToPath(import.meta.url));

for (const v of ['v6', 'v7']) {
  t(`Octave -${v} file: single 3-D, double with 4e10, int16, complex`, () => {
    const vars = parseMat(fs.readFileSync(path.join(here, `fixtures/tiny_${v}.mat`)));
    assert.equal(vars.map((x) => x.name), ['x', 'y', 'z', 'c']);
    const [x, y, z, c] = vars;
    assert.is(x.matClass, 'single'); assert.equal(x.dims, [2, 3, 4]);
    assert.instance(x.real, Float32Array);
    for (let i = 0; i < 24; i++) assert.is(x.real[i], Math.fround(Math.fround(i + 1) / 7), `x(${i + 1})`);
    assert.is(y.matClass, 'double'); assert.equal(y.dims, [2, 2]);
    assert.equal([...y.real], [1.5, 3, -2, 4e10], 'column-major');
    assert.is(z.matClass, 'int16'); assert.equal([...z.real], [-3, 7, 9]); assert.equal(z.dims, [1, 3]);
    assert.equal([...c.real], [1, 3]); assert.equal([...c.imag!], [2, -4]);
  });
}

t("the CSR dictionary dict.mat: single 8×8×32, scipy's values", async () => {
  const f = await upstreamFile(CSR_DICTIONARY, 'classic-collection');
  if (!f) return;
  const D = readMatVariable(f, 'D');
  assert.is(D.matClass, 'single'); assert.equal(D.dims, [8, 8, 32]);
  let sum = 0; for (const v of D.real) sum += v;
  assert.ok(Math.abs(sum - -3.96288539213856) < 1e-12, `Σ ${sum}`);
  assert.is(D.real[0], Math.fround(-0.00020790854));
  assert.is(D.real[3 + 8 * (5 + 8 * 17)], Math.fround(-0.16351241));
  for (let m = 0; m < 32; m++) {
    let n = 0; for (let i = 0; i < 64; i++) n += D.real[64 * m + i] ** 2;
    assert.ok(Math.abs(Math.sqrt(n) - 1) < 1e-6, `filter ${m}: norm ${Math.sqrt(n)}`);
  }
});

t('bad input: not a MAT-file, truncated, missing variable — one line naming the file', () => {
  assert.throws(() => parseMat(new Uint8Array(10), 'a.mat'), (e: Error) => e instanceof MatFileError && /a\.mat: 10 bytes/.test(e.message));
  const head = new Uint8Array(128); head.set(new TextEncoder().encode('not a mat'));
  assert.throws(() => parseMat(head, 'b.mat'), (e: Error) => /b\.mat: not a MATLAB Level 5/.test(e.message));
  const v6 = fs.readFileSync(path.join(here, 'fixtures/tiny_v6.mat'));
  assert.throws(() => parseMat(v6.subarray(0, 200), 'c.mat'), (e: Error) => e instanceof MatFileError && /c\.mat: element at byte 128 claims/.test(e.message));
  assert.throws(() => readMatVariable(path.join(here, 'fixtures/tiny_v6.mat'), 'D'), (e: Error) => /no variable 'D' \(has: x, y, z, c\)/.test(e.message));
});

t.run();
