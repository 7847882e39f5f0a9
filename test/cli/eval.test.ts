import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { main } from '../../lib/cli/main.js';
import { parsePairList } from '../../lib/cli/eval.js';
import { encodeGreyPng, readGrey8, type Grey8Image } from '../../lib/io/image.js';
import { computeAll, METRIC_NAMES } from '../../lib/metrics/index.js';
import { VIFB_EXTRA_NAMES } from '../../lib/metrics/vifb.js';
import { stagedPath } from '../../lib/data/stage.js';
import { datasetPairs } from '../../lib/data/datasets.js';
import { skipLoudly, upstreamGroup } from '../helpers/upstream.js';
import { findReferenceFile } from '../../lib/data/reference.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'auif-eval-'));
const t = suite('cli/eval');
const file = (name: string) => path.join(tmp, name);

function img8(w: number, h: number, f: (x: number, y: number) => number): Grey8Image {
  const data = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data[y * w + x] = Math.max(0, Math.min(255, Math.round(f(x, y))));
  return { width: w, height: h, data };
}
const IR = img8(64, 48, (x, y) => 128 + 90 * Math.sin(x / 5) * Math.cos(y / 7));
const VIS = img8(64, 48, (x, y) => 40 + 3 * x + ((x * 7 + y * 13) % 17));
const F = img8(64, 48, (x, y) => 0.5 * (IR.data[y * 64 + x] + VIS.data[y * 64 + x]) + ((x * y) % 5));

let logs: string[] = [];
let errors: string[] = [];
const orig = { log: console.log, error: console.error };
t.before(async () => {
  await fs.promises.writeFile(file('ir.png'), await encodeGreyPng(IR));
  await fs.promises.writeFile(file('vis.png'), await encodeGreyPng(VIS));
  await fs.promises.writeFile(file('f.png'), await encodeGreyPng(F));
  await fs.promises.writeFile(file('small.png'), await encodeGreyPng(img8(64, 47, () => 9)));
});
t.before.each(() => {
  logs = [];
  errors = [];
  console.log = (...a: unknown[]) => { logs.push(a.join(' ')); };
  console.error = (...a: unknown[]) => { errors.push(a.join(' ')); };
});
t.after.each(() => { console.log = orig.log; console.error = orig.error; });
t.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const triplet = ['--ir', file('ir.png'), '--vis', file('vis.png'), '--fused', file('f.png')];

for (const convention of ['paper', 'vifb', 'printed'] as const) {
  t(`--json prints exactly the 13 metric keys (vifb: then EI, Qcb, Qcv), equal to computeAll (${convention})`, async () => {
    assert.is(await main(['eval', ...triplet, '--convention', convention, '--json']), 0, errors.join('\n'));
    assert.is(logs.length, 1, 'one line of JSON');
    const obj = JSON.parse(logs[0]) as Record<string, number>;
    assert.equal(Object.keys(obj), convention === 'vifb' ? [...METRIC_NAMES, ...VIFB_EXTRA_NAMES] : [...METRIC_NAMES]);
    const want = computeAll(IR, VIS, F, { convention });
    for (const k of METRIC_NAMES) assert.is(obj[k], want[k], k);
  });
}

t('default convention is paper; the table names every metric', async () => {
  assert.is(await main(['eval', ...triplet]), 0, errors.join('\n'));
  const out = logs.join('\n');
  assert.match(out, /convention paper/);
  const want = computeAll(IR, VIS, F);
  for (const k of METRIC_NAMES) assert.match(out, new RegExp(`\\b${k}\\s+${want[k].toFixed(4).replace('.', '\\.')}\\b`), k);
});

t('missing fused file: exit 1, the message names the file', async () => {
  const missing = file('nope.png');
  assert.is(await main(['eval', '--ir', file('ir.png'), '--vis', file('vis.png'), '--fused', missing, '--json']), 1);
  assert.match(errors.join('\n'), /fused image not found/);
  assert.ok(errors.join('\n').includes(missing));
  assert.is(logs.length, 0);
});

t('size mismatch: exit 1, the message names the files and both sizes', async () => {
  assert.is(await main(['eval', '--ir', file('ir.png'), '--vis', file('vis.png'), '--fused', file('small.png')]), 1);
  const msg = errors.join('\n');
  assert.match(msg, /size mismatch/);
  assert.match(msg, /small\.png is 64×47/);
  assert.match(msg, /ir\.png/);
  assert.match(msg, /64×48/);
});

