/**
 * The ablation driver (lib/train/ablations.ts) end to end on the quick preset: synthetic training
 * images, a few variants × 2 seeds, each trained, copied to models/<variant>/seed<k>.safetensors
 * with its per-epoch log, reloaded with its variant and scored on synthetic test pairs (the real
 * fusion and the 13 metrics; the staged test sets are not needed). Stopped part-way through a
 * run and restarted, it ends with exactly the CSV of an uninterrupted study (training resumes bit
 * for bit). The knob tables are the mean and sample sd over the seeds of the CSV.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  ABLATION_VARIANTS, ABLATION_PRESETS, ablationOrder, knobTable, readAblationCsv, runAblations, runFiles, type AblationEvaluator, type AblationPaths,
} from '../../lib/train/ablations.js';
import { ablationCheckMarkdown, checkAblations } from '../../lib/train/ablations_check.js';
import { fuse } from '../../lib/model/auif.js';
import { loadWeights } from '../../lib/model/checkpoint.js';
import { disposeParams } from '../../lib/model/params.js';
import { computeAll, METRIC_NAMES } from '../../lib/metrics/index.js';
import { readSafetensors } from '../../lib/io/safetensors.js';
import { useBackend } from '../helpers/fixture.js';
import { writeSyntheticTrainingImages } from '../helpers/training_images.js';
import { upstreamGroup } from '../helpers/upstream.js';

const t = suite('train/ablations');
let dir: string;
let images: string[];

const W = 40, H = 36;
const plane = (f: (x: number, y: number) => number) => {
  const d = new Float32Array(W * H);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) d[y * W + x] = Math.round(Math.min(255, Math.max(0, f(x, y)))) / 255;
  return { width: W, height: H, data: d };
};
const to8 = (g: { width: number; height: number; data: Float32Array }) => ({ width: g.width, height: g.height, data: Uint8Array.from(g.data, (v) => Math.round(255 * Math.min(1, Math.max(0, v)))) });

/** Synthetic test pairs (one per dataset and index): the real fusion and metrics, printed convention. */
const syntheticEvaluator: AblationEvaluator = async (params, opts) => {
  const out: Record<string, ReturnType<typeof computeAll>> = {};
  for (const [d, idx] of Object.entries(opts.pairs!)) {
    const per: ReturnType<typeof computeAll>[] = [];
    for (const i of idx!) {
      const ir = plane((x, y) => 40 + 150 * Math.exp(-((x - 12 - i) ** 2 + (y - 18) ** 2) / 40) + ((x * y) % 7));
      const vis = plane((x, y) => 90 + 60 * Math.sin(x / 3 + d.length) + 30 * Math.cos(y / 4));
      const F = await fuse(ir, vis, params, opts.mode ?? 'sum');
      per.push(computeAll(to8(ir), to8(vis), to8(F), { convention: 'printed' }));
    }
    out[d] = Object.fromEntries(METRIC_NAMES.map((m) => [m, per.reduce((a, v) => a + v[m], 0) / per.length])) as ReturnType<typeof computeAll>;
  }
  return out;
};

const paths = (name: string): AblationPaths => ({ models: path.join(dir, name, 'models'), csv: path.join(dir, name, 'ablations.csv'), runs: path.join(dir, name, 'runs') });
const VARIANTS = ['paper', 'depth-3', 'etatheta-tied', 'init-zero', 'filters-8'];
const common = () => ({ preset: 'quick' as const, variants: VARIANTS, images, recipe: { layers: 2, channels: 4, cropSize: 24 }, evaluate: syntheticEvaluator, log: () => {} });

t.before(async () => {
  await useBackend('wasm');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auif-ablations-test-'));
  images = await writeSyntheticTrainingImages(dir);
});
t.after(() => { fs.rmSync(dir, { recursive: true, force: true }); });

t('the variant list: names, knobs, seeds', () => {
  assert.equal(ABLATION_VARIANTS.map((v) => v.name), ['paper', 'depth-1', 'depth-3', 'depth-5', 'depth-15', 'etatheta-tied', 'etatheta-fixed', 'init-identity', 'init-zero', 'mu-0', 'mu-1', 'mu-20', 'filters-8', 'filters-16']);
  const full = ABLATION_PRESETS.full;
  for (const v of ABLATION_VARIANTS) assert.ok(full.seeds(v).length >= (v.name === 'paper' ? 5 : 3), v.name);
  assert.equal(full.recipe, {}); // the paper's recipe: 80 epochs, defaults of TrainConfig
  // run order: the paper's 5 seeds, then seed 1 of each other variant, then seed 2, then seed 3
  const order = ablationOrder(ABLATION_VARIANTS, full).map((r) => `${r.v.name}/${r.seed}`);
  const others = ABLATION_VARIANTS.filter((v) => v.name !== 'paper').map((v) => v.name);
  assert.equal(order, [...[1, 2, 3, 4, 5].map((s) => `paper/${s}`), ...[1, 2, 3].flatMap((s) => others.map((n) => `${n}/${s}`))]);
});

