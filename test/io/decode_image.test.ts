/**
 * The gate every image reader passes (lib/io/decode_image.ts; issue [R] rows 9, 13, 14): the
 * pixel limit read from the header before decoding (PIL's decompression-bomb threshold by
 * default, overridable), formats by content (SVG refused), 16-bit / CMYK / transparency refused
 * alike by readGrey8, readImage8 and the training reader, and PNG-only output names.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULT_MAX_PIXELS, MAX_PIXELS_ENV, PIL_MAX_IMAGE_PIXELS, maxPixels, setMaxPixels, decodeImageFile } from '../../lib/io/decode_image.js';
import { ImageError, readGrey8, writeGreyPng } from '../../lib/io/image.js';
import { readImage8, writeImagePng } from '../../lib/io/colour_image.js';
import { decodeImage8 } from '../../lib/train/data.js';
import { greyTiff, jpegDeclaring, pngHeaderOnly } from '../helpers/image_headers.js';

const t = suite('io/decode_image');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'auif-decode-'));
const envBefore = process.env[MAX_PIXELS_ENV];
t.after.each(() => { setMaxPixels(undefined); if (envBefore === undefined) delete process.env[MAX_PIXELS_ENV]; else process.env[MAX_PIXELS_ENV] = envBefore; });
t.after(() => fs.rmSync(tmp, { recursive: true, force: true }));
const f = (name: string) => path.join(tmp, name);
const READERS = [['readGrey8', readGrey8], ['readImage8', readImage8], ['train decodeImage8', decodeImage8]] as const;

/** Every reader refuses `file` with a message matching `re` (an ImageError naming the file). */
async function allRefuse(file: string, re: RegExp): Promise<void> {
  for (const [name, read] of READERS) {
    await (read as (f: string) => Promise<unknown>)(file).then(() => assert.unreachable(`${name} should refuse ${file}`), (e: Error) => {
      assert.instance(e, ImageError, name);
      assert.ok(e.message.includes(file), `${name}: the message names the file: ${e.message}`);
      assert.match(e.message, re, name);
      assert.not.match(e.message, /\n/, `${name}: one line`);
    });
  }
}

const pattern = (n: number, ch: number) => Buffer.from(Array.from({ length: n * ch }, (_, i) => (i * 37 + (i >> 3) * 11) & 255));

t("the default limit is PIL's DecompressionBombError threshold, 2 · int(1024³ // 4 // 3), and admits the bench's 10000×10000 pair", () => {
  assert.is(PIL_MAX_IMAGE_PIXELS, Math.floor(1024 ** 3 / 4 / 3));
  assert.is(DEFAULT_MAX_PIXELS, 2 * PIL_MAX_IMAGE_PIXELS);
  delete process.env[MAX_PIXELS_ENV];
  assert.is(maxPixels(), DEFAULT_MAX_PIXELS);
  assert.ok(10000 * 10000 <= maxPixels());
});

t('a 10000×10000 header passes the limit (the file then fails as truncated, not as too large)', async () => {
  delete process.env[MAX_PIXELS_ENV];
  fs.writeFileSync(f('10k.png'), pngHeaderOnly(10000, 10000));
  await allRefuse(f('10k.png'), /10k\.png: not a readable image/);
});

