/**
 * A method's quantitative table (lib/report/method_quantitative.ts): scoring reused images that
 * are the published ones gives Δ(ours − published) = 0 on all 13 metrics and Δ(ours − printed) =
 * the published means minus DIDFuse's printed row; fusing writes F{i}.png and times each pair; the
 * three files agree with each other.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DIDFUSE_PUBLISHED } from '../../lib/methods/didfuse.js';
import { DIDFUSE_INFO } from '../../lib/methods/didfuse.js';
import type { Fuser } from '../../lib/methods/types.js';
import { METRIC_NAMES } from '../../lib/metrics/index.js';
import { methodDeltaRows, methodQuantitative, methodQuantitativeCsv, methodQuantitativeMarkdown, writeMethodQuantitative } from '../../lib/report/method_quantitative.js';
import { stagedPath } from '../../lib/data/stage.js';
import { upstreamFile, upstreamGroup } from '../helpers/upstream.js';
import { useBackend } from '../helpers/fixture.js';

const t = suite('report/method_quantitative');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'auif-mq-'));
t.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const never: Fuser = { info: DIDFUSE_INFO, async fuse() { throw new Error('must not fuse: the images are reused'); }, dispose() {} };
const average: Fuser = {
  info: DIDFUSE_INFO,
  async fuse(ir, vis) { return { F: { width: ir.width, height: ir.height, data: ir.data.map((v, i) => (v + vis.data[i]) / 2) } }; },
  dispose() {},
};

t('reused published images: ours − published = 0 for all 13 metrics; ours − printed = their means − the printed row', async () => {
  await useBackend('wasm');
  if (!(await upstreamGroup('tno')) || !(await upstreamFile('Test_result/TNO_IJCAI/F8.png', 'didfuse'))) return;
  fs.mkdirSync(path.join(tmp, 'reuse', 'tno'), { recursive: true });
  for (const i of [8, 10]) fs.copyFileSync(stagedPath(`Test_result/TNO_IJCAI/F${i}.png`, 'didfuse'), path.join(tmp, 'reuse', 'tno', `F${i}.png`));
  const q = await methodQuantitative({
    fuser: never, sets: ['tno'], fusedDir: path.join(tmp, 'reuse'), indices: [8, 10], reuseFused: true,
    paper: { source: 'DIDFuse', method: 'DIDFuse' }, published: DIDFUSE_PUBLISHED,
  });
  const rows = methodDeltaRows(q);
  assert.is(rows.length, METRIC_NAMES.length);
  for (const r of rows) assert.is(r['ours − published'], 0, `${r.metric}`);
  const en = rows.find((r) => r.metric === 'EN')!;
  assert.is(en.printed, '7.006');
  assert.ok(Math.abs((en['ours − printed'] as number) - ((en.ours as number) - 7.006)) < 1e-12);
  assert.is(rows.find((r) => r.metric === 'Qabf')!.printed, null, 'DIDFuse prints no Qabf');
  assert.equal(q.timing, {}, 'no times for reused images');
  const csv = methodQuantitativeCsv(q).trim().split('\n');
  assert.equal(csv.map((l) => l.split(',').slice(0, 3).join(',')), ['set,source,pairs', 'tno,printed,40', 'tno,published,2', 'tno,ours,2']);
  assert.match(methodQuantitativeMarkdown(q), /\| EN \| 7\.006 \|/);
});

t('fusing: F{i}.png written, each pair timed, the three files written', async () => {
  await useBackend('wasm');
  if (!(await upstreamGroup('tno'))) return;
  const q = await methodQuantitative({ fuser: average, sets: ['tno'], fusedDir: path.join(tmp, 'fuse'), indices: [8], paper: { source: 'DIDFuse', method: 'DIDFuse' } });
  assert.ok(fs.existsSync(path.join(tmp, 'fuse', 'tno', 'F8.png')));
  assert.equal(q.timing.tno!.map((x) => [x.pair, x.width, x.height]), [[8, 256, 256]]);
  assert.is(q.ours.tno!.perPair.length, 1);
  assert.equal(q.published, {});
  const files = await writeMethodQuantitative(path.join(tmp, 'out'), q);
  assert.equal(files.map((f) => path.basename(f)), ['quantitative.md', 'quantitative.csv', 'quantitative.json']);
  const json = JSON.parse(fs.readFileSync(files[2], 'utf8'));
  assert.is(json.ours.tno.means.EN, q.ours.tno!.means.EN);
  assert.equal(fs.readdirSync(path.join(tmp, 'out')).sort(), ['quantitative.csv', 'quantitative.json', 'quantitative.md'], 'no temporary files left');
});

t.run();
