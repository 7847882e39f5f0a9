/**
 * The download path end to end, on 127.0.0.1: `AUIF_UPSTREAM_URL` points at a local HTTP server
 * laid out as `<prefix>/<owner>/<repo>/<commit>/<path>` (the raw-file host's layout), built from
 * the files this checkout has staged. Every group of both manifests is staged through it into an
 * empty `AUIF_HOME`, with `AUIF_NO_SHARED=1` and no `$AUIF_DATA_DIR` (so no local copy can stand
 * in), and every checksum is then re-hashed; a download cut off mid-file is resumed by the next run.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';

import { GROUPS, GROUP_NAMES, UPSTREAM, loadManifest, type Repo } from '../../lib/data/manifest.js';
import { RAW_HOST, StagingError, checkStaged, dataRoot, ensureStaged, stagedPath, stagingSources, upstreamBaseUrl } from '../../lib/data/stage.js';
import { partialPath } from '../../lib/data/download.js';
import { upstreamGroup } from '../helpers/upstream.js';
import { serveTree, type FixtureServer } from './http-fixture.js';

const ENV = ['AUIF_UPSTREAM_URL', 'AUIF_HOME', 'AUIF_NO_SHARED', 'AUIF_DATA_DIR', 'AUIF_DIDFUSE_DIR'] as const;
function withEnv<T>(set: Partial<Record<(typeof ENV)[number], string>>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(ENV.map((k) => [k, process.env[k]]));
  for (const k of ENV) { if (set[k] === undefined) delete process.env[k]; else process.env[k] = set[k]; }
  return fn().finally(() => {
    for (const k of ENV) { if (saved[k] === undefined) delete process.env[k]; else process.env[k] = saved[k]; }
  });
}

/** A tree `<root>/mirror/<owner>/<repo>/<commit>/<path>` of links to this checkout's staged files. */
function mirrorTree(root: string, from: string, repos: Repo[]): number {
  let n = 0;
  for (const repo of repos) {
    const u = UPSTREAM[repo];
    for (const e of loadManifest(repo).files) {
      const dest = path.join(root, 'mirror', ...u.repo.split('/'), u.commit, ...e.path.split('/'));
      fs.mkdirSync(path.dirname(dest), { recursive: true });
      fs.symlinkSync(stagedPath(e.path, repo, from), dest);
      n++;
    }
  }
  return n;
}

const t = suite('data/upstream_url: staging from a mirror on 127.0.0.1 (AUIF_UPSTREAM_URL)');

t('AUIF_UPSTREAM_URL replaces the raw-file host: <prefix>/<owner>/<repo>/<commit>/; a bad value is one clear error', async () => {
  await withEnv({}, async () => {
    assert.is(upstreamBaseUrl('auif'), `${RAW_HOST}/Zhaozixiang1228/IVIF-AUIF-Net/8f54650ffbc0a9e655a0d4c6098751bedc319803/`);
    process.env.AUIF_UPSTREAM_URL = 'http://127.0.0.1:9/some/prefix/';
    assert.is(upstreamBaseUrl('auif'), 'http://127.0.0.1:9/some/prefix/Zhaozixiang1228/IVIF-AUIF-Net/8f54650ffbc0a9e655a0d4c6098751bedc319803/');
    assert.is(upstreamBaseUrl('didfuse'), `http://127.0.0.1:9/some/prefix/${UPSTREAM.didfuse.repo}/${UPSTREAM.didfuse.commit}/`);
    assert.equal(stagingSources('auif').map((s) => [s.kind, s.location]).at(-1), ['url', 'http://127.0.0.1:9/some/prefix/Zhaozixiang1228/IVIF-AUIF-Net/8f54650ffbc0a9e655a0d4c6098751bedc319803/']);
    process.env.AUIF_NO_SHARED = '1';
    const shared = stagingSources('auif')[1];
    assert.equal([shared.location, shared.name], [undefined, '../shared/upstream/auif (off: AUIF_NO_SHARED)']);
    for (const bad of ['not a url', 'ftp://127.0.0.1/x']) {
      process.env.AUIF_UPSTREAM_URL = bad;
      assert.throws(() => upstreamBaseUrl('auif'), (e: Error) => e instanceof StagingError && /AUIF_UPSTREAM_URL/.test(e.message) && e.message.includes(JSON.stringify(bad)));
    }
  });
});