t('headers declaring more than the limit are refused before decoding: PNG, JPEG, BMP', async () => {
  delete process.env[MAX_PIXELS_ENV];
  const side = Math.ceil(Math.sqrt(DEFAULT_MAX_PIXELS + 1)); // 13378: 178 970 884 pixels
  fs.writeFileSync(f('bomb.png'), pngHeaderOnly(side, side));
  await allRefuse(f('bomb.png'), new RegExp(`bomb\\.png: the PNG header declares ${side}×${side} = ${side * side} pixels, over the limit of ${DEFAULT_MAX_PIXELS} .*--max-pixels N or AUIF_MAX_PIXELS=N \\(0: no limit\\)`));
  fs.writeFileSync(f('bomb.jpg'), await jpegDeclaring(60000, 60000));
  await allRefuse(f('bomb.jpg'), /bomb\.jpg: the JPEG header declares 60000×60000 = 3600000000 pixels, over the limit/);
  const bmp = Buffer.alloc(54 + 1024); bmp.write('BM'); bmp.writeUInt32LE(54 + 1024, 10); bmp.writeUInt32LE(40, 14);
  bmp.writeInt32LE(20000, 18); bmp.writeInt32LE(-20000, 22); bmp.writeUInt16LE(1, 26); bmp.writeUInt16LE(8, 28);
  fs.writeFileSync(f('bomb.bmp'), bmp);
  await allRefuse(f('bomb.bmp'), /bomb\.bmp: the BMP header declares 20000×20000 = 400000000 pixels, over the limit/);
});

t('the limit is inclusive and overridable: setMaxPixels (--max-pixels), AUIF_MAX_PIXELS, 0 = none; a bad value names its source', async () => {
  await sharp(pattern(40 * 30, 1), { raw: { width: 40, height: 30, channels: 1 } }).png().toFile(f('g.png'));
  setMaxPixels(1200);
  assert.is((await readGrey8(f('g.png'))).width, 40);
  setMaxPixels(1199);
  await allRefuse(f('g.png'), /g\.png: the PNG header declares 40×30 = 1200 pixels, over the limit of 1199/);
  setMaxPixels(0);
  assert.is((await readImage8(f('g.png'))).height, 30);
  setMaxPixels(undefined);
  process.env[MAX_PIXELS_ENV] = '1199';
  await allRefuse(f('g.png'), /over the limit of 1199/);
  process.env[MAX_PIXELS_ENV] = '1200';
  assert.is((await decodeImage8(f('g.png'))).width, 40);
  for (const bad of ['1e3', '0x10', '-5', '12.5', ' 7']) {
    process.env[MAX_PIXELS_ENV] = bad;
    await allRefuse(f('g.png'), new RegExp(`AUIF_MAX_PIXELS must be a whole number of pixels \\(0: no limit\\), got '${bad.replace(/[.+]/g, '\\$&')}'`));
  }
  assert.throws(() => setMaxPixels(-1), /whole number/);
});

t('SVG is refused (also named .png: formats are read from the content), and so are formats outside PNG, JPEG, BMP, TIFF, WebP', async () => {
  const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="30"><rect width="40" height="30" fill="#888"/></svg>';
  fs.writeFileSync(f('v.svg'), svg);
  fs.writeFileSync(f('svg-named.png'), svg);
  await allRefuse(f('v.svg'), /v\.svg: SVG is a vector format, not a raster image .*read here: PNG, JPEG, BMP, TIFF, WebP/);
  await allRefuse(f('svg-named.png'), /svg-named\.png: SVG is a vector format/);
  await sharp(pattern(40 * 30, 3), { raw: { width: 40, height: 30, channels: 3 } }).gif().toFile(f('a.gif'));
  await allRefuse(f('a.gif'), /a\.gif: GIF is not read here \(read: PNG, JPEG, BMP, TIFF, WebP\)/);
});

t('content, not the extension: a PNG named .jpg and a JPEG named .png read as what they are', async () => {
  const grey = pattern(40 * 30, 1);
  await sharp(grey, { raw: { width: 40, height: 30, channels: 1 } }).png().toFile(f('png-named.jpg'));
  assert.equal([...(await readGrey8(f('png-named.jpg'))).data], [...grey]);
  const jpeg = await sharp(grey, { raw: { width: 40, height: 30, channels: 1 } }).jpeg({ quality: 90 }).toBuffer();
  fs.writeFileSync(f('jpeg-named.png'), jpeg);
  fs.writeFileSync(f('jpeg.jpg'), jpeg);
  assert.equal([...(await readGrey8(f('jpeg-named.png'))).data], [...(await readGrey8(f('jpeg.jpg'))).data]);
});