t('usage errors exit 2 with a message', async () => {
  assert.is(await main(['eval', ...triplet, '--convention', 'matlab']), 2);
  assert.match(errors.join('\n'), /--convention must be one of paper, vifb, printed, got 'matlab'/);
  assert.is(await main(['eval', '--ir', file('ir.png'), '--vis', file('vis.png')]), 2);
  assert.match(errors.join('\n'), /--fused is required/);
  assert.is(await main(['eval', '--dataset', 'kaist', '--fused', tmp]), 2);
  assert.is(await main(['eval', '--dataset', 'tno', '--fused', tmp, '--pairs', '0-3']), 2);
  assert.match(errors.join('\n'), /--pairs: '0-3' is outside 1\.\.40/);
  assert.is(await main(['eval', ...triplet, '--bogus']), 2);
});

t('parsePairList: lists and ranges, deduplicated, in order given', () => {
  assert.equal(parsePairList('1,3-5,4, 40', 40), [1, 3, 4, 5, 40]);
  assert.throws(() => parsePairList('2-x', 40), /'2-x' is not a pair number/);
  assert.throws(() => parsePairList('5-3', 40), /outside/);
});

t('--dataset with a folder: per-pair table, means, CSV and JSON written atomically', async () => {
  if (!(await upstreamGroup('tno')) || !(await upstreamGroup('results-tno'))) return;
  const pairs = await datasetPairs('tno', { withAuthors: true, quiet: true });
  const dir = file('fused-tno');
  fs.mkdirSync(dir, { recursive: true });
  for (const i of [1, 2]) fs.copyFileSync(pairs[i - 1].authors!, path.join(dir, `F${i}.png`));
  const out = file('report');
  assert.is(await main(['eval', '--dataset', 'tno', '--fused', dir, '--pairs', '1,2', '--out', out]), 0, errors.join('\n'));
  const text = logs.join('\n');
  assert.match(text, /^F1 /m);
  assert.match(text, /^F2 /m);
  assert.match(text, /^mean\s+2 pairs/m);
  assert.match(text, /--convention printed/, 'points to the paper comparison');
  assert.equal(fs.readdirSync(out).sort(), ['eval_tno_paper.csv', 'eval_tno_paper.json'], 'only the final files, no temporaries');

  const want = await Promise.all([1, 2].map(async (i) => computeAll(
    await readGrey8(pairs[i - 1].ir), await readGrey8(pairs[i - 1].vis), await readGrey8(path.join(dir, `F${i}.png`)))));
  const json = JSON.parse(fs.readFileSync(path.join(out, 'eval_tno_paper.json'), 'utf8'));
  assert.is(json.dataset, 'tno');
  assert.is(json.convention, 'paper');
  assert.equal(json.perPair.map((p: { index: number }) => p.index), [1, 2]);
  for (const k of METRIC_NAMES) {
    assert.is(json.perPair[1].values[k], want[1][k], k);
    assert.ok(Math.abs(json.means[k] - (want[0][k] + want[1][k]) / 2) < 1e-12, `mean ${k}`);
  }
  const csv = fs.readFileSync(path.join(out, 'eval_tno_paper.csv'), 'utf8').trim().split('\n');
  assert.is(csv[0], `pair,width,height,${METRIC_NAMES.join(',')},fused`);
  assert.is(csv.length, 4);
  assert.ok(csv[1].startsWith('1,768,576,'));
  assert.ok(csv[3].startsWith('mean,,,'));
  assert.is(Number(csv[2].split(',')[3]), want[1].EN);
});

t('--dataset: missing fused images are all named before any is scored', async () => {
  if (!(await upstreamGroup('tno'))) return;
  const dir = file('fused-tno');
  fs.mkdirSync(dir, { recursive: true });
  assert.is(await main(['eval', '--dataset', 'tno', '--fused', dir, '--pairs', '1-4']), 1);
  const msg = errors.join('\n');
  assert.match(msg, /not found/);
  assert.ok(msg.includes(path.join(dir, 'F3.png')) && msg.includes(path.join(dir, 'F4.png')), msg);
  assert.is(await main(['eval', '--dataset', 'tno', '--fused', file('no-such-dir')]), 1);
  assert.match(errors.join('\n'), /fused folder .*no-such-dir does not exist/);
});