t('quick study end to end, stopped and resumed = uninterrupted', async () => {
  // uninterrupted
  const a = await runAblations({ ...common(), paths: paths('a') });
  assert.is(a.stopped, false);
  assert.is(a.trained.length, VARIANTS.length * 2);
  const rowsA = readAblationCsv(paths('a').csv);
  assert.is(rowsA.length, VARIANTS.length * 2 * 3 * METRIC_NAMES.length);
  assert.equal([...new Set(rowsA.map((r) => r.dataset))], ['tno', 'flir', 'nir']);
  // every run's files; the weights reload with their variant
  for (const v of VARIANTS) {
    for (const seed of [1, 2]) {
      const f = runFiles(paths('a'), v, seed);
      const meta = readSafetensors(f.weights).metadata;
      assert.is(Number(meta.seed), seed);
      const model = JSON.parse(meta.model);
      assert.is(model.layers, v === 'depth-3' ? 3 : 2);
      assert.is(model.channels, v === 'filters-8' ? 8 : 4);
      assert.is(model.init, v === 'init-zero' ? 'zero' : 'paper');
      assert.is(model.etaTheta, v === 'etatheta-tied' ? 'tied' : 'learned');
      const p = await loadWeights(f.weights);
      disposeParams(p);
      const epochs = fs.readFileSync(f.epochs, 'utf8').trim().split('\n');
      assert.is(epochs[0], 'epoch,steps,lr,loss,mse,ssim,seconds');
      assert.equal(epochs.slice(1).map((l) => l.split(',').slice(0, 2).join(',')), ['1,2', '2,2']);
    }
  }
  // seeds and variants give different models (the scores are not a constant)
  const val = (rows: typeof rowsA, v: string, s: number) => rows.find((r) => r.variant === v && r.seed === s && r.dataset === 'tno' && r.metric === 'SD')!.value;
  assert.is.not(val(rowsA, 'paper', 1), val(rowsA, 'paper', 2));
  assert.is.not(val(rowsA, 'paper', 1), val(rowsA, 'init-zero', 1));

  // interrupted: stop in the middle of the third run's training, then restart
  const ctrl = new AbortController();
  let steps = 0;
  const b1 = await runAblations({ ...common(), paths: paths('b'), signal: ctrl.signal, onProgress: (p) => { if (p.phase === 'train' && ++steps === 11) ctrl.abort(); } });
  assert.is(b1.stopped, true);
  assert.is(b1.trained.length, 2);
  assert.ok(fs.existsSync(path.join(runFiles(paths('b'), 'depth-3', 1).runDir, 'checkpoint.safetensors')));
  let etaSeen = false;
  const b2 = await runAblations({ ...common(), paths: paths('b'), onProgress: (p) => { if (p.etaSeconds !== undefined && p.etaSeconds >= 0) etaSeen = true; } });
  assert.is(b2.stopped, false);
  assert.ok(etaSeen, 'progress reports an ETA');
  assert.is(b2.skipped.length, 2);
  assert.equal(readAblationCsv(paths('b').csv), rowsA, 'stop + resume gives the uninterrupted study, value for value');
  // a third call has nothing to do
  const b3 = await runAblations({ ...common(), paths: paths('b') });
  assert.is(b3.trained.length + b3.evaluated.length, 0);

  // knob tables: mean and sample sd over the seeds
  const tab = knobTable(rowsA, 'init');
  assert.equal(tab.missing, ['init-identity']);
  const z = tab.rows.find((r) => r.variant === 'init-zero' && r.dataset === 'tno')!;
  const xs = [1, 2].map((s) => val(rowsA, 'init-zero', s));
  const m = (xs[0] + xs[1]) / 2;
  assert.ok(Math.abs(z.metrics.SD.mean - m) < 1e-12);
  assert.ok(Math.abs(z.metrics.SD.sd - Math.abs(xs[0] - xs[1]) / Math.SQRT2) < 1e-12);
});

