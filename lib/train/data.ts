/**
 * The training data of upstream `train.py`: `ImageFolder('Datasets/Train_data_FLIR/')` — the
 * 360 images of `FLIR/` (IR1…IR180 and VIS1…VIS180, each an independent sample, in sorted file
 * name order) — through `DataLoader(Data, batch_size=32, shuffle=True)`:
 *
 * - every epoch draws a fresh permutation of the N images and cuts it into consecutive batches
 *   of B (the last one shorter: 360 = 11·32 + 8, `drop_last=False`);
 * - an epoch runs `Iter_per_epoch = ⌈N/B⌉` steps (12), i.e. every batch once;
 * - each sample is `RandomResizedCrop(128)` + `Grayscale(1)` + `ToTensor()` of its image
 *   ({@link randomResizedCropSample}), drawn anew every time it is used.
 *
 * Images are decoded once, as PIL's `Image.open(f).convert('RGB')` gives them (sharp's JPEG
 * decoder gives the same bytes as Pillow's for all 360 training images), and kept in memory
 * (~100 MB); a grey image is kept as one plane.
 */
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { decodeImageFile, readImageBytes } from '../io/decode_image.js';
import { ensureStaged, stagedPath } from '../data/stage.js';
import { groupEntries } from '../data/manifest.js';
import { randomResizedCropSample, type Image8 } from './augment.js';
import type { Rng } from './rng.js';

/** Upstream folder of the training images. */
export const TRAIN_FOLDER = 'Datasets/Train_data_FLIR/FLIR/';
/** Upstream batch size and crop size. */
export const DEFAULT_BATCH_SIZE = 32;
export const DEFAULT_CROP_SIZE = 128;

/** The staged training images (staging them on first use), in `ImageFolder`'s sorted order. */
export async function trainingFiles(opts: { quiet?: boolean } = {}): Promise<string[]> {
  await ensureStaged('train', { quiet: opts.quiet });
  return groupEntries('train')
    .filter((e) => e.path.startsWith(TRAIN_FOLDER))
    .map((e) => stagedPath(e.path))
    .sort((a, b) => (path.basename(a) < path.basename(b) ? -1 : path.basename(a) > path.basename(b) ? 1 : 0));
}

/**
 * Decodes an image file as PIL's `Image.open(file).convert('RGB')` (grey replicated), returned as
 * one plane when it is grey (R = G = B everywhere). The same gate as every reader
 * (lib/io/decode_image.ts): 16-bit, CMYK, transparency, SVG and images over the pixel limit are
 * refused naming the file.
 */
export async function decodeImage8(file: string): Promise<Image8> {
  const img = await decodeImageFile(file, await readImageBytes(file, 'training image'));
  if (img.channels === 1) return img;
  const n = img.width * img.height;
  const d = img.data;
  for (let o = 0; o < 3 * n; o += 3) if (d[o] !== d[o + 1] || d[o] !== d[o + 2]) return img;
  const g = new Uint8Array(n);
  for (let i = 0; i < n; i++) g[i] = d[3 * i];
  return { width: img.width, height: img.height, channels: 1, data: g };
}

/** Decodes every file (see {@link decodeImage8}). */
export async function loadImages(files: readonly string[]): Promise<Image8[]> {
  const out: Image8[] = [];
  for (const f of files) out.push(await decodeImage8(f));
  return out;
}

/** Steps per epoch as upstream computes `Iter_per_epoch`: ⌈N / B⌉. */
export function stepsPerEpochFor(n: number, batchSize: number): number {
  return Math.ceil(n / batchSize);
}

/** The `step`-th batch (0-based) of an epoch's permutation: indices perm[step·B … step·B + B − 1] (fewer at the end). */
export function batchIndices(perm: Int32Array, batchSize: number, step: number): Int32Array {
  const start = step * batchSize;
  if (start >= perm.length || step < 0) throw new RangeError(`batchIndices: step ${step} is past the epoch (${perm.length} images, batch ${batchSize})`);
  return perm.subarray(start, Math.min(start + batchSize, perm.length));
}

/**
 * One batch: a {@link randomResizedCropSample} of each listed image, in order, stacked as an
 * NHWC tensor [n, size, size, 1].
 */
export function makeBatch(rng: Rng, images: readonly Image8[], indices: ArrayLike<number>, cropSize: number): tf.Tensor4D {
  const n = indices.length;
  const data = new Float32Array(n * cropSize * cropSize);
  for (let b = 0; b < n; b++) data.set(randomResizedCropSample(rng, images[indices[b]], cropSize), b * cropSize * cropSize);
  return tf.tensor4d(data, [n, cropSize, cropSize, 1]);
}
