import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';

import { partialPath } from '../../lib/data/download.js';
import { GROUPS, groupEntries, loadManifest, packageRoot, type Manifest } from '../../lib/data/manifest.js';
import {
  StagingError,
  checkStaged,
  ensureStaged,
  stagedFile,
  stagedPath,
  stagingSources,
  type Source,
} from '../../lib/data/stage.js';
import { skipLoudly, upstreamFile, upstreamGroup } from '../helpers/upstream.js';
import { closedPortUrl, serveTree, type FixtureServer } from './http-fixture.js';

const sha = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');

/** A fake upstream repository: two TNO files and one model, served over HTTP and copyable. */
interface Fixture {
  tmp: string;
  /** Staging root (stands for AUIF_HOME). */
  root: string;
  /** The served tree (upstream repo layout). */
  upstream: string;
  /** A local-dir source (upstream layout), empty unless a test fills it. */
  local: string;
  files: Record<string, Buffer>;
  manifest: Manifest;
  server: FixtureServer;
  /** $AUIF_DATA_DIR (unset), the local dir (if `withLocal`, else a missing dir), the server. */
  sources(withLocal?: boolean): Source[];
  close(): Promise<void>;
}

const TNO1 = 'Datasets/Test_data_TNO/IR1.bmp';
const TNO2 = 'Datasets/Test_data_TNO/VIS1.bmp';
const MODEL = 'Models/TCSVT_Decoder.model';

function writeTree(dir: string, files: Record<string, Buffer>): void {
  for (const [rel, body] of Object.entries(files)) {
    const f = path.join(dir, ...rel.split('/'));
    fs.mkdirSync(path.dirname(f), { recursive: true });
    fs.writeFileSync(f, body);
  }
}

async function fixture(): Promise<Fixture> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'auif-stage-'));
  const files: Record<string, Buffer> = {
    [TNO1]: crypto.randomBytes(70_000),
    [TNO2]: crypto.randomBytes(50_001),
    [MODEL]: crypto.randomBytes(1213),
  };
  const upstream = path.join(tmp, 'upstream');
  writeTree(upstream, files);
  const local = path.join(tmp, 'local');
  const manifest: Manifest = {
    repo: 'test/fake',
    commit: 'test',
    files: Object.entries(files).map(([p, b]) => ({ path: p, size: b.length, sha256: sha(b) })),
  };
  const server = await serveTree(upstream);
  return {
    tmp,
    root: path.join(tmp, 'home'),
    upstream,
    local,
    files,
    manifest,
    server,
    sources: (withLocal = false) => [
      { kind: 'dir', name: '$AUIF_DATA_DIR', location: undefined },
      { kind: 'dir', name: '../shared/upstream/auif', location: withLocal ? local : path.join(tmp, 'no-such-dir') },
      { kind: 'url', name: server.baseUrl, location: server.baseUrl },
    ],
    close: async () => {
      await server.close();
      fs.rmSync(tmp, { recursive: true, force: true });
    },
  };
}

async function stagingError(p: Promise<unknown>): Promise<StagingError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof StagingError) return e;
    throw e;
  }
  assert.unreachable('expected a StagingError');
  throw new Error('unreachable');
}

// ---------------------------------------------------------------------------------------------
const Layout = suite('data/stage: layout and sources');

Layout('stagedPath maps upstream paths to the project layout', () => {
  const r = path.resolve('/r');
  assert.is(stagedPath('Datasets/Test_data_TNO/IR1.bmp', 'auif', r), path.join(r, 'datasets/Test_data_TNO/IR1.bmp'));
  assert.is(stagedPath('Datasets/Train_data_FLIR/FLIR/IR1.jpg', 'auif', r), path.join(r, 'datasets/Train_data_FLIR/FLIR/IR1.jpg'));
  assert.is(stagedPath('Test_result/TNO_TCSVT/F1.png', 'auif', r), path.join(r, 'datasets/Test_result/TNO_TCSVT/F1.png'));
  assert.is(stagedPath('Models/TCSVT_Decoder.model', 'auif', r), path.join(r, 'models/upstream/TCSVT_Decoder.model'));
  assert.is(stagedPath('image/Framework.png', 'auif', r), path.join(r, 'datasets/image/Framework.png'));
  assert.is(stagedPath('Models/Encoder_weight_IJCAI.pkl', 'didfuse', r), path.join(r, 'models/upstream/didfuse/Encoder_weight_IJCAI.pkl'));
  assert.is(stagedPath('Test_result/TNO_IJCAI/F1.png', 'didfuse', r), path.join(r, 'datasets/didfuse/Test_result/TNO_IJCAI/F1.png'));
  assert.throws(() => stagedPath('../x', 'auif', r), /'\.\.'/);
  assert.throws(() => stagedPath('/etc/passwd', 'auif', r), /relative/);
});

