/**
 * `auif eval`: the 13 fusion metrics (EN, SD, SF, AG, MI, SCD, VIF, Qabf, SSIM, CC, PSNR, RMSE,
 * CE; lib/metrics) of one fused image, or of a whole test set with its means and, under the
 * `printed` convention, the paper's row beside them.
 *
 *   auif eval --ir IR --vis VIS --fused F [--convention paper|vifb|printed] [--json]
 *   auif eval --dataset tno|flir|nir --fused DIR|authors [--convention …] [--pairs 1,3-5] [--out DIR] [--json]
 *   auif eval --dataset vifb --fused ADF|TIF|GFF|CNN|U2Fusion|SeAFusion|DIR [--pairs …] [--out DIR] [--json]
 *
 * Under `--convention vifb` colour is kept and scored as VIFB's code does (lib/report/vifb.ts),
 * with VIFB's extra metrics (EI, Qcb, Qcv) after the 13; `paper` and `printed` read images as grey.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { writeFileAtomic } from '../io/image.js';
import { DATASETS, DATASET_NAMES, isDatasetName } from '../data/datasets.js';
import { METRIC_NAMES, type MetricValues } from '../metrics/index.js';
import type { MetricConvention } from '../metrics/types.js';
import { evaluateDataset, evaluateTriplet, evaluationCsv, evaluationJSON, type DatasetEvaluation } from '../report/evaluate.js';
import { compareWithPaper, comparisonJSON, comparisonMarkdown } from '../report/paper_table.js';
import { createProgress, type Progress } from '../util/progress.js';
import { evaluateVifb, evaluateVifbTriplet, vifbCsv, vifbJSON, vifbRow, VIFB_REPORT_NAMES, type VifbEvaluation } from '../report/vifb.js';
import { VIFB_METHODS, VIFB_SCENES } from '../data/vifb.js';
import { UsageError } from './usage.js';
import { checkFolderOutput, ensureOutputDir } from './paths.js';
import { applyMaxPixels, MAX_PIXELS_OPTION } from './max_pixels.js';

export const EVAL_USAGE = `usage:
  auif eval --ir IR --vis VIS --fused F [--convention paper|vifb|printed] [--json]
  auif eval --dataset tno|flir|nir --fused DIR|authors [--convention paper|vifb|printed] [--pairs 1,3-5] [--out DIR] [--json]
  auif eval --dataset vifb --fused ${VIFB_METHODS.join('|')}|DIR [--pairs 1,3-5] [--out DIR] [--json]
    (DIR holds F{i}.png as 'auif fuse --dataset' writes them; 'authors' scores the authors' published
     outputs, TNO and FLIR; --convention printed reproduces the papers' SD, SF and VIF columns and
     prints the paper's AUIF row beside the means; --out writes CSV and JSON there;
     --convention vifb keeps colour and scores it channel by channel as VIFB's MATLAB code, adding EI, Qcb, Qcv;
     --dataset vifb: VIFB's 21 pairs, fused by one of its published methods or DIR/<scene>.png;
     --max-pixels N: the input pixel limit, default 178956970, 0 = none)`;

const CONVENTIONS: readonly MetricConvention[] = ['paper', 'vifb', 'printed'];

/** Parses `1,3-5` into [1, 3, 4, 5] (errors name the bad part). */
export function parsePairList(s: string, max: number): number[] {
  const out: number[] = [];
  for (const part of s.split(',').map((x) => x.trim()).filter(Boolean)) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) throw new UsageError(`--pairs: '${part}' is not a pair number or range (e.g. 1,3-5)`);
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (a < 1 || b > max || a > b) throw new UsageError(`--pairs: '${part}' is outside 1..${max}`);
    for (let i = a; i <= b; i++) if (!out.includes(i)) out.push(i);
  }
  if (out.length === 0) throw new UsageError('--pairs: no pairs given');
  return out;
}

function fmt(v: number): string {
  return Number.isFinite(v) ? v.toFixed(4) : String(v);
}

/** JSON of the 13 values in report order (non-finite → null). */
function valuesJSON(v: MetricValues): string {
  return JSON.stringify(Object.fromEntries(METRIC_NAMES.map((k) => [k, Number.isFinite(v[k]) ? v[k] : null])));
}

