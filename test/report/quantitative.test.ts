/**
 * lib/report/quantitative.ts: the notebook-04 report — both comparisons with the printed row,
 * the authors-vs-ours rows, and the Markdown/CSV/JSON files (shapes, values, atomic writes) on
 * hand-made evaluations, so every number in the expected output is known.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  authorsVsOursRows, oursColumnLabel, quantitativeCsv, quantitativeJSON, quantitativeMarkdown, quantitativeReport,
  readQuantitativeJSON, reproductionTally, sideBySideRows, writeQuantitativeReport,
} from '../../lib/report/quantitative.js';
import { parsePaperTables } from '../../lib/report/paper_table.js';
import { METRIC_NAMES, type MetricValues } from '../../lib/metrics/index.js';
import type { DatasetEvaluation } from '../../lib/report/evaluate.js';
import type { DatasetName } from '../../lib/data/datasets.js';

const t = suite('report/quantitative');

const paperRows = parsePaperTables(`source,dataset,method,EN,MI,SD,SF,VIF,AG,SCD
AUIF,TNO,AUIF,6.96,,39.27,13.14,0.66,4.32,1.87
AUIF,FLIR,AUIF,7.45,,47.58,19.94,0.64,5.94,1.88
`, 'mini.csv');

/** Metric values v0 + k for the k-th metric of METRIC_NAMES (EN = v0, SD = v0 + 1, …). */
const values = (v0: number): MetricValues => Object.fromEntries(METRIC_NAMES.map((m, k) => [m, v0 + k])) as MetricValues;
const evaluation = (dataset: DatasetName, fused: string, pairs: [number, number][]): DatasetEvaluation => {
  const perPair = pairs.map(([index, v0]) => ({ index, ir: `IR${index}`, vis: `VIS${index}`, fused: `${fused}/F${index}.png`, width: 4, height: 3, values: values(v0) }));
  const means = Object.fromEntries(METRIC_NAMES.map((m) => [m, perPair.reduce((a, p) => a + p.values[m], 0) / perPair.length])) as MetricValues;
  return { dataset, fused, convention: 'printed', perPair, means };
};
// TNO: two pairs, EN mean 7 (SD 8, SF 9, AG 10, …); the authors' images EN 6.96 exactly.
const ours = { tno: evaluation('tno', 'out/tno', [[1, 6], [3, 8]]), flir: evaluation('flir', 'out/flir', [[2, 7.45]]) };
const authors = { tno: evaluation('tno', 'authors', [[1, 6.96], [3, 6.96]]) };
const q = quantitativeReport({ preset: 'quick', backend: 'cpu', convention: 'printed', ours, authors, paperRows });

t('quantitativeReport: both comparisons per set, Δ = mean − printed, rounding match', () => {
  assert.equal(q.sets, ['tno', 'flir']);
  assert.equal(Object.keys(q.vsAuthors), ['tno']);
  const en = q.vsPaper.tno!.rows.find((r) => r.metric === 'EN')!;
  assert.is(en.ours, 7);
  assert.ok(Math.abs(en.delta! - 0.04) < 1e-12);
  assert.is(en.matchesPrinted, false);
  assert.is(q.vsAuthors.tno!.rows.find((r) => r.metric === 'EN')!.matchesPrinted, true);
  assert.is(q.vsPaper.flir!.rows.find((r) => r.metric === 'EN')!.matchesPrinted, true);
  assert.is(oursColumnLabel(ours.tno), 'ours (2 of 40 pairs)');
  assert.is(q.vsPaper.tno!.oursLabel, 'ours (2 of 40 pairs)');
  assert.is(q.vsAuthors.tno!.oursLabel, "authors' outputs (2 pairs)");
});

t('authorsVsOursRows: one row per printed metric of each set with authors\' images; ours − authors', () => {
  const rows = authorsVsOursRows(q);
  assert.equal(rows.map((r) => r.metric), ['EN', 'SD', 'SF', 'VIF', 'AG', 'SCD']);
  assert.ok(rows.every((r) => r.set === 'TNO'));
  const en = rows[0];
  assert.equal([en.paper, en["authors' images"], en['our images'], en['authors = printed'], en['ours = printed']], ['6.96', 6.96, 7, 'yes', 'no']);
  assert.ok(Math.abs((en['ours − authors'] as number) - 0.04) < 1e-12);
});

t('quantitativeCsv: paper (printed strings, empty where not printed), ours and authors rows per set', () => {
  const lines = quantitativeCsv(q, paperRows).trim().split('\n');
  assert.is(lines[0], `set,source,pairs,${METRIC_NAMES.join(',')}`);
  assert.is(lines.length, 1 + 3 + 2);
  assert.is(lines[1], 'tno,paper,40,6.96,39.27,13.14,4.32,,1.87,0.66,,,,,,');
  assert.is(lines[2], `tno,ours,2,${METRIC_NAMES.map((_, k) => 7 + k).join(',')}`);
  assert.is(lines[3], `tno,authors,2,${METRIC_NAMES.map((_, k) => 6.96 + k).join(',')}`);
  assert.ok(lines[4].startsWith('flir,paper,40,7.45,'));
  assert.ok(lines[5].startsWith('flir,ours,1,7.45,'));
});

