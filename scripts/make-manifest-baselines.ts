/**
 * Dev tool: writes `datasets/manifest.<repo>.json` for the baselines' upstream repositories
 * (lib/data/baselines_repos.ts) from their local copies in ../shared/upstream/.
 *
 *   node --import tsx scripts/make-manifest-baselines.ts [--check]
 *
 * Each copy's files are listed under their upstream paths (the `sharedStrip` prefix put back);
 * only the files the project uses (the data groups' prefixes) are listed — READMEs and the
 * `.safetensors` conveniences of ../shared are not upstream files.
 */
import fs from 'node:fs';
import path from 'node:path';
import { sha256File } from '../lib/data/download.js';
import { BASELINE_GROUPS, BASELINE_REPOS, BASELINE_REPO_NAMES } from '../lib/data/baselines_repos.js';
import { formatManifest, packageRoot, type ManifestEntry } from '../lib/data/manifest.js';
import { writeFileAtomicSync } from '../lib/io/atomic.js';

function walk(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const d of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${d.name}` : d.name;
    if (d.isDirectory()) out.push(...walk(dir, r));
    else if (d.isFile()) out.push(r);
  }
  return out;
}

const check = process.argv.includes('--check');
let differ = 0;
for (const repo of BASELINE_REPO_NAMES) {
  const def = BASELINE_REPOS[repo];
  const dir = path.resolve(packageRoot, '../shared/upstream', def.shared);
  const prefixes = Object.values(BASELINE_GROUPS).filter((g) => g.repo === repo).map((g) => g.prefix);
  const files: ManifestEntry[] = [];
  for (const rel of walk(dir)) {
    const up = (def.sharedStrip ?? '') + rel;
    if (!prefixes.some((p) => up.startsWith(p))) continue;
    const file = path.join(dir, rel);
    files.push({ path: up, size: fs.statSync(file).size, sha256: await sha256File(file) });
  }
  const text = formatManifest({ repo: def.repo, commit: def.commit, description: `${repo}: files used by the ported baselines (issue 16). Made by scripts/make-manifest-baselines.ts from ../shared/upstream/${def.shared}.${def.note ? ` Note: ${def.note}.` : ''}`, files });
  const out = path.join(packageRoot, 'datasets', `manifest.${repo}.json`);
  if (check) {
    const cur = fs.existsSync(out) ? fs.readFileSync(out, 'utf8') : '';
    if (cur !== text) { console.error(`${out} differs`); differ++; }
  } else {
    writeFileAtomicSync(out, text);
    console.log(`${out}: ${files.length} files`);
  }
}
if (differ) process.exit(1);
