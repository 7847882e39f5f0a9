/**
 * Colour-keeping image I/O (lib/io/colour_image.ts) and the one-channel grey PNG of writeGreyPng.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { readImage8, isGreyContent, luma8, channelPlanes, writeImagePng } from '../../lib/io/colour_image.js';
import { readGrey8, writeGreyPng, luma601 } from '../../lib/io/image.js';
import { upstreamFile } from '../helpers/upstream.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'auif-colourimg-'));
const t = suite('io/colour_image');
t.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

t('writeGreyPng writes an 8-bit one-channel PNG (colour type 0) with the same values', async () => {
  const f = path.join(tmp, 'g.png');
  await writeGreyPng(f, { width: 5, height: 2, data: Float32Array.from({ length: 10 }, (_, i) => i / 9) });
  const bytes = fs.readFileSync(f);
  assert.is(bytes[24], 8, 'bit depth 8');
  assert.is(bytes[25], 0, 'PNG colour type 0 (grey)');
  const img = await readImage8(f);
  assert.is(img.channels, 1);
  assert.equal([...img.data], [...(await readGrey8(f)).data]);
  assert.equal([...img.data], [0, 28, 57, 85, 113, 142, 170, 198, 227, 255]);
});

t('RGB round trip through writeImagePng; planes, luma (PIL L) and grey content', async () => {
  const data = Uint8Array.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30]);
  const f = path.join(tmp, 'rgb.png');
  await writeImagePng(f, { width: 2, height: 2, channels: 3, data });
  const bytes = fs.readFileSync(f);
  assert.is(bytes[25], 2, 'PNG colour type 2 (RGB)');
  const img = await readImage8(f);
  assert.equal([img.channels, [...img.data]], [3, [...data]]);
  assert.not.ok(isGreyContent(img));
  assert.equal(channelPlanes(img).map((p) => [...p.data]), [[255, 0, 0, 10], [0, 255, 0, 20], [0, 0, 255, 30]]);
  assert.equal([...luma8(img).data], [luma601(255, 0, 0), luma601(0, 255, 0), luma601(0, 0, 255), luma601(10, 20, 30)]);
  assert.ok(isGreyContent({ width: 2, height: 1, channels: 3, data: Uint8Array.from([7, 7, 7, 9, 9, 9]) }));
});

t('a palettised grey TNO BMP reads as one channel with the values readGrey8 gives', async () => {
  const f = await upstreamFile('Datasets/Test_data_TNO/VIS1.bmp');
  if (!f) return;
  const img = await readImage8(f);
  assert.is(img.channels, 1);
  assert.ok(Buffer.from(img.data).equals(Buffer.from((await readGrey8(f)).data)));
});

t('bad input names the file: alpha, 16-bit, CMYK, unreadable', async () => {
  const alpha = path.join(tmp, 'a.png');
  await sharp(Buffer.alloc(4 * 4 * 2, 100), { raw: { width: 4, height: 4, channels: 2 } }).png().toFile(alpha);
  const deep = path.join(tmp, 'd.png');
  await sharp(Buffer.alloc(16, 100), { raw: { width: 4, height: 4, channels: 1 } }).toColourspace('grey16').png().toFile(deep);
  const cmyk = path.join(tmp, 'c.jpg');
  await sharp(Buffer.alloc(48, 100), { raw: { width: 4, height: 4, channels: 3 } }).toColourspace('cmyk').jpeg().toFile(cmyk);
  const junk = path.join(tmp, 'j.png');
  fs.writeFileSync(junk, 'not an image');
  for (const [f, re] of [[alpha, /a\.png: PNG with an alpha channel/], [deep, /d\.png: 16-bit PNG/], [cmyk, /c\.jpg: JPEG in CMYK/], [junk, /j\.png: not a readable image/],
    [path.join(tmp, 'missing.png'), /cannot read image .*missing\.png: ENOENT/]] as const) {
    let msg = '';
    try { await readImage8(f); } catch (e) { msg = (e as Error).message; assert.is((e as Error).name, 'ImageError'); }
    assert.match(msg, re);
  }
});

t.run();
