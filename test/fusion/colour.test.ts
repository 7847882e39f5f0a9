/**
 * Colour fusion (lib/fusion/colour.ts), through the CLI as a user runs it and through the typed
 * API. Acceptance of issue 11: a colour VIFB pair fused by AUIF gives an RGB PNG whose Cb/Cr equal
 * the visible image's and whose Y equals the grey fusion of (IR, Y), each within ±1 level after
 * PIL's RGB round trip; a grey TNO pair gives a one-channel PNG with the pixels of the grey path
 * (readGrey → fuse → writeGreyPng, today's output) exactly.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { main } from '../../lib/cli/main.js';
import { fuseColour } from '../../lib/fusion/colour.js';
import { readImage8 } from '../../lib/io/colour_image.js';
import { readGrey, readGrey8, unitToU8, u8ToUnit, type GreyImage } from '../../lib/io/image.js';
import { rgbToYCbCr } from '../../lib/io/ycbcr.js';
import { getMethod, type Fuser } from '../../lib/methods/index.js';
import { stagedPath } from '../../lib/data/stage.js';
import { upstreamFile, upstreamGroup } from '../helpers/upstream.js';
import { useBackend } from '../helpers/fixture.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'auif-colour-'));
const t = suite('fusion/colour');
let errors: string[] = [];
const origError = console.error;
t.before(async () => { await useBackend('wasm'); });
t.before.each(() => { errors = []; console.error = (...a: unknown[]) => { errors.push(a.join(' ')); }; });
t.after.each(() => { console.error = origError; });
t.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A tiny deterministic method: F = (IR + VIS)/2, so expected values are known without weights. */
const meanFuser: Fuser = {
  info: { name: 'mean', title: 'Mean', citation: '-', family: 'classic', parameters: 0, minSide: 1, defaults: {} },
  async fuse(ir: GreyImage, vis: GreyImage) {
    return { F: { width: ir.width, height: ir.height, data: ir.data.map((v, i) => (v + vis.data[i]) / 2) } };
  },
  dispose() {},
};

/** Pixels of a PNG as written: the channel count from its header (sharp's raw output would expand grey to 3 bands). */
async function raw(file: string) {
  const channels = (await sharp(file).metadata()).channels!;
  const s = sharp(file);
  if (channels === 1) s.extractChannel(0);
  const { data, info } = await s.raw().toBuffer({ resolveWithObject: true });
  assert.is(info.channels, channels);
  return { data: new Uint8Array(data), channels, width: info.width, height: info.height };
}

/** True where PIL's YCbCr → RGB did not clamp (every channel strictly inside 0..255). */
const unclamped = (rgb: Uint8Array, i: number) => Math.min(rgb[3 * i], rgb[3 * i + 1], rgb[3 * i + 2]) > 0 && Math.max(rgb[3 * i], rgb[3 * i + 1], rgb[3 * i + 2]) < 255;

t('typed API: colour visible → RGB whose Y is the method\'s fusion of (IR, Y) and whose Cb/Cr are the visible ones (±1)', async () => {
  const w = 16, h = 12;
  const vis = { width: w, height: h, channels: 3 as const, data: Uint8Array.from({ length: 3 * w * h }, (_, i) => (i * 37 + (i % 3) * 50) % 256) };
  const ir = { width: w, height: h, channels: 1 as const, data: Uint8Array.from({ length: w * h }, (_, i) => (i * 11) % 256) };
  const r = await fuseColour(meanFuser, ir, vis);
  assert.ok(r.colour);
  assert.is(r.F.channels, 3);
  const src = rgbToYCbCr(w, h, vis.data);
  const back = rgbToYCbCr(w, h, r.F.data);
  const yWant = unitToU8((await meanFuser.fuse({ width: w, height: h, data: u8ToUnit(ir.data) }, { width: w, height: h, data: u8ToUnit(src.Y) })).F.data);
  let inside = 0;
  for (let i = 0; i < w * h; i++) {
    if (!unclamped(r.F.data, i)) continue; // out of the RGB cube: PIL clamps, Y and chroma move
    inside++;
    assert.ok(Math.abs(back.Y[i] - yWant[i]) <= 1, `Y at ${i}: ${back.Y[i]} vs ${yWant[i]}`);
    assert.ok(Math.abs(back.Cb[i] - src.Cb[i]) <= 1 && Math.abs(back.Cr[i] - src.Cr[i]) <= 1, `Cb/Cr at ${i}`);
  }
  assert.ok(inside > (w * h) / 3, `${inside} unclamped pixels`);
});