Layout('stagedPath defaults to $AUIF_HOME, else the package root', () => {
  const old = process.env.AUIF_HOME;
  try {
    delete process.env.AUIF_HOME;
    assert.is(stagedPath(MODEL), path.join(packageRoot, 'models/upstream/TCSVT_Decoder.model'));
    process.env.AUIF_HOME = '/some/home';
    assert.is(stagedPath(MODEL), path.resolve('/some/home/models/upstream/TCSVT_Decoder.model'));
  } finally {
    if (old === undefined) delete process.env.AUIF_HOME;
    else process.env.AUIF_HOME = old;
  }
});

Layout('stagingSources: $AUIF_DATA_DIR, ../shared/upstream, pinned URL (didfuse: its own)', () => {
  const old = process.env.AUIF_DATA_DIR;
  const others = { AUIF_NO_SHARED: process.env.AUIF_NO_SHARED, AUIF_UPSTREAM_URL: process.env.AUIF_UPSTREAM_URL };
  try {
    delete process.env.AUIF_DATA_DIR;
    delete process.env.AUIF_NO_SHARED;
    delete process.env.AUIF_UPSTREAM_URL;
    const s = stagingSources();
    assert.equal(s.map((x) => x.kind), ['dir', 'dir', 'url']);
    assert.is(s[0].name, '$AUIF_DATA_DIR');
    assert.is(s[0].location, undefined);
    assert.is(s[1].location, path.resolve(packageRoot, '../shared/upstream/auif'));
    assert.is(s[2].location, 'https://raw.githubusercontent.com/Zhaozixiang1228/IVIF-AUIF-Net/8f54650ffbc0a9e655a0d4c6098751bedc319803/');
    process.env.AUIF_DATA_DIR = '/data/auif';
    assert.is(stagingSources('auif')[0].location, path.resolve('/data/auif'));
    const d = stagingSources('didfuse');
    assert.is(d[0].name, '$AUIF_DIDFUSE_DIR');
    assert.is(d[1].location, path.resolve(packageRoot, '../shared/upstream/didfuse'));
    assert.match(d[2].location!, /^https:\/\/raw\.githubusercontent\.com\/Zhaozixiang1228\/IVIF-DIDFuse\//);
  } finally {
    for (const [k, v] of Object.entries(others)) { if (v === undefined) delete process.env[k]; else process.env[k] = v; }
    if (old === undefined) delete process.env.AUIF_DATA_DIR;
    else process.env.AUIF_DATA_DIR = old;
  }
});

Layout.run();

// ---------------------------------------------------------------------------------------------
const Stage = suite('data/stage: staging from a local HTTP server and local dirs');

Stage('happy path: downloads a group from the URL, verifies it, then trusts it', async () => {
  const f = await fixture();
  try {
    const seen: string[] = [];
    const r = await ensureStaged('tno', { root: f.root, manifest: f.manifest, sources: f.sources(), quiet: true, onProgress: (d, t, file) => seen.push(`${d}/${t} ${file}`) });
    assert.equal(r, [{ group: 'tno', source: f.server.baseUrl, files: 2 }]);
    for (const rel of [TNO1, TNO2]) {
      const p = stagedPath(rel, 'auif', f.root);
      assert.ok(fs.readFileSync(p).equals(f.files[rel]), rel);
      assert.not.ok(fs.existsSync(partialPath(p)));
    }
    assert.not.ok(fs.existsSync(stagedPath(MODEL, 'auif', f.root)), 'only the asked group is staged');
    assert.is(seen.length, 2);
    assert.is(f.server.requests.length, 2);
    const again = await ensureStaged('tno', { root: f.root, manifest: f.manifest, sources: f.sources(), quiet: true });
    assert.equal(again, [{ group: 'tno', source: 'already staged', files: 2 }]);
    assert.is(f.server.requests.length, 2, 'no request once staged');
  } finally {
    await f.close();
  }
});

Stage('stamps: a matching stamp is trusted; verify re-hashes and re-stages a corrupt file', async () => {
  const f = await fixture();
  try {
    const o = { root: f.root, manifest: f.manifest, sources: f.sources(), quiet: true };
    await ensureStaged('tno', o);
    const p = stagedPath(TNO1, 'auif', f.root);
    const T = 1_600_000_000; // a whole second, so that it can be restored exactly
    fs.utimesSync(p, T, T);
    assert.equal(await ensureStaged('tno', o), [{ group: 'tno', source: 'already staged', files: 2 }]); // re-hashed, stamp updated
    const bad = Buffer.from(f.files[TNO1]);
    bad[10] ^= 0xff; // same size
    fs.writeFileSync(p, bad);
    fs.utimesSync(p, T, T); // same size and mtime as stamped: looks untouched
    assert.equal(await ensureStaged('tno', o), [{ group: 'tno', source: 'already staged', files: 2 }]);
    const check = await checkStaged('tno', { root: f.root, manifest: f.manifest });
    assert.is(check[0].ok, 1);
    assert.equal(check[0].corrupt.map((c) => c.file), [TNO1]);
    assert.equal(await ensureStaged('tno', { ...o, verify: true }), [{ group: 'tno', source: `${f.server.baseUrl}; 1 already staged`, files: 2 }]);
    assert.ok(fs.readFileSync(p).equals(f.files[TNO1]));
    // a file changed without restoring its mtime is re-hashed (and re-staged) even without verify
    fs.writeFileSync(p, bad);
    await ensureStaged('tno', o);
    assert.ok(fs.readFileSync(p).equals(f.files[TNO1]));
    assert.is(f.server.requests.length, 4);
  } finally {
    await f.close();
  }
});

Stage('resume: a .partial holding the first half is resumed with a Range request', async () => {
  const f = await fixture();
  try {
    const p = stagedPath(TNO1, 'auif', f.root);
    const half = f.files[TNO1].length >> 1;
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(partialPath(p), f.files[TNO1].subarray(0, half));
    await ensureStaged('tno', { root: f.root, manifest: f.manifest, sources: f.sources(), quiet: true });
    const q = f.server.requests.find((x) => x.path === TNO1);
    assert.equal(q, { path: TNO1, range: `bytes=${half}-`, status: 206 });
    assert.ok(fs.readFileSync(p).equals(f.files[TNO1]));
    assert.not.ok(fs.existsSync(partialPath(p)));
  } finally {
    await f.close();
  }
});

Stage('a transfer cut off mid-way is resumed within the same run', async () => {
  const f = await fixture();
  try {
    f.server.options.cutOnce = new Set([TNO1]);
    const r = await ensureStaged('tno', { root: f.root, manifest: f.manifest, sources: f.sources(), quiet: true });
    assert.equal(r, [{ group: 'tno', source: f.server.baseUrl, files: 2 }]);
    const reqs = f.server.requests.filter((x) => x.path === TNO1);
    assert.is(reqs.length, 2);
    assert.match(reqs[1].range ?? '', /^bytes=[1-9]\d*-$/);
    assert.ok(fs.readFileSync(stagedPath(TNO1, 'auif', f.root)).equals(f.files[TNO1]));
  } finally {
    await f.close();
  }
});

Stage('a local-dir source is preferred over the URL', async () => {
  const f = await fixture();
  try {
    writeTree(f.local, f.files);
    const r = await ensureStaged(['tno', 'models'], { root: f.root, manifest: f.manifest, sources: f.sources(true), quiet: true });
    assert.equal(r, [
      { group: 'tno', source: '../shared/upstream/auif', files: 2 },
      { group: 'models', source: '../shared/upstream/auif', files: 1 },
    ]);
    assert.is(f.server.requests.length, 0);
    assert.ok(fs.readFileSync(stagedPath(MODEL, 'auif', f.root)).equals(f.files[MODEL]));
  } finally {
    await f.close();
  }
});

Stage('a corrupted local file falls through to the URL', async () => {
  const f = await fixture();
  try {
    writeTree(f.local, f.files);
    const bad = Buffer.from(f.files[TNO1]);
    bad[0] ^= 1;
    fs.writeFileSync(path.join(f.local, TNO1), bad);
    const r = await ensureStaged('tno', { root: f.root, manifest: f.manifest, sources: f.sources(true), quiet: true });
    assert.equal(r, [{ group: 'tno', source: `../shared/upstream/auif (1), ${f.server.baseUrl} (1)`, files: 2 }]);
    assert.equal(f.server.requests.map((q) => q.path), [TNO1]);
    assert.ok(fs.readFileSync(stagedPath(TNO1, 'auif', f.root)).equals(f.files[TNO1]));
  } finally {
    await f.close();
  }
});

Stage('a corrupted file on the server: checksum error, nothing under the final name', async () => {
  const f = await fixture();
  try {
    const bad = Buffer.from(f.files[TNO1]);
    bad[500] ^= 0x55;
    fs.writeFileSync(path.join(f.upstream, TNO1), bad);
    const e = await stagingError(ensureStaged('tno', { root: f.root, manifest: f.manifest, sources: f.sources(), quiet: true }));
    assert.equal(e.failures.map((x) => x.file), [TNO1]);
    assert.ok(e.message.includes('checksum mismatch'), e.message);
    assert.ok(e.message.includes(`${f.server.baseUrl}${TNO1}`), e.message);
    const p = stagedPath(TNO1, 'auif', f.root);
    assert.not.ok(fs.existsSync(p));
    assert.not.ok(fs.existsSync(partialPath(p)));
    assert.ok(fs.readFileSync(stagedPath(TNO2, 'auif', f.root)).equals(f.files[TNO2]), 'the good file is staged');
  } finally {
    await f.close();
  }
});

Stage('HTTP 404: the error names the URL; other groups still succeed', async () => {
  const f = await fixture();
  try {
    fs.rmSync(path.join(f.upstream, MODEL));
    const e = await stagingError(ensureStaged(['tno', 'models'], { root: f.root, manifest: f.manifest, sources: f.sources(), quiet: true }));
    const url = `${f.server.baseUrl}${MODEL}`;
    assert.ok(e.message.includes('HTTP 404') && e.message.includes(url), e.message);
    assert.equal(e.staged, [{ group: 'tno', source: f.server.baseUrl, files: 2 }]);
    assert.equal(e.failures.map((x) => [x.group, x.file]), [['models', MODEL]]);
  } finally {
    await f.close();
  }
});

Stage('all sources failing: one StagingError naming all three and what to do', async () => {
  const f = await fixture();
  try {
    const dead = await closedPortUrl();
    const sources: Source[] = [...f.sources().slice(0, 2), { kind: 'url', name: dead, location: dead }];
    const e = await stagingError(ensureStaged(['tno', 'models'], { root: f.root, manifest: f.manifest, sources, quiet: true }));
    const m = e.message;
    assert.is(e.failures.length, 3);
    for (const x of e.failures) assert.equal(x.reasons.map((r) => r.source), ['$AUIF_DATA_DIR', '../shared/upstream/auif', dead]);
    assert.match(m, /1\. \$AUIF_DATA_DIR: not set/);
    assert.match(m, /2\. \.\.\/shared\/upstream\/auif \(.*no-such-dir\): directory not found/);
    assert.ok(m.includes(`3. ${dead}: `) && m.includes('connection refused'), m);
    assert.ok(m.includes('set AUIF_DATA_DIR') && m.includes('../shared/upstream/auif') && m.includes('network access'), m);
    assert.is(e.staged.length, 0);
    assert.is((fs.readdirSync(f.root, { recursive: true }) as string[]).filter((x) => x.endsWith('.bmp')).length, 0);
  } finally {
    await f.close();
  }
});

Stage('stagedFile stages one file only and returns its path', async () => {
  const f = await fixture();
  try {
    const p = await stagedFile(TNO2, 'auif', { root: f.root, manifest: f.manifest, sources: f.sources(), quiet: true });
    assert.is(p, stagedPath(TNO2, 'auif', f.root));
    assert.ok(fs.readFileSync(p).equals(f.files[TNO2]));
    assert.equal(f.server.requests.map((q) => q.path), [TNO2]);
    assert.is(await stagedFile(TNO2, 'auif', { root: f.root, manifest: f.manifest, sources: f.sources(), quiet: true }), p);
    assert.is(f.server.requests.length, 1);
    try {
      await stagedFile('Datasets/Test_data_TNO/IR99.bmp', 'auif', { root: f.root, manifest: f.manifest, sources: f.sources(), quiet: true });
      assert.unreachable('should throw');
    } catch (e) {
      assert.match((e as Error).message, /not listed in the auif manifest/);
    }
  } finally {
    await f.close();
  }
});

Stage.run();

// ---------------------------------------------------------------------------------------------
const Real = suite('data/stage: the real manifests');

Real('list 40+40 TNO, 40+40 FLIR, 52+52 NIR, 360 train, 3 models, 40+40 results', () => {
  const count = (g: keyof typeof GROUPS, re: RegExp) => groupEntries(g).filter((e) => re.test(e.path)).length;
  assert.is(count('tno', /\/IR\d+\.bmp$/), 40);
  assert.is(count('tno', /\/VIS\d+\.bmp$/), 40);
  assert.is(count('flir', /\/IR\d+\.jpg$/), 40);
  assert.is(count('flir', /\/VIS\d+\.jpg$/), 40);
  assert.is(count('nir', /\/IR\d+\.png$/), 52);
  assert.is(count('nir', /\/VIS\d+\.png$/), 52);
  assert.is(groupEntries('train').length, 360);
  assert.equal(groupEntries('models').map((e) => e.path), [
    'Models/TCSVT_Decoder.model',
    'Models/TCSVT_Encoder_Base.model',
    'Models/TCSVT_Encoder_Detail.model',
  ]);
  assert.is(count('results-tno', /\/F\d+\.png$/), 40);
  assert.is(count('results-flir', /\/F\d+\.png$/), 40);
  assert.is(groupEntries('didfuse-models').length, 2);
  assert.is(groupEntries('didfuse-results-tno').length, 40);
  assert.is(groupEntries('didfuse-results-flir').length, 40);
  assert.is(groupEntries('bayes-examples').length, 6);
  assert.equal(groupEntries('bayes-results').map((e) => e.path), ['result/F1.png', 'result/F2.png', 'result/F3.png']);
  assert.is(loadManifest('bayesfusion').commit, '76df0c7e1ef738eb3735d523ab65efb2e6de8528');
  assert.is(stagedPath('result/F1.png', 'bayesfusion', '/r'), path.join('/r', 'datasets/bayesfusion/result/F1.png'));
  const auif = loadManifest('auif');
  assert.is(auif.commit, '8f54650ffbc0a9e655a0d4c6098751bedc319803');
  const grouped = Object.values(GROUPS).filter((g) => g.repo === 'auif');
  assert.ok(auif.files.every((e) => grouped.some((g) => e.path.startsWith(g.prefix))), 'every AUIF file is in a group');
});

Real("staging 'models' from ../shared/upstream/auif (or, without it, a copy laid out the same way) works and verifies", async () => {
  let shared = stagingSources('auif')[1];
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'auif-stage-real-'));
  if (!shared.location || !fs.existsSync(shared.location)) {
    // A clone with nothing beside it: the same directory source, made from this checkout's staged models.
    if (!(await upstreamGroup('models'))) return;
    const copy = path.join(root, 'upstream-copy');
    fs.mkdirSync(path.join(copy, 'Models'), { recursive: true });
    for (const f of ['TCSVT_Encoder_Base.model', 'TCSVT_Encoder_Detail.model', 'TCSVT_Decoder.model']) fs.copyFileSync(stagedPath(`Models/${f}`), path.join(copy, 'Models', f));
    shared = { kind: 'dir', name: '../shared/upstream/auif', location: copy };
  }
  try {
    const r = await ensureStaged('models', { root, sources: [shared], quiet: true });
    assert.equal(r, [{ group: 'models', source: '../shared/upstream/auif', files: 3 }]);
    const check = await checkStaged('models', { root });
    assert.equal(check, [{ group: 'models', files: 3, ok: 3, missing: [], corrupt: [] }]);
    assert.ok(fs.existsSync(path.join(root, 'models/upstream/TCSVT_Encoder_Base.model')));
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

Real('test helpers upstreamFile / upstreamGroup stage into the project (or skip loudly)', async () => {
  const p = await upstreamFile('Models/TCSVT_Decoder.model');
  if (p === null) return; // skipped loudly by the helper
  assert.is(p, stagedPath('Models/TCSVT_Decoder.model'));
  assert.is(fs.statSync(p).size, 1213);
  assert.ok(await upstreamGroup('models'));
});

Real.run();
