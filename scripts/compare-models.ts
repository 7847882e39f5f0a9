/**
 * `npm run compare-models`: two sets of AUIF weights side by side on the test sets
 * (lib/report/compare_models.ts): both fuse the same pairs (rule `sum`), the fused images are
 * scored with the 13 metrics (convention `printed`, which reproduces the paper's table), and the
 * dataset means are written beside each other with Δ = B − A, and the paper's AUIF row.
 *
 *   npm run compare-models -- --b models/auif_retrained.safetensors
 *   npm run compare-models -- --a models/upstream --b runs/x/weights.safetensors --datasets tno,flir --pairs 1-10
 *
 * Options:
 *   --a FILE|DIR        model A (default: the authors' pretrained weights, models/upstream/TCSVT_*.model)
 *   --b FILE|DIR        model B (required): a .safetensors file (e.g. `auif train`'s weights.safetensors),
 *                       a PyTorch checkpoint, or a folder with the three upstream .model files
 *   --label-a, --label-b  column headings (default: 'pretrained' / the file name)
 *   --datasets LIST     tno,flir,nir (default all three)
 *   --pairs LIST        e.g. 1-5 or 1,7,12 — the same pairs of every set (default: all pairs)
 *   --mode sum|average|l1   fusion rule (default sum, as the paper)
 *   --convention printed|paper|vifb   (default printed)
 *   --out DIR           where comparison.md and comparison.json are written (default results/compare)
 *   --fused DIR         where the fused images go, DIR/{a,b}/<set>/F{i}.png (default results/tmp/compare-models)
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { initBackend } from '../lib/backend/select.js';
import { writeFileAtomic } from '../lib/io/image.js';
import { DATASETS, DATASET_NAMES, isDatasetName, type DatasetName } from '../lib/data/datasets.js';
import { FUSION_MODES, type FusionMode } from '../lib/fusion/rules.js';
import type { MetricConvention } from '../lib/metrics/types.js';
import { parsePairList } from '../lib/cli/eval.js';
import { UsageError } from '../lib/cli/usage.js';
import { compareModels, CompareModelsError, modelComparisonJSON, modelComparisonMarkdown } from '../lib/report/compare_models.js';
import { createProgress, type Progress } from '../lib/util/progress.js';

const USAGE = `usage: npm run compare-models -- --b FILE [--a FILE] [--label-a A] [--label-b B] [--datasets tno,flir,nir]
         [--pairs 1-5] [--mode sum|average|l1] [--convention printed|paper|vifb] [--out results/compare] [--fused results/tmp/compare-models]`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      a: { type: 'string' }, b: { type: 'string' }, 'label-a': { type: 'string' }, 'label-b': { type: 'string' },
      datasets: { type: 'string', default: DATASET_NAMES.join(',') }, pairs: { type: 'string' },
      mode: { type: 'string', default: 'sum' }, convention: { type: 'string', default: 'printed' },
      out: { type: 'string', default: path.join('results', 'compare') },
      fused: { type: 'string', default: path.join('results', 'tmp', 'compare-models') },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) { console.log(USAGE); return; }
  if (!values.b) throw new UsageError(`--b is required (the weights to compare with ${values.a ?? 'the pretrained ones'})\n${USAGE}`);
  for (const [flag, f] of [['--a', values.a], ['--b', values.b]] as const) {
    if (f !== undefined && !fs.existsSync(f)) throw new UsageError(`${flag}: ${f} does not exist`);
  }
  const datasets = values.datasets.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  for (const d of datasets) if (!isDatasetName(d)) throw new UsageError(`--datasets: unknown set '${d}' (use ${DATASET_NAMES.join(', ')})`);
  if (datasets.length === 0) throw new UsageError('--datasets: no set given');
  const sets = datasets as DatasetName[];
  if (!FUSION_MODES.includes(values.mode as FusionMode)) throw new UsageError(`--mode must be one of ${FUSION_MODES.join(', ')}, got '${values.mode}'`);
  if (!['printed', 'paper', 'vifb'].includes(values.convention)) throw new UsageError(`--convention must be printed, paper or vifb, got '${values.convention}'`);
  // --pairs: the same pairs of every set; each must exist in the largest chosen set, and sets that are smaller drop the rest.
  const indices = values.pairs === undefined ? undefined
    : Object.fromEntries(sets.map((d) => [d, parsePairList(values.pairs!, Math.max(...sets.map((s) => DATASETS[s].pairs))).filter((i) => i <= DATASETS[d].pairs)]));

  const labelA = values['label-a'] ?? (values.a ? path.basename(values.a) : 'pretrained');
  let labelB = values['label-b'] ?? path.basename(values.b);
  if (labelB === labelA) labelB = `${labelB} (B)`;

  const backend = await initBackend({ quiet: true });
  console.error(`[compare-models] A = ${labelA}, B = ${labelB}; ${sets.join(', ')}; backend ${backend.name}`);
  const bars = new Map<string, Progress>();
  const c = await compareModels({
    a: { label: labelA, weights: values.a },
    b: { label: labelB, weights: values.b },
    datasets: sets, indices, mode: values.mode as FusionMode, convention: values.convention as MetricConvention,
    fusedDir: values.fused,
    onProgress: (e) => {
      const key = `${e.model} ${e.phase} ${e.dataset}`;
      let bar = bars.get(key);
      if (!bar) { bar = createProgress(`${e.phase} ${e.dataset} (${e.model === 'a' ? labelA : labelB})`, e.total, 'pairs'); bars.set(key, bar); }
      bar.tick(1, `F${e.index}`);
      if (e.done === e.total) bar.stop();
    },
  });
  const md = modelComparisonMarkdown(c);
  await fs.promises.mkdir(values.out, { recursive: true });
  const files = [path.join(values.out, 'comparison.md'), path.join(values.out, 'comparison.json')];
  await writeFileAtomic(files[0], Buffer.from(`# Model comparison\n\n${md}`));
  await writeFileAtomic(files[1], Buffer.from(modelComparisonJSON(c)));
  console.log(md);
  console.error(`[compare-models] done in ${c.seconds.toFixed(1)} s; wrote ${files.join(', ')}`);
}

main().catch((e: unknown) => {
  const known = e instanceof UsageError || e instanceof CompareModelsError ||
    ['StateDictError', 'CheckpointError', 'ImageError', 'PickleError', 'EvaluationError', 'StagingError', 'PaperTableError'].includes((e as Error)?.name ?? (e as Error)?.constructor?.name);
  process.stderr.write(`compare-models: ${known ? (e as Error).message : (e as Error)?.stack ?? String(e)}\n`);
  process.exit(e instanceof UsageError ? 2 : 1);
});