t('typed API: grey visible → one channel, the grey path\'s pixels; colour IR is reduced to luma and flagged', async () => {
  const w = 8, h = 8;
  const visGreyRgb = { width: w, height: h, channels: 3 as const, data: Uint8Array.from({ length: 3 * w * h }, (_, i) => Math.floor(i / 3) * 4) };
  const irColour = { width: w, height: h, channels: 3 as const, data: Uint8Array.from({ length: 3 * w * h }, (_, i) => (i * 29) % 256) };
  const r = await fuseColour(meanFuser, irColour, visGreyRgb);
  assert.not.ok(r.colour);
  assert.ok(r.irReducedToLuma);
  assert.is(r.F.channels, 1);
  const grey = await fuseColour(meanFuser, irColour, visGreyRgb, { colour: 'grey' });
  assert.equal([...r.F.data], [...grey.F.data]);
  let msg = '';
  try { await fuseColour(meanFuser, irColour, { ...visGreyRgb, width: 4, height: 16 }, { names: { ir: 'a.png', vis: 'b.png' } }); } catch (e) { msg = (e as Error).message; }
  assert.match(msg, /IR and VIS sizes differ: a\.png is 8×8, b\.png is 4×16/);
});

t('CLI: a colour VIFB pair fused by AUIF → RGB PNG; Cb/Cr = visible ±1; Y = grey AUIF fusion of (IR, Y) ±1', async () => {
  if (!(await upstreamGroup('vifb')) || !(await upstreamGroup('models'))) return;
  const ir = stagedPath('input/IR/carShadow.jpg', 'vifb');
  const vis = stagedPath('input/VI/carShadow.jpg', 'vifb');
  const out = path.join(tmp, 'carShadow.png');
  assert.is(await main(['fuse', '--ir', ir, '--vis', vis, '--out', out]), 0, errors.join('\n'));
  const F = await raw(out);
  assert.is(F.channels, 3, 'RGB PNG');
  const V = await readImage8(vis);
  const src = rgbToYCbCr(V.width, V.height, V.data);
  const got = rgbToYCbCr(F.width, F.height, F.data);
  // the grey fusion of (IR, Y), as the method sees it
  const fuser = await getMethod('auif').load();
  const irG = await readGrey(ir);
  const Yg = unitToU8((await fuser.fuse(irG, { width: V.width, height: V.height, data: u8ToUnit(src.Y) })).F.data);
  fuser.dispose();
  // where PIL's YCbCr → RGB clamps to 0..255 (fused luma with the visible chroma outside the RGB
  // cube) neither Y nor chroma can survive the round trip; everywhere else both must, ±1
  let dY = 0, dC = 0, clamped = 0;
  for (let i = 0; i < Yg.length; i++) {
    if (!unclamped(F.data, i)) { clamped++; continue; }
    dY = Math.max(dY, Math.abs(got.Y[i] - Yg[i]));
    dC = Math.max(dC, Math.abs(got.Cb[i] - src.Cb[i]), Math.abs(got.Cr[i] - src.Cr[i]));
  }
  console.log(`\n  carShadow: ${clamped} of ${Yg.length} pixels (${(100 * clamped / Yg.length).toFixed(2)} %) clamped by YCbCr → RGB; elsewhere max |ΔY| ${dY}, max |ΔCb|,|ΔCr| ${dC}`);
  assert.ok(clamped < Yg.length / 20, `${clamped} clamped`); // measured 2.42 % (saturated red cars made brighter by the IR)
  assert.ok(dY <= 1, `Y max |Δ| ${dY}`);
  assert.ok(dC <= 1, `Cb/Cr max |Δ| ${dC}`);
});

t('CLI: a grey TNO pair → one-channel PNG, pixels unchanged from the grey path', async () => {
  const ir = await upstreamFile('Datasets/Test_data_TNO/IR1.bmp');
  const vis = await upstreamFile('Datasets/Test_data_TNO/VIS1.bmp');
  if (!ir || !vis || !(await upstreamGroup('models'))) return;
  const out = path.join(tmp, 'F1.png');
  assert.is(await main(['fuse', '--ir', ir, '--vis', vis, '--out', out]), 0, errors.join('\n'));
  const F = await raw(out);
  assert.is(F.channels, 1, 'one-channel PNG');
  const meta = await sharp(out).metadata();
  assert.is(meta.depth, 'uchar');
  const fuser = await getMethod('auif').load();
  const want = unitToU8((await fuser.fuse(await readGrey(ir), await readGrey(vis))).F.data);
  fuser.dispose();
  assert.ok(Buffer.from(F.data).equals(Buffer.from(want)), 'same pixels as readGrey → fuse → writeGreyPng');
  assert.equal((await readGrey8(out)).data.length, want.length);
});

