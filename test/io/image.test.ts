import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { luma601, rintHalfEven, unitToU8, u8ToUnit, readGrey8, readGrey, writeGreyPng, jpegRoundTrip, ImageError } from '../../lib/io/image.js';
import { decodeBmp, BmpError } from '../../lib/io/bmp.js';
import { upstreamFile } from '../helpers/upstream.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'auif-image-'));

/** A BITMAPINFOHEADER BMP, bottom-up unless topDown, rows padded to 4 bytes. */
function makeBmp(width: number, height: number, bpp: 8 | 24, pixels: (x: number, y: number) => number[], palette?: number[][], topDown = false): Uint8Array {
  const stride = Math.ceil((width * bpp) / 32) * 4;
  const palBytes = bpp === 8 ? 4 * palette!.length : 0;
  const off = 54 + palBytes;
  const buf = Buffer.alloc(off + stride * height);
  buf.write('BM', 0, 'latin1');
  buf.writeUInt32LE(buf.length, 2);
  buf.writeUInt32LE(off, 10);
  buf.writeUInt32LE(40, 14);
  buf.writeInt32LE(width, 18);
  buf.writeInt32LE(topDown ? -height : height, 22);
  buf.writeUInt16LE(1, 26);
  buf.writeUInt16LE(bpp, 28);
  buf.writeUInt32LE(bpp === 8 ? palette!.length : 0, 46);
  palette?.forEach(([r, g, b], i) => { buf[54 + 4 * i] = b; buf[55 + 4 * i] = g; buf[56 + 4 * i] = r; });
  for (let y = 0; y < height; y++) {
    const row = off + (topDown ? y : height - 1 - y) * stride;
    for (let x = 0; x < width; x++) {
      const v = pixels(x, y);
      if (bpp === 8) buf[row + x] = v[0];
      else { buf[row + 3 * x] = v[2]; buf[row + 3 * x + 1] = v[1]; buf[row + 3 * x + 2] = v[0]; }
    }
  }
  return buf;
}

const t = suite('io/image');

t('luma601 is PIL convert("L"): (19595 R + 38470 G + 7471 B + 2^15) >> 16', () => {
  assert.is(luma601(255, 0, 0), 76);
  assert.is(luma601(0, 255, 0), 150);
  assert.is(luma601(0, 0, 255), 29);
  assert.is(luma601(255, 255, 255), 255);
  assert.is(luma601(10, 20, 30), 18); // 0.299·10 + 0.587·20 + 0.114·30 = 18.15
});

t('luma601 of a grey pixel (g, g, g) is g for every g (19595 + 38470 + 7471 = 2^16): grey read through the RGB path is unchanged', () => {
  for (let g = 0; g < 256; g++) assert.is(luma601(g, g, g), g);
});

t('rint rounds half to even (numpy rint)', () => {
  assert.equal([0.5, 1.5, 2.5, 3.5, -0.5, -1.5, 2.4999, 2.5001].map(rintHalfEven).map((v) => v + 0), [0, 2, 2, 4, 0, -2, 2, 3]);
});

t('unitToU8 = clip(rint(255·x)); u8ToUnit = float32(v)/255 inverts it', () => {
  assert.equal([...unitToU8(Float32Array.of(-0.1, 0, 0.5 / 255, 1.5 / 255, 0.5, 1, 1.2))], [0, 0, 0, 2, 128, 255, 255]);
  const all = Uint8Array.from({ length: 256 }, (_, i) => i);
  assert.equal([...unitToU8(u8ToUnit(all))], [...all]);
  assert.is(u8ToUnit(Uint8Array.of(1))[0], Math.fround(1 / 255));
  assert.throws(() => unitToU8(Float32Array.of(NaN)), /NaN/);
});

