/**
 * Minimal Windows BMP decoder (BITMAPINFOHEADER and later), for the TNO test images, which are
 * 8-bit palettised BMP with a grey palette. sharp/libvips does not read BMP.
 *
 * Supported: 1, 4 and 8-bit palettised, 24-bit BGR and 32-bit BGRX, uncompressed (BI_RGB),
 * bottom-up or top-down rows padded to 4 bytes (Microsoft, "BITMAPINFOHEADER structure"); and
 * BI_BITFIELDS with exactly the channel masks Pillow's BmpImagePlugin accepts (32-bit: BGRX,
 * XBGR, BGXR, ABGR, RGBA, BGRA, BGAR, all-zero = BGRA; 24-bit BGR; 16-bit 5-6-5 and 5-5-5,
 * expanded as Pillow's Unpack.c does: v·255/31, v·255/63 in integers). Other masks are refused
 * ("unsupported bitfields layout"), as Pillow refuses them. The masks follow a 40-byte header
 * (three DWORDs) or sit inside a longer one (the alpha mask from a 56-byte header on).
 * Output is RGB, 8 bits per channel, row-major, top row first; of an alpha channel (the
 * layouts with an alpha mask) only the first pixel that is not opaque is reported
 * (`transparent`), so a reader can refuse it rather than drop transparency unseen.
 */
export interface RgbImage {
  width: number; height: number; rgb: Uint8Array;
  /** The first pixel (row-major) whose alpha is below 255, for layouts with an alpha channel. */
  transparent?: { x: number; y: number; alpha: number };
}

export class BmpError extends Error {}

/**
 * The size a BMP header declares — width = int32 at byte 18, height = |int32 at byte 22|
 * (BITMAPINFOHEADER) — read before any pixel is decoded (e.g. for a pixel limit); null when the
 * bytes hold no such header (decodeBmp then says why).
 */
export function bmpHeaderSize(bytes: Uint8Array): { width: number; height: number } | null {
  if (bytes.length < 26 || bytes[0] !== 0x42 || bytes[1] !== 0x4d) return null;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dv.getUint32(14, true) < 40) return null;
  return { width: dv.getInt32(18, true), height: Math.abs(dv.getInt32(22, true)) };
}

