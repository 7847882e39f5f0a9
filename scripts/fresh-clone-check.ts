/**
 * `npm run fresh-clone-check`: the stand-alone check of issue 12, as a new user would meet the
 * package — a clone with nothing beside it, the upstream data reachable only over HTTP.
 *
 * 1. builds a mirror folder laid out as the raw-file host, `<mirror>/<owner>/<repo>/<commit>/<path>`
 *    (lib/data/stage.ts `upstreamBaseUrl`), with one symlink per file of every manifest
 *    (lib/data/manifest.ts `UPSTREAM`, `MANIFEST_FILES`) pointing into the local copies this checkout
 *    stages from (`$AUIF_DATA_DIR`…, `../shared/upstream/<repo>`, `../shared/vifb`: the same
 *    sources and path maps as `stagingSources`), and serves it on 127.0.0.1 (GET/HEAD, single
 *    byte ranges: what lib/data/download.ts uses to resume);
 * 2. clones the current commit (HEAD; uncommitted changes are NOT part of the check) into
 *    `$TMPDIR/fresh-XXXX/auif-ts` and checks that no `../shared` lies beside it;
 * 3. runs there, with every `AUIF_*` variable of this shell removed and `AUIF_UPSTREAM_URL` set to
 *    the mirror: `npm ci`, `AUIF_PRESET=quick npm run reproduce`, then `CI=true npm test` (any
 *    skip counts as a failure; after the reproduction, as CI runs them, so that the tests of the
 *    executed notebooks run);
 * 4. checks the executed notebooks (`results/notebooks/*.ipynb`): error outputs, chart outputs
 *    without both `application/vnd.plotly.v1+json` and `image/png`, outputs over 1 MB; then
 *    `git status --porcelain` of the clone;
 * 5. prints a summary (also written to `<log dir>/summary.json`) and exits 0 only when everything
 *    passed: 0 failed, 0 skipped, no notebook error, a clean tree.
 *
 *   npm run fresh-clone-check                      everything (15–30 min on 2 busy cores)
 *   npm run fresh-clone-check -- --only test       only npm ci + npm test (or: --only reproduce)
 *   npm run fresh-clone-check -- --keep            keep the temporary clone (its path is printed)
 *   npm run fresh-clone-check -- --serve           build the mirror, serve it and wait (Ctrl-C):
 *                                                  for trying AUIF_UPSTREAM_URL by hand
 *
 * The log of every step goes to `<tmp>/fresh-check.log` (path printed first; `--log FILE` moves
 * it). Needs git, npm and what `npm run reproduce` needs (Debian's jupyter-nbconvert,
 * python3-nbclient, chromium).
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';

import { UPSTREAM, loadManifest, packageRoot, type Repo } from '../lib/data/manifest.js';
import { stagingSources } from '../lib/data/stage.js';
import { writeFileAtomicSync } from '../lib/io/atomic.js';

interface Args { only?: 'test' | 'reproduce'; keep: boolean; serve: boolean; log?: string }

function parseArgs(argv: string[]): Args {
  const a: Args = { keep: false, serve: false };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    if (k === '--keep') a.keep = true;
    else if (k === '--serve') a.serve = true;
    else if (k === '--only' && (argv[i + 1] === 'test' || argv[i + 1] === 'reproduce')) a.only = argv[++i] as Args['only'];
    else if (k === '--log' && argv[i + 1]) a.log = path.resolve(argv[++i]);
    else {
      process.stderr.write(`fresh-clone-check: unknown argument ${JSON.stringify(k)} (known: --only test|reproduce, --keep, --serve, --log FILE)\n`);
      process.exit(2);
    }
  }
  return a;
}

// ---------------------------------------------------------------------------------------------
// 1. The mirror.

interface MirrorReport { files: number; missing: { repo: Repo; path: string }[]; repos: number }

/** Lays out every manifest file of every repository as `<dir>/<owner>/<repo>/<commit>/<path>` (symlinks). */
function buildMirror(dir: string): MirrorReport {
  const rep: MirrorReport = { files: 0, missing: [], repos: 0 };
  for (const repo of Object.keys(UPSTREAM) as Repo[]) {
    const u = UPSTREAM[repo];
    const base = path.join(dir, ...u.repo.split('/'), u.commit);
    // The local (directory) sources of this repository, in staging order, with their path maps.
    const dirs = stagingSources(repo).filter((s) => s.kind === 'dir' && s.location && fs.existsSync(s.location));
    rep.repos++;
    for (const e of loadManifest(repo).files) {
      let found: string | undefined;
      for (const s of dirs) {
        const rel = s.mapPath ? s.mapPath(e.path) : s.strip && e.path.startsWith(s.strip) ? e.path.slice(s.strip.length) : e.path;
        const f = path.join(s.location!, ...rel.split('/'));
        if (fs.existsSync(f) && fs.statSync(f).size === e.size) { found = f; break; }
      }
      if (!found) { rep.missing.push({ repo, path: e.path }); continue; }
      const dest = path.join(base, ...e.path.split('/'));
      fs.mkdirSync(path.dirname(dest), { recursive: true });
      fs.symlinkSync(found, dest);
      rep.files++;
    }
  }
  return rep;
}

