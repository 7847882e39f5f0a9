/**
 * Staging: makes the upstream files listed in the manifests available under the project's own
 * (git-ignored) folders, checksum-verified, from the first source that works.
 *
 * Sources, in order (see {@link stagingSources}):
 * 1. `$AUIF_DATA_DIR` (DIDFuse: `$AUIF_DIDFUSE_DIR`, Bayesian fusion: `$AUIF_BAYESFUSION_DIR`, VIFB: `$AUIF_VIFB_DIR`): a
 *    directory laid out like the upstream repo;
 * 2. `../shared/upstream/auif` (`../shared/upstream/didfuse`, `../shared/vifb`) beside the checkout;
 * 3. the upstream raw URLs, AUIF pinned to commit 8f54650ffbc0a9e655a0d4c6098751bedc319803, DIDFuse to 5f287300dce7cbc90b9e08e6872455af6baa279f
 *    (`$AUIF_UPSTREAM_URL` replaces the host `https://raw.githubusercontent.com`: a mirror laid out
 *    as `<prefix>/<owner>/<repo>/<commit>/<path>`; `AUIF_NO_SHARED=1` skips source 2).
 * Each file is tried against each source in turn: a source that lacks the file, or whose copy
 * fails the sha256 check, is passed over with its reason recorded, and when every source fails a
 * {@link StagingError} names all of them and why.
 *
 * Layout (root = `$AUIF_HOME` or the package root; see {@link stagedPath}):
 * | upstream path | staged at |
 * | --- | --- |
 * | AUIF `Datasets/<p>` | `datasets/<p>` (e.g. `datasets/Test_data_TNO/IR1.bmp`) |
 * | AUIF `Models/<p>` | `models/upstream/<p>` |
 * | AUIF `Test_result/<p>`, `image/<p>` | `datasets/Test_result/<p>`, `datasets/image/<p>` |
 * | DIDFuse `Models/<p>` | `models/upstream/didfuse/<p>` |
 * | DIDFuse anything else `<p>` | `datasets/didfuse/<p>` |
 * | Bayesian fusion `<p>` | `datasets/bayesfusion/<p>` |
 * | VIFB `<p>` (`input/…`, `output/fused_images/…`) | `datasets/vifb/<p>` |
 *
 * Verification: a file is written under a temporary name (`.partial` for downloads, `.tmp` for
 * copies) and renamed into place only once its sha256 matches the manifest. After staging, a
 * stamp per group (`datasets/.stamps/<group>.json`) records size, mtime and sha256 of each file;
 * later runs trust a file whose size and mtime still match its stamp (no re-hash), re-hash any
 * other file, and re-hash everything with `verify: true` (`npm run data -- --check`).
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import crypto from 'node:crypto';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import {
  GROUPS,
  GROUP_NAMES,
  MANIFEST_FILES,
  UPSTREAM,
  checkRelPath,
  vifbSharedPath,
  groupEntries,
  groupOf,
  isGroupName,
  loadManifest,
  packageRoot,
  type GroupName,
  type Manifest,
  type ManifestEntry,
  type Repo,
} from './manifest.js';
import { DownloadError, download, partialPath, sha256File } from './download.js';
import { BASELINE_REPOS, type BaselineRepo } from './baselines_repos.js';
import { createProgress, type Progress } from '../util/progress.js';
import { sharedDisabled } from './reference.js';
import { writeFileAtomic } from '../io/atomic.js';

export type { GroupName, Manifest, ManifestEntry, Repo } from './manifest.js';
export { GROUPS, GROUP_NAMES } from './manifest.js';

/** Where files can be staged from. */
export interface Source {
  kind: 'dir' | 'url';
  /** How messages name it: `$AUIF_DATA_DIR`, `../shared/upstream/auif`, or the base URL. */
  name: string;
  /** Directory (kind 'dir') or base URL ending in `/` (kind 'url'); undefined = not configured. */
  location?: string;
  /** Kind 'dir': an upstream path prefix this copy drops (a flat copy of one folder). */
  strip?: string;
  /** Where an upstream path lies in this directory, when its layout differs (default: the same path). */
  mapPath?: (upstreamRel: string) => string;
}

