/**
 * DIDFuse / AUIF / BF side by side (lib/report/related_systems.ts): the display scales of the
 * decomposition figure are the stated ones (signed: ±max|x| over the group, centred at 0; grey:
 * [min, max] over the group; log: [log₁₀ min, log₁₀ max] of positive weights), a missing map is named, the table's AUIF row on
 * TNO pair 1 reproduces the committed per-pair metrics of notebook 04's full run
 * (`results/metrics-pretrained-tno.csv`, `printed` convention; relative tolerance 1e-6), and the
 * three written files agree.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { AUIF_INFO, BAYES_INFO } from '../../lib/methods/index.js';
import { DIDFUSE_INFO } from '../../lib/methods/didfuse.js';
import { METRIC_NAMES, type MetricName } from '../../lib/metrics/index.js';
import type { GreyImage } from '../../lib/io/image.js';
import {
  decompositionFigure, decompositionScales, decompositionStats, relatedSystemsCsv, relatedSystemsMarkdown, relatedSystemsTable, writeRelatedSystems,
  type DecompositionRun, type RelatedSystemsTable,
} from '../../lib/report/related_systems.js';
import { projectRoot, upstreamGroup } from '../helpers/upstream.js';
import { useBackend } from '../helpers/fixture.js';

const t = suite('report/related_systems');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'auif-rs-'));
t.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const W = 6, H = 4;
const img = (f: (i: number) => number): GreyImage => ({ width: W, height: H, data: Float32Array.from({ length: W * H }, (_, i) => f(i)) });
const map = (name: string, f: (i: number) => number) => ({ name, image: img(f) });
const F = img((i) => i / (W * H));
const runs: DecompositionRun[] = [
  { method: 'didfuse', info: DIDFUSE_INFO, F, ms: 1, maps: [map('base_ir', (i) => i / 100 - 0.1), map('base_vis', (i) => -i / 50), map('detail_ir', (i) => (i % 2 ? 0.3 : -0.1)), map('detail_vis', () => 0.05)] },
  { method: 'auif', info: AUIF_INFO, F, ms: 1, maps: [map('B_ir', (i) => 0.2 + i / 100), map('B_vis', (i) => 0.1 + i / 200), map('D_ir', (i) => (i === 3 ? -0.7 : 0.01)), map('D_vis', () => 0.2)] },
  { method: 'bayes', info: BAYES_INFO, F, ms: 1, maps: [map('Y', (i) => i / 24 - 0.5), map('X', () => 0.25), map('C', (i) => 1 + i), map('D', (i) => 2 * i + 2)] },
];

t('scales: signed = ±max|x| over the group, grey = [min, max] over the group, log = [log₁₀ min, log₁₀ max] (clip 0)', () => {
  const s = decompositionScales(runs, 0);
  const get = (m: string, g: string) => s.find((x) => x.method === m && x.group === g)!;
  const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-6, `${a} vs ${b}`);
  close(get('didfuse', 'base').hi, 23 / 50); close(get('didfuse', 'base').lo, -23 / 50);   // max |−i/50| at i = 23
  close(get('didfuse', 'detail').hi, 0.3);
  close(get('auif', 'base').lo, 0.1); close(get('auif', 'base').hi, 0.2 + 23 / 100);
  close(get('auif', 'detail').hi, 0.7); close(get('auif', 'detail').lo, -0.7);
  close(get('bayes', 'YX').hi, 0.5);
  close(get('bayes', 'C').lo, 0); close(get('bayes', 'C').hi, Math.log10(24));
  assert.is(get('bayes', 'D').scale, 'log'); close(get('bayes', 'D').lo, Math.log10(2)); close(get('bayes', 'D').hi, Math.log10(48));
});

t('stats: min, mean, max of each drawn map', () => {
  const s = decompositionStats(runs);
  assert.is(s.length, 12);
  const d = s.find((x) => x.method === 'AUIF' && x.map === 'D_ir')!;
  assert.ok(Math.abs(d.min + 0.7) < 1e-6 && Math.abs(d.max - 0.01) < 1e-6 && Math.abs(d.mean - (23 * 0.01 - 0.7) / 24) < 1e-7, JSON.stringify(d));
});

t('figure: an RGB PNG, one row per method plus the scales; a missing map is named', async () => {
  const { png } = await decompositionFigure(runs, { cellWidth: 60 });
  const meta = await sharp(png).metadata();
  assert.is(meta.channels, 3);
  assert.ok(meta.width! > 5 * 60 && meta.height! > 3 * 40, `${meta.width}×${meta.height}`);
  const broken = [{ ...runs[1], maps: runs[1].maps.filter((m) => m.name !== 'D_vis') }];
  await decompositionFigure(broken).then(() => assert.unreachable('must throw'), (e: Error) => {
    assert.match(e.message, /AUIF: no intermediate map 'D_vis'/);
  });
});

t('files: CSV, Markdown and JSON of one table agree; nothing half-written is left', async () => {
  const means = (k: number) => Object.fromEntries(METRIC_NAMES.map((m, j) => [m, k + j / 10])) as Record<MetricName, number>;
  const table: RelatedSystemsTable = {
    convention: 'printed', backend: 'wasm', preset: 'quick', indices: { tno: [1, 2] },
    rows: [
      { method: 'didfuse', title: 'DIDFuse', family: 'learned', parameters: 260935, set: 'tno', pairs: 2, msPerPair: 1234.5, means: means(1) },
      { method: 'bayes', title: 'BF', family: 'model-based', parameters: 0, set: 'tno', pairs: 2, msPerPair: 500, means: means(2) },
    ],
  };
  const files = await writeRelatedSystems(path.join(tmp, 'out'), table);
  assert.equal(files.map((f) => path.basename(f)), ['related-systems.md', 'related-systems.csv', 'related-systems.json']);
  assert.equal(fs.readdirSync(path.join(tmp, 'out')).sort(), ['related-systems.csv', 'related-systems.json', 'related-systems.md']);
  const csv = relatedSystemsCsv(table).trim().split('\n').map((l) => l.split(','));
  assert.equal(csv[0].slice(0, 6), ['method', 'title', 'parameters', 'set', 'pairs', 'ms_per_pair']);
  assert.equal(csv[1].slice(0, 6), ['didfuse', 'DIDFuse', '260935', 'tno', '2', '1234.5']);
  assert.is(Number(csv[2][6 + METRIC_NAMES.indexOf('SD')]), 2 + METRIC_NAMES.indexOf('SD') / 10);
  const md = relatedSystemsMarkdown(table);
  assert.match(md, /2 of 40 pairs of TNO/);
  assert.match(md, /\| DIDFuse \| 260935 \| TNO[^|]* \| 2 \| 1\.23 \|/);
  assert.equal(JSON.parse(fs.readFileSync(files[2], 'utf8')), JSON.parse(JSON.stringify(table)));
});

t("table: AUIF on TNO pair 1 gives notebook 04's committed per-pair metrics (printed convention, rel. 1e-6)", async () => {
  await useBackend('wasm');
  if (!(await upstreamGroup('tno')) || !(await upstreamGroup('models'))) return;
  const table = await relatedSystemsTable({ methods: ['auif'], sets: ['tno'], indices: { tno: [1] }, fusedDir: path.join(tmp, 'fused') });
  assert.is(table.rows.length, 1);
  const r = table.rows[0];
  assert.is(r.parameters, 11631);
  assert.ok(r.msPerPair > 0);
  assert.ok(fs.existsSync(path.join(tmp, 'fused', 'auif', 'tno', 'F1.png')));
  const lines = fs.readFileSync(path.join(projectRoot, 'results/metrics-pretrained-tno.csv'), 'utf8').trim().split('\n').map((l) => l.split(','));
  const row = lines.find((l) => l[0] === '1')!;
  for (const m of METRIC_NAMES) {
    const ref = Number(row[lines[0].indexOf(m)]);
    assert.ok(Math.abs(r.means[m] - ref) <= 1e-6 * Math.max(1, Math.abs(ref)), `${m}: ${r.means[m]} vs committed ${ref}`);
  }
});

t.run();