t('every group of every manifest staged from the mirror into an empty AUIF_HOME; every sha256 re-checked', async () => {
  for (const g of GROUP_NAMES) if (!(await upstreamGroup(g))) return;
  const from = dataRoot();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'auif-mirror-'));
  let server: FixtureServer | undefined;
  try {
    const files = mirrorTree(tmp, from, [...new Set(GROUP_NAMES.map((g) => GROUPS[g].repo))]);
    server = await serveTree(tmp);
    const home = path.join(tmp, 'home');
    const prefix = `${server.baseUrl}mirror`;
    await withEnv({ AUIF_UPSTREAM_URL: prefix, AUIF_HOME: home, AUIF_NO_SHARED: '1' }, async () => {
      const results = await ensureStaged(GROUP_NAMES, { quiet: true });
      assert.equal(results.map((r) => r.group), GROUP_NAMES);
      for (const r of results) assert.is(r.source, upstreamBaseUrl(GROUPS[r.group].repo), `${r.group} came from the mirror`);
      assert.is(server!.requests.length, files, 'one request per file');
      assert.ok(server!.requests.every((q) => q.status === 200 && q.path.startsWith('mirror/')));
      for (const c of await checkStaged(GROUP_NAMES, { root: home })) {
        assert.equal([c.ok, c.missing, c.corrupt], [c.files, [], []], c.group);
      }
      assert.not.ok(fs.existsSync(path.join(home, 'models', 'upstream', 'TCSVT_Decoder.model.partial')));
      // Staged again: trusted from the stamps, nothing fetched.
      const again = await ensureStaged(GROUP_NAMES, { quiet: true });
      assert.ok(again.every((r) => r.source === 'already staged'));
      assert.is(server!.requests.length, files);
    });
  } finally {
    await server?.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

t('a download cut off mid-file fails the run, keeps .partial, and the next run resumes it with a Range request', async () => {
  if (!(await upstreamGroup('tno'))) return;
  const from = dataRoot();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'auif-mirror-'));
  const rel = 'Datasets/Test_data_TNO/IR1.bmp';
  const u = UPSTREAM.auif;
  const served = `mirror/${u.repo}/${u.commit}/${rel}`;
  let server: FixtureServer | undefined;
  try {
    mirrorTree(tmp, from, ['auif']);
    const home = path.join(tmp, 'home');
    const dest = stagedPath(rel, 'auif', home);
    const size = fs.statSync(stagedPath(rel, 'auif', from)).size;
    // Run 1: the server cuts the transfer of IR1.bmp after half of it, and then stops answering.
    server = await serveTree(tmp, { cutOnce: new Set([served]) });
    const first = server;
    const origClose = first.close;
    let cut = false;
    first.options.hang = new Set();
    const base = `${first.baseUrl}mirror`;
    await withEnv({ AUIF_UPSTREAM_URL: base, AUIF_HOME: home, AUIF_NO_SHARED: '1' }, async () => {
      // Once the cut has happened, every further request for the file hangs (the "network" is gone).
      const watch = setInterval(() => { if (!first.options.cutOnce!.has(served) && !cut) { cut = true; first.options.hang!.add(served); } }, 1);
      try {
        await ensureStaged('tno', { quiet: true, timeoutMs: 500 });
        assert.unreachable('the first run should fail');
      } catch (e) {
        if (!(e instanceof StagingError)) throw e;
        assert.match(e.message, /IR1\.bmp/);
      } finally {
        clearInterval(watch);
      }
    });
    assert.not.ok(fs.existsSync(dest), 'nothing under the final name');
    const kept = fs.statSync(partialPath(dest)).size;
    assert.ok(kept > 0 && kept < size, `kept ${kept} of ${size} bytes`);
    await origClose();
    // Run 2: a healthy server; the partial file is resumed from byte `kept`.
    server = await serveTree(tmp);
    await withEnv({ AUIF_UPSTREAM_URL: `${server.baseUrl}mirror`, AUIF_HOME: home, AUIF_NO_SHARED: '1' }, async () => {
      const r = await ensureStaged('tno', { quiet: true });
      assert.is(r[0].source.split(';')[0], upstreamBaseUrl('auif'));
    });
    const req = server.requests.filter((q) => q.path === served);
    assert.equal(req, [{ path: served, range: `bytes=${kept}-`, status: 206 }]);
    assert.ok(fs.readFileSync(dest).equals(fs.readFileSync(stagedPath(rel, 'auif', from))));
    assert.not.ok(fs.existsSync(partialPath(dest)));
  } finally {
    await server?.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

t.run();