export interface StageOptions {
  /** Sources to try, in order, for every group (default: {@link stagingSources} of the group's repo). */
  sources?: Source[];
  /** No progress bar or summary line. */
  quiet?: boolean;
  /** Called after each file that had to be staged (done and total count those files only). */
  onProgress?: (done: number, total: number, file: string) => void;
  /** Re-hash every already-staged file instead of trusting its stamp. */
  verify?: boolean;
  /** Folder to stage into (default: `$AUIF_HOME` or the package root). */
  root?: string;
  /** Manifest to take the groups' files from (default: the real manifests). For tests. */
  manifest?: Manifest;
  /** Per-download idle timeout in ms (default 30 000). */
  timeoutMs?: number;
  /** Files staged at once (default 4). */
  concurrency?: number;
}

/** Where one group came from. */
export interface GroupResult {
  group: GroupName;
  /** `'already staged'`, one source name, or several with counts, e.g. `../shared/upstream/auif (78), https://… (2)`. */
  source: string;
  /** Files in the group. */
  files: number;
}

/** Why one source could not provide one file. */
export interface SourceFailure {
  /** The source's name (`$AUIF_DATA_DIR`, `../shared/upstream/auif`, a base URL). */
  source: string;
  /** Its directory or URL, where that differs from the name. */
  location?: string;
  reason: string;
}

function failure(src: Source, reason: string): SourceFailure {
  return src.location && src.location !== src.name ? { source: src.name, location: src.location, reason } : { source: src.name, reason };
}

/** A file that no source could provide. */
export interface FileFailure {
  group: GroupName;
  repo: Repo;
  file: string;
  reasons: SourceFailure[];
}

/** No source could provide some files. The message names every source tried and why it failed. */
export class StagingError extends Error {
  override name = 'StagingError';
  constructor(
    message: string,
    readonly failures: FileFailure[] = [],
    /** Groups that were staged completely before the error was raised. */
    readonly staged: GroupResult[] = [],
  ) {
    super(message);
  }
}

/** Where staged data lives: `$AUIF_HOME`, else the package root. */
export function dataRoot(): string {
  const home = process.env.AUIF_HOME;
  return home ? path.resolve(home) : packageRoot;
}

/**
 * Absolute local path of an upstream file once staged (pure: no I/O).
 * @param upstreamRel path relative to the upstream repository root, e.g. `Datasets/Test_data_TNO/IR1.bmp`.
 * @param root staging root (default {@link dataRoot}).
 */
export function stagedPath(upstreamRel: string, repo: Repo = 'auif', root: string = dataRoot()): string {
  const [top, ...rest] = checkRelPath(upstreamRel, 'stagedPath').split('/');
  if (repo === 'auif') {
    if (top === 'Datasets') return path.join(root, 'datasets', ...rest);
    if (top === 'Models') return path.join(root, 'models', 'upstream', ...rest);
    return path.join(root, 'datasets', top, ...rest);
  }
  if (repo === 'didfuse') {
    if (top === 'Models') return path.join(root, 'models', 'upstream', 'didfuse', ...rest);
    return path.join(root, 'datasets', 'didfuse', top, ...rest);
  }
  if (repo === 'bayesfusion') return path.join(root, 'datasets', 'bayesfusion', top, ...rest);
  if (repo === 'vifb') return path.join(root, 'datasets', 'vifb', top, ...rest);
  const b = BASELINE_REPOS[repo as BaselineRepo];
  if (b) return path.join(root, ...(b.staged === 'models' ? ['models', 'upstream'] : ['datasets']), repo, top, ...rest);
  throw new Error(`stagedPath: unknown repo ${JSON.stringify(repo)}`);
}

const ENV_DIR: Record<Repo, string> = {
  auif: 'AUIF_DATA_DIR', didfuse: 'AUIF_DIDFUSE_DIR', bayesfusion: 'AUIF_BAYESFUSION_DIR', vifb: 'AUIF_VIFB_DIR',
  ...Object.fromEntries(Object.entries(BASELINE_REPOS).map(([k, d]) => [k, d.env])) as Record<BaselineRepo, string>,
};

/** The public raw-file host that `$AUIF_UPSTREAM_URL` replaces. */
export const RAW_HOST = 'https://raw.githubusercontent.com';

/**
 * Base URL (ending in `/`) of one repository's files at its pinned commit:
 * `<prefix>/<owner>/<repo>/<commit>/`, with prefix `$AUIF_UPSTREAM_URL` when set (a mirror laid
 * out like the raw-file host, e.g. `http://127.0.0.1:8080/mirror`), else {@link RAW_HOST}.
 */
