/**
 * lib/report/comparison.ts: competition ranking, best-of-column marking, Δ = ours − printed,
 * AUIF's rank among the same methods on both sides, the Markdown/CSV shapes, the printed-only
 * rows with their reasons (all on a synthetic printed table), the zoom inset pixel for pixel,
 * and one efficiency child process on a tiny pair (only its shape: no timing is asserted).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import {
  bestIndices, buildComparisonTable, competitionRanks, comparisonTableMarkdown, comparisonTablesCsv, ComparisonError,
  cropFromFractions, focusRanksCsv, NOT_PORTED, writeComparisonResults, jpegSavedScores, jpegSavedMarkdown, measureEfficiency, printedRowFor, withZoomInset, type MethodEntry,
} from '../../lib/report/comparison.js';
import { parsePaperTables } from '../../lib/report/paper_table.js';
import { evaluateDataset } from '../../lib/report/evaluate.js';
import { jpegRoundTrip, readGrey, writeGreyPng } from '../../lib/io/image.js';
import { datasetPairs } from '../../lib/data/datasets.js';
import { upstreamGroup } from '../helpers/upstream.js';

const t = suite('report/comparison');

const CSV = `source,dataset,method,EN,MI,SD,SF,VIF,AG,SCD
AUIF,TNO,ADF,6.40,,22.96,10.78,0.29,2.99,1.61
AUIF,TNO,CSR,6.43,,23.60,11.44,0.31,3.37,1.63
AUIF,TNO,DenseFuse,6.84,,31.82,11.09,0.57,3.60,1.80
AUIF,TNO,AUIF,6.96,,39.27,13.14,0.66,4.32,1.87
DIDFuse,TNO,DIDFuse,7.006,2.347,42.657,13.126,0.623,4.294,
`;
const rows = parsePaperTables(CSV, 'mini.csv');
const M = (EN: number, SD: number, SF: number, VIF: number, AG: number, SCD: number) => ({ EN, SD, SF, VIF, AG, SCD });
const entries: MethodEntry[] = [
  { name: 'auif', title: 'AUIF', means: M(6.95, 39.0, 12.0, 0.66, 4.30, 1.86), pairs: 2 },
  { name: 'didfuse', title: 'DIDFuse', means: M(7.00, 42.0, 13.5, 0.62, 4.29, 1.80), pairs: 2 },
  { name: 'adf', title: 'ADF', means: M(6.41, 23.0, 10.7, 0.29, 2.98, 1.61), pairs: 2 },
  { name: 'densefuse', title: 'DenseFuse', means: M(6.85, 31.8, 12.5, 0.57, 3.61, 1.80), pairs: 2 },
  { name: 'bayes', title: 'BF', means: M(6.5, 30, 9, 0.4, 3.0, 1.7), pairs: 2 },
  { name: 'fusiongan', title: 'FusionGAN', means: null, pairs: 0, reason: 'weights not published' },
];

t('competitionRanks: 1224 ranking, nulls and NaN unranked, lower-is-better', () => {
  assert.equal(competitionRanks([3, 5, 5, 1]), [3, 1, 1, 4]);
  assert.equal(competitionRanks([3, null, NaN, 1]), [1, null, null, 2]);
  assert.equal(competitionRanks([3, 5, 1], true), [2, 3, 1]);
  assert.equal(bestIndices([2, 7, 7, null]), [1, 2]);
  assert.equal(bestIndices([null, null]), []);
});

t('printedRowFor: AUIF table first, DIDFuse table for DIDFuse, null for a method in neither', () => {
  assert.is(printedRowFor('AUIF', 'TNO', rows)!.source, 'AUIF');
  assert.is(printedRowFor('DIDFuse', 'TNO', rows)!.source, 'DIDFuse');
  assert.is(printedRowFor('BF', 'TNO', rows), null);
});

const tab = buildComparisonTable({ set: 'tno', convention: 'printed', entries, paperRows: rows });

t('table: a row per entry plus the printed-only rows (CSR), cells with Δ = ours − printed', () => {
  assert.equal(tab.rows.map((r) => r.entry.title), ['AUIF', 'DIDFuse', 'ADF', 'DenseFuse', 'BF', 'FusionGAN', 'CSR']);
  const csr = tab.rows[6];
  assert.is(csr.entry.means, null);
  assert.is(csr.entry.reason, NOT_PORTED);
  assert.is(csr.cells.EN.printed, '6.43');
  assert.is(csr.cells.EN.delta, null);
  const adf = tab.rows[2].cells.SD;
  assert.is(adf.paper, 22.96);
  assert.ok(Math.abs(adf.delta! - (23.0 - 22.96)) < 1e-12);
  assert.is(tab.rows[4].printedFrom, null);        // BF: no printed row
  assert.is(tab.rows[4].cells.EN.printed, null);
  assert.is(tab.rows[1].printedFrom, 'DIDFuse');
  assert.is(tab.rows[1].cells.SCD.printed, null);  // DIDFuse's table has no SCD
  assert.is(tab.rows[5].cells.EN.printed, null);   // FusionGAN not in the mini table
});

t('best of each column: ours over the methods run, printed over the printed rows; ties all marked', () => {
  const best = (m: string, k: 'bestOurs' | 'bestPrinted') => tab.rows.filter((r) => r.cells[m][k]).map((r) => r.entry.title);
  assert.equal(best('EN', 'bestOurs'), ['DIDFuse']);
  assert.equal(best('EN', 'bestPrinted'), ['DIDFuse']);   // 7.006 (DIDFuse's table) > 6.96
  assert.equal(best('SCD', 'bestPrinted'), ['AUIF']);
  assert.equal(best('VIF', 'bestOurs'), ['AUIF']);
  assert.equal(best('SCD', 'bestOurs'), ['AUIF']);
});

t("AUIF's rank: among the methods with both numbers, ours vs printed; and in the whole printed table", () => {
  const r = Object.fromEntries(tab.focusRanks.map((x) => [x.metric, x]));
  // EN: methods with both: AUIF 6.95/6.96, DIDFuse 7.00/7.006, ADF 6.41/6.40, DenseFuse 6.85/6.84
  assert.equal({ ...r.EN }, { metric: 'EN', ours: 2, printed: 2, among: 4, printedAll: 1, printedAllOf: 4, agrees: true });
  // SF: ours 12.0 is below DIDFuse 13.5 and DenseFuse 12.5 → 3rd; printed 13.14 is 1st (DIDFuse 13.126)
  assert.is(r.SF.ours, 3);
  assert.is(r.SF.printed, 1);
  assert.is(r.SF.agrees, false);
  // SCD: DIDFuse has no printed SCD, so only 3 methods count
  assert.is(r.SCD.among, 3);
  assert.is(r.SCD.ours, 1);
  assert.is(r.SCD.agrees, true);
});

t('Markdown: one line per method, bold/italic bests, notes with the reasons, rank rows', () => {
  const md = comparisonTableMarkdown(tab);
  assert.match(md, '| method | pairs | EN | SD | SF | VIF | AG | SCD |');
  assert.match(md, '| ADF | 2 | 6.4100 / 6.40 (+0.010) |');
  assert.match(md, '| DIDFuse (printed: DIDFuse\'s table) | 2 | **7.0000** / _7.006_ (-0.006) |');
  assert.match(md, '| FusionGAN [1] | — | — / — |');
  assert.match(md, '| CSR [2] | — | — / 6.43 |');
  assert.match(md, '[1] FusionGAN: weights not published');
  assert.match(md, `[2] CSR: ${NOT_PORTED}`);
  assert.match(md, '| *AUIF rank, ours* | | 2 of 4 | ');
  assert.match(md, '| *same rank?* | | yes | ');
  assert.match(md, '| *AUIF rank in the printed table* | | 1 of 4 |');
  const lines = md.split('\n').filter((l) => l.startsWith('| '));
  assert.is(lines.length, 2 + 7 + 4);
});

t('CSV: a line per set × method × metric; ranks CSV per metric', () => {
  const csv = comparisonTablesCsv([tab]).trim().split('\n');
  assert.is(csv.length, 1 + 7 * 6);
  assert.is(csv[0], 'set,convention,method,title,pairs,printed_from,metric,ours,printed,delta,best_ours,best_printed,reason');
  assert.ok(csv.includes(`TNO,printed,csr,CSR,0,AUIF,EN,,6.43,,false,false,${NOT_PORTED}`));
  const ranks = focusRanksCsv([tab]).trim().split('\n');
  assert.is(ranks.length, 7);
  assert.is(ranks[1], 'TNO,printed,AUIF,EN,2,2,4,true,1,4');
});

t('written results: every file names the preset; the Markdown holds the table', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmpw-'));
  try {
    const files = await writeComparisonResults(dir, { preset: 'quick', indices: { tno: [1, 2] }, tables: [tab], efficiency: [{
      method: 'tif', title: 'TSIFVS', family: 'classic', parameters: 0, width: 8, height: 8, loadMs: 1, runsMs: [2, 3, 4], medianMs: 3,
      rssBeforeKiB: 1024, rssPeakKiB: 3072, rssDeltaKiB: 2048 }] });
    assert.equal(files.map((f) => path.basename(f)), ['comparison.md', 'comparison.csv', 'ranks.csv', 'efficiency.csv', 'comparison.json']);
    for (const f of files) assert.match(fs.readFileSync(f, 'utf8'), 'quick');
    const csv = fs.readFileSync(files[1], 'utf8').trim().split('\n');
    assert.is(csv.length, 1 + 7 * 6);
    assert.ok(csv[0].startsWith('preset,set,convention,'));
    assert.ok(csv.slice(1).every((l) => l.startsWith('quick,TNO,printed,')));
    assert.match(fs.readFileSync(files[0], 'utf8'), comparisonTableMarkdown(tab));
    assert.match(fs.readFileSync(files[0], 'utf8'), 'TNO 2 of 40');
    assert.is(JSON.parse(fs.readFileSync(files[4], 'utf8')).tables[0].rows.length, 7);
    assert.match(fs.readFileSync(files[0], 'utf8'), '| TSIFVS | classic | 0 | 0.00 | 0.003 | 0.00, 0.00, 0.00 | 2 | 3 |');
    assert.is(fs.readFileSync(files[3], 'utf8').trim().split('\n')[1], 'quick,tif,TSIFVS,classic,0,8,8,1.0,3.0,2.0 3.0 4.0,1024,3072,2048');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

t('bad input: a method twice, an unknown set', () => {
  assert.throws(() => buildComparisonTable({ set: 'tno', convention: 'printed', entries: [entries[0], entries[0]], paperRows: rows }), (e: Error) => e instanceof ComparisonError && /AUIF.*twice/.test(e.message));
  assert.throws(() => buildComparisonTable({ set: 'vifb', convention: 'printed', entries, paperRows: rows }), /unknown dataset 'vifb'/);
});

t('crop from fractions: pixel box inside the image; bad fractions refused', () => {
  assert.equal(cropFromFractions(768, 576, { x: 0.5, y: 0.25, w: 0.2, h: 0.2 }), { x: 384, y: 144, width: 154, height: 115 });
  assert.equal(cropFromFractions(10, 10, { x: 0.95, y: 0, w: 0.05, h: 0.01 }), { x: 9, y: 0, width: 1, height: 1 });
  assert.throws(() => cropFromFractions(10, 10, { x: 0.9, y: 0, w: 0.2, h: 0.1 }), /reaches outside/);
  assert.throws(() => cropFromFractions(10, 10, { x: -0.1, y: 0, w: 0.2, h: 0.1 }), /crop x = -0.1/);
});

t('zoom inset: the crop enlarged (nearest) in the bottom-right corner, both framed, input untouched', () => {
  const W = 40, H = 30;
  const data = new Float32Array(W * H).map((_, i) => ((i * 37) % 101) / 100);
  const img = { width: W, height: H, data };
  const before = new Float32Array(data);
  const crop = { x: 5, y: 6, width: 6, height: 4 };
  const out = withZoomInset(img, crop, 3);
  assert.equal(Array.from(img.data), Array.from(before));
  const iw = 18, ih = 12, ox = W - iw - 2, oy = H - ih - 2;
  for (let y = 0; y < ih; y++) for (let x = 0; x < iw; x++) {
    assert.is(out.data[(oy + y) * W + ox + x], data[(crop.y + Math.floor(y / 3)) * W + crop.x + Math.floor(x / 3)]);
  }
  // frames: inner black at distance 1, outer white at distance 2, around the crop and the inset
  assert.is(out.data[(crop.y - 1) * W + crop.x + 2], 0);
  assert.is(out.data[(crop.y - 2) * W + crop.x + 2], 1);
  assert.is(out.data[(oy - 1) * W + ox + 5], 0);
  assert.is(out.data[(oy - 2) * W + ox + 5], 1);
  // inside the crop itself nothing changes; a pixel far from both untouched
  assert.is(out.data[(crop.y + 1) * W + crop.x + 1], data[(crop.y + 1) * W + crop.x + 1]);
  assert.is(out.data[2 * W + 30], data[2 * W + 30]);
  // a zoom that would not fit is reduced
  const big = withZoomInset(img, { x: 0, y: 0, width: 20, height: 10 }, 4);
  assert.is(big.data[(H - 2 - 10) * W + (W - 2 - 20)], data[0]);   // z = min(4, ⌊36/20⌋, ⌊26/10⌋) = 1: inset 20×10
  assert.throws(() => withZoomInset(img, { x: 35, y: 0, width: 10, height: 5 }), /not inside the 40×30 image/);
});

t('efficiency: one child process per method, its shape (no timing asserted)', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmp-'));
  try {
    const W = 32, H = 24;
    const px = (f: (i: number) => number) => Buffer.from(Uint8Array.from({ length: W * H }, (_, i) => f(i)));
    await sharp(px((i) => (i * 7) % 256), { raw: { width: W, height: H, channels: 1 } }).png().toFile(path.join(dir, 'ir.png'));
    await sharp(px((i) => (i * 13) % 256), { raw: { width: W, height: H, channels: 1 } }).png().toFile(path.join(dir, 'vis.png'));
    const e = await measureEfficiency('tif', path.join(dir, 'ir.png'), path.join(dir, 'vis.png'), 2);
    assert.is(e.method, 'tif');
    assert.is(e.title, 'TSIFVS');
    assert.is(e.parameters, 0);
    assert.is(e.width, W);
    assert.is(e.height, H);
    assert.is(e.runsMs.length, 2);
    assert.ok(e.rssPeakKiB >= e.rssBeforeKiB && e.rssBeforeKiB > 0);
    assert.is(e.rssDeltaKiB, e.rssPeakKiB - e.rssBeforeKiB);
    let err: Error | null = null;
    try { await measureEfficiency('tif', path.join(dir, 'missing.png'), path.join(dir, 'vis.png'), 1); } catch (x) { err = x as Error; }
    assert.ok(err instanceof ComparisonError && /efficiency run of tif failed .*missing\.png/.test(err.message), String(err));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

t('efficiency: a bad repeat count or an unknown method is refused before any child starts', () => {
  assert.throws(() => measureEfficiency('tif', 'a', 'b', 0), /repeats must be a positive integer/);
  assert.throws(() => measureEfficiency('nosuch', 'a', 'b', 1), /unknown method 'nosuch'/);
});

t('written results: extra sections sit between the tables and the efficiency table', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmps-'));
  try {
    const files = await writeComparisonResults(dir, { preset: 'quick', indices: { tno: [1] }, tables: [tab], efficiency: [], sections: [{ title: 'Saved as JPEG', markdown: 'the note\n' }] });
    const md = fs.readFileSync(files[0], 'utf8');
    assert.ok(md.indexOf('## Saved as JPEG\n\nthe note') > md.indexOf('## TNO'), md);
    assert.ok(md.indexOf('## Saved as JPEG') < md.indexOf('## Efficiency'), md);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

t('jpegSavedScores: the cached images and their JPEG round trip, scored as evaluateDataset scores them; the printed row from DIDFuse\'s table; a missing image named', async () => {
  if (!(await upstreamGroup('flir'))) return;
  const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'cmpj-'));
  try {
    const pairs = await datasetPairs('flir', { quiet: true });
    const src = path.join(cache, 'deepfuse', 'flir');
    fs.mkdirSync(src, { recursive: true });
    const ix = [36, 14];
    for (const i of ix) await writeGreyPng(path.join(src, `F${i}.png`), await readGrey(pairs[i - 1].vis));   // stand-in "fused" images
    const r = await jpegSavedScores(cache, 'deepfuse', 'flir', ix, 75);
    assert.equal([r.method, r.title, r.set, r.quality, r.pairs, r.printedFrom], ['deepfuse', 'DeepFuse', 'flir', 75, 2, 'DIDFuse']);
    assert.is(r.printed!.SF, 15.471);
    assert.equal(r.png, (await evaluateDataset('flir', src, { convention: 'printed', indices: ix })).means);
    const mine = path.join(cache, 'mine');
    fs.mkdirSync(mine);
    for (const i of ix) await writeGreyPng(path.join(mine, `F${i}.png`), await jpegRoundTrip(await readGrey(path.join(src, `F${i}.png`)), 75));
    assert.equal(r.jpeg, (await evaluateDataset('flir', mine, { convention: 'printed', indices: ix })).means);
    assert.ok(Math.abs(r.jpeg.SF - r.png.SF) > 1e-3, 'the round trip changes SF');
    assert.ok(fs.existsSync(path.join(cache, 'deepfuse', 'flir-jpeg75', 'F36.png')));
    assert.match(jpegSavedMarkdown([r]), `| DeepFuse (FLIR, 2 pairs; printed: DIDFuse) | ${r.png.EN.toFixed(4)} / ${r.jpeg.EN.toFixed(4)} / 7.213 |`);
    const e = await jpegSavedScores(cache, 'deepfuse', 'flir', [1], 75).catch((x: Error) => x);
    assert.instance(e, ComparisonError);
    assert.match((e as Error).message, /F1\.png is not in the cache: fuse deepfuse on flir first/);
  } finally {
    fs.rmSync(cache, { recursive: true, force: true });
  }
});

t.run();
