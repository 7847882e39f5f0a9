/**
 * Dev tool: writes the data manifests from local copies of the upstream repositories.
 *
 *   node --import tsx scripts/make-manifest.ts [--auif DIR] [--didfuse DIR] [--bayesfusion DIR] [--vifb DIR] [--check]
 *
 * Defaults: ../shared/upstream/{auif,didfuse,bayesfusion} and ../shared/vifb beside the checkout
 * (the last in its own layout: fused/ for upstream's output/fused_images/, see vifbSharedPath; its
 * README and metric CSV are not upstream files and are not listed).
 * Writes (deterministic: files sorted by path, no timestamps):
 *   datasets/manifest.json          AUIF Datasets/, Test_result/, image/
 *   models/manifest.json            AUIF Models/
 *   datasets/manifest.didfuse.json  DIDFuse Models/, Test_result/, image/
 *   datasets/manifest.bayesfusion.json  Bayesian fusion datasets/, result/, image/ (the folder's
 *                                   README.md is the copy's own description, not an upstream file)
 *   datasets/manifest.vifb.json     VIFB input/, output/fused_images/
 * With --check, writes nothing and exits 1 if a manifest on disk differs from what it would write.
 */
import fs from 'node:fs';
import path from 'node:path';

import { sha256File } from '../lib/data/download.js';
import { writeFileAtomicSync } from '../lib/io/atomic.js';
import {
  UPSTREAM,
  compareStrings,
  formatManifest,
  groupOf,
  packageRoot,
  vifbSharedPath,
  type Manifest,
  type ManifestEntry,
  type Repo,
} from '../lib/data/manifest.js';

function parseArgs(argv: string[]): { auif: string; didfuse: string; bayesfusion: string; vifb: string; check: boolean } {
  const out = {
    vifb: path.resolve(packageRoot, '../shared/vifb'),
    auif: path.resolve(packageRoot, '../shared/upstream/auif'),
    didfuse: path.resolve(packageRoot, '../shared/upstream/didfuse'),
    bayesfusion: path.resolve(packageRoot, '../shared/upstream/bayesfusion'),
    check: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--auif' || a === '--didfuse' || a === '--bayesfusion' || a === '--vifb') {
      const v = argv[++i];
      if (!v) throw new Error(`${a} needs a directory`);
      out[a.slice(2) as 'auif' | 'didfuse' | 'bayesfusion' | 'vifb'] = path.resolve(v);
    } else if (a === '--check') out.check = true;
    else if (a === '--help' || a === '-h') {
      console.log('usage: node --import tsx scripts/make-manifest.ts [--auif DIR] [--didfuse DIR] [--bayesfusion DIR] [--vifb DIR] [--check]');
      process.exit(0);
    } else throw new Error(`unknown argument ${a}`);
  }
  return out;
}

/** Every regular file under `dir`, as sorted `/`-separated paths relative to it. */
function walk(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const d of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${d.name}` : d.name;
    if (d.name === '.git') continue;
    if (d.isDirectory()) out.push(...walk(dir, r));
    else if (d.isFile()) out.push(r);
    else throw new Error(`${path.join(dir, r)}: not a regular file or directory (links are not supported)`);
  }
  return out.sort(compareStrings);
}

async function entries(dir: string, repo: Repo, skip: string[] = []): Promise<ManifestEntry[]> {
  if (!fs.existsSync(dir)) throw new Error(`upstream copy not found: ${dir}`);
  const out: ManifestEntry[] = [];
  for (const local of walk(dir)) {
    if (skip.includes(local)) continue;
    let rel = local;
    if (repo === 'vifb') {
      // ../shared/vifb: fused/<name>_<method>.jpg is upstream's output/fused_images/; README and CSV are not upstream files.
      if (local.startsWith('fused/')) rel = `output/fused_images/${local.slice('fused/'.length)}`;
      else if (!local.startsWith('input/')) continue;
      if (vifbSharedPath(rel) !== local) throw new Error(`vifb: ${local} does not map back to itself`);
    }
    if (!groupOf(rel, repo)) throw new Error(`${repo}: ${rel} belongs to no data group (see GROUPS in lib/data/manifest.ts)`);
    const file = path.join(dir, ...local.split('/'));
    out.push({ path: rel, size: fs.statSync(file).size, sha256: await sha256File(file) });
  }
  return out.sort((a, b) => compareStrings(a.path, b.path));
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const auif = await entries(args.auif, 'auif');
  const didfuse = await entries(args.didfuse, 'didfuse');
  const bayesfusion = await entries(args.bayesfusion, 'bayesfusion', ['README.md']);
  const vifb = await entries(args.vifb, 'vifb');
  const meta = (repo: Repo, description: string): Omit<Manifest, 'files'> => ({
    repo: UPSTREAM[repo].repo,
    commit: UPSTREAM[repo].commit,
    description,
  });
  const outputs: [string, Manifest][] = [
    [
      'datasets/manifest.json',
      {
        ...meta('auif', 'AUIF upstream test/training data, authors\' fused outputs and README figures; paths relative to the repository root. Made by scripts/make-manifest.ts.'),
        files: auif.filter((e) => !e.path.startsWith('Models/')),
      },
    ],
    [
      'models/manifest.json',
      {
        ...meta('auif', 'AUIF authors\' pretrained weights (legacy PyTorch pickles); paths relative to the repository root. Made by scripts/make-manifest.ts.'),
        files: auif.filter((e) => e.path.startsWith('Models/')),
      },
    ],
    [
      'datasets/manifest.didfuse.json',
      {
        ...meta('didfuse', 'DIDFuse upstream pretrained weights, authors\' fused outputs and README figure; pinned to DIDFUSE_COMMIT (lib/data/manifest.ts). Made by scripts/make-manifest.ts.'),
        files: didfuse,
      },
    ],
    [
      'datasets/manifest.bayesfusion.json',
      {
        ...meta('bayesfusion', 'Bayesian fusion (Zhao et al., Signal Processing 2020) example pairs, the authors\' published results and the paper\'s Table 3 picture; paths relative to the repository root. Made by scripts/make-manifest.ts.'),
        files: bayesfusion,
      },
    ],
    [
      'datasets/manifest.vifb.json',
      {
        ...meta('vifb', 'VIFB benchmark: the 21 visible-infrared pairs (input/) and the published fused outputs of six methods (output/fused_images/); paths relative to the repository root. Made by scripts/make-manifest.ts.'),
        files: vifb,
      },
    ],
  ];
  let differs = false;
  for (const [rel, m] of outputs) {
    const file = path.join(packageRoot, rel);
    const text = formatManifest(m);
    const old = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : null;
    if (args.check) {
      if (old !== text) {
        differs = true;
        console.log(`${rel}: differs from ${m.files.length} files found upstream`);
      } else console.log(`${rel}: up to date (${m.files.length} files)`);
    } else {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      writeFileAtomicSync(file, text);
      const bytes = m.files.reduce((a, e) => a + e.size, 0);
      console.log(`${rel}: ${m.files.length} files, ${(bytes / 1e6).toFixed(1)} MB${old === text ? ' (unchanged)' : ''}`);
    }
  }
  if (differs) process.exit(1);
}

main().catch((e: unknown) => {
  console.error(`make-manifest: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