export function upstreamBaseUrl(repo: Repo = 'auif'): string {
  const env = process.env.AUIF_UPSTREAM_URL;
  if (!env) return UPSTREAM[repo].rawBase;
  let prefix: URL;
  try {
    prefix = new URL(env);
  } catch {
    throw new StagingError(`AUIF_UPSTREAM_URL is not a URL: ${JSON.stringify(env)} (expected e.g. http://127.0.0.1:8080, laid out as <prefix>/<owner>/<repo>/<commit>/<path>)`);
  }
  if (prefix.protocol !== 'http:' && prefix.protocol !== 'https:') {
    throw new StagingError(`AUIF_UPSTREAM_URL must be an http(s) URL, got ${JSON.stringify(env)}`);
  }
  return `${env.replace(/\/+$/, '')}/${UPSTREAM[repo].repo}/${UPSTREAM[repo].commit}/`;
}

/**
 * The sources of one repository, in the order they are tried: `$AUIF_DATA_DIR` (DIDFuse:
 * `$AUIF_DIDFUSE_DIR`), `../shared/upstream/<repo>` beside the checkout (not with
 * `AUIF_NO_SHARED=1`), the raw URL at the pinned commit ({@link upstreamBaseUrl}:
 * `$AUIF_UPSTREAM_URL` replaces the public host).
 */
export function stagingSources(repo: Repo = 'auif'): Source[] {
  const env = ENV_DIR[repo];
  const envDir = process.env[env];
  const base = upstreamBaseUrl(repo);
  const b = BASELINE_REPOS[repo as BaselineRepo];
  if (b) {
    return [
      { kind: 'dir', name: `$${env}`, location: envDir ? path.resolve(envDir) : undefined },
      sharedDisabled()
        ? { kind: 'dir', name: `../shared/upstream/${b.shared} (off: AUIF_NO_SHARED)`, location: undefined }
        : { kind: 'dir', name: `../shared/upstream/${b.shared}`, location: path.resolve(packageRoot, '..', 'shared', 'upstream', ...b.shared.split('/')), strip: b.sharedStrip },
      { kind: 'url', name: base, location: base },
    ];
  }
  // VIFB's local copy is ../shared/vifb, with the fused outputs in fused/ (see vifbSharedPath).
  const sharedName = repo === 'vifb' ? '../shared/vifb' : `../shared/upstream/${repo}`;
  const sharedLoc = repo === 'vifb' ? path.resolve(packageRoot, '..', 'shared', 'vifb') : path.resolve(packageRoot, '..', 'shared', 'upstream', repo);
  return [
    { kind: 'dir', name: `$${env}`, location: envDir ? path.resolve(envDir) : undefined },
    sharedDisabled()
      ? { kind: 'dir', name: `${sharedName} (off: AUIF_NO_SHARED)`, location: undefined }
      : { kind: 'dir', name: sharedName, location: sharedLoc, ...(repo === 'vifb' ? { mapPath: vifbSharedPath } : {}) },
    { kind: 'url', name: base, location: base },
  ];
}

// ---------------------------------------------------------------------------------------------
// Stamps: per group, the size/mtime/sha256 of every file verified after staging.

interface StampFile {
  size: number;
  mtimeMs: number;
  sha256: string;
}
interface Stamp {
  version: 1;
  group: string;
  files: Record<string, StampFile>;
}

function stampPath(root: string, group: GroupName): string {
  return path.join(root, 'datasets', '.stamps', `${group}.json`);
}

async function readStamp(root: string, group: GroupName): Promise<Stamp> {
  try {
    const s = JSON.parse(await fsp.readFile(stampPath(root, group), 'utf8')) as Stamp;
    if (s && s.version === 1 && s.files && typeof s.files === 'object') return s;
  } catch {
    // missing or unreadable: start afresh (files will be re-hashed)
  }
  return { version: 1, group, files: {} };
}

const stampLocks = new Map<string, Promise<unknown>>();

