/**
 * The VIFB data set (lib/data/vifb.ts, groups `vifb`/`vifb-fused` of datasets/manifest.vifb.json):
 * the manifest's contents, the ../shared/vifb layout mapping, staging into a fresh root from the
 * first source that works (`$AUIF_VIFB_DIR`, ../shared/vifb, the pinned URL or its
 * `$AUIF_UPSTREAM_URL` mirror) with every sha256 checked, and a corrupt copy being refused.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureStaged, stagingSources, stagedPath, StagingError, upstreamBaseUrl } from '../../lib/data/stage.js';
import { groupEntries, loadManifest, UPSTREAM, vifbSharedPath, VIFB_COMMIT } from '../../lib/data/manifest.js';
import { VIFB_METHODS, VIFB_SCENES } from '../../lib/data/vifb.js';
import { skipLoudly } from '../helpers/upstream.js';

const t = suite('data/vifb');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'auif-vifb-'));
t.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

t('manifest: 21 scenes × (IR, VI) and 21 × 6 published outputs, pinned to the VIFB commit', () => {
  const m = loadManifest('vifb');
  assert.is(m.repo, 'xingchenzhang/VIFB');
  assert.is(m.commit, VIFB_COMMIT);
  assert.is(UPSTREAM.vifb.rawBase, `https://raw.githubusercontent.com/xingchenzhang/VIFB/${VIFB_COMMIT}/`);
  const inputs = groupEntries('vifb').map((e) => e.path);
  const fused = groupEntries('vifb-fused').map((e) => e.path);
  assert.equal(inputs, [...VIFB_SCENES.map((s) => `input/IR/${s}.jpg`), ...VIFB_SCENES.map((s) => `input/VI/${s}.jpg`)].sort());
  assert.is(fused.length, 126);
  for (const s of VIFB_SCENES) for (const meth of VIFB_METHODS) assert.ok(fused.includes(`output/fused_images/${s}_${meth}.jpg`), `${s}_${meth}`);
});

t('../shared/vifb layout: fused/ is upstream output/fused_images/, inputs unchanged; staged under datasets/vifb/', () => {
  assert.is(vifbSharedPath('output/fused_images/man_ADF.jpg'), 'fused/man_ADF.jpg');
  assert.is(vifbSharedPath('input/IR/man.jpg'), 'input/IR/man.jpg');
  assert.is(stagedPath('input/VI/man.jpg', 'vifb', '/r'), path.join('/r', 'datasets', 'vifb', 'input', 'VI', 'man.jpg'));
  const savedNoShared = process.env.AUIF_NO_SHARED;
  try {
    delete process.env.AUIF_NO_SHARED; // the names with ../shared switched on (AUIF_NO_SHARED=1 simulates a clone without it)
    const names = stagingSources('vifb').map((s) => s.name);
    assert.equal(names, ['$AUIF_VIFB_DIR', '../shared/vifb', upstreamBaseUrl('vifb')]); // the pinned URL, or its $AUIF_UPSTREAM_URL mirror
    process.env.AUIF_NO_SHARED = '1';
    assert.is(stagingSources('vifb')[1].name, '../shared/vifb (off: AUIF_NO_SHARED)');
  } finally {
    if (savedNoShared === undefined) delete process.env.AUIF_NO_SHARED; else process.env.AUIF_NO_SHARED = savedNoShared;
  }
});

t('stages both groups into a fresh root from the first source that works, checksum-verified; a corrupt copy is refused', async () => {
  const sources = stagingSources('vifb');
  const root = path.join(tmp, 'root');
  let r;
  try {
    r = await ensureStaged(['vifb', 'vifb-fused'], { root, sources, quiet: true });
  } catch (e) {
    if (e instanceof StagingError) { skipLoudly('VIFB staging into a fresh root', e.message); return; }
    throw e;
  }
  assert.equal(r.map((x) => [x.group, x.files]), [['vifb', 42], ['vifb-fused', 126]]);
  for (const x of r) assert.ok(sources.some((s) => x.source.startsWith(s.name)), `${x.group} staged from ${x.source}`);
  assert.ok(fs.existsSync(stagedPath('output/fused_images/walking_CNN.jpg', 'vifb', root)));
  // a copy whose bytes differ (same size) fails the sha256 check and nothing is staged under the final name
  const bad = path.join(tmp, 'bad');
  fs.mkdirSync(path.join(bad, 'input', 'IR'), { recursive: true });
  fs.mkdirSync(path.join(bad, 'input', 'VI'), { recursive: true });
  for (const e of groupEntries('vifb')) {
    const src = fs.readFileSync(stagedPath(e.path, 'vifb', root));
    if (e.path === 'input/IR/man.jpg') src[src.length - 3] ^= 0xff;
    fs.writeFileSync(path.join(bad, e.path), src);
  }
  const root2 = path.join(tmp, 'root2');
  let err: unknown;
  try { await ensureStaged('vifb', { root: root2, sources: [{ kind: 'dir', name: 'bad copy', location: bad }], quiet: true }); } catch (e) { err = e; }
  assert.ok(err instanceof StagingError);
  assert.match((err as Error).message, /input\/IR\/man\.jpg/);
  assert.match((err as Error).message, /checksum mismatch/);
  assert.not.ok(fs.existsSync(stagedPath('input/IR/man.jpg', 'vifb', root2)));
  assert.ok(fs.existsSync(stagedPath('input/IR/walking.jpg', 'vifb', root2)), 'the good files are staged');
});

t.run();
