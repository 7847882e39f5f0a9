/**
 * The three test sets of the paper (TNO, FLIR, RGB-NIR "country") as lists of registered IR/VIS
 * pairs, and the authors' own fused outputs for them, staged on first use.
 */
import { ensureStaged, stagedPath, type GroupName } from './stage.js';

export type DatasetName = 'tno' | 'flir' | 'nir';
export const DATASET_NAMES: readonly DatasetName[] = ['tno', 'flir', 'nir'];

export interface DatasetDef {
  /** Display name. */
  title: string;
  /** Upstream folder. */
  folder: string;
  ext: 'bmp' | 'jpg' | 'png';
  pairs: number;
  group: GroupName;
  /** Staging group and upstream folder of the authors' fused outputs (AUIF, 'Sum' rule), if published. */
  results?: { group: GroupName; folder: string };
}

export const DATASETS: Record<DatasetName, DatasetDef> = {
  tno: { title: 'TNO', folder: 'Datasets/Test_data_TNO', ext: 'bmp', pairs: 40, group: 'tno', results: { group: 'results-tno', folder: 'Test_result/TNO_TCSVT' } },
  flir: { title: 'FLIR', folder: 'Datasets/Test_data_FLIR', ext: 'jpg', pairs: 40, group: 'flir', results: { group: 'results-flir', folder: 'Test_result/FLIR_TCSVT' } },
  nir: { title: 'RGB-NIR (country)', folder: 'Datasets/Test_data_NIR_Country', ext: 'png', pairs: 52, group: 'nir' },
};

export interface ImagePair {
  dataset: DatasetName;
  /** 1-based pair number as upstream (IR{i}, VIS{i}, F{i}). */
  index: number;
  ir: string;
  vis: string;
  /** The authors' fused image F{i}.png, where published. */
  authors?: string;
}

export function isDatasetName(s: string): s is DatasetName {
  return (DATASET_NAMES as readonly string[]).includes(s);
}

/** All pairs of a test set (staging it, and the authors' outputs, if needed). */
export async function datasetPairs(name: DatasetName, opts: { withAuthors?: boolean; quiet?: boolean } = {}): Promise<ImagePair[]> {
  if (!isDatasetName(name)) throw new Error(`unknown dataset '${name as string}' (use ${DATASET_NAMES.join(', ')})`);
  const d = DATASETS[name];
  const groups: GroupName[] = [d.group];
  if (opts.withAuthors && d.results) groups.push(d.results.group);
  await ensureStaged(groups, { quiet: opts.quiet });
  return Array.from({ length: d.pairs }, (_, k) => {
    const i = k + 1;
    return {
      dataset: name,
      index: i,
      ir: stagedPath(`${d.folder}/IR${i}.${d.ext}`),
      vis: stagedPath(`${d.folder}/VIS${i}.${d.ext}`),
      authors: d.results ? stagedPath(`${d.results.folder}/F${i}.png`) : undefined,
    };
  });
}