function datasetTable(e: DatasetEvaluation): string {
  const w = 9;
  const head = ['pair'.padEnd(5), 'size'.padEnd(9), ...METRIC_NAMES.map((k) => k.padStart(w))].join(' ');
  const rows = e.perPair.map((p) => [`F${p.index}`.padEnd(5), `${p.width}×${p.height}`.padEnd(9), ...METRIC_NAMES.map((k) => fmt(p.values[k]).padStart(w))].join(' '));
  const mean = ['mean'.padEnd(5), `${e.perPair.length} pairs`.padEnd(9), ...METRIC_NAMES.map((k) => fmt(e.means[k]).padStart(w))].join(' ');
  return [head, ...rows, '-'.repeat(head.length), mean].join('\n');
}

export async function evalCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      ir: { type: 'string' }, vis: { type: 'string' }, fused: { type: 'string' },
      dataset: { type: 'string' }, convention: { type: 'string' },
      pairs: { type: 'string' }, out: { type: 'string' }, json: { type: 'boolean', default: false }, ...MAX_PIXELS_OPTION,
    },
    strict: true,
  });
  applyMaxPixels(values['max-pixels']);
  const convention = (values.convention ?? (values.dataset === 'vifb' ? 'vifb' : 'paper')) as MetricConvention;
  if (!CONVENTIONS.includes(convention)) throw new UsageError(`--convention must be one of ${CONVENTIONS.join(', ')}, got '${values.convention}'\n${EVAL_USAGE}`);
  if (!values.fused) throw new UsageError(`--fused is required\n${EVAL_USAGE}`);
  if (values.dataset !== undefined && (values.ir || values.vis)) throw new UsageError(`give either --dataset or --ir/--vis, not both\n${EVAL_USAGE}`);

  if (values.dataset === undefined) {
    if (!values.ir || !values.vis) throw new UsageError(`--ir and --vis are required (or --dataset)\n${EVAL_USAGE}`);
    if (values.out || values.pairs) throw new UsageError(`--out and --pairs go with --dataset\n${EVAL_USAGE}`);
    if (convention === 'vifb') {
      const v = await evaluateVifbTriplet({ ir: values.ir, vis: values.vis, fused: values.fused });
      const row = vifbRow(v);
      if (values.json) {
        console.log(JSON.stringify(Object.fromEntries(VIFB_REPORT_NAMES.map((k) => [k, Number.isFinite(row[k]) ? row[k] : null]))));
      } else {
        console.log(`${v.fused} (${v.width}×${v.height}, ${v.channels === 3 ? 'RGB, scored channel by channel' : 'grey'}), convention vifb`);
        for (const k of VIFB_REPORT_NAMES) console.log(`  ${k.padEnd(5)} ${fmt(row[k]).padStart(10)}`);
      }
      return;
    }
    const r = await evaluateTriplet({ ir: values.ir, vis: values.vis, fused: values.fused }, { convention });
    if (values.json) {
      console.log(valuesJSON(r.values));
    } else {
      console.log(`${r.fused} (${r.width}×${r.height}), convention ${convention}`);
      for (const k of METRIC_NAMES) console.log(`  ${k.padEnd(5)} ${fmt(r.values[k]).padStart(10)}`);
    }
    return;
  }

  if (values.dataset === 'vifb') {
    if (convention !== 'vifb') throw new UsageError(`--dataset vifb is scored under VIFB's own convention (colour channel by channel): drop --convention ${convention} or give --convention vifb`);
    if (values.out) checkFolderOutput('--out', values.out);
    return evalVifbCommand(values.fused, values.pairs, values.out, values.json);
  }
  const dataset = values.dataset;
  if (!isDatasetName(dataset)) throw new UsageError(`--dataset must be one of ${DATASET_NAMES.join(', ')}, got '${dataset}' (or vifb)`);
  if (values.out) checkFolderOutput('--out', values.out);
  const indices = values.pairs === undefined ? undefined : parsePairList(values.pairs, DATASETS[dataset].pairs);
  let bar: Progress | undefined;
  let e: DatasetEvaluation;
  try {
    e = await evaluateDataset(dataset, values.fused, {
      convention, indices,
      onStart: (total) => { bar = createProgress(`eval ${dataset}`, total, 'pairs'); },
      onPair: (p) => bar?.tick(1, `F${p.index}`),
    });
  } finally {
    bar?.stop();
  }
  const label = e.fused === 'authors' ? "authors' outputs" : `fused ${e.fused}`;
  const comparison = convention === 'printed'
    ? compareWithPaper({ dataset, ours: e.means, oursLabel: label, convention, source: 'AUIF', method: 'AUIF' })
    : null;

  if (values.json) {
    // One JSON object: the evaluation, plus the paper comparison under `printed`.
    const doc = comparison ? { ...(JSON.parse(evaluationJSON(e)) as object), paper_comparison: JSON.parse(comparisonJSON(comparison)) as unknown } : null;
    console.log(doc ? JSON.stringify(doc, null, 2) : evaluationJSON(e).trimEnd());
  } else {
    console.log(`${DATASETS[dataset].title}, ${label}, convention ${convention}\n${datasetTable(e)}`);
    if (comparison) {
      if (e.perPair.length !== DATASETS[dataset].pairs) console.log(`\n(means over ${e.perPair.length} of ${DATASETS[dataset].pairs} pairs; the paper's are over all)`);
      console.log(`\n${comparisonMarkdown(comparison).trimEnd()}`);
    } else {
      console.log('\n(for the paper\'s table beside these means use --convention printed: it reproduces the printed SD, SF and VIF columns)');
    }
  }
  if (values.out) {
    await ensureOutputDir('--out', values.out);
    const stem = path.join(values.out, `eval_${dataset}_${convention}`);
    const written = [`${stem}.csv`, `${stem}.json`];
    await writeFileAtomic(written[0], Buffer.from(evaluationCsv(e)));
    await writeFileAtomic(written[1], Buffer.from(evaluationJSON(e)));
    if (comparison) {
      const cstem = path.join(values.out, `paper_comparison_${dataset}`);
      written.push(`${cstem}.md`, `${cstem}.json`);
      await writeFileAtomic(written[2], Buffer.from(comparisonMarkdown(comparison)));
      await writeFileAtomic(written[3], Buffer.from(comparisonJSON(comparison)));
    }
    process.stderr.write(`[auif] wrote ${written.join(', ')}\n`);
  }
}