t('the check: re-scoring the committed weights reproduces the CSV; a tampered value is caught', async () => {
  // the study of the test above (paths 'a'): every trained run, scored again by the same evaluator
  const p = paths('a');
  const rows = readAblationCsv(p.csv);
  const all = await checkAblations({ rows, paths: p, preset: 'quick', evaluate: syntheticEvaluator, sample: 100 });
  assert.is(all.targets.length, VARIANTS.length * 2);
  assert.is(all.lines.length, rows.length);
  assert.ok(all.ok, ablationCheckMarkdown(all));
  assert.is(all.worst!.rel, 0); // the same weights, fusion and metrics: bit for bit
  // one value off by 2e-3 relative in the CSV: that run's check fails, naming it; 5e-4 passes
  const tampered = (f: number) => rows.map((r) => (r.variant === 'init-zero' && r.seed === 2 && r.dataset === 'flir' && r.metric === 'SF' ? { ...r, value: r.value * f } : r));
  const bad = await checkAblations({ rows: tampered(1.002), paths: p, preset: 'quick', evaluate: syntheticEvaluator, variant: 'init-zero', seed: 2 });
  assert.is(bad.ok, false);
  assert.equal(bad.lines.filter((l) => !l.ok).map((l) => `${l.variant}/${l.seed} ${l.dataset} ${l.metric}`), ['init-zero/2 flir SF']);
  assert.ok(Math.abs(bad.worst!.rel - 0.002 / 1.002) < 1e-9);
  assert.match(ablationCheckMarkdown(bad), /1 of 39 values do not agree/);
  const fine = await checkAblations({ rows: tampered(1.0005), paths: p, preset: 'quick', evaluate: syntheticEvaluator, variant: 'init-zero', seed: 2, datasets: ['flir'] });
  assert.ok(fine.ok);
  assert.is(fine.lines.length, METRIC_NAMES.length);
});

t('evaluation-only variants: the authors\' weights, the fusion rule on them and on each paper seed, the classic solver', async () => {
  if (!(await upstreamGroup('models'))) return;
  const p = paths('evalonly');
  const modes: string[] = [];
  const recording: AblationEvaluator = async (params, o) => { modes.push(o.mode ?? 'sum'); return syntheticEvaluator(params, o); };
  const r = await runAblations({ ...common(), paths: p, variants: ['paper', 'authors', 'authors-rule-l1', 'rule-l1', 'classic'], evaluate: recording });
  assert.equal(r.trained, ['paper/seed1', 'paper/seed2']);
  const rows = readAblationCsv(p.csv);
  const runs = [...new Set(rows.map((x) => `${x.variant}/${x.seed}`))].sort();
  assert.equal(runs, ['authors-rule-l1/0', 'authors/0', 'classic/0', 'paper/1', 'paper/2', 'rule-l1/1', 'rule-l1/2']);
  // each run has every metric on every test set of the preset
  for (const id of runs) assert.is(rows.filter((x) => `${x.variant}/${x.seed}` === id).length, 3 * METRIC_NAMES.length, id);
  const v = (variant: string, seed: number, metric = 'SD', dataset = 'tno') => rows.find((x) => x.variant === variant && x.seed === seed && x.metric === metric && x.dataset === dataset)!.value;
  // the rule is honoured (l1 ≠ sum on the same weights) and the classic solver is not the learned encoders
  assert.ok(modes.includes('l1') && modes.filter((m) => m === 'sum').length >= 4, modes.join(','));
  assert.is.not(v('rule-l1', 1), v('paper', 1));
  assert.is.not(v('authors-rule-l1', 0), v('authors', 0));
  assert.is.not(v('classic', 0), v('authors', 0));
  // restarting scores nothing again
  const again = await runAblations({ ...common(), paths: p, variants: ['paper', 'authors', 'authors-rule-l1', 'rule-l1', 'classic'], evaluate: recording });
  assert.equal([again.trained, again.evaluated], [[], []]);
});

t('a malformed CSV line is refused, naming the file and line', () => {
  const f = path.join(dir, 'bad.csv');
  fs.writeFileSync(f, 'variant,seed,dataset,metric,value\npaper,1,tno,EN\n');
  assert.throws(() => readAblationCsv(f), (e: Error) => /bad\.csv:2: expected variant,seed,dataset,metric,value/.test(e.message));
});

t.run();
