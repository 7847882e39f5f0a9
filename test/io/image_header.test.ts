/**
 * lib/io/image_header.ts on files made by sharp/libvips (an independent encoder): the header's
 * verdict must agree with what the Node reader `readImage8` (lib/io/colour_image.ts, which asks
 * libvips itself) accepts or refuses, file by file, with the same wording of the reason; sizes
 * read from the header equal libvips's. TIFF is refused only for the browser.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { formatName, readImageHeader, unsupportedReason } from '../../lib/io/image_header.js';
import { readImage8 } from '../../lib/io/colour_image.js';

const t = suite('io/image_header');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'auif-header-'));
t.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const W = 13, H = 7;
const raw = (channels: 1 | 2 | 3 | 4, v = (i: number) => (i * 37) % 256) => sharp(Buffer.from(Array.from({ length: W * H * channels }, (_, i) => v(i))), { raw: { width: W, height: H, channels } });

/** name → encoder, and what the header must say (null: accepted). */
const CASES: [string, () => sharp.Sharp, RegExp | null][] = [
  ['grey.png', () => raw(1).png(), null],
  ['rgb.png', () => raw(3).png(), null],
  // an alpha channel is decided on the pixels (an opaque one is accepted, like the Node reader)
  ['grey-alpha.png', () => raw(2).png(), null],
  ['rgba.png', () => raw(4).png(), null],
  ['rgba-opaque.png', () => raw(4, (i) => (i % 4 === 3 ? 255 : i % 256)).png(), null],
  ['palette-trns.png', () => raw(4, (i) => (i % 4 === 3 ? (i % 8 === 3 ? 0 : 255) : 40 * (i % 4))).png({ palette: true }), null],
  ['palette.png', () => raw(3, (i) => 60 * (i % 3)).png({ palette: true }), null],
  ['grey16.png', () => raw(1).png().toColourspace('grey16'), /^16-bit PNG; only 8-bit images are read \(PIL's convert/],
  ['rgb16.png', () => raw(3).png().toColourspace('rgb16'), /^16-bit PNG; only 8-bit images are read \(PIL's convert/],
  ['rgb.jpg', () => raw(3).jpeg(), null],
  ['grey.jpg', () => raw(1).jpeg(), null],
  ['progressive.jpg', () => raw(3).jpeg({ progressive: true }), null],
  ['cmyk.jpg', () => raw(3).toColourspace('cmyk').jpeg(), /^JPEG in CMYK; convert it to RGB or grey first/],
  ['rgb.webp', () => raw(3).webp({ lossless: true }), null],
  ['rgb-lossy.webp', () => raw(3).webp(), null],
  ['rgba.webp', () => raw(4).webp({ lossless: true }), null],
  ['rgba-lossy.webp', () => raw(4).webp(), null],
  // libvips always loads GIF as RGBA, so readImage8 refuses every GIF; the header cannot tell
  // (transparency is per frame), so the page decodes it and refuses pixels with alpha < 255
  ['rgb.gif', () => raw(3).gif(), null],
  ['rgb.tif', () => raw(3).tiff(), null],
];

t('the header verdict agrees with readImage8 (libvips) on every file, in the same words', async () => {
  for (const [name, make, want] of CASES) {
    const file = path.join(tmp, name);
    await make().toFile(file);
    const h = readImageHeader(new Uint8Array(fs.readFileSync(file)));
    const meta = await sharp(file).metadata();
    assert.is(h.format, meta.format === 'heif' ? 'HEIF' : meta.format === 'tiff' ? 'TIFF' : meta.format!.toUpperCase(), `${name}: format`);
    if (h.width !== undefined) assert.equal([h.width, h.height], [meta.width, meta.height], `${name}: size`);
    const why = unsupportedReason(h);
    if (want) assert.match(why ?? '(accepted)', want, name);
    else assert.is(why, null, `${name}: ${why}`);
    let nodeWhy: string | null = null;
    try { await readImage8(file); } catch (e) { nodeWhy = (e as Error).message; }
    // the Node reader also refuses what only the pixels show: an alpha channel that is not opaque
    const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
    const transparent = info.channels % 2 === 0 && data.some((v, i) => i % info.channels === info.channels - 1 && v !== 255);
    assert.is(h.alpha === true, info.channels % 2 === 0 || h.format === 'GIF' ? h.alpha === true : false, `${name}: alpha flag`);
    const nodeRefuses = h.format === 'GIF' ? true : why !== null || transparent;
    assert.is(nodeWhy !== null, nodeRefuses, `${name}: header says ${why ?? 'ok'}, readImage8 says ${nodeWhy ?? 'ok'}`);
    if (!why && transparent && h.format !== 'GIF') assert.match(nodeWhy!, new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: ${formatName(h)} with an alpha channel that is not opaque \\(pixel \\(\\d+, \\d+\\) has alpha \\d+\\); remove the alpha channel first`), name);
    // same words: readImage8 says "<file>: <reason>" (its alpha line adds the channel count)
    if (why) assert.is(nodeWhy!.replace(/ \(\d channels\)/, ''), `${file}: ${why}`, name);
  }
});

t('TIFF is refused for the browser only; BMP and unknown bytes pass the header check', () => {
  const tiff = readImageHeader(Uint8Array.from([0x49, 0x49, 0x2a, 0, 8, 0, 0, 0]));
  assert.is(tiff.format, 'TIFF');
  assert.is(unsupportedReason(tiff), null);
  assert.match(unsupportedReason(tiff, { browser: true }) ?? '', /^TIFF, which browsers do not decode; convert it to PNG first/);
  assert.is(readImageHeader(Uint8Array.from([0x42, 0x4d, 1, 2])).format, 'BMP');
  const junk = readImageHeader(new TextEncoder().encode('not an image at all'));
  assert.is(junk.format, 'unknown');
  assert.is(unsupportedReason(junk, { browser: true }), null);
  assert.is(readImageHeader(new Uint8Array(0)).format, 'unknown');
  // truncated PNG and JPEG headers: no throw, no invented facts
  assert.is(readImageHeader(Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 13, 10, 26, 10, 0])).bitsPerSample, undefined);
  assert.is(readImageHeader(Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0, 16])).cmyk, undefined);
});

t.run();