t('BMP 8-bit palettised, bottom-up, padded rows: palette → luminance', () => {
  const pal = [[0, 0, 0], [255, 0, 0], [10, 20, 30], [200, 200, 200]];
  const bmp = makeBmp(3, 2, 8, (x, y) => [(x + 2 * y) % 4], pal);
  const img = decodeBmp(bmp);
  assert.is(img.width, 3); assert.is(img.height, 2);
  assert.equal([...img.rgb.subarray(0, 9)], [0, 0, 0, 255, 0, 0, 10, 20, 30]); // top row y = 0
  const file = path.join(tmp, 'p8.bmp');
  fs.writeFileSync(file, bmp);
  return readGrey8(file).then((g) => assert.equal([...g.data], [0, 76, 18, 18, 200, 0]));
});

t('BMP 24-bit top-down', async () => {
  const file = path.join(tmp, 'rgb24.bmp');
  fs.writeFileSync(file, makeBmp(2, 2, 24, (x, y) => [x * 100, y * 100, 50], undefined, true));
  const g = await readGrey8(file);
  assert.equal([...g.data], [luma601(0, 0, 50), luma601(100, 0, 50), luma601(0, 100, 50), luma601(100, 100, 50)]);
});

t('truncated BMP → error naming the file and the sizes', async () => {
  const file = path.join(tmp, 'trunc.bmp');
  fs.writeFileSync(file, makeBmp(8, 8, 8, () => [1], [[0, 0, 0], [1, 1, 1]]).subarray(0, 80));
  await readGrey8(file).then(() => assert.unreachable(), (e: Error) => {
    assert.instance(e, ImageError);
    assert.match(e.message, file);
    assert.match(e.message, /truncated/);
  });
  assert.throws(() => decodeBmp(new Uint8Array(10), 'x.bmp'), (e: Error) => e instanceof BmpError && /x\.bmp/.test(e.message));
});

t('missing and corrupt files → ImageError naming the file', async () => {
  const missing = path.join(tmp, 'nope.png');
  await readGrey8(missing).then(() => assert.unreachable(), (e: Error) => { assert.instance(e, ImageError); assert.match(e.message, missing); });
  const corrupt = path.join(tmp, 'corrupt.png');
  fs.writeFileSync(corrupt, Buffer.from('\x89PNG\r\n\x1a\nnot really a png'));
  await readGrey8(corrupt).then(() => assert.unreachable(), (e: Error) => { assert.instance(e, ImageError); assert.match(e.message, corrupt); });
});

t('RGB PNG → PIL luminance; grey PNG round trip through writeGreyPng', async () => {
  const rgb = path.join(tmp, 'rgb.png');
  await sharp(Buffer.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30]), { raw: { width: 2, height: 2, channels: 3 } }).png().toFile(rgb);
  assert.equal([...(await readGrey8(rgb)).data], [76, 150, 29, 18]);
  const out = path.join(tmp, 'grey.png');
  const data = Float32Array.from({ length: 12 * 10 }, (_, i) => (i % 256) / 255);
  await writeGreyPng(out, { width: 12, height: 10, data });
  const back = await readGrey(out);
  assert.equal([back.width, back.height], [12, 10]);
  assert.equal([...back.data], [...data]);
  assert.equal(fs.readdirSync(tmp).filter((f) => f.includes('.tmp')), [], 'no temporary file left');
});

