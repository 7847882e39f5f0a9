/**
 * Image files whose header declares a size their data does not hold (decompression-bomb
 * probes): a PNG with a valid IHDR (CRC recomputed) and a tiny IDAT, a JPEG whose SOF marker is
 * patched. Readers must refuse them from the header, before decoding anything.
 */
import sharp from 'sharp';

const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** CRC-32 (ISO 3309, as PNG chunks use it). */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 255] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A PNG (8-bit grey) whose IHDR declares width×height, with a valid CRC and a 2-byte IDAT. */
export function pngHeaderOnly(width: number, height: number, opts: { bitDepth?: 8 | 16; colourType?: 0 | 2 | 4 | 6 } = {}): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(td));
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0); ihdr.writeUInt32BE(height, 4);
  ihdr[8] = opts.bitDepth ?? 8; ihdr[9] = opts.colourType ?? 0; // compression, filter, interlace: 0
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', Buffer.from([0x78, 0x9c])), chunk('IEND', Buffer.alloc(0))]);
}

/** A small real JPEG whose SOF0/SOF2 marker is patched to declare width×height (≤ 65535 each). */
export async function jpegDeclaring(width: number, height: number): Promise<Buffer> {
  const b = Buffer.from(await sharp(Buffer.alloc(16 * 16, 128), { raw: { width: 16, height: 16, channels: 1 } }).jpeg().toBuffer());
  for (let i = 2; i + 9 < b.length; i++) {
    if (b[i] === 0xff && (b[i + 1] === 0xc0 || b[i + 1] === 0xc2)) {
      b.writeUInt16BE(height, i + 5); b.writeUInt16BE(width, i + 7);
      return b;
    }
  }
  throw new Error('jpegDeclaring: no SOF marker found');
}

/** A baseline little-endian TIFF, one strip, uncompressed, grey (1 sample) of `bits` bits (sharp writes 8-bit TIFF only). */
export function greyTiff(width: number, height: number, bits: 8 | 16, value: (i: number) => number): Buffer {
  const bps = bits / 8;
  const pixels = Buffer.alloc(width * height * bps);
  for (let i = 0; i < width * height; i++) bps === 2 ? pixels.writeUInt16LE(value(i), 2 * i) : pixels.writeUInt8(value(i), i);
  const tags: [number, number, number][] = [ // tag, type (3 SHORT, 4 LONG), value
    [256, 4, width], [257, 4, height], [258, 3, bits], [259, 3, 1], [262, 3, 1],
    [273, 4, 0], [277, 3, 1], [278, 4, height], [279, 4, pixels.length],
  ];
  const ifdAt = 8, ifdLen = 2 + 12 * tags.length + 4, dataAt = ifdAt + ifdLen;
  const b = Buffer.alloc(dataAt + pixels.length);
  b.write('II', 0, 'latin1'); b.writeUInt16LE(42, 2); b.writeUInt32LE(ifdAt, 4);
  b.writeUInt16LE(tags.length, ifdAt);
  tags.forEach(([tag, type, v], k) => {
    const o = ifdAt + 2 + 12 * k;
    b.writeUInt16LE(tag, o); b.writeUInt16LE(type, o + 2); b.writeUInt32LE(1, o + 4);
    const val = tag === 273 ? dataAt : v;
    if (type === 3) b.writeUInt16LE(val, o + 8); else b.writeUInt32LE(val, o + 8);
  });
  pixels.copy(b, dataAt);
  return b;
}
