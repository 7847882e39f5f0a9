/**
 * Minimal Windows BMP decoder (BITMAPINFOHEADER and later), for the TNO test images, which are
 * 8-bit palettised BMP with a grey palette. sharp/libvips does not read BMP.
 *
 * Supported: 1, 4 and 8-bit palettised, 24-bit BGR and 32-bit BGRX, uncompressed (BI_RGB),
 * bottom-up or top-down rows padded to 4 bytes (Microsoft, "BITMAPINFOHEADER structure").
 * Output is RGB, 8 bits per channel, row-major, top row first.
 */
export interface RgbImage { width: number; height: number; rgb: Uint8Array }

export class BmpError extends Error {}

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
  if (compression !== 0 && !(compression === 3 && bpp === 32)) fail(`compression ${compression} is not supported`);
  if (![1, 4, 8, 24, 32].includes(bpp)) fail(`${bpp} bits per pixel is not supported`);
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
      } else {
        const p = row + x * (bpp >> 3);
        rgb[o] = bytes[p + 2]; rgb[o + 1] = bytes[p + 1]; rgb[o + 2] = bytes[p];
      }
    }
  }
  return { width, height, rgb };
}