t('grey and opaque grey+alpha PNGs read their grey plane as is (a transparent one refused) (no luma of neighbouring bytes); RGB through luma; a "B…" file that is not BMP goes to sharp', async () => {
  const w = 7, h = 3;
  const grey = Buffer.from(Array.from({ length: w * h }, (_, i) => (i * 97 + (i % 2) * 200) & 255));
  const f1 = path.join(tmp, 'grey1.png');
  // toColourspace('b-w'): a real one-channel PNG (colour type 0); without it sharp writes RGB.
  await sharp(grey, { raw: { width: w, height: h, channels: 1 } }).toColourspace('b-w').png().toFile(f1);
  assert.is((await sharp(f1).metadata()).channels, 1);
  assert.equal(Array.from((await readGrey8(f1)).data), Array.from(grey));
  const ga = Buffer.alloc(w * h * 2);
  for (let i = 0; i < w * h; i++) { ga[2 * i] = grey[i]; ga[2 * i + 1] = 255 - (i * 13 & 127); }
  const f2 = path.join(tmp, 'grey-alpha.png');
  await sharp(ga, { raw: { width: w, height: h, channels: 2 } }).toColourspace('b-w').png().toFile(f2);
  assert.is((await sharp(f2).metadata()).channels, 2);
  // transparency is refused, naming the first pixel that is not opaque (i = 1: alpha 255 − 13)…
  await readGrey8(f2).then(() => assert.unreachable(), (e: Error) => assert.match(e.message, /grey-alpha\.png: PNG with an alpha channel that is not opaque \(pixel \(1, 0\) has alpha 242\)/));
  // …an opaque alpha channel is dropped (nothing is lost) and the grey plane read as is
  for (let i = 0; i < w * h; i++) ga[2 * i + 1] = 255;
  await sharp(ga, { raw: { width: w, height: h, channels: 2 } }).toColourspace('b-w').png().toFile(f2);
  assert.is((await sharp(f2).metadata()).channels, 2);
  const back = await readGrey8(f2);
  assert.equal([back.width, back.height], [w, h]);
  assert.equal(Array.from(back.data), Array.from(grey));
  const rgb = Buffer.from(Array.from({ length: w * h * 3 }, (_, i) => (i * 53 + 7) & 255));
  const f3 = path.join(tmp, 'rgb-contrast.png');
  await sharp(rgb, { raw: { width: w, height: h, channels: 3 } }).png().toFile(f3);
  assert.equal(Array.from((await readGrey8(f3)).data), Array.from({ length: w * h }, (_, i) => luma601(rgb[3 * i], rgb[3 * i + 1], rgb[3 * i + 2])));
  const notBmp = path.join(tmp, 'B-not-bmp.png');
  fs.writeFileSync(notBmp, Buffer.concat([Buffer.from('BX'), Buffer.alloc(60)]));
  try { await readGrey8(notBmp); assert.unreachable(); } catch (e) { assert.instance(e, ImageError); assert.match((e as Error).message, /not a readable image/); }
  const oneByte = path.join(tmp, 'one.bin');
  fs.writeFileSync(oneByte, 'B');
  try { await readGrey8(oneByte); assert.unreachable(); } catch (e) { assert.match((e as Error).message, /one\.bin: not a readable image/); }
  try { await readGrey8(path.join(tmp, 'absent.png')); assert.unreachable(); } catch (e) { assert.match((e as Error).message, /cannot read image .*absent\.png: ENOENT/); }
});

t('unitToU8 at the clip points and u8ToUnit of every value', () => {
  assert.equal(Array.from(unitToU8(Float32Array.of(-0.5, -0.001, 0, 1, 1.001, 7))), [0, 0, 0, 255, 255, 255]);
  const all = Uint8Array.from({ length: 256 }, (_, i) => i);
  const x = u8ToUnit(all);
  assert.is(x.length, 256);
  assert.is(x[255], 1);
  assert.equal(Array.from(unitToU8(x)), Array.from(all));
});

t('failed write leaves no file under the final name', async () => {
  const out = path.join(tmp, 'no-such-dir', 'F.png');
  await writeGreyPng(out, { width: 2, height: 2, data: new Float32Array(4) }).then(() => assert.unreachable(), (e: Error) => assert.instance(e, ImageError));
  assert.not.ok(fs.existsSync(out));
  await writeGreyPng(path.join(tmp, 'bad.png'), { width: 3, height: 2, data: new Float32Array(4) }).then(() => assert.unreachable(), (e: Error) => assert.match(e.message, /4 values for a 3×2 image/));
});

