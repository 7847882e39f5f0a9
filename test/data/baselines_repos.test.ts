/**
 * Staging of the baselines' repositories: every manifest validates, pins the commit of
 * lib/data/baselines_repos.ts, lists only files of its groups, and stages from the local copy
 * (with the copy's flat layout) or the pinned URL (`$AUIF_UPSTREAM_URL`: its mirror) into
 * models/upstream/<repo>/ or datasets/<repo>/ — checked by staging three groups into a temporary root.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BASELINE_GROUPS, BASELINE_REPOS, BASELINE_REPO_NAMES } from '../../lib/data/baselines_repos.js';
import { groupEntries, loadManifest } from '../../lib/data/manifest.js';
import { ensureStaged, stagedPath, stagingSources, StagingError } from '../../lib/data/stage.js';
import { sha256File } from '../../lib/data/download.js';
import { skipLoudly } from '../helpers/upstream.js';

const t = suite('data/baselines_repos');

t('manifests: pinned commits, every file in a group, groups non-empty', () => {
  for (const repo of BASELINE_REPO_NAMES) {
    const m = loadManifest(repo);
    assert.is(m.repo, BASELINE_REPOS[repo].repo);
    assert.is(m.commit, BASELINE_REPOS[repo].commit);
    assert.match(m.commit, /^[0-9a-f]{40}$/);
    const prefixes = Object.values(BASELINE_GROUPS).filter((g) => g.repo === repo).map((g) => g.prefix);
    for (const f of m.files) assert.ok(prefixes.some((p) => f.path.startsWith(p)), `${repo}: ${f.path} outside its groups`);
  }
  for (const g of Object.keys(BASELINE_GROUPS) as (keyof typeof BASELINE_GROUPS)[]) assert.ok(groupEntries(g).length > 0, g);
  assert.is(groupEntries('adf-published').length, 18);
});

t('staged layout and sources', () => {
  const r = '/R';
  assert.is(stagedPath('models/densefuse_gray.model', 'densefuse-pytorch', r), path.join(r, 'models/upstream/densefuse-pytorch/models/densefuse_gray.model'));
  assert.is(stagedPath('imgs/TNO/fuse/ADF/8.png', 'metricslab', r), path.join(r, 'datasets/metricslab/imgs/TNO/fuse/ADF/8.png'));
  const saved = process.env.AUIF_UPSTREAM_URL, savedNoShared = process.env.AUIF_NO_SHARED;
  try {
    delete process.env.AUIF_UPSTREAM_URL;
    delete process.env.AUIF_NO_SHARED; // the layout with ../shared switched on (AUIF_NO_SHARED=1 simulates a clone without it)
    const s = stagingSources('deepfuse-huili');
    assert.equal(s.map((x) => x.kind), ['dir', 'dir', 'url']);
    assert.is(s[0].name, '$AUIF_DEEPFUSE_HUILI_DIR');
    assert.is(s[1].strip, 'models/deepfuse_models/');
    assert.is(s[2].location, 'https://raw.githubusercontent.com/hli1221/Imagefusion_deepfuse/19dd37082fa1efb454b275b8cede2be1aea4d0f6/');
    process.env.AUIF_UPSTREAM_URL = 'http://127.0.0.1:9/mirror/';
    assert.is(stagingSources('deepfuse-huili')[2].location, 'http://127.0.0.1:9/mirror/hli1221/Imagefusion_deepfuse/19dd37082fa1efb454b275b8cede2be1aea4d0f6/');
  } finally {
    if (saved === undefined) delete process.env.AUIF_UPSTREAM_URL; else process.env.AUIF_UPSTREAM_URL = saved;
    if (savedNoShared === undefined) delete process.env.AUIF_NO_SHARED; else process.env.AUIF_NO_SHARED = savedNoShared;
  }
});

t('each group stages from the local copy into a fresh root, checksums verified', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'auif-baselines-stage-'));
  try {
    for (const g of ['tif-published', 'densefuse-pytorch-model', 'deepfuse-huili-model'] as const) {
      try { await ensureStaged(g, { root, quiet: true }); } catch (e) {
        if (e instanceof StagingError) { skipLoudly(`group ${g}`, e.message); continue; }
        throw e;
      }
      for (const f of groupEntries(g)) {
        const p = stagedPath(f.path, BASELINE_GROUPS[g].repo, root);
        assert.is(await sha256File(p), f.sha256, p);
      }
    }
  } finally { fs.rmSync(root, { recursive: true, force: true }); }
});

t.run();