t('16-bit PNG (grey and RGB), 16-bit TIFF and CMYK JPEG: refused alike by every reader', async () => {
  await sharp(pattern(40 * 30, 1), { raw: { width: 40, height: 30, channels: 1 } }).toColourspace('grey16').png().toFile(f('g16.png'));
  await sharp(pattern(40 * 30, 3), { raw: { width: 40, height: 30, channels: 3 } }).toColourspace('rgb16').png().toFile(f('rgb16.png'));
  fs.writeFileSync(f('g16.tif'), greyTiff(40, 30, 16, (i) => i * 50));
  fs.writeFileSync(f('g8.tif'), greyTiff(40, 30, 8, (i) => i & 255));
  assert.equal([...(await readGrey8(f('g8.tif'))).data], Array.from({ length: 1200 }, (_, i) => i & 255), 'the 8-bit TIFF of the same writer is read');
  await sharp(pattern(40 * 30, 3), { raw: { width: 40, height: 30, channels: 3 } }).toColourspace('cmyk').jpeg().toFile(f('cmyk.jpg'));
  for (const [file, kind] of [['g16.png', 'PNG'], ['rgb16.png', 'PNG'], ['g16.tif', 'TIFF']]) {
    assert.is((await sharp(f(file)).metadata()).depth, 'ushort', `${file} is 16-bit`);
    await allRefuse(f(file), new RegExp(`${file.replace('.', '\\.')}: 16-bit ${kind}; only 8-bit images are read .*convert it to 8 bits first`));
  }
  await allRefuse(f('cmyk.jpg'), /cmyk\.jpg: JPEG in CMYK/);
});

t('alpha: refused where a pixel is not opaque (naming it), dropped where every pixel is opaque (values unchanged)', async () => {
  const rgb = pattern(40 * 30, 3);
  const rgba = Buffer.alloc(40 * 30 * 4, 255);
  for (let i = 0; i < 40 * 30; i++) for (let c = 0; c < 3; c++) rgba[4 * i + c] = rgb[3 * i + c];
  await sharp(rgba, { raw: { width: 40, height: 30, channels: 4 } }).png().toFile(f('opaque.png'));
  await sharp(rgb, { raw: { width: 40, height: 30, channels: 3 } }).png().toFile(f('rgb.png'));
  for (const [name, read] of READERS) {
    const a = await (read as (x: string) => Promise<{ data: Uint8Array }>)(f('opaque.png'));
    const b = await (read as (x: string) => Promise<{ data: Uint8Array }>)(f('rgb.png'));
    assert.equal([...a.data], [...b.data], name);
  }
  rgba[4 * (2 * 40 + 7) + 3] = 254;
  await sharp(rgba, { raw: { width: 40, height: 30, channels: 4 } }).png().toFile(f('transparent.png'));
  await allRefuse(f('transparent.png'), /transparent\.png: PNG with an alpha channel that is not opaque \(pixel \(7, 2\) has alpha 254\)/);
  const direct = await decodeImageFile(f('opaque.png'));
  assert.is(direct.channels, 3);
});

t('outputs are PNG only: a .jpg, .jpeg, .tif or extension-less name is refused and nothing is written; .PNG is fine', async () => {
  const grey = { width: 4, height: 3, data: new Float32Array(12).fill(0.5) };
  const img8 = { width: 4, height: 3, channels: 1 as const, data: new Uint8Array(12).fill(9) };
  for (const name of ['F.jpg', 'F.JPEG', 'F.tif', 'F']) {
    for (const write of [() => writeGreyPng(f(name), grey), () => writeImagePng(f(name), img8)]) {
      await write().then(() => assert.unreachable(name), (e: Error) => {
        assert.instance(e, ImageError);
        assert.match(e.message, new RegExp(`${name.replace('.', '\\.')}: .*fused images are written as PNG only`));
      });
      assert.not.ok(fs.existsSync(f(name)), `${name} not created`);
    }
  }
  await writeGreyPng(f('F.PNG'), grey);
  assert.is((await sharp(f('F.PNG')).metadata()).format, 'png');
});

t.run();
