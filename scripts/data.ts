/**
 * `npm run data`: stages every upstream file (datasets, checkpoints, authors' outputs) and says
 * where each group came from.
 *
 *   npm run data                       stage every group
 *   npm run data -- tno models         stage only these groups
 *   npm run data -- --check [groups]   re-hash what is staged against the manifests; stages nothing
 *   npm run data -- --verify           stage, re-hashing already-staged files instead of trusting stamps
 *   npm run data -- --list             list the groups
 *
 * Sources, in order: $AUIF_DATA_DIR (DIDFuse: $AUIF_DIDFUSE_DIR), ../shared/upstream/<repo>,
 * the upstream raw URLs (AUIF pinned to commit 8f54650…). Staged files land under $AUIF_HOME
 * or the checkout (datasets/…, models/upstream/…).
 */
import {
  GROUPS,
  GROUP_NAMES,
  StagingError,
  checkStaged,
  dataRoot,
  ensureStaged,
  stagingSources,
  type GroupName,
} from '../lib/data/stage.js';
import { isGroupName } from '../lib/data/manifest.js';

const USAGE = `usage: npm run data [-- [--check | --verify | --list] [--quiet] [group ...]]
groups: ${GROUP_NAMES.join(', ')}`;

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]))).join('  ')).join('\n');
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  let check = false;
  let verify = false;
  let quiet = false;
  const groups: GroupName[] = [];
  for (const a of args) {
    if (a === '--check') check = true;
    else if (a === '--verify') verify = true;
    else if (a === '--quiet' || a === '-q') quiet = true;
    else if (a === '--help' || a === '-h') {
      console.log(USAGE);
      return 0;
    } else if (a === '--list') {
      console.log(table([['group', 'repo', 'prefix', 'contents'], ...GROUP_NAMES.map((g) => [g, GROUPS[g].repo, GROUPS[g].prefix, GROUPS[g].description])]));
      return 0;
    } else if (isGroupName(a)) groups.push(a);
    else {
      console.error(`data: unknown argument ${JSON.stringify(a)}\n${USAGE}`);
      return 2;
    }
  }
  const selected = groups.length ? groups : GROUP_NAMES;
  const root = dataRoot();

  if (check) {
    const results = await checkStaged(selected);
    let bad = 0;
    const rows = [['group', 'files', 'status']];
    for (const r of results) {
      const status =
        r.ok === r.files ? 'ok (sha256 verified)'
        : [r.missing.length ? `${r.missing.length} missing` : '', r.corrupt.length ? `${r.corrupt.length} corrupt` : ''].filter(Boolean).join(', ');
      if (r.ok !== r.files) bad++;
      rows.push([r.group, String(r.files), status]);
    }
    console.log(`staged data under ${root}\n${table(rows)}`);
    for (const r of results) for (const c of r.corrupt) console.log(`  corrupt: ${r.group}: ${c.file}: ${c.why}`);
    if (bad) {
      console.log(`\n${bad} group(s) not fully staged or corrupt: run \`npm run data\` to (re)stage them.`);
      return 1;
    }
    return 0;
  }

  const print = (results: { group: GroupName; source: string; files: number }[]) => {
    if (!results.length) return;
    console.log(table([['group', 'files', 'source'], ...results.map((r) => [r.group, String(r.files), r.source])]));
  };
  if (!quiet) {
    const repos = [...new Set(selected.map((g) => GROUPS[g].repo))];
    for (const repo of repos) {
      console.log(`sources for ${repo}, in order: ${stagingSources(repo).map((s) => (s.kind === 'dir' ? `${s.name}${s.location && s.location !== s.name ? ` (${s.location})` : ' (not set)'}` : s.name)).join(' → ')}`);
    }
    console.log(`staging into ${root}`);
  }
  try {
    print(await ensureStaged(selected, { quiet, verify }));
    return 0;
  } catch (e) {
    if (e instanceof StagingError) {
      print(e.staged);
      console.error(`\n${e.message}`);
      return 1;
    }
    throw e;
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`data: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    process.exit(1);
  },
);
