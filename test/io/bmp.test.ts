/**
 * The BMP decoder (lib/io/bmp.ts) on hand-built files: every bit depth it supports (1, 4, 8
 * palettised; 24 BGR; 32 BGRX, BI_RGB and BI_BITFIELDS), bottom-up and top-down rows, row
 * padding, a palette of implicit size, and each malformed input with its one-line message.
 * (The real TNO BMPs are read in test/io/image.test.ts.)
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { BmpError, decodeBmp } from '../../lib/io/bmp.js';

interface Spec {
  width: number;
  height: number;
  bpp: number;
  topDown?: boolean;
  compression?: number;
  /** Palette entries [r, g, b] (written BGRX). */
  palette?: [number, number, number][];
  /** biClrUsed (default: palette length). */
  colours?: number;
  headerSize?: number;
  /** Pixel values per row, top row first: palette indices, or [r, g, b]. */
  rows: (number | [number, number, number])[][];
}

function bmp(s: Spec): Uint8Array {
  const headerSize = s.headerSize ?? 40;
  const pal = s.palette ?? [];
  const stride = Math.ceil((s.width * s.bpp) / 32) * 4;
  const dataOffset = 14 + headerSize + 4 * pal.length;
  const out = new Uint8Array(dataOffset + Math.max(4, stride * s.height));
  const dv = new DataView(out.buffer);
  out[0] = 0x42; out[1] = 0x4d;
  dv.setUint32(2, out.length, true);
  dv.setUint32(10, dataOffset, true);
  dv.setUint32(14, headerSize, true);
  dv.setInt32(18, s.width, true);
  dv.setInt32(22, s.topDown ? -s.height : s.height, true);
  dv.setUint16(26, 1, true);
  dv.setUint16(28, s.bpp, true);
  dv.setUint32(30, s.compression ?? 0, true);
  dv.setUint32(46, s.colours ?? pal.length, true);
  pal.forEach(([r, g, b], i) => out.set([b, g, r, 0], 14 + headerSize + 4 * i));
  s.rows.forEach((row, y) => {
    const base = dataOffset + (s.topDown ? y : s.height - 1 - y) * stride;
    row.forEach((v, x) => {
      if (typeof v === 'number') {
        if (s.bpp === 8) out[base + x] = v;
        else if (s.bpp === 4) out[base + (x >> 1)] |= v << (x & 1 ? 0 : 4);
        else out[base + (x >> 3)] |= v << (7 - (x & 7));
      } else {
        const p = base + x * (s.bpp >> 3);
        out.set([v[2], v[1], v[0]], p);
        if (s.bpp === 32) out[p + 3] = 0x55;
      }
    });
  });
  return out;
}

const rgbOf = (img: { rgb: Uint8Array }) => Array.from(img.rgb);
const PAL: [number, number, number][] = [[0, 0, 0], [10, 20, 30], [200, 100, 50], [255, 255, 255]];
const t = suite('io/bmp');

t('8-bit palettised, bottom-up, 3 pixels per row (1 byte of row padding): RGB from the palette, top row first', () => {
  const img = decodeBmp(bmp({ width: 3, height: 2, bpp: 8, palette: PAL, rows: [[0, 1, 2], [3, 2, 1]] }));
  assert.equal([img.width, img.height], [3, 2]);
  assert.equal(rgbOf(img), [0, 0, 0, 10, 20, 30, 200, 100, 50, 255, 255, 255, 200, 100, 50, 10, 20, 30]);
});

t('top-down rows (negative height) give the same image', () => {
  const a = decodeBmp(bmp({ width: 3, height: 2, bpp: 8, palette: PAL, rows: [[0, 1, 2], [3, 2, 1]] }));
  const b = decodeBmp(bmp({ width: 3, height: 2, bpp: 8, palette: PAL, topDown: true, rows: [[0, 1, 2], [3, 2, 1]] }));
  assert.equal(rgbOf(a), rgbOf(b));
  assert.is(b.height, 2);
});

t('4-bit: high nibble first; 1-bit: most significant bit first; 9 pixels cross a byte', () => {
  const four = decodeBmp(bmp({ width: 5, height: 1, bpp: 4, palette: PAL, rows: [[1, 2, 3, 0, 2]] }));
  assert.equal(rgbOf(four), [10, 20, 30, 200, 100, 50, 255, 255, 255, 0, 0, 0, 200, 100, 50]);
  const one = decodeBmp(bmp({ width: 9, height: 2, bpp: 1, palette: [[0, 0, 0], [255, 128, 1]], rows: [[1, 0, 0, 1, 0, 1, 1, 0, 1], [0, 1, 0, 0, 0, 0, 0, 0, 0]] }));
  const px = (img: { rgb: Uint8Array }, i: number) => Array.from(img.rgb.subarray(3 * i, 3 * i + 3));
  assert.equal([0, 1, 2, 3, 4, 5, 6, 7, 8].map((i) => px(one, i)[0]), [255, 0, 0, 255, 0, 255, 255, 0, 255]);
  assert.equal(px(one, 10), [255, 128, 1]);
  assert.equal(px(one, 9), [0, 0, 0]);
});