t('quantitativeMarkdown / quantitativeJSON: header, one section per set, no file paths in the JSON', () => {
  const md = quantitativeMarkdown(q);
  assert.ok(md.startsWith("# AUIF: dataset means beside the paper's table\n"));
  assert.match(md, /Preset `quick` \(pairs: TNO 2\/40, FLIR 1\/40\), tfjs backend cpu, metrics under `printed`\./);
  assert.ok(md.indexOf('## TNO') < md.indexOf('## FLIR'));
  assert.is(md.split("vs authors' outputs").length - 1, 1);
  assert.match(md, /\| EN \| 6\.96 \| 7\.0000 \| \+0\.0400 \| \+0\.57 % \| no \|/);
  const j = JSON.parse(quantitativeJSON(q));
  assert.equal(Object.keys(j), ['preset', 'backend', 'convention', 'indices', 'vsPaper', 'vsAuthors', 'ours', 'authors']);
  assert.equal(j.indices, { tno: [1, 3], flir: [2] });
  assert.equal(j.ours.tno.perPair[1], { pair: 3, width: 4, height: 3, ...values(8) });
  assert.not.match(JSON.stringify(j), /out\/tno/);
});

t('non-finite values become null in the JSON', () => {
  const inf = evaluation('flir', 'x', [[1, 1]]);
  inf.means.PSNR = Infinity; inf.perPair[0].values.PSNR = Infinity;
  const j = JSON.parse(quantitativeJSON(quantitativeReport({ preset: 'full', backend: 'cpu', convention: 'printed', ours: { flir: inf }, paperRows })));
  assert.is(j.ours.flir.means.PSNR, null);
  assert.is(j.ours.flir.perPair[0].PSNR, null);
});

t('writeQuantitativeReport: the five files, each complete, no temporary left behind', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auif-quant-'));
  try {
    const written = await writeQuantitativeReport(dir, q, paperRows);
    assert.equal(written.map((f) => path.basename(f)), ['quantitative.md', 'quantitative.csv', 'quantitative.json', 'metrics-pretrained-tno.csv', 'metrics-pretrained-flir.csv']);
    assert.equal(fs.readdirSync(dir).sort(), written.map((f) => path.basename(f)).sort());
    assert.is(fs.readFileSync(path.join(dir, 'quantitative.csv'), 'utf8'), quantitativeCsv(q, paperRows));
    const perPair = fs.readFileSync(path.join(dir, 'metrics-pretrained-tno.csv'), 'utf8').trim().split('\n');
    assert.is(perPair.length, 1 + 2 + 1);
    assert.ok(perPair[3].startsWith('mean,,,7,'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

t('reproductionTally: printed numbers matched over all sets, and the largest |Δ %|', () => {
  // TNO: EN 7 vs 6.96 … none match; FLIR: EN 7.45 matches, the rest (SD 8.45, …) do not; worst FLIR VIF 13.45 vs 0.64.
  const r = reproductionTally(q.vsPaper);
  assert.is(r.matched, 1);
  assert.is(r.total, 12);
  assert.equal([r.worst!.set, r.worst!.metric], ['flir', 'VIF']);
  assert.ok(Math.abs(r.worst!.deltaPct - (100 * (13.45 - 0.64)) / 0.64) < 1e-9);
  assert.equal(reproductionTally({}), { matched: 0, total: 0, worst: null });
});

t('readQuantitativeJSON: reads back what quantitativeJSON wrote; errors name the file and the field', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auif-q-'));
  try {
    const file = path.join(dir, 'quantitative.json');
    fs.writeFileSync(file, quantitativeJSON(q));
    const saved = readQuantitativeJSON(file);
    assert.is(saved.preset, 'quick');
    assert.equal(saved.indices, { tno: [1, 3], flir: [2] });
    assert.equal(reproductionTally(saved.vsPaper), reproductionTally(q.vsPaper));
    assert.throws(() => readQuantitativeJSON(path.join(dir, 'none.json')), /none\.json: not found/);
    fs.writeFileSync(file, '{"preset": "full"}');
    assert.throws(() => readQuantitativeJSON(file), /quantitative\.json: no 'convention' field/);
    fs.writeFileSync(file, '{ nope');
    assert.throws(() => readQuantitativeJSON(file), /quantitative\.json: not JSON/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

t('sideBySideRows: the printed number, then each labelled result and whether it rounds to it', () => {
  const rows = sideBySideRows('tno', [{ label: 'full (committed)', comparison: q.vsAuthors.tno }, { label: 'this run', comparison: q.vsPaper.tno }, { label: 'none', comparison: undefined }]);
  assert.equal(rows[0], { metric: 'EN', paper: '6.96', 'full (committed)': 6.96, 'full (committed): = printed': 'yes', 'this run': 7, 'this run: = printed': 'no', none: null, 'none: = printed': '—' });
  assert.is(rows.length, 6);
  assert.throws(() => sideBySideRows('nir', [{ label: 'x', comparison: undefined }]), /no comparison for nir/);
});

t.run();
