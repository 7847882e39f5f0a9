/**
 * The DenseFuse and DeepFuse rows that AUIF's and DIDFuse's tables print for FLIR
 * (datasets/reference/paper_tables.csv, DIDFuse's table: three decimals) are those of our fused
 * images after a JPEG round trip at quality 75 (`jpegRoundTrip`, lib/io/image.ts), and not those of
 * the lossless images. Both methods fuse all 40 FLIR pairs with their defaults; `jpegSavedScores`
 * (lib/report/comparison.ts, as notebook 07 calls it) scores both under the `printed` convention.
 * Bar: every one of EN, MI, SD, SF, VIF, AG within 0.002 of the printed value after the round trip
 * (measured: ≤ 0.0013, SF), and SF off by more than 0.5 without it (measured: 0.85).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { getMethod } from '../../lib/methods/index.js';
import { datasetPairs } from '../../lib/data/datasets.js';
import { jpegSavedScores } from '../../lib/report/comparison.js';
import { readGrey, writeGreyPng } from '../../lib/io/image.js';
import { initBackend } from '../../lib/backend/select.js';
import { upstreamGroup } from '../helpers/upstream.js';

const t = suite('methods/printed_flir');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'auif-printed-flir-'));
t.before(async () => { await initBackend({ quiet: true }); });
t.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const METRICS = ['EN', 'MI', 'SD', 'SF', 'VIF', 'AG'] as const;

for (const [name, printedName, group] of [['deepfuse', 'DeepFuse', 'deepfuse-huili-model'], ['densefuse', 'DenseFuse', 'densefuse-tf-model']] as const) {
  t(`${printedName} on FLIR: the printed row is that of the fused images saved as JPEG (quality 75)`, async () => {
    if (!(await upstreamGroup('flir')) || !(await upstreamGroup(group))) return;
    const pairs = await datasetPairs('flir', { quiet: true });
    assert.is(pairs.length, 40);
    const png = path.join(tmp, name, 'flir');   // a cache in notebook 07's layout, <cache>/<method>/<set>/F<i>.png
    fs.mkdirSync(png, { recursive: true });
    const fuser = await getMethod(name).load();
    try {
      for (const [k, p] of pairs.entries()) {
        const [ir, vis] = await Promise.all([readGrey(p.ir), readGrey(p.vis)]);
        await writeGreyPng(path.join(png, `F${k + 1}.png`), (await fuser.fuse(ir, vis)).F);
      }
    } finally { fuser.dispose(); }
    const r = await jpegSavedScores(tmp, name, 'flir', pairs.map((_, k) => k + 1), 75);
    assert.is(r.printedFrom, 'DIDFuse');
    const printed = r.printed!;
    const lossless = r.png, saved = r.jpeg;
    const report = METRICS.map((m) => `${m} ${printed[m]}: png ${lossless[m].toFixed(4)}, jpeg75 ${saved[m].toFixed(4)}`).join('; ');
    for (const m of METRICS) assert.ok(Math.abs(saved[m] - printed[m]!) <= 0.002, `${printedName} ${m} after JPEG 75: ${report}`);
    assert.ok(Math.abs(lossless.SF - printed.SF!) > 0.5, `${printedName} SF without the round trip is expected off by > 0.5: ${report}`);
  });
}

t.run();
