/**
 * `auif fuse`: fuse one pair, or every pair of a test set, with the pretrained (or given) weights.
 *
 *   auif fuse --ir IR --vis VIS --out F.png [--mode sum|average|l1] [--weights FILE]
 *   auif fuse --dataset tno|flir|nir --out DIR [--mode …] [--weights FILE]
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { initBackend } from '../backend/select.js';
import { readGrey, writeGreyPng, type GreyImage } from '../io/image.js';
import { loadWeights } from '../model/checkpoint.js';
import { checkPair, fuse } from '../model/auif.js';
import { disposeParams, type AuifParams } from '../model/params.js';
import { FUSION_MODES, type FusionMode } from '../fusion/rules.js';
import { datasetPairs, isDatasetName, DATASET_NAMES } from '../data/datasets.js';
import { createProgress } from '../util/progress.js';
import { UsageError } from './usage.js';
import { median } from '../util/stats.js';

export const FUSE_USAGE = `usage:
  auif fuse --ir IR --vis VIS --out F.png [--mode sum|average|l1] [--weights FILE]
  auif fuse --dataset tno|flir|nir --out DIR [--mode sum|average|l1] [--weights FILE]`;

function sameFile(a: string, b: string): boolean {
  const ra = path.resolve(a);
  const rb = path.resolve(b);
  if (ra === rb) return true;
  try { return fs.realpathSync(ra) === fs.realpathSync(rb); } catch { return false; }
}

export async function fuseCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      ir: { type: 'string' }, vis: { type: 'string' }, out: { type: 'string' },
      dataset: { type: 'string' }, mode: { type: 'string', default: 'sum' }, weights: { type: 'string' },
    },
    strict: true,
  });
  const mode = values.mode as FusionMode;
  if (!FUSION_MODES.includes(mode)) throw new UsageError(`--mode must be one of ${FUSION_MODES.join(', ')}, got '${values.mode}'\n${FUSE_USAGE}`);
  if (!values.out) throw new UsageError(`--out is required\n${FUSE_USAGE}`);
  if (values.dataset !== undefined && (values.ir || values.vis)) throw new UsageError(`give either --dataset or --ir/--vis, not both\n${FUSE_USAGE}`);

  if (values.dataset === undefined) {
    if (!values.ir || !values.vis) throw new UsageError(`--ir and --vis are required (or --dataset)\n${FUSE_USAGE}`);
    for (const input of [values.ir, values.vis]) {
      if (sameFile(values.out, input)) throw new UsageError(`--out ${values.out} is an input image; refusing to overwrite it`);
    }
    const [ir, vis] = await Promise.all([readGrey(values.ir), readGrey(values.vis)]);
    await initBackend();
    const params = await loadWeights(values.weights);
    const t0 = performance.now();
    const F = await fuseNamed(ir, vis, params, mode, values.ir, values.vis);
    const ms = performance.now() - t0;
    await fs.promises.mkdir(path.dirname(path.resolve(values.out)), { recursive: true });
    await writeGreyPng(values.out, F);
    disposeParams(params);
    process.stderr.write(`[auif] fused ${ir.width}×${ir.height} in ${ms.toFixed(0)} ms → ${values.out}\n`);
    return;
  }

  if (!isDatasetName(values.dataset)) throw new UsageError(`--dataset must be one of ${DATASET_NAMES.join(', ')}, got '${values.dataset}'`);
  const pairs = await datasetPairs(values.dataset);
  const outDir = values.out;
  for (const p of pairs) {
    for (const input of [p.ir, p.vis]) if (sameFile(path.join(outDir, path.basename(input)), input)) {
      throw new UsageError(`--out ${outDir} is the dataset's own folder; refusing to write next to the inputs`);
    }
  }
  await fs.promises.mkdir(outDir, { recursive: true });
  await initBackend();
  const params = await loadWeights(values.weights);
  const bar = createProgress(`fuse ${values.dataset}`, pairs.length, 'pairs');
  const times: { index: number; size: string; ms: number }[] = [];
  for (const p of pairs) {
    const [ir, vis] = await Promise.all([readGrey(p.ir), readGrey(p.vis)]);
    const t0 = performance.now();
    const F = await fuseNamed(ir, vis, params, mode, p.ir, p.vis);
    times.push({ index: p.index, size: `${ir.width}×${ir.height}`, ms: performance.now() - t0 });
    await writeGreyPng(path.join(outDir, `F${p.index}.png`), F);
    bar.tick(1, `F${p.index}.png`);
  }
  bar.stop();
  disposeParams(params);
  const ms = times.map((t) => t.ms);
  const bySize = new Map<string, number[]>();
  for (const t of times) bySize.set(t.size, [...(bySize.get(t.size) ?? []), t.ms]);
  const lines = [...bySize].sort((a, b) => b[1].length - a[1].length)
    .map(([size, v]) => `  ${size.padEnd(10)} ${String(v.length).padStart(3)} pairs  median ${median(v).toFixed(0)} ms`);
  process.stderr.write(`[auif] ${pairs.length} pairs → ${outDir}: total ${(ms.reduce((a, b) => a + b, 0) / 1000).toFixed(1)} s, `
    + `median ${median(ms).toFixed(0)} ms/pair, min ${Math.min(...ms).toFixed(0)}, max ${Math.max(...ms).toFixed(0)}\n${lines.join('\n')}\n`);
}

/** fuse() with the error messages naming the two input files. */
async function fuseNamed(ir: GreyImage, vis: GreyImage, params: AuifParams, mode: FusionMode, irName: string, visName: string): Promise<GreyImage> {
  checkPair(ir, vis, { ir: irName, vis: visName });
  return fuse(ir, vis, params, mode);
}