t('--dataset: a fused image of the wrong size names the files and sizes', async () => {
  if (!(await upstreamGroup('tno'))) return;
  const dir = file('fused-bad');
  fs.mkdirSync(dir, { recursive: true });
  fs.copyFileSync(file('small.png'), path.join(dir, 'F1.png'));
  assert.is(await main(['eval', '--dataset', 'tno', '--fused', dir, '--pairs', '1']), 1);
  const msg = errors.join('\n');
  assert.match(msg, /size mismatch: fused .*F1\.png is 64×47 but IR .*IR1\.bmp and VIS .*VIS1\.bmp are 768×576/);
});

t("--fused authors on NIR (no published outputs) is a clear error", async () => {
  assert.is(await main(['eval', '--dataset', 'nir', '--fused', 'authors']), 1);
  assert.match(errors.join('\n'), /no fused images for RGB-NIR.*'authors' works for tno, flir/);
});

t("eval --dataset tno --fused authors --convention printed --json: the paper's AUIF TNO row reproduced, and every per-pair SD/SF/VIF equal to the Octave reference", async () => {
  if (!(await upstreamGroup('tno')) || !(await upstreamGroup('results-tno'))) return;
  const csv = findReferenceFile('metrics_octave_authors_outputs.csv');
  if (!csv) return skipLoudly('Octave reference', 'metrics_octave_authors_outputs.csv not found');
  assert.is(await main(['eval', '--dataset', 'tno', '--fused', 'authors', '--convention', 'printed', '--json']), 0, errors.join('\n'));
  const doc = JSON.parse(logs.join('\n'));
  assert.is(doc.convention, 'printed');
  assert.is(doc.perPair.length, 40);
  // Per pair, against GNU Octave running the public code (column-wise SD, zero-border SF, Han's VIFF).
  const octave = new Map<string, number>();
  for (const line of fs.readFileSync(csv, 'utf8').trim().split('\n').slice(1)) {
    const [ds, method, pair, metric, value] = line.split(',');
    if (ds === 'TNO' && method === 'AUIF') octave.set(`${pair} ${metric}`, Number(value));
  }
  for (const p of doc.perPair as { index: number; values: Record<string, number> }[]) {
    for (const [ours, theirs, tol] of [['SD', 'SD_colwise', 2e-9], ['SF', 'SF_zeroborder', 2e-9], ['VIF', 'VIFF', 5e-5], ['EN', 'Entropy', 2e-9], ['AG', 'Avg_gradient', 2e-9]] as const) {
      const want = octave.get(`${p.index} ${theirs}`)!;
      assert.ok(Math.abs(p.values[ours] - want) / want <= tol, `pair ${p.index} ${ours}: ${p.values[ours]} vs Octave ${want}`);
    }
  }
  // The paper's row beside the means: all six printed AUIF TNO values reproduced at their precision.
  const rows = doc.paper_comparison.rows as { metric: string; printed: string; ours: number; matchesPrinted: boolean }[];
  assert.equal(rows.map((r) => r.metric), ['EN', 'SD', 'SF', 'VIF', 'AG', 'SCD']);
  assert.equal(rows.map((r) => r.printed), ['6.96', '39.27', '13.14', '0.66', '4.32', '1.87']);
  for (const r of rows) assert.ok(r.matchesPrinted, `${r.metric}: ${r.ours} does not round to ${r.printed}`);
  // The same means under the paper convention do not reproduce SD and SF (the point of 'printed').
  logs = [];
  assert.is(await main(['eval', '--dataset', 'tno', '--fused', 'authors', '--pairs', '1-5', '--json']), 0, errors.join('\n'));
  const paper = JSON.parse(logs.join('\n'));
  assert.is(paper.convention, 'paper');
  assert.ok(paper.perPair[0].values.SD > doc.perPair[0].values.SD * 1.01, 'column-wise SD is below the standard SD');
});

