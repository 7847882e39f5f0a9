/**
 * The DenseFuse and DeepFuse rows that AUIF's and DIDFuse's tables print for FLIR
 * (datasets/reference/paper_tables.csv, DIDFuse's table: three decimals) are those of our fused
 * images after a JPEG round trip at quality 75 (`jpegRoundTrip`, lib/io/image.ts), and not those of
 * the lossless images. Both methods fuse all 40 FLIR pairs with their defaults; the means are
 * scored under the `printed` convention.
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
import { evaluateDataset } from '../../lib/report/evaluate.js';
import { paperRow } from '../../lib/report/paper_table.js';
import { jpegRoundTrip, readGrey, writeGreyPng } from '../../lib/io/image.js';
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
    const png = path.join(tmp, `${name}-png`), jpg = path.join(tmp, `${name}-jpeg75`);
    fs.mkdirSync(png); fs.mkdirSync(jpg);
    const fuser = await getMethod(name).load();
    try {
      for (const [k, p] of pairs.entries()) {
        const [ir, vis] = await Promise.all([readGrey(p.ir), readGrey(p.vis)]);
        const { F } = await fuser.fuse(ir, vis);
        await writeGreyPng(path.join(png, `F${k + 1}.png`), F);
        await writeGreyPng(path.join(jpg, `F${k + 1}.png`), await jpegRoundTrip(F, 75));
      }
    } finally { fuser.dispose(); }
    const printed = paperRow('DIDFuse', 'flir', printedName).values;
    const lossless = (await evaluateDataset('flir', png, { convention: 'printed' })).means;
    const saved = (await evaluateDataset('flir', jpg, { convention: 'printed' })).means;
    const report = METRICS.map((m) => `${m} ${printed[m]}: png ${lossless[m].toFixed(4)}, jpeg75 ${saved[m].toFixed(4)}`).join('; ');
    for (const m of METRICS) assert.ok(Math.abs(saved[m] - printed[m]!) <= 0.002, `${printedName} ${m} after JPEG 75: ${report}`);
    assert.ok(Math.abs(lossless.SF - printed.SF!) > 0.5, `${printedName} SF without the round trip is expected off by > 0.5: ${report}`);
  });
}

t.run();