/** Merges updates into the stamp on disk (read-modify-write, serialised per stamp file). */
async function updateStamp(root: string, group: GroupName, set: Record<string, StampFile>, drop: string[]): Promise<void> {
  if (Object.keys(set).length === 0 && drop.length === 0) return;
  const file = stampPath(root, group);
  const prev = stampLocks.get(file) ?? Promise.resolve();
  const next = prev.catch(() => {}).then(async () => {
    const stamp = await readStamp(root, group);
    for (const k of drop) delete stamp.files[k];
    Object.assign(stamp.files, set);
    const sorted: Record<string, StampFile> = {};
    for (const k of Object.keys(stamp.files).sort()) sorted[k] = stamp.files[k];
    stamp.files = sorted;
    await fsp.mkdir(path.dirname(file), { recursive: true });
    await writeFileAtomic(file, Buffer.from(`${JSON.stringify(stamp, null, 1)}\n`));
  });
  stampLocks.set(file, next);
  try {
    await next;
  } finally {
    if (stampLocks.get(file) === next) stampLocks.delete(file);
  }
}

type FileState = { state: 'ok'; stamp: StampFile } | { state: 'missing' } | { state: 'corrupt'; why: string };

/** Is the staged copy good? Trusts a matching stamp unless `verify`; otherwise hashes. */
async function inspect(entry: ManifestEntry, dest: string, stamp: Stamp, verify: boolean): Promise<FileState> {
  let st: fs.Stats;
  try {
    st = await fsp.stat(dest);
  } catch {
    return { state: 'missing' };
  }
  if (!st.isFile()) return { state: 'corrupt', why: 'not a regular file' };
  if (st.size !== entry.size) return { state: 'corrupt', why: `size ${st.size}, expected ${entry.size}` };
  const s = stamp.files[entry.path];
  if (!verify && s && s.sha256 === entry.sha256 && s.size === st.size && s.mtimeMs === st.mtimeMs) return { state: 'ok', stamp: s };
  const got = await sha256File(dest);
  if (got !== entry.sha256) return { state: 'corrupt', why: `sha256 ${got}, expected ${entry.sha256}` };
  return { state: 'ok', stamp: { size: st.size, mtimeMs: st.mtimeMs, sha256: got } };
}

// ---------------------------------------------------------------------------------------------
// Staging one file from one source.

/** A source that cannot provide one file (the reason is recorded, the next source is tried). */
class SourceMiss extends Error {}