/** Serves `dir` on 127.0.0.1 (GET/HEAD, `Range: bytes=a-b`); resolves with its base URL. */
function serve(dir: string, counter: { requests: number; bytes: number; notFound: number }): Promise<{ url: string; close: () => void }> {
  const server = http.createServer((req, res) => {
    counter.requests++;
    let rel: string;
    try {
      rel = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    } catch {
      res.writeHead(400).end();
      return;
    }
    const file = path.join(dir, path.normalize(rel).replace(/^(\.\.[/\\])+/, ''));
    let st: fs.Stats;
    try {
      st = fs.statSync(file);
      if (!st.isFile() || !file.startsWith(dir + path.sep)) throw new Error('not a file');
    } catch {
      counter.notFound++;
      res.writeHead(404, { 'content-type': 'text/plain' }).end('404: Not Found');
      return;
    }
    let start = 0;
    let end = st.size - 1;
    let status = 200;
    const m = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '');
    if (m && (m[1] || m[2])) {
      if (m[1]) { start = Number(m[1]); if (m[2]) end = Math.min(end, Number(m[2])); } else start = Math.max(0, st.size - Number(m[2]));
      if (start > end) {
        res.writeHead(416, { 'content-range': `bytes */${st.size}` }).end();
        return;
      }
      status = 206;
    }
    const headers: http.OutgoingHttpHeaders = { 'content-length': end - start + 1, 'accept-ranges': 'bytes', 'content-type': 'application/octet-stream' };
    if (status === 206) headers['content-range'] = `bytes ${start}-${end}/${st.size}`;
    res.writeHead(status, headers);
    if (req.method === 'HEAD') { res.end(); return; }
    counter.bytes += end - start + 1;
    fs.createReadStream(file, { start, end }).pipe(res);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ url: `http://127.0.0.1:${port}`, close: () => server.close() });
    });
  });
}

// ---------------------------------------------------------------------------------------------
// 3. Running the steps.

let logFd = -1;
function say(s: string): void {
  process.stdout.write(`${s}\n`);
  if (logFd >= 0) fs.writeSync(logFd, `${s}\n`);
}

/** Runs a command in `cwd`, its output appended to the log (the last `tail` chars kept). */
function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number; seconds: number; out: string }> {
  const t0 = Date.now();
  say(`\n$ (${path.basename(cwd)}) ${Object.entries(env).filter(([k]) => k.startsWith('AUIF_') || k === 'CI').map(([k, v]) => `${k}=${v} `).join('')}${cmd} ${args.join(' ')}`);
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const take = (d: Buffer) => {
      fs.writeSync(logFd, d);
      out += d.toString();
      if (out.length > 400_000) out = out.slice(-200_000);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('close', (code, signal) => {
      const seconds = (Date.now() - t0) / 1000;
      say(`-> exit ${code ?? signal} after ${seconds.toFixed(0)} s`);
      resolve({ code: code ?? 1, seconds, out });
    });
  });
}

interface TestFigures { passed: number; failed: number; skipped: number; skippedParts: number; skips: string[]; failures: string[] }

