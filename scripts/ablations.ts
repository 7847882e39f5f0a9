/**
 * `npm run ablations [-- --preset full|quick] [--variants paper,depth-5,…]`: trains every missing
 * (variant, seed) of the ablation study one after another, then scores it (lib/train/ablations.ts).
 * Ctrl-C checkpoints the run in progress; running the command again resumes it.
 *
 *   full  (default): 80 epochs × 12 steps per run, seeds 1–5 (paper) / 1–3 (others), all 132 test
 *                    pairs → models/ablations/<variant>/seed<k>.safetensors, results/ablations/ablations.csv
 *   quick:           2 epochs × 2 steps of batch 2, seeds 1–2, 4 test pairs → results/quick/ablations/
 *
 * `npm run ablations -- --check [--sample N] [--variant V [--seed K]] [--datasets tno,flir] [--tol 1e-3]`:
 * trains nothing; re-fuses the test pairs with a sample of the committed checkpoints (default: 2,
 * a deterministic sample spread over the study), recomputes the metrics as the driver scored them
 * and compares with the CSV (lib/train/ablations_check.ts). Prints a table; exit code 1 when a
 * value differs by more than the tolerance (relative), 2 on bad options.
 */
import { parseArgs } from 'node:util';
import { runAblations, ABLATION_VARIANTS, defaultAblationPaths, readAblationCsv } from '../lib/train/ablations.js';
import { AblationCheckError, checkAblations, ablationCheckMarkdown } from '../lib/train/ablations_check.js';
import { initBackend } from '../lib/backend/select.js';
import type { DatasetName } from '../lib/data/datasets.js';
import { formatDuration } from '../lib/cli/train.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      preset: { type: 'string', default: 'full' }, variants: { type: 'string' },
      check: { type: 'boolean' }, sample: { type: 'string' }, variant: { type: 'string' }, seed: { type: 'string' }, datasets: { type: 'string' }, tol: { type: 'string' },
    },
  });
  if (values.preset !== 'full' && values.preset !== 'quick') throw new Error(`--preset must be full or quick, got '${values.preset}'`);
  if (values.check) return check(values.preset, values);
  for (const k of ['sample', 'variant', 'seed', 'datasets', 'tol'] as const) if (values[k] !== undefined) throw new Error(`--${k} goes with --check`);
  const variants = values.variants?.split(',').map((s) => s.trim()).filter(Boolean);
  const ctrl = new AbortController();
  process.on('SIGINT', () => { process.stderr.write('\n[ablations] stopping after this step (checkpoint)…\n'); ctrl.abort(); });
  let last = 0;
  const r = await runAblations({
    preset: values.preset, variants, signal: ctrl.signal,
    onProgress: (p) => {
      const now = Date.now();
      if (p.phase === 'train' && now - last < 5000 && p.step !== p.totalSteps) return;
      last = now;
      const eta = p.etaSeconds !== undefined ? `, ETA ${formatDuration(p.etaSeconds)} (training)` : '';
      process.stderr.write(`[ablations] run ${p.run}/${p.runs} ${p.variant}/seed${p.seed}: ${p.phase}${p.step ? ` step ${p.step}/${p.totalSteps}` : ''}${eta}\n`);
    },
  });
  process.stderr.write(`[ablations] ${r.stopped ? 'stopped' : 'done'}: trained ${r.trained.length}, scored ${r.evaluated.length} already-trained, ${r.skipped.length} already in the CSV (variants: ${ABLATION_VARIANTS.length})\n`);
}

/** A positive number from a flag, or a clear error naming it. */
function numberFlag(name: string, v: string | undefined, integer: boolean): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || (integer && !Number.isInteger(n)) || n < (integer ? 0 : Number.MIN_VALUE)) {
    throw new AblationCheckError(`--${name} must be a ${integer ? 'non-negative integer' : 'positive number'}, got '${v}'`);
  }
  return n;
}

async function check(preset: 'full' | 'quick', values: { sample?: string; variant?: string; seed?: string; datasets?: string; tol?: string }): Promise<void> {
  const sample = numberFlag('sample', values.sample, true);
  if (sample === 0) throw new AblationCheckError('--sample must be at least 1');
  const paths = defaultAblationPaths(process.cwd(), preset);
  const rows = readAblationCsv(paths.csv);
  if (!rows.length) throw new AblationCheckError(`${paths.csv}: no rows to check`);
  await initBackend({ quiet: true });
  const t0 = Date.now();
  const r = await checkAblations({
    rows, paths, preset, sample, variant: values.variant, seed: numberFlag('seed', values.seed, true),
    datasets: values.datasets?.split(',').map((s) => s.trim()).filter(Boolean) as DatasetName[] | undefined,
    tol: numberFlag('tol', values.tol, false), log: (l) => process.stderr.write(`[ablations] ${l}\n`),
  });
  process.stdout.write(`${ablationCheckMarkdown(r)}\n`);
  process.stderr.write(`[ablations] check: ${r.targets.length} run(s), ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
  if (!r.ok) process.exitCode = 1;
}

main().catch((e) => { process.stderr.write(`ablations: ${(e as Error).message}\n`); process.exit(e instanceof AblationCheckError ? 2 : 1); });