function vifbTable(e: VifbEvaluation): string {
  const w = 9;
  const head = ['scene'.padEnd(13), 'size'.padEnd(9), ...VIFB_REPORT_NAMES.map((k) => k.padStart(w))].join(' ');
  const rows = e.perPair.map((p) => {
    const r = vifbRow(p);
    return [p.name.padEnd(13), `${p.width}×${p.height}`.padEnd(9), ...VIFB_REPORT_NAMES.map((k) => fmt(r[k]).padStart(w))].join(' ');
  });
  const m = { ...e.means, ...e.extraMeans } as Record<string, number>;
  const mean = ['mean'.padEnd(13), `${e.perPair.length} pairs`.padEnd(9), ...VIFB_REPORT_NAMES.map((k) => fmt(m[k]).padStart(w))].join(' ');
  return [head, ...rows, '-'.repeat(head.length), mean].join('\n');
}

/** `auif eval --dataset vifb --fused METHOD|DIR`. */
async function evalVifbCommand(fused: string, pairs: string | undefined, out: string | undefined, json: boolean): Promise<void> {
  const indices = pairs === undefined ? undefined : parsePairList(pairs, VIFB_SCENES.length);
  let bar: Progress | undefined;
  let e: VifbEvaluation;
  try {
    e = await evaluateVifb(fused, {
      indices,
      onStart: (total) => { bar = createProgress('eval vifb', total, 'pairs'); },
      onPair: (p) => bar?.tick(1, p.name),
    });
  } finally {
    bar?.stop();
  }
  if (json) console.log(vifbJSON(e).trimEnd());
  else console.log(`VIFB, fused ${fused}, convention vifb (colour channel by channel, VIFB's metric code)\n${vifbTable(e)}`);
  if (out) {
    await ensureOutputDir('--out', out);
    const stem = path.join(out, `eval_vifb_${path.basename(fused)}`);
    await writeFileAtomic(`${stem}.csv`, Buffer.from(vifbCsv(e)));
    await writeFileAtomic(`${stem}.json`, Buffer.from(vifbJSON(e)));
    process.stderr.write(`[auif] wrote ${stem}.csv, ${stem}.json\n`);
  }
}
