import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { main } from '../../lib/cli/main.js';
import { writeGreyPng, readGrey, readGrey8, unitToU8 } from '../../lib/io/image.js';
import { fuse } from '../../lib/model/auif.js';
import { loadWeights } from '../../lib/model/checkpoint.js';
import { disposeParams } from '../../lib/model/params.js';
import { datasetPairs } from '../../lib/data/datasets.js';
import { projectRoot, upstreamGroup } from '../helpers/upstream.js';
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
  // (pixel-for-pixel agreement with fuse() on real images: the tests below)
  assert.equal(fs.readdirSync(path.dirname(out)), ['F.png'], 'only the final file, no temporary');
});

t('refuses to overwrite an input', async () => {
  const ir = path.join(tmp, 'ir.png');
  const before = fs.readFileSync(ir);
  assert.is(await main(['fuse', '--ir', ir, '--vis', path.join(tmp, 'vis.png'), '--out', ir]), 2);
  assert.match(errors.join('\n'), /is the --ir input; refusing to overwrite an input/);
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
  assert.is(await main(['fuse', '--ir', 'a', '--vis', 'b', '--out', 'c.png', '--mode', 'max']), 2);
  assert.match(errors.join('\n'), /mode must be one of sum, average, l1, got 'max'/);
  assert.is(await main(['fuse', '--method', 'nosuch', '--ir', 'a', '--vis', 'b', '--out', 'c.png']), 2);
  assert.match(errors.join('\n'), /--method must be one of auif.*got 'nosuch'/);
  assert.is(await main(['fuse', '--ir', 'a', '--vis', 'b', '--out', 'c.png', '--option', 'oops']), 2);
  assert.match(errors.join('\n'), /--option must be KEY=VALUE, got 'oops'/);
  assert.is(await main(['fuse', '--dataset', 'kaist', '--out', 'x']), 2);
  assert.is(await main(['frobnicate']), 2);
  assert.is(await main(['fuse', '--bogus']), 2);
});
// ---- end to end against fuse() and the authors' images ----------------------------------------
/** A 96×80 crop of a staged TNO pair written as PNG (fast, but real image content). */
async function tnoCrop(i: number): Promise<{ ir: string; vis: string } | null> {
  if (!(await upstreamGroup('tno'))) return null;
  const pairs = await datasetPairs('tno', { quiet: true });
  const out = { ir: path.join(tmp, `tno${i}-ir.png`), vis: path.join(tmp, `tno${i}-vis.png`) };
  for (const k of ['ir', 'vis'] as const) {
    const g = await readGrey(pairs[i - 1][k]);
    const data = new Float32Array(96 * 80);
    for (let y = 0; y < 80; y++) for (let x = 0; x < 96; x++) data[y * 96 + x] = g.data[(y + 200) * g.width + x + 300];
    await writeGreyPng(out[k], { width: 96, height: 80, data });
  }
  return out;
}

const u8 = async (f: string) => (await readGrey8(f)).data;
const sameU8 = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((v, i) => v === b[i]);

for (const mode of ['sum', 'average', 'l1'] as const) {
  t(`--mode ${mode}: the CLI's PNG equals fuse() of the same images, pixel for pixel`, async () => {
    if (!(await upstreamGroup('models'))) return;
    const c = await tnoCrop(1);
    if (!c) return;
    const out = path.join(tmp, `cli-${mode}.png`);
    assert.is(await main(['fuse', '--ir', c.ir, '--vis', c.vis, '--out', out, '--mode', mode]), 0, errors.join('\n'));
    const params = await loadWeights();
    const F = await fuse(await readGrey(c.ir), await readGrey(c.vis), params, mode);
    disposeParams(params);
    assert.ok(sameU8(await u8(out), unitToU8(F.data)), `${mode}: CLI output differs from fuse()`);
  });
}

t('the three modes give three different images (the option reaches the model)', async () => {
  const imgs = await Promise.all(['sum', 'average', 'l1'].map((m) => fs.existsSync(path.join(tmp, `cli-${m}.png`)) ? u8(path.join(tmp, `cli-${m}.png`)) : null));
  if (imgs.some((x) => x === null)) return; // the mode tests above skipped (loudly)
  assert.not.ok(sameU8(imgs[0]!, imgs[1]!));
  assert.not.ok(sameU8(imgs[0]!, imgs[2]!));
  assert.not.ok(sameU8(imgs[1]!, imgs[2]!));
});

t("--weights models/auif_retrained.safetensors: equals fuse() with those weights, and differs from the authors' weights", async () => {
  if (!(await upstreamGroup('models'))) return;
  const c = await tnoCrop(1);
  if (!c) return;
  const w = path.join(projectRoot, 'models', 'auif_retrained.safetensors');
  const out = path.join(tmp, 'cli-retrained.png');
  assert.is(await main(['fuse', '--ir', c.ir, '--vis', c.vis, '--out', out, '--weights', w]), 0, errors.join('\n'));
  const params = await loadWeights(w);
  const F = await fuse(await readGrey(c.ir), await readGrey(c.vis), params, 'sum');
  disposeParams(params);
  const got = await u8(out);
  assert.ok(sameU8(got, unitToU8(F.data)), 'CLI output differs from fuse() with the retrained weights');
  const authors = path.join(tmp, 'cli-sum.png');
  if (fs.existsSync(authors)) assert.not.ok(sameU8(got, await u8(authors)), 'the weights file was ignored');
});