t('a palette of implicit size (biClrUsed = 0) has 2^bpp entries', () => {
  const pal16 = Array.from({ length: 16 }, (_, i) => [i * 16, i, 255 - i] as [number, number, number]);
  const img = decodeBmp(bmp({ width: 2, height: 1, bpp: 4, palette: pal16, colours: 0, rows: [[15, 7]] }));
  assert.equal(rgbOf(img), [240, 15, 240, 112, 7, 248]);
});

t('24-bit BGR and 32-bit BGRX (BI_RGB and BI_BITFIELDS) come out as RGB', () => {
  const rows: [number, number, number][][] = [[[1, 2, 3], [4, 5, 6], [7, 8, 9]], [[250, 251, 252], [0, 128, 255], [9, 8, 7]]];
  const want = rows.flat().flat();
  assert.equal(rgbOf(decodeBmp(bmp({ width: 3, height: 2, bpp: 24, rows }))), want);
  assert.equal(rgbOf(decodeBmp(bmp({ width: 3, height: 2, bpp: 32, rows }))), want);
  // BI_BITFIELDS needs its masks (after the header); without them Pillow reads pixel bytes as masks
  // and refuses the layout, and so does this decoder (the layouts Pillow takes: bmp_bitfields.test.ts).
  assert.throws(() => decodeBmp(bmp({ width: 3, height: 2, bpp: 32, compression: 3, rows })), /unsupported bitfields layout for 32 bits/);
  assert.equal(rgbOf(decodeBmp(bmp({ width: 3, height: 2, bpp: 24, topDown: true, rows }))), want);
  assert.equal(rgbOf(decodeBmp(bmp({ width: 1, height: 1, bpp: 24, headerSize: 124, rows: [[[3, 2, 1]]] }))), [3, 2, 1], 'a V5 header (124 bytes)');
});

const fails = (bytes: Uint8Array, re: RegExp) => assert.throws(() => decodeBmp(bytes, 'x.bmp'), (e: Error) => e instanceof BmpError && e.message.startsWith('x.bmp: not a readable BMP (') && re.test(e.message));
const good = () => bmp({ width: 3, height: 2, bpp: 8, palette: PAL, rows: [[0, 1, 2], [3, 2, 1]] });

t('malformed input: one BmpError naming the file and the reason', () => {
  fails(new Uint8Array(53), /file is 53 bytes, shorter than a BMP header/);
  const short = good().slice(0, 54);
  assert.throws(() => decodeBmp(short, 'x.bmp'), (e: Error) => !/shorter than a BMP header/.test(e.message), 'a 54-byte file has a whole header');
  const sig = good(); sig[0] = 0x50; fails(sig, /missing "BM" signature/);
  const sig2 = good(); sig2[1] = 0x50; fails(sig2, /missing "BM" signature/);
  const os2 = bmp({ width: 1, height: 1, bpp: 24, rows: [[[1, 2, 3]]] }); new DataView(os2.buffer).setUint32(14, 12, true);
  fails(os2, /unsupported header size 12 \(OS\/2 BMP\)/);
  const h39 = bmp({ width: 1, height: 1, bpp: 24, rows: [[[1, 2, 3]]] }); new DataView(h39.buffer).setUint32(14, 39, true);
  fails(h39, /unsupported header size 39/);
  fails(bmp({ width: 0, height: 1, bpp: 24, rows: [] }), /invalid size 0×1/);
  fails(bmp({ width: -2, height: 1, bpp: 24, rows: [] }), /invalid size -2×1/);
  fails(bmp({ width: 1, height: 0, bpp: 24, rows: [] }), /invalid size 1×0/);
  fails(bmp({ width: 1, height: 1, bpp: 24, compression: 1, rows: [[[1, 2, 3]]] }), /compression 1 is not supported/);
  fails(bmp({ width: 1, height: 1, bpp: 24, compression: 3, rows: [[[1, 2, 3]]] }), /bitfield masks run past the end of the file/);
  fails(bmp({ width: 2, height: 1, bpp: 8, compression: 3, palette: PAL, rows: [[0, 1]] }), /unsupported bitfields layout for 8 bits/);
  fails(bmp({ width: 1, height: 1, bpp: 16, rows: [] }), /16-bit BMP without bitfields is not supported/);
  fails(bmp({ width: 2, height: 1, bpp: 8, palette: PAL, colours: 300, rows: [[0, 1]] }), /palette runs past the end of the file/);
  const trunc = good(); fails(trunc.slice(0, trunc.length - 1), new RegExp(`pixel data truncated: need ${trunc.length} bytes, file has ${trunc.length - 1}`));
  fails(bmp({ width: 2, height: 1, bpp: 8, palette: PAL, rows: [[1, 4]] }), /pixel \(1, 0\) uses palette index 4 of 4/);
});

t('the palette index bound is exact: index = colours − 1 is valid', () => {
  const img = decodeBmp(bmp({ width: 1, height: 1, bpp: 8, palette: PAL, rows: [[3]] }));
  assert.equal(rgbOf(img), [255, 255, 255]);
});

t('the palette may end exactly at the end of the file (pixel data inside it is then truncated instead)', () => {
  // A file whose palette ends at the last byte: not "palette runs past the end".
  const b = bmp({ width: 1, height: 1, bpp: 8, palette: PAL, rows: [[0]] });
  const cut = b.slice(0, 14 + 40 + 4 * PAL.length);
  fails(cut, /pixel data truncated/);
});

t.run();