async function copyVerified(srcFile: string, dest: string, entry: ManifestEntry): Promise<void> {
  let st: fs.Stats;
  try {
    st = await fsp.stat(srcFile);
  } catch {
    throw new SourceMiss(`file not found: ${srcFile}`);
  }
  if (!st.isFile()) throw new SourceMiss(`not a regular file: ${srcFile}`);
  if (st.size !== entry.size) throw new SourceMiss(`size mismatch: ${srcFile} has ${st.size} bytes, the manifest says ${entry.size}`);
  await fsp.mkdir(path.dirname(dest), { recursive: true });
  const tmp = `${dest}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  const hash = crypto.createHash('sha256');
  try {
    await pipeline(
      fs.createReadStream(srcFile),
      new Transform({
        transform(chunk: Buffer, _enc, cb) {
          hash.update(chunk);
          cb(null, chunk);
        },
      }),
      fs.createWriteStream(tmp),
    );
    const got = hash.digest('hex');
    if (got !== entry.sha256) throw new SourceMiss(`checksum mismatch: ${srcFile} has sha256 ${got}, the manifest says ${entry.sha256}`);
    await fsp.rename(tmp, dest);
  } finally {
    await fsp.rm(tmp, { force: true });
  }
}

interface Item {
  group: GroupName;
  repo: Repo;
  entry: ManifestEntry;
  dest: string;
  sources: Source[];
}
interface Outcome {
  source?: Source;
  reasons: SourceFailure[];
}

const inflight = new Map<string, Promise<Outcome>>();
/** Tries per file and URL when a transfer breaks off after some bytes (each resumes the last). */
const DOWNLOAD_ATTEMPTS = 3;

/** Stages `items`, each from the first source that works; never throws for a source failure. */
async function stageItems(items: Item[], opts: StageOptions, label: string): Promise<Map<Item, Outcome>> {
  const outcomes = new Map<Item, Outcome>();
  if (items.length === 0) return outcomes;
  const dead = new Map<string, string>(); // source key -> reason it is skipped for the rest of this run
  const key = (s: Source) => `${s.kind}\0${s.name}\0${s.location ?? ''}`;
  const totalBytes = items.reduce((a, it) => a + it.entry.size, 0);
  const bar: Progress | undefined = opts.quiet ? undefined : createProgress(label, totalBytes, 'B');
  let done = 0;

  const stageOne = async (it: Item): Promise<Outcome> => {
    const reasons: SourceFailure[] = [];
    for (const src of it.sources) {
      const deadWhy = dead.get(key(src));
      if (deadWhy) {
        reasons.push(failure(src, deadWhy));
        continue;
      }
      if (!src.location) {
        dead.set(key(src), 'not set');
        reasons.push(failure(src, 'not set'));
        continue;
      }
      let ticked = 0;
      try {
        if (src.kind === 'dir') {
          if (!fs.existsSync(src.location)) {
            const why = 'directory not found';
            dead.set(key(src), why);
            reasons.push(failure(src, why));
            continue;
          }
          const rel = src.mapPath
            ? src.mapPath(it.entry.path)
            : src.strip && it.entry.path.startsWith(src.strip) ? it.entry.path.slice(src.strip.length) : it.entry.path;
          await copyVerified(path.join(src.location, ...rel.split('/')), it.dest, it.entry);
          bar?.tick(it.entry.size, it.entry.path);
        } else {
          const base = src.location.endsWith('/') ? src.location : `${src.location}/`;
          const url = base + it.entry.path.split('/').map(encodeURIComponent).join('/');
          const dlOpts = {
            sha256: it.entry.sha256,
            size: it.entry.size,
            timeoutMs: opts.timeoutMs,
            onProgress: (received: number) => {
              bar?.tick(received - ticked, it.entry.path);
              ticked = received;
            },
          };
          for (let attempt = 1; ; attempt++) {
            try {
              await download(url, it.dest, dlOpts);
              break;
            } catch (e) {
              // A transfer cut off after some bytes arrived is resumed (the server is reachable).
              const resumable = e instanceof DownloadError && (e.kind === 'network' || e.kind === 'timeout') && fs.existsSync(partialPath(it.dest));
              if (!resumable || attempt >= DOWNLOAD_ATTEMPTS) throw e;
            }
          }
        }
        return { source: src, reasons };
      } catch (e) {
        if (ticked) bar?.tick(-ticked);
        const msg = e instanceof Error ? e.message : String(e);
        // A connection-level failure stops this run from trying the URL for every other file.
        // (Files that failed on it concurrently record the same, first, reason.)
        if (e instanceof DownloadError && (e.kind === 'network' || e.kind === 'timeout')) {
          if (!dead.has(key(src))) dead.set(key(src), msg);
          reasons.push(failure(src, dead.get(key(src))!));
          continue;
        }
        // Anything else (missing file, checksum, HTTP 404, a local I/O error) concerns this file only.
        reasons.push(failure(src, msg));
      }
    }
    return { reasons };
  };

  const queue = [...items];
  const worker = async () => {
    for (let it = queue.shift(); it; it = queue.shift()) {
      let p = inflight.get(it.dest);
      if (!p) {
        p = stageOne(it);
        inflight.set(it.dest, p);
        p.finally(() => inflight.delete(it!.dest)).catch(() => {});
      }
      outcomes.set(it, await p);
      opts.onProgress?.(++done, items.length, it.entry.path);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.concurrency ?? 4, items.length)) }, worker));
  } finally {
    bar?.stop();
  }
  return outcomes;
}

// ---------------------------------------------------------------------------------------------
// Error message.

function fixHint(repo: Repo): string {
  const u = UPSTREAM[repo];
  const host = new URL(u.rawBase).host;
  return (
    `To fix, do one of: set ${ENV_DIR[repo]} to a copy of https://github.com/${u.repo}` +
    ` at commit ${u.commit}; put that repository beside the checkout as ` +
    `${repo === 'vifb' ? '../shared/vifb' : `../shared/upstream/${repo}`}; give this machine network access to ${host}; or set AUIF_UPSTREAM_URL ` +
    'to a mirror laid out as <prefix>/<owner>/<repo>/<commit>/<path>. ' +
    'Then run `npm run data` (`npm run data -- --check` verifies what is staged).'
  );
}

