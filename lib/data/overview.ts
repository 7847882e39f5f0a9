/**
 * An overview of the data: the training set (180 FLIR pairs, `Datasets/Train_data_FLIR/FLIR`,
 * whose 360 images the authors train on as independent samples) beside the three test sets,
 * image sizes, and grey-level histograms. Used by notebook 01.
 */
import fs from 'node:fs';
import sharp from 'sharp';
import { ensureStaged, stagedPath } from './stage.js';
import { DATASETS, DATASET_NAMES, datasetPairs, type DatasetName } from './datasets.js';
import { readGrey8 } from '../io/image.js';

/** The training set as the upstream repository ships it. */
export const TRAINING_SET = { title: 'FLIR (training)', folder: 'Datasets/Train_data_FLIR/FLIR', ext: 'jpg', pairs: 180, group: 'train' } as const;

/** A pair of files with a label for figures ("TNO 3", "train 17"). */
export interface FilePair { index: number; ir: string; vis: string; label: string }

/** The 180 training pairs (staging them on first use). */
export async function trainingPairs(opts: { quiet?: boolean } = {}): Promise<FilePair[]> {
  await ensureStaged([TRAINING_SET.group], { quiet: opts.quiet });
  return Array.from({ length: TRAINING_SET.pairs }, (_, k) => ({
    index: k + 1,
    ir: stagedPath(`${TRAINING_SET.folder}/IR${k + 1}.${TRAINING_SET.ext}`),
    vis: stagedPath(`${TRAINING_SET.folder}/VIS${k + 1}.${TRAINING_SET.ext}`),
    label: `train ${k + 1}`,
  }));
}

/** Every set of the overview: the three test sets and the training set. */
export type OverviewSet = DatasetName | 'train';
export const OVERVIEW_SETS: readonly OverviewSet[] = [...DATASET_NAMES, 'train'];

/** The pairs of a test set or of the training set, labelled. */
export async function labelledPairs(set: OverviewSet, opts: { quiet?: boolean } = {}): Promise<FilePair[]> {
  if (set === 'train') return trainingPairs(opts);
  const title = DATASETS[set].title.split(' ')[0];
  return (await datasetPairs(set, { quiet: opts.quiet })).map((p) => ({ index: p.index, ir: p.ir, vis: p.vis, label: `${title} ${p.index}` }));
}

/** Width and height of an image file from its header (BMP by hand, others through sharp). */
export async function imageSize(file: string): Promise<{ width: number; height: number }> {
  const fd = await fs.promises.open(file, 'r');
  try {
    const head = Buffer.alloc(26);
    await fd.read(head, 0, 26, 0);
    if (head[0] === 0x42 && head[1] === 0x4d) return { width: head.readInt32LE(18), height: Math.abs(head.readInt32LE(22)) };
  } finally {
    await fd.close();
  }
  const m = await sharp(file).metadata();
  if (!m.width || !m.height) throw new Error(`imageSize: ${file} has no size in its header`);
  return { width: m.width, height: m.height };
}

/** One row of the overview table. */
export interface SetSummary {
  set: string;
  pairs: number;
  format: string;
  /** Distinct sizes (width×height), most frequent first, with counts. */
  sizes: { size: string; count: number }[];
  minPixels: number;
  maxPixels: number;
  /** Total pixels of all IR images (= of all VIS images). */
  totalPixels: number;
}

/** Counts, formats and sizes of one set (IR and VIS of a pair always have the same size). */
export async function summarizeSet(set: OverviewSet): Promise<SetSummary> {
  const pairs = await labelledPairs(set, { quiet: true });
  const sizes = await Promise.all(pairs.map((p) => imageSize(p.ir)));
  const counts = new Map<string, number>();
  for (const s of sizes) counts.set(`${s.width}×${s.height}`, (counts.get(`${s.width}×${s.height}`) ?? 0) + 1);
  const px = sizes.map((s) => s.width * s.height);
  return {
    set: set === 'train' ? TRAINING_SET.title : DATASETS[set].title,
    pairs: pairs.length,
    format: (set === 'train' ? TRAINING_SET.ext : DATASETS[set].ext).toUpperCase(),
    sizes: [...counts].map(([size, count]) => ({ size, count })).sort((a, b) => b.count - a.count),
    minPixels: Math.min(...px),
    maxPixels: Math.max(...px),
    totalPixels: px.reduce((a, b) => a + b, 0),
  };
}

/** The 256-bin histogram of grey levels over all `files` (read as PIL's convert('L')). */
export async function greyHistogram(files: string[]): Promise<Float64Array> {
  const h = new Float64Array(256);
  for (const f of files) {
    const g = await readGrey8(f);
    for (let i = 0; i < g.data.length; i++) h[g.data[i]]++;
  }
  return h;
}
