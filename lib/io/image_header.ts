/**
 * What an image file's header says about its samples, read from the bytes alone (no decoder, no
 * Node modules, so the browser page can use it): the format, bits per sample, an alpha channel,
 * CMYK. A browser's decoder silently turns a 16-bit PNG into 8 bits, composites or premultiplies
 * alpha and converts CMYK JPEGs to RGB; the Node reader (lib/io/colour_image.ts `readImage8`)
 * refuses all three, and the teaching page (lib/site/page.ts) refuses them with the same words
 * through {@link unsupportedReason}.
 *
 * Read from the format specifications:
 * - PNG (ISO/IEC 15948, W3C PNG 2nd ed. §11.2): IHDR bit depth (byte 24) and colour type
 *   (byte 25: 4 grey+alpha, 6 RGBA); a tRNS chunk before IDAT also means alpha (libvips and PIL
 *   expand it to an alpha channel).
 * - JPEG (ITU-T T.81 §B.2.2): the frame header SOFn gives the sample precision P and the number of
 *   components Nf (4: CMYK or YCCK, Adobe).
 * - WebP (RFC 9649): a VP8X chunk's alpha flag (0x10), or a VP8L header's alpha_is_used bit.
 * - TIFF ('II*\0' / 'MM\0*'), which browsers do not decode at all; BMP ('BM') and GIF ('GIF8').
 */

export type ImageFormat = 'PNG' | 'JPEG' | 'WEBP' | 'BMP' | 'GIF' | 'TIFF' | 'unknown';

export interface ImageHeader {
  format: ImageFormat;
  /** Bits per sample where the header states it (PNG bit depth, JPEG precision). */
  bitsPerSample?: number;
  /** The file carries an alpha channel (PNG colour type 4/6 or tRNS, WebP alpha). */
  alpha?: boolean;
  /** JPEG with 4 components (CMYK/YCCK). */
  cmyk?: boolean;
  width?: number;
  height?: number;
}

const ascii = (b: Uint8Array, at: number, n: number) => String.fromCharCode(...b.subarray(at, at + n));
const u32be = (b: Uint8Array, at: number) => ((b[at] << 24) >>> 0) + (b[at + 1] << 16) + (b[at + 2] << 8) + b[at + 3];
const u16be = (b: Uint8Array, at: number) => (b[at] << 8) | b[at + 1];
const u32le = (b: Uint8Array, at: number) => (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;

function png(b: Uint8Array): ImageHeader {
  const h: ImageHeader = { format: 'PNG' };
  if (b.length < 33 || ascii(b, 12, 4) !== 'IHDR') return h;
  h.width = u32be(b, 16);
  h.height = u32be(b, 20);
  h.bitsPerSample = b[24];
  const colourType = b[25];
  h.alpha = colourType === 4 || colourType === 6;
  // chunks: length(4) type(4) data(length) crc(4), from byte 8; tRNS must precede IDAT
  for (let at = 8; at + 8 <= b.length;) {
    const len = u32be(b, at);
    const type = ascii(b, at + 4, 4);
    if (type === 'tRNS') h.alpha = true;
    if (type === 'IDAT' || type === 'IEND') break;
    at += 12 + len;
  }
  return h;
}

function jpeg(b: Uint8Array): ImageHeader {
  const h: ImageHeader = { format: 'JPEG' };
  for (let at = 2; at + 4 <= b.length;) {
    if (b[at] !== 0xff) { at++; continue; } // tolerate fill bytes / garbage between segments
    const m = b[at + 1];
    if (m === 0xff) { at++; continue; }
    if (m === 0x01 || (m >= 0xd0 && m <= 0xd8)) { at += 2; continue; } // markers without a length
    if (m === 0xd9 || m === 0xda) break; // EOI, SOS: no frame header before the scan
    const len = u16be(b, at + 2);
    const sof = m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;
    if (sof && at + 10 <= b.length) {
      h.bitsPerSample = b[at + 4];
      h.height = u16be(b, at + 5);
      h.width = u16be(b, at + 7);
      h.cmyk = b[at + 9] === 4;
      break;
    }
    at += 2 + len;
  }
  return h;
}

function webp(b: Uint8Array): ImageHeader {
  const h: ImageHeader = { format: 'WEBP', bitsPerSample: 8 };
  const chunk = ascii(b, 12, 4);
  if (chunk === 'VP8X' && b.length >= 21) h.alpha = (b[20] & 0x10) !== 0;
  else if (chunk === 'VP8L' && b.length >= 25 && b[20] === 0x2f) h.alpha = ((u32le(b, 21) >>> 28) & 1) === 1;
  else h.alpha = false;
  return h;
}

/** The header facts of an image file (`format: 'unknown'` when no known signature matches). */
export function readImageHeader(bytes: Uint8Array): ImageHeader {
  const b = bytes;
  if (b.length >= 8 && b[0] === 0x89 && ascii(b, 1, 3) === 'PNG') return png(b);
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return jpeg(b);
  if (b.length >= 16 && ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 4) === 'WEBP') return webp(b);
  if (b.length >= 2 && b[0] === 0x42 && b[1] === 0x4d) return { format: 'BMP' };
  if (b.length >= 4 && ascii(b, 0, 4) === 'GIF8') return { format: 'GIF', bitsPerSample: 8 };
  if (b.length >= 4 && (ascii(b, 0, 4) === 'II*\0' || ascii(b, 0, 4) === 'MM\0*')) return { format: 'TIFF' };
  return { format: 'unknown' };
}

/**
 * Why an image cannot be fused faithfully, in the words of lib/io/colour_image.ts `readImage8`
 * (an alpha channel is not a reason by itself: like the Node reader, lib/io/decode_image.ts, the
 * page accepts an opaque one and refuses a decoded pixel with alpha < 255, see
 * lib/site/compute.ts `image8FromPixels`)
 * ("16-bit PNG; only 8-bit images are read …"), or null when its header is acceptable. `browser`
 * adds the case a browser cannot decode at all (TIFF).
 */
export function unsupportedReason(h: ImageHeader, opts: { browser?: boolean } = {}): string | null {
  if (h.cmyk) return `${h.format} in CMYK; convert it to RGB or grey first (fusion needs grey or RGB input)`;
  if (h.bitsPerSample !== undefined && h.bitsPerSample > 8) return `${h.bitsPerSample}-bit ${h.format}; only 8-bit images are read (PIL's convert('L') would clip it at 255, a rescaling would change every value); convert it to 8 bits first`;
  if (opts.browser && h.format === 'TIFF') return 'TIFF, which browsers do not decode; convert it to PNG first';
  return null;
}

/** The format's name as the Node reader's messages write it (lib/io/decode_image.ts): WebP, not WEBP. */
export function formatName(h: ImageHeader): string {
  return h.format === 'WEBP' ? 'WebP' : h.format;
}
