/**
 * Test helper: four small synthetic 8-bit grey training images, written as PNGs into `dir`
 * (`img0.png` … `img3.png`, (36 + 2i) × (32 + i) pixels, a fixed pattern with some texture), the
 * training set of the tiny variant and ablation runs (test/train/variant.test.ts,
 * test/train/ablations.test.ts). Returns the file paths in order.
 */
import path from 'node:path';
import sharp from 'sharp';

export async function writeSyntheticTrainingImages(dir: string): Promise<string[]> {
  const images: string[] = [];
  for (let i = 0; i < 4; i++) {
    const w = 36 + 2 * i, h = 32 + i;
    const d = Buffer.alloc(w * h);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) d[y * w + x] = (x * 7 + y * 3 + i * 50 + ((x * y) % 13) * 5) & 255;
    const f = path.join(dir, `img${i}.png`);
    await sharp(d, { raw: { width: w, height: h, channels: 1 } }).png().toFile(f);
    images.push(f);
  }
  return images;
}