t("--dataset tno: 40 PNGs, each within 1 grey level of the authors' published image (≤ 0.1 % of pixels differ), F1 = fuse() exactly", async () => {
  if (!(await upstreamGroup('tno')) || !(await upstreamGroup('results-tno')) || !(await upstreamGroup('models'))) return;
  const out = path.join(tmp, 'tno-out');
  assert.is(await main(['fuse', '--dataset', 'tno', '--out', out]), 0, errors.join('\n'));
  const pairs = await datasetPairs('tno', { withAuthors: true, quiet: true });
  assert.equal(fs.readdirSync(out).sort(), pairs.map((p) => `F${p.index}.png`).sort());
  let differ = 0, total = 0;
  for (const p of pairs) {
    const [ours, theirs] = [await readGrey8(path.join(out, `F${p.index}.png`)), await readGrey8(p.authors!)];
    assert.equal([ours.width, ours.height], [theirs.width, theirs.height], `F${p.index}`);
    for (let i = 0; i < ours.data.length; i++) {
      const d = Math.abs(ours.data[i] - theirs.data[i]);
      assert.ok(d <= 1, `F${p.index} pixel ${i}: ${ours.data[i]} vs ${theirs.data[i]}`);
      differ += d ? 1 : 0;
    }
    total += ours.data.length;
  }
  assert.ok(differ / total <= 1e-3, `${differ} of ${total} pixels differ`);
  const params = await loadWeights();
  const F1 = await fuse(await readGrey(pairs[0].ir), await readGrey(pairs[0].vis), params, 'sum');
  disposeParams(params);
  assert.ok(sameU8(await u8(path.join(out, 'F1.png')), unitToU8(F1.data)));
});

t('error paths through the CLI: one line naming the file or option, exit 1 (bad input) or 2 (usage), nothing written', async () => {
  const out = path.join(tmp, 'err', 'F.png');
  const run = async (args: string[], code: number, re: RegExp) => {
    errors = [];
    assert.is(await main(['fuse', ...args]), code, `${args.join(' ')}: ${errors.join('\n')}`);
    const msg = errors.join('\n');
    assert.match(msg, re);
    assert.not.match(msg, /\n\s+at /, `no stack trace: ${msg}`);
    assert.not.ok(fs.existsSync(out), 'nothing written');
  };
  const ir = path.join(tmp, 'ir.png'), vis = path.join(tmp, 'vis.png');
  await run(['--ir', path.join(tmp, 'nope.png'), '--vis', vis, '--out', out], 1, /nope\.png/);
  fs.writeFileSync(path.join(tmp, 'garbage.png'), 'not an image');
  await run(['--ir', ir, '--vis', path.join(tmp, 'garbage.png'), '--out', out], 1, /garbage\.png/);
  await run(['--ir', ir, '--vis', vis, '--out', out, '--weights', path.join(tmp, 'no-weights.safetensors')], 1, /weights not found: .*no-weights\.safetensors/);
  fs.writeFileSync(path.join(tmp, 'bad.safetensors'), Buffer.alloc(20, 0xff));
  await run(['--ir', ir, '--vis', vis, '--out', out, '--weights', path.join(tmp, 'bad.safetensors')], 1, /bad\.safetensors/);
  await run(['--ir', ir, '--vis', vis, '--out', out, '--weights', path.join(projectRoot, 'datasets/reference/torch_save/state_dict_zip.pth')], 1, /state_dict_zip\.pth.*not an AUIF checkpoint|not an AUIF checkpoint.*/);
  await writeGreyPng(path.join(tmp, 'tiny-ir.png'), img(3, 3, () => 0.2));
  await writeGreyPng(path.join(tmp, 'tiny-vis.png'), img(3, 3, () => 0.7));
  await run(['--ir', path.join(tmp, 'tiny-ir.png'), '--vis', path.join(tmp, 'tiny-vis.png'), '--out', out], 1, /tiny-ir\.png is 3×3; .* needs at least/);
  await run(['--ir', ir, '--out', out], 2, /--ir and --vis are required/);
  await run(['--ir', ir, '--vis', vis], 2, /--out is required/);
  await run(['--dataset', 'tno', '--ir', ir, '--vis', vis, '--out', out], 2, /either --dataset or --ir\/--vis, not both/);
  await run(['--dataset', 'kaist', '--out', out], 2, /--dataset must be one of tno, flir, nir, vifb, got 'kaist'/);
  await run(['--ir', ir, '--vis', vis, '--out', out, '--mode', 'max'], 2, /mode must be one of sum, average, l1, got 'max'/);
});

t('--method adf|tif|csr|densefuse|deepfuse: the written PNG is the method\'s own result; a too-small pair is refused naming the file', async () => {
  const { getMethod } = await import('../../lib/methods/index.js');
  const [ir, vis] = [await readGrey(path.join(tmp, 'ir.png')), await readGrey(path.join(tmp, 'vis.png'))];
  await writeGreyPng(path.join(tmp, 'thin.png'), img(1, 30, () => 0.5));
  for (const m of ['adf', 'tif', 'csr', 'densefuse', 'deepfuse']) {
    if (m === 'csr' && !(await upstreamGroup('csr-data'))) continue;
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