// VIFB (issue 11): colour scored channel by channel; the published outputs by name.
const VIFB_CSV = fs.readFileSync(path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'metrics', 'fixtures', 'vifb_published_metrics.csv'), 'utf8');
const VIFB_KEY: Record<string, string> = { Avg_gradient: 'AG', Cross_entropy: 'CE', Edge_intensity: 'EI', Entropy: 'EN', Mutinf: 'MI', Psnr: 'PSNR', Qabf: 'Qabf', Qcb: 'Qcb', Qcv: 'Qcv', Rmse: 'RMSE', Spatial_frequency: 'SF', Ssim: 'SSIM', Variance: 'SD' };
const vifbValues = (scene: string, method: string) => Object.fromEntries(VIFB_CSV.trim().split('\n').map((l) => l.split(','))
  .filter((r) => r[0] === scene && r[1] === method).map((r) => [VIFB_KEY[r[2]], Number(r[3])]));

t('vifb: --json on a VIFB published colour image equals VIFB\'s own values (all 13 of its metrics, 2e-4)', async () => {
  if (!(await upstreamGroup('vifb')) || !(await upstreamGroup('vifb-fused'))) return;
  const args = ['--ir', stagedPath('input/IR/elecbike.jpg', 'vifb'), '--vis', stagedPath('input/VI/elecbike.jpg', 'vifb'), '--fused', stagedPath('output/fused_images/elecbike_GFF.jpg', 'vifb')];
  assert.is(await main(['eval', ...args, '--convention', 'vifb', '--json']), 0, errors.join('\n'));
  const obj = JSON.parse(logs[0]) as Record<string, number>;
  const want = vifbValues('elecbike', 'GFF');
  assert.is(Object.keys(want).length, 13);
  for (const [k, v] of Object.entries(want)) assert.ok(Math.abs(obj[k] - v) / Math.abs(v) <= 2e-4, `${k}: ${obj[k]} vs VIFB ${v}`);
});

t('vifb: --dataset vifb --fused ADF --pairs scores VIFB\'s published outputs by scene; --out writes CSV and JSON', async () => {
  if (!(await upstreamGroup('vifb')) || !(await upstreamGroup('vifb-fused'))) return;
  const out = file('vifb-out');
  assert.is(await main(['eval', '--dataset', 'vifb', '--fused', 'ADF', '--pairs', '2', '--out', out]), 0, errors.join('\n'));
  const text = logs.join('\n');
  assert.match(text, /carShadow/);
  const csv = fs.readFileSync(path.join(out, 'eval_vifb_ADF.csv'), 'utf8').trim().split('\n');
  assert.is(csv.length, 3, 'header, carShadow, mean');
  const head = csv[0].split(',');
  const row = csv[1].split(',');
  const want = vifbValues('carShadow', 'ADF');
  for (const [k, v] of Object.entries(want)) assert.ok(Math.abs(Number(row[head.indexOf(k)]) - v) / v <= 2e-4, `${k}`);
  // a convention other than vifb is refused for the VIFB set; an unknown method/folder is named
  assert.is(await main(['eval', '--dataset', 'vifb', '--fused', 'ADF', '--convention', 'paper']), 2);
  assert.match(errors.join('\n'), /--dataset vifb is scored under VIFB's own convention/);
  errors = [];
  assert.is(await main(['eval', '--dataset', 'vifb', '--fused', 'NoSuchMethod']), 1);
  assert.match(errors.join('\n'), /NoSuchMethod is neither one of VIFB's methods \(ADF, TIF, GFF, CNN, U2Fusion, SeAFusion\) nor a folder/);
});

t('vifb: a grey fused image for a colour visible image is refused, naming the file', async () => {
  if (!(await upstreamGroup('vifb'))) return;
  const vis = stagedPath('input/VI/elecbike.jpg', 'vifb');
  const ir = stagedPath('input/IR/elecbike.jpg', 'vifb');
  const grey = file('grey-fused.png');
  const g = await readGrey8(ir);
  await fs.promises.writeFile(grey, await encodeGreyPng(g));
  assert.is(await main(['eval', '--ir', ir, '--vis', vis, '--fused', grey, '--convention', 'vifb']), 1);
  assert.is(errors.length, 1);
  assert.match(errors[0], /grey-fused\.png: a grey fused image for the colour visible image .*elecbike\.jpg/);
});


t.run();
