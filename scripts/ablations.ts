/**
 * `npm run ablations [-- --preset full|quick] [--variants paper,depth-5,…]`: trains every missing
 * (variant, seed) of the ablation study one after another, then scores it (lib/train/ablations.ts).
 * Ctrl-C checkpoints the run in progress; running the command again resumes it.
 *
 *   full  (default): 80 epochs × 12 steps per run, seeds 1–5 (paper) / 1–3 (others), all 132 test
 *                    pairs → models/ablations/<variant>/seed<k>.safetensors, results/ablations/ablations.csv
 *   quick:           2 epochs × 2 steps of batch 2, seeds 1–2, 4 test pairs → results/quick/ablations/
 */
import { parseArgs } from 'node:util';
import { runAblations, ABLATION_VARIANTS } from '../lib/train/ablations.js';
import { formatDuration } from '../lib/cli/train.js';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { preset: { type: 'string', default: 'full' }, variants: { type: 'string' } } });
  if (values.preset !== 'full' && values.preset !== 'quick') throw new Error(`--preset must be full or quick, got '${values.preset}'`);
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

main().catch((e) => { process.stderr.write(`ablations: ${(e as Error).message}\n`); process.exit(1); });