function composeMessage(failures: FileFailure[]): string {
  const blocks = new Map<string, FileFailure[]>();
  for (const f of failures) {
    const key = `${f.repo}\0${f.reasons.map((r) => r.source).join('\0')}`;
    blocks.set(key, [...(blocks.get(key) ?? []), f]);
  }
  const out: string[] = [];
  const groups = [...new Set(failures.map((f) => f.group))];
  out.push(`Could not stage ${failures.length} file(s) of data group(s) ${groups.join(', ')}.`);
  for (const fs_ of blocks.values()) {
    const first = fs_[0];
    const examples = fs_.slice(0, 3).map((f) => f.file).join(', ') + (fs_.length > 3 ? `, … (${fs_.length} files)` : '');
    out.push(`Files: ${examples}`);
    out.push(`Sources tried, in order (${first.repo} data):`);
    first.reasons.forEach((r, i) => {
      const counts = new Map<string, number>();
      for (const f of fs_) {
        const why = f.reasons[i]?.reason ?? 'not tried';
        counts.set(why, (counts.get(why) ?? 0) + 1);
      }
      const src = r.location ? `${r.source} (${r.location})` : r.source;
      const reasons = [...counts.entries()];
      if (reasons.length === 1) {
        out.push(`  ${i + 1}. ${src}: ${reasons[0][0]}`);
      } else {
        out.push(`  ${i + 1}. ${src}:`);
        for (const [why, n] of reasons.slice(0, 3)) out.push(`       - ${why}${n > 1 ? ` (${n} files)` : ''}`);
        if (reasons.length > 3) out.push(`       - … and ${reasons.length - 3} other reason(s)`);
      }
    });
  }
  for (const repo of [...new Set(failures.map((f) => f.repo))]) out.push(fixHint(repo));
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------------
// Public API.

interface Plan {
  group: GroupName;
  repo: Repo;
  entries: ManifestEntry[];
  sources: Source[];
}

async function runPlans(plans: Plan[], opts: StageOptions): Promise<{ results: GroupResult[]; failures: FileFailure[] }> {
  const root = opts.root ?? dataRoot();
  const need: Item[] = [];
  const perPlan = new Map<Plan, { need: Item[]; fresh: Record<string, StampFile> }>();
  for (const plan of plans) {
    const stamp = await readStamp(root, plan.group);
    const fresh: Record<string, StampFile> = {};
    const planNeed: Item[] = [];
    for (const entry of plan.entries) {
      const dest = stagedPath(entry.path, plan.repo, root);
      const st = await inspect(entry, dest, stamp, opts.verify ?? false);
      if (st.state === 'ok') {
        if (stamp.files[entry.path] !== st.stamp) fresh[entry.path] = st.stamp;
      } else {
        planNeed.push({ group: plan.group, repo: plan.repo, entry, dest, sources: plan.sources });
      }
    }
    perPlan.set(plan, { need: planNeed, fresh });
    need.push(...planNeed);
  }

  const needGroups = [...new Set(need.map((i) => i.group))];
  const label = `staging ${needGroups.length > 3 ? `${needGroups.length} data groups` : needGroups.join(', ')}`;
  const outcomes = await stageItems(need, opts, label);

  const results: GroupResult[] = [];
  const failures: FileFailure[] = [];
  for (const plan of plans) {
    const { need: planNeed, fresh } = perPlan.get(plan)!;
    const set: Record<string, StampFile> = { ...fresh };
    const drop: string[] = [];
    const counts = new Map<string, number>();
    let failed = 0;
    for (const it of planNeed) {
      const o = outcomes.get(it)!;
      if (o.source) {
        counts.set(o.source.name, (counts.get(o.source.name) ?? 0) + 1);
        const st = await fsp.stat(it.dest);
        set[it.entry.path] = { size: st.size, mtimeMs: st.mtimeMs, sha256: it.entry.sha256 };
      } else {
        failed++;
        drop.push(it.entry.path);
        failures.push({ group: plan.group, repo: plan.repo, file: it.entry.path, reasons: o.reasons });
      }
    }
    await updateStamp(root, plan.group, set, drop);
    if (failed === 0) {
      const already = plan.entries.length - planNeed.length;
      let source =
        counts.size === 0 ? 'already staged'
        : counts.size === 1 ? [...counts.keys()][0]
        : plan.sources.filter((s) => counts.has(s.name)).map((s) => `${s.name} (${counts.get(s.name)})`).join(', ');
      if (counts.size > 0 && already > 0) source += `; ${already} already staged`;
      results.push({ group: plan.group, source, files: plan.entries.length });
    }
  }
  return { results, failures };
}

function planFor(group: GroupName, opts: StageOptions): Plan {
  const def = GROUPS[group];
  const entries = groupEntries(group, opts.manifest);
  if (entries.length === 0) {
    throw new StagingError(`data group '${group}' lists no files (prefix ${def.prefix} of the ${def.repo} manifest: ${MANIFEST_FILES[def.repo].join(', ')})`);
  }
  return { group, repo: def.repo, entries, sources: opts.sources ?? stagingSources(def.repo) };
}

function normalizeGroups(groups: GroupName | GroupName[]): GroupName[] {
  const list = [...new Set(Array.isArray(groups) ? groups : [groups])];
  for (const g of list) {
    if (!isGroupName(g)) throw new Error(`unknown data group ${JSON.stringify(g)}; known groups: ${GROUP_NAMES.join(', ')}`);
  }
  return list;
}

/**
 * Makes sure every file of `groups` is staged and verified, staging what is missing or corrupt.
 * Returns, per group, where its files came from. Throws {@link StagingError} when some file
 * could not be staged from any source (its `staged` lists the groups that did succeed).
 */
export async function ensureStaged(groups: GroupName | GroupName[], opts: StageOptions = {}): Promise<GroupResult[]> {
  const plans = normalizeGroups(groups).map((g) => planFor(g, opts));
  const { results, failures } = await runPlans(plans, opts);
  if (failures.length) throw new StagingError(composeMessage(failures), failures, results);
  return results;
}

/**
 * Stages a single-shard TensorFlow V2 checkpoint bundle — `<prefix>.data-00000-of-00001` and
 * `<prefix>.index` — and returns the local path of its `.index` (what `readTfCheckpoint` takes).
 * @param prefix the checkpoint prefix in the upstream repository, e.g. `models/densefuse_gray/…ckpt`.
 */
export async function stagedTfCheckpoint(prefix: string, repo: Repo, opts: StageOptions = {}): Promise<string> {
  await stagedFile(`${prefix}.data-00000-of-00001`, repo, opts);
  return stagedFile(`${prefix}.index`, repo, opts);
}

/**
 * Stages one upstream file if needed and returns its local path.
 * @param upstreamRel path in the upstream repository, e.g. `Models/TCSVT_Decoder.model`.
 */
export async function stagedFile(upstreamRel: string, repo: Repo = 'auif', opts: StageOptions = {}): Promise<string> {
  checkRelPath(upstreamRel, 'stagedFile');
  const manifest = opts.manifest ?? loadManifest(repo);
  const entry = manifest.files.find((e) => e.path === upstreamRel);
  const group = groupOf(upstreamRel, repo);
  if (!entry || !group) {
    throw new Error(
      `stagedFile: ${upstreamRel} is not listed in the ${repo} manifest${opts.manifest ? '' : ` (${MANIFEST_FILES[repo].join(', ')})`}`,
    );
  }
  const plan: Plan = { group, repo, entries: [entry], sources: opts.sources ?? stagingSources(repo) };
  const { failures } = await runPlans([plan], opts);
  if (failures.length) throw new StagingError(composeMessage(failures), failures);
  return stagedPath(upstreamRel, repo, opts.root ?? dataRoot());
}

export interface CheckResult {
  group: GroupName;
  files: number;
  ok: number;
  missing: string[];
  corrupt: { file: string; why: string }[];
}

/** Re-hashes every staged file of `groups` against the manifest (stages nothing). */
export async function checkStaged(
  groups: GroupName | GroupName[] = GROUP_NAMES,
  opts: Pick<StageOptions, 'root' | 'manifest' | 'onProgress'> = {},
): Promise<CheckResult[]> {
  const root = opts.root ?? dataRoot();
  const out: CheckResult[] = [];
  for (const group of normalizeGroups(groups)) {
    const def = GROUPS[group];
    const entries = groupEntries(group, opts.manifest);
    const stamp = await readStamp(root, group);
    const res: CheckResult = { group, files: entries.length, ok: 0, missing: [], corrupt: [] };
    const set: Record<string, StampFile> = {};
    const drop: string[] = [];
    for (const [i, entry] of entries.entries()) {
      const st = await inspect(entry, stagedPath(entry.path, def.repo, root), stamp, true);
      if (st.state === 'ok') {
        res.ok++;
        set[entry.path] = st.stamp;
      } else {
        drop.push(entry.path);
        if (st.state === 'missing') res.missing.push(entry.path);
        else res.corrupt.push({ file: entry.path, why: st.why });
      }
      opts.onProgress?.(i + 1, entries.length, entry.path);
    }
    // Only record what was verified when the group is at least partly staged.
    if (res.ok > 0 || Object.keys(stamp.files).length > 0) await updateStamp(root, group, set, drop);
    out.push(res);
  }
  return out;
}
