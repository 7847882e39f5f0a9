import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { main } from '../../lib/cli/main.js';
import { writeGreyPng, readGrey } from '../../lib/io/image.js';
import { upstreamGroup } from '../helpers/upstream.js';
import { useBackend } from '../helpers/fixture.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'auif-cli-'));
const t = suite('cli/fuse');
const img = (w: number, h: number, f: (i: number) => number) => ({ width: w, height: h, data: Float32Array.from({ length: w * h }, (_, i) => f(i)) });
let errors: string[] = [];
const origError = console.error;
t.before(async () => {
  await useBackend('wasm');
  await writeGreyPng(path.join(tmp, 'ir.png'), img(40, 30, (i) => (i % 40) / 40));
  await writeGreyPng(path.join(tmp, 'vis.png'), img(40, 30, (i) => Math.floor(i / 40) / 30));
  await writeGreyPng(path.join(tmp, 'small.png'), img(40, 31, () => 0.5));
});
t.before.each(() => { errors = []; console.error = (...a: unknown[]) => { errors.push(a.join(' ')); }; });
t.after.each(() => { console.error = origError; });
t.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

t('fuses a pair into an 8-bit PNG of the same size', async () => {
  if (!(await upstreamGroup('models'))) return;
  const out = path.join(tmp, 'out', 'F.png');
  assert.is(await main(['fuse', '--ir', path.join(tmp, 'ir.png'), '--vis', path.join(tmp, 'vis.png'), '--out', out]), 0, errors.join('\n'));
  const F = await readGrey(out);
  assert.equal([F.width, F.height], [40, 30]);
  assert.equal(fs.readdirSync(path.dirname(out)), ['F.png'], 'only the final file, no temporary');
});

t('refuses to overwrite an input', async () => {
  const ir = path.join(tmp, 'ir.png');
  const before = fs.readFileSync(ir);
  assert.is(await main(['fuse', '--ir', ir, '--vis', path.join(tmp, 'vis.png'), '--out', ir]), 2);
  assert.match(errors.join('\n'), /input image; refusing to overwrite/);
  assert.equal(fs.readFileSync(ir), before);
});

t('size mismatch names both files and sizes; no output written', async () => {
  const out = path.join(tmp, 'mismatch.png');
  assert.is(await main(['fuse', '--ir', path.join(tmp, 'ir.png'), '--vis', path.join(tmp, 'small.png'), '--out', out]), 1);
  assert.match(errors.join('\n'), /40×30/);
  assert.match(errors.join('\n'), /40×31/);
  assert.match(errors.join('\n'), /small\.png/);
  assert.not.ok(fs.existsSync(out));
});

t('usage errors exit 2 with a message', async () => {
  assert.is(await main(['fuse', '--ir', 'a', '--vis', 'b', '--out', 'c', '--mode', 'max']), 2);
  assert.match(errors.join('\n'), /mode must be one of sum, average, l1, got 'max'/);
  assert.is(await main(['fuse', '--method', 'nosuch', '--ir', 'a', '--vis', 'b', '--out', 'c']), 2);
  assert.match(errors.join('\n'), /--method must be one of auif.*got 'nosuch'/);
  assert.is(await main(['fuse', '--ir', 'a', '--vis', 'b', '--out', 'c', '--option', 'oops']), 2);
  assert.match(errors.join('\n'), /--option must be KEY=VALUE, got 'oops'/);
  assert.is(await main(['fuse', '--dataset', 'kaist', '--out', 'x']), 2);
  assert.is(await main(['frobnicate']), 2);
  assert.is(await main(['fuse', '--bogus']), 2);
});
t('--method adf|tif|densefuse|deepfuse: the written PNG is the method\'s own result; a too-small pair is refused naming the file', async () => {
  const { getMethod } = await import('../../lib/methods/index.js');
  const [ir, vis] = [await readGrey(path.join(tmp, 'ir.png')), await readGrey(path.join(tmp, 'vis.png'))];
  await writeGreyPng(path.join(tmp, 'thin.png'), img(1, 30, () => 0.5));
  for (const m of ['adf', 'tif', 'densefuse', 'deepfuse']) {
    if (m === 'densefuse' && !(await upstreamGroup('densefuse-tf-model'))) continue;
    if (m === 'deepfuse' && !(await upstreamGroup('deepfuse-huili-model'))) continue;
    const out = path.join(tmp, `F_${m}.png`);
    assert.is(await main(['fuse', '--method', m, '--ir', path.join(tmp, 'ir.png'), '--vis', path.join(tmp, 'vis.png'), '--out', out]), 0, errors.join('\n'));
    const fuser = await getMethod(m).load();
    const { F } = await fuser.fuse(ir, vis);
    fuser.dispose();
    const got = await readGrey(out);
    assert.ok(got.data.every((v, i) => v === Math.fround(Math.round(F.data[i] * 255) / 255)), `${m}: file = fuse()`);
    errors = [];
    assert.is(await main(['fuse', '--method', m, '--ir', path.join(tmp, 'thin.png'), '--vis', path.join(tmp, 'thin.png'), '--out', path.join(tmp, 'no.png')]), 1);
    assert.match(errors.join('\n'), /thin\.png is 1×30; .* needs at least/);
    assert.not.ok(fs.existsSync(path.join(tmp, 'no.png')));
  }
});

t.run();