export function decodeBmp(bytes: Uint8Array, name = 'BMP'): RgbImage {
  const fail = (why: string): never => { throw new BmpError(`${name}: not a readable BMP (${why})`); };
  if (bytes.length < 54) fail(`file is ${bytes.length} bytes, shorter than a BMP header`);
  if (bytes[0] !== 0x42 || bytes[1] !== 0x4d) fail('missing "BM" signature');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dataOffset = dv.getUint32(10, true);
  const headerSize = dv.getUint32(14, true);
  if (headerSize < 40) fail(`unsupported header size ${headerSize} (OS/2 BMP)`);
  const width = dv.getInt32(18, true);
  const rawHeight = dv.getInt32(22, true);
  const bpp = dv.getUint16(28, true);
  const compression = dv.getUint32(30, true);
  let colours = dv.getUint32(46, true);
  if (width <= 0 || rawHeight === 0) fail(`invalid size ${width}×${rawHeight}`);
  if (compression !== 0 && compression !== 3) fail(`compression ${compression} is not supported`);
  if (![1, 4, 8, 16, 24, 32].includes(bpp)) fail(`${bpp} bits per pixel is not supported`);
  if (bpp === 16 && compression !== 3) fail('16-bit BMP without bitfields is not supported');
  // BI_BITFIELDS: the r, g, b (and a) masks, at byte 54 on (after a 40-byte header or inside a longer one).
  let masks: [number, number, number] | null = null;
  let alphaMask = 0;
  if (compression === 3) {
    if (bytes.length < 66) fail('bitfield masks run past the end of the file');
    const m = [dv.getUint32(54, true), dv.getUint32(58, true), dv.getUint32(62, true)] as const;
    const a = headerSize >= 56 ? dv.getUint32(66, true) : 0;
    const key = [...m, a].map((x) => x.toString(16)).join(',');
    const ok32 = ['ff0000,ff00,ff,0', 'ff000000,ff0000,ff00,0', 'ff000000,ff00,ff,0', 'ff000000,ff0000,ff00,ff',
      'ff,ff00,ff0000,ff000000', 'ff0000,ff00,ff,ff000000', 'ff000000,ff00,ff,ff0000', '0,0,0,0'];
    const rgbKey = m.map((x) => x.toString(16)).join(',');
    const supported = bpp === 32 ? ok32.includes(key) : bpp === 24 ? rgbKey === 'ff0000,ff00,ff' : bpp === 16 ? ['f800,7e0,1f', '7c00,3e0,1f'].includes(rgbKey) : false;
    if (!supported) fail(`unsupported bitfields layout for ${bpp} bits (masks r 0x${m[0].toString(16)}, g 0x${m[1].toString(16)}, b 0x${m[2].toString(16)}, a 0x${a.toString(16)})`);
    masks = bpp === 32 && key === '0,0,0,0' ? [0xff0000, 0xff00, 0xff] : [m[0], m[1], m[2]];
    if (bpp === 32) alphaMask = key === '0,0,0,0' ? 0xff000000 : a;
  }
  const height = Math.abs(rawHeight);
  const topDown = rawHeight < 0;
  let palette: Uint8Array | null = null;
  if (bpp <= 8) {
    if (colours === 0) colours = 1 << bpp;
    const palStart = 14 + headerSize;
    if (palStart + 4 * colours > bytes.length) fail('palette runs past the end of the file');
    palette = bytes.subarray(palStart, palStart + 4 * colours);
  }
  const stride = Math.ceil((width * bpp) / 32) * 4;
  if (dataOffset + stride * height > bytes.length) {
    fail(`pixel data truncated: need ${dataOffset + stride * height} bytes, file has ${bytes.length}`);
  }
  const rgb = new Uint8Array(width * height * 3);
  let transparent: RgbImage['transparent'];
  for (let y = 0; y < height; y++) {
    const row = dataOffset + (topDown ? y : height - 1 - y) * stride;
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 3;
      if (palette) {
        let idx: number;
        if (bpp === 8) idx = bytes[row + x];
        else if (bpp === 4) idx = (bytes[row + (x >> 1)] >> (x & 1 ? 0 : 4)) & 0xf;
        else idx = (bytes[row + (x >> 3)] >> (7 - (x & 7))) & 1;
        if (idx >= colours) fail(`pixel (${x}, ${y}) uses palette index ${idx} of ${colours}`);
        rgb[o] = palette[4 * idx + 2]; rgb[o + 1] = palette[4 * idx + 1]; rgb[o + 2] = palette[4 * idx];
      } else if (bpp === 16) {
        const v = bytes[row + 2 * x] | (bytes[row + 2 * x + 1] << 8);
        if (masks![0] === 0xf800) {
          rgb[o] = Math.floor(((v >> 11) & 31) * 255 / 31); rgb[o + 1] = Math.floor(((v >> 5) & 63) * 255 / 63); rgb[o + 2] = Math.floor((v & 31) * 255 / 31);
        } else {
          rgb[o] = Math.floor(((v >> 10) & 31) * 255 / 31); rgb[o + 1] = Math.floor(((v >> 5) & 31) * 255 / 31); rgb[o + 2] = Math.floor((v & 31) * 255 / 31);
        }
      } else if (masks && bpp === 32) {
        const v = dv.getUint32(row + 4 * x, true);
        for (let c = 0; c < 3; c++) rgb[o + c] = ((v & masks[c]) >>> (31 - Math.clz32(masks[c] & -masks[c]))) & 255;
        if (alphaMask && transparent === undefined) {
          const alpha = ((v & alphaMask) >>> (31 - Math.clz32(alphaMask & -alphaMask))) & 255;
          if (alpha !== 255) transparent = { x, y, alpha };
        }
      } else {
        const p = row + x * (bpp >> 3);
        rgb[o] = bytes[p + 2]; rgb[o + 1] = bytes[p + 1]; rgb[o + 2] = bytes[p];
      }
    }
  }
  return transparent ? { width, height, rgb, transparent } : { width, height, rgb };
}