function testFigures(out: string): TestFigures {
  const last = [...out.matchAll(/^(\d+) passed, (\d+) failed$/gm)].pop();
  const sk = [...out.matchAll(/^(\d+) skipped test\(s\), (\d+) skipped part\(s\)$/gm)].pop();
  const skips = [...out.matchAll(/!! SKIP ([^\n]{0,300})/g)].map((m) => m[1]);
  const failures = [...out.matchAll(/^\s*FAIL\s+"?([^\n]{0,200})/gm)].map((m) => m[1]);
  return {
    passed: last ? Number(last[1]) : NaN, failed: last ? Number(last[2]) : NaN,
    skipped: sk ? Number(sk[1]) : NaN, skippedParts: sk ? Number(sk[2]) : NaN, skips, failures,
  };
}

// ---------------------------------------------------------------------------------------------
// 4. The executed notebooks.

interface NotebookFigures { notebooks: number; errors: string[]; charts: number; badCharts: string[]; bigOutputs: string[] }

const PLOTLY = 'application/vnd.plotly.v1+json';

function checkNotebooks(dir: string): NotebookFigures {
  const r: NotebookFigures = { notebooks: 0, errors: [], charts: 0, badCharts: [], bigOutputs: [] };
  if (!fs.existsSync(dir)) return r;
  for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.ipynb')).sort()) {
    r.notebooks++;
    const nb = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as { cells: { cell_type: string; outputs?: Record<string, unknown>[] }[] };
    nb.cells.forEach((c, i) => {
      for (const o of c.outputs ?? []) {
        const where = `${f} cell ${i + 1}`;
        if (o.output_type === 'error') r.errors.push(`${where}: ${String(o.ename)}: ${String(o.evalue).slice(0, 200)}`);
        if (o.output_type === 'stream' && o.name === 'stderr' && /\b(Error|Exception)\b/.test(String(o.text))) {
          r.errors.push(`${where}: stderr: ${String(o.text).trim().split('\n')[0].slice(0, 200)}`);
        }
        const data = o.data as Record<string, unknown> | undefined;
        if (data) {
          const html = String(([] as unknown[]).concat(data['text/html'] ?? '').join(''));
          const isChart = PLOTLY in data || /plotly/i.test(html);
          if (isChart) {
            r.charts++;
            if (!(PLOTLY in data) || !('image/png' in data)) r.badCharts.push(`${where}: mime types ${Object.keys(data).join(', ')}`);
          }
        }
        const size = Buffer.byteLength(JSON.stringify(o));
        if (size > 1_000_000) r.bigOutputs.push(`${where}: ${(size / 1e6).toFixed(2)} MB`);
      }
    });
  }
  return r;
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const t0 = Date.now();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fresh-'));
  const logFile = args.log ?? path.join(tmp, 'fresh-check.log');
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  logFd = fs.openSync(logFile, 'a');
  say(`== fresh-clone check: log ${logFile}`);

  const mirrorDir = path.join(tmp, 'mirror');
  const mirror = buildMirror(mirrorDir);
  say(`== mirror ${mirrorDir}: ${mirror.files} files of ${mirror.repos} repositories${mirror.missing.length ? `; ${mirror.missing.length} manifest file(s) with no local copy (they will 404), e.g. ${mirror.missing.slice(0, 3).map((m) => `${m.repo} ${m.path}`).join(', ')}` : ''}`);
  const counter = { requests: 0, bytes: 0, notFound: 0 };
  const server = await serve(mirrorDir, counter);
  say(`== serving it at ${server.url}`);
  if (args.serve) {
    say(`   AUIF_UPSTREAM_URL=${server.url} npm run data    (Ctrl-C stops the server)`);
    return;
  }

  const head = spawnSync('git', ['rev-parse', 'HEAD'], { cwd: packageRoot, encoding: 'utf8' }).stdout.trim();
  const dirty = spawnSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: packageRoot, encoding: 'utf8' }).stdout.trim();
  if (dirty) say(`!! the checkout has uncommitted changes; they are not part of this check (it clones ${head.slice(0, 10)})`);
  const clone = path.join(tmp, 'auif-ts');
  let r = spawnSync('git', ['clone', '-q', '--no-hardlinks', '--no-checkout', packageRoot, clone], { encoding: 'utf8' });
  if (r.status === 0) r = spawnSync('git', ['checkout', '-q', head], { cwd: clone, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git clone/checkout failed: ${r.stderr}`);
  const sharedBeside = path.join(tmp, 'shared');
  if (fs.existsSync(sharedBeside)) throw new Error(`${sharedBeside} exists beside the clone: the check needs a clone with no ../shared`);
  say(`== cloned ${head.slice(0, 10)} into ${clone} (no ../shared beside it)`);

  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('AUIF_') && !k.startsWith('npm_')) env[k] = v;
  env.AUIF_UPSTREAM_URL = server.url;
  delete env.CI;

  const summary: Record<string, unknown> = { commit: head, clone, mirror: { url: server.url, files: mirror.files, missing: mirror.missing.length } };
  let ok = mirror.missing.length === 0;
  const ci = await run('npm', ['ci', '--no-audit', '--no-fund'], clone, env);
  summary.npmCi = { exit: ci.code, seconds: Math.round(ci.seconds) };
  if (ci.code !== 0) ok = false;

  if (ci.code === 0 && args.only !== 'test') {
    const p = await run('npm', ['run', 'reproduce'], clone, { ...env, AUIF_PRESET: 'quick' });
    const nb = checkNotebooks(path.join(clone, 'results', 'notebooks'));
    summary.reproduce = { exit: p.code, seconds: Math.round(p.seconds), ...nb };
    if (p.code !== 0 || nb.errors.length || nb.badCharts.length || nb.bigOutputs.length || nb.notebooks === 0) ok = false;
  }
  if (ci.code === 0 && args.only !== 'reproduce') {
    const t = await run('npm', ['test'], clone, { ...env, CI: 'true' });
    const fig = testFigures(t.out);
    summary.test = { exit: t.code, seconds: Math.round(t.seconds), ...fig };
    if (t.code !== 0 || fig.failed !== 0 || fig.skipped !== 0 || fig.skippedParts !== 0) ok = false;
  }
  const porcelain = spawnSync('git', ['status', '--porcelain'], { cwd: clone, encoding: 'utf8' }).stdout.trim();
  summary.gitStatus = porcelain ? porcelain.split('\n') : [];
  if (porcelain) ok = false;
  summary.http = counter;
  summary.seconds = Math.round((Date.now() - t0) / 1000);
  summary.ok = ok;
  server.close();
  writeFileAtomicSync(path.join(path.dirname(logFile), 'summary.json'), `${JSON.stringify(summary, null, 1)}\n`);

  const T = summary.test as (TestFigures & { exit: number; seconds: number }) | undefined;
  const P = summary.reproduce as (NotebookFigures & { exit: number; seconds: number }) | undefined;
  say('\n== summary');
  say(`commit ${head.slice(0, 10)}; mirror ${mirror.files} files (${mirror.missing.length} missing); HTTP ${counter.requests} requests, ${(counter.bytes / 1e6).toFixed(1)} MB, ${counter.notFound} not found`);
  say(`npm ci: exit ${ci.code}, ${Math.round(ci.seconds)} s`);
  if (T) {
    say(`npm test (CI=true): ${T.passed} passed, ${T.failed} failed, ${T.skipped} skipped test(s), ${T.skippedParts} skipped part(s); exit ${T.exit}, ${Math.round(T.seconds)} s`);
    for (const s of [...new Set(T.skips)].slice(0, 30)) say(`  skip: ${s}`);
    for (const f of T.failures.slice(0, 30)) say(`  FAIL: ${f}`);
  }
  if (P) {
    say(`reproduce (quick): exit ${P.exit}, ${Math.round(P.seconds)} s; ${P.notebooks} notebooks, ${P.errors.length} error output(s), ${P.charts} charts (${P.badCharts.length} without plotly JSON + PNG), ${P.bigOutputs.length} output(s) > 1 MB`);
    for (const e of [...P.errors, ...P.badCharts, ...P.bigOutputs].slice(0, 30)) say(`  ${e}`);
  }
  say(`git status --porcelain: ${porcelain ? `${porcelain.split('\n').length} line(s)` : 'clean'}`);
  for (const l of porcelain.split('\n').filter(Boolean).slice(0, 20)) say(`  ${l}`);
  say(`total ${Math.round((Date.now() - t0) / 1000)} s; ${ok ? 'OK' : 'NOT OK'}; log ${logFile}`);
  if (!args.keep) fs.rmSync(clone, { recursive: true, force: true });
  else say(`clone kept at ${clone}`);
  fs.rmSync(mirrorDir, { recursive: true, force: true });
  fs.closeSync(logFd);
  process.exit(ok ? 0 : 1);
}

main().catch((e) => {
  say(`fresh-clone-check: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