t('TNO BMP (8-bit palettised, grey palette) decodes to its palette indices', async () => {
  const file = await upstreamFile('Datasets/Test_data_TNO/IR1.bmp');
  if (!file) return;
  const g = await readGrey8(file);
  assert.equal([g.width, g.height], [768, 576]);
  const raw = fs.readFileSync(file);
  const off = raw.readUInt32LE(10);
  // bottom-up: file row 0 is image row 575; the grey palette maps index i → (i, i, i)
  for (const x of [0, 100, 767]) assert.is(g.data[575 * 768 + x], raw[off + x]);
});

t('reader errors: the ImageError class and name, the errno code alone, a 2-byte "BM" file is a BMP, an "xM" file is not', async () => {
  const missing = path.join(tmp, 'gone.png');
  const e1 = await readGrey8(missing).then(() => undefined, (e: Error) => e);
  assert.instance(e1, ImageError);
  assert.is(e1!.name, 'ImageError');
  assert.is((e1 as ImageError).file, missing);
  assert.is(e1!.message, `cannot read image ${missing}: ENOENT`);
  const bm = path.join(tmp, 'two.bmp');
  fs.writeFileSync(bm, 'BM');
  const e2 = await readGrey8(bm).then(() => undefined, (e: Error) => e);
  assert.instance(e2, ImageError);
  assert.match(e2!.message, /not a readable BMP/, 'decoded as BMP, not by sharp');
  const xm = path.join(tmp, 'xm.bin');
  fs.writeFileSync(xm, Buffer.concat([Buffer.from('XM'), Buffer.alloc(60)]));
  const e3 = await readGrey8(xm).then(() => undefined, (e: Error) => e);
  assert.match(e3!.message, /xm\.bin: not a readable image/);
  assert.not.match(e3!.message, /BMP/);
});

t('write errors: ImageError "cannot write <file>: <cause>"', async () => {
  const out = path.join(tmp, 'missing-dir', 'G.png');
  const e = await writeGreyPng(out, { width: 1, height: 1, data: new Float32Array(1) }).then(() => undefined, (err: Error) => err);
  assert.instance(e, ImageError);
  assert.is((e as ImageError).file, out);
  assert.match(e!.message, new RegExp(`^cannot write ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: ENOENT`));
});

t('jpegRoundTrip: same size, 8-bit values; quality 100 within 2 levels of a smooth ramp, quality 75 changes a texture; bad quality refused', async () => {
  const W = 64, H = 48;
  const ramp = { width: W, height: H, data: new Float32Array(W * H).map((_, i) => Math.fround(Math.round(((i % W) + Math.floor(i / W)) * 255 / (W + H)) / 255)) };
  const r100 = await jpegRoundTrip(ramp, 100);
  assert.is(r100.width, W); assert.is(r100.height, H); assert.is(r100.data.length, W * H);
  let worst = 0;
  for (let i = 0; i < W * H; i++) {
    const v = r100.data[i] * 255;
    assert.ok(Math.abs(v - Math.round(v)) < 1e-3, `pixel ${i} = ${v}/255 is not an 8-bit level`);
    worst = Math.max(worst, Math.abs(r100.data[i] - ramp.data[i]) * 255);
  }
  assert.ok(worst <= 2 + 1e-4, `q100 worst ${worst} levels`);
  const noise = { width: W, height: H, data: new Float32Array(W * H).map((_, i) => ((i * 7919) % 256) / 255) };
  const r75 = await jpegRoundTrip(noise, 75);
  let changed = 0;
  for (let i = 0; i < W * H; i++) if (Math.abs(r75.data[i] - noise.data[i]) > 0.5 / 255) changed++;
  assert.ok(changed > W * H / 2, `q75 changed only ${changed} of ${W * H} pixels of a texture`);
  for (const q of [0, 101, 7.5]) {
    const e = await jpegRoundTrip(ramp, q).catch((x: Error) => x);
    assert.instance(e, ImageError);
    assert.match((e as Error).message, /JPEG quality must be an integer from 1 to 100/);
  }
});

t.after(() => fs.rmSync(tmp, { recursive: true, force: true }));
t.run();