t('CLI: --colour grey gives the luma-only result; --colour bad is a usage error', async () => {
  if (!(await upstreamGroup('vifb')) || !(await upstreamGroup('models'))) return;
  const ir = stagedPath('input/IR/fight.jpg', 'vifb');
  const vis = stagedPath('input/VI/fight.jpg', 'vifb');
  const out = path.join(tmp, 'fight_grey.png');
  assert.is(await main(['fuse', '--ir', ir, '--vis', vis, '--out', out, '--colour', 'grey']), 0, errors.join('\n'));
  assert.is((await raw(out)).channels, 1);
  assert.is(await main(['fuse', '--ir', ir, '--vis', vis, '--out', path.join(tmp, 'x.png'), '--colour', 'rgb']), 2);
  assert.match(errors.join('\n'), /--colour must be one of auto, grey/);
});

t('CLI: a colour infrared image is reduced to luma, and the CLI says so once', async () => {
  if (!(await upstreamGroup('vifb')) || !(await upstreamGroup('models'))) return;
  const colourIr = stagedPath('input/VI/fight.jpg', 'vifb'); // a colour image given as the infrared one
  const vis = stagedPath('input/VI/fight.jpg', 'vifb');
  const notes: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array) => { notes.push(String(chunk)); return true; }) as typeof process.stderr.write;
  let code: number;
  try {
    code = await main(['fuse', '--ir', colourIr, '--vis', vis, '--out', path.join(tmp, 'colour-ir.png')]);
  } finally {
    process.stderr.write = write;
  }
  assert.is(code, 0, errors.join('\n'));
  const said = notes.filter((n) => /infrared image .*fight\.jpg is colour; it is reduced to luma/.test(n));
  assert.is(said.length, 1, notes.join(''));
});

/** Bad input: one line naming the file and the fault, non-zero exit, nothing written. */
t('CLI bad input: sizes differ, alpha, 16-bit, CMYK JPEG', async () => {
  const mk = async (name: string, s: sharp.Sharp) => { const f = path.join(tmp, name); await s.toFile(f); return f; };
  const grey = (w: number, h: number) => sharp(Buffer.alloc(w * h, 90), { raw: { width: w, height: h, channels: 1 } });
  const ir = await mk('ir.png', grey(32, 24).png());
  const small = await mk('small.png', grey(32, 20).png());
  const alpha = await mk('alpha.png', sharp(Buffer.alloc(32 * 24 * 4, 200), { raw: { width: 32, height: 24, channels: 4 } }).png());
  const deep = await mk('deep.png', grey(32, 24).png().toColourspace('grey16'));
  const cmyk = await mk('cmyk.jpg', sharp(Buffer.alloc(32 * 24 * 3, 120), { raw: { width: 32, height: 24, channels: 3 } }).toColourspace('cmyk').jpeg());
  assert.is((await sharp(deep).metadata()).depth, 'ushort', 'fixture is 16-bit');
  assert.is((await sharp(cmyk).metadata()).space, 'cmyk', 'fixture is CMYK');
  const cases: [string, RegExp][] = [[small, /sizes differ: .*ir\.png is 32×24, .*small\.png is 32×20/], [alpha, /alpha\.png: PNG with an alpha channel/],
    [deep, /deep\.png: 16-bit PNG/], [cmyk, /cmyk\.jpg: JPEG in CMYK/]];
  for (const [vis, re] of cases) {
    errors = [];
    const out = path.join(tmp, 'bad', 'F.png');
    const code = await main(['fuse', '--ir', ir, '--vis', vis, '--out', out]);
    assert.ok(code !== 0, `${vis}: exit ${code}`);
    assert.is(errors.length, 1, errors.join('\n'));
    assert.match(errors[0], re);
    assert.not.match(errors[0], /\n\s+at /, 'no stack trace');
    assert.not.ok(fs.existsSync(path.dirname(out)), 'nothing written');
  }
});

t.run();
