/**
 * Manifests of the upstream files this project stages, and the named groups they form.
 *
 * A manifest lists, for every file of an upstream repository that the project uses, its path
 * relative to that repository's root (e.g. `Datasets/Test_data_TNO/IR1.bmp`), its size in bytes
 * and its sha256. Three manifest files ship with the project (made by `scripts/make-manifest.ts`):
 *
 * | file | repository | contents |
 * | --- | --- | --- |
 * | `datasets/manifest.json` | Zhaozixiang1228/IVIF-AUIF-Net @ 8f54650 | `Datasets/`, `Test_result/`, `image/` |
 * | `models/manifest.json` | Zhaozixiang1228/IVIF-AUIF-Net @ 8f54650 | `Models/*.model` |
 * | `datasets/manifest.didfuse.json` | Zhaozixiang1228/IVIF-DIDFuse @ 5f28730 | `Models/`, `Test_result/`, `image/` |
 * | `datasets/manifest.bayesfusion.json` | Zhaozixiang1228/IVIF-Bayesian-Fusion @ 76df0c7 | `datasets/`, `result/`, `image/` |
 * | `datasets/manifest.vifb.json` | xingchenzhang/VIFB @ 22b2ea9 | `input/IR`, `input/VI` (21 pairs), `output/fused_images/` (6 methods) |
 *
 * A group is every manifest file of one repository under one path prefix (see {@link GROUPS}).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BASELINE_GROUPS, BASELINE_REPOS, type BaselineGroupName, type BaselineRepo } from './baselines_repos.js';

/** Which upstream repository a file comes from. */
export type Repo = 'auif' | 'didfuse' | 'bayesfusion' | 'vifb' | BaselineRepo;

/** The AUIF authors' repository and the commit every AUIF file is pinned to. */
export const AUIF_REPO = 'Zhaozixiang1228/IVIF-AUIF-Net';
export const AUIF_COMMIT = '8f54650ffbc0a9e655a0d4c6098751bedc319803';
/** The predecessor's repository (DIDFuse, Zhao et al. IJCAI 2020). */
export const DIDFUSE_REPO = 'Zhaozixiang1228/IVIF-DIDFuse';
/** The DIDFuse commit every DIDFuse file is pinned to (the copy in ../shared/upstream/didfuse). */
export const DIDFUSE_COMMIT = '5f287300dce7cbc90b9e08e6872455af6baa279f';
/** Bayesian fusion (Zhao et al., Signal Processing 2020): its example pairs and published results. */
export const BAYESFUSION_REPO = 'Zhaozixiang1228/IVIF-Bayesian-Fusion';
export const BAYESFUSION_COMMIT = '76df0c7e1ef738eb3735d523ab65efb2e6de8528';

/** The VIFB benchmark (Zhang, Ye, Xiao, CVPR Workshops 2020): 21 visible–infrared pairs, published outputs. */
export const VIFB_REPO = 'xingchenzhang/VIFB';
export const VIFB_COMMIT = '22b2ea9d91499cc5962d9bdcae9c290270f0fade';

/**
 * Path of a VIFB file in the `../shared/vifb` copy, whose fused outputs sit in `fused/` instead of
 * upstream's `output/fused_images/` (inputs keep their paths).
 */
export function vifbSharedPath(upstreamRel: string): string {
  return upstreamRel.startsWith('output/fused_images/') ? `fused/${upstreamRel.slice('output/fused_images/'.length)}` : upstreamRel;
}

/** Repository, commit and raw-download base URL (ending in `/`) of each upstream repository. */
export const UPSTREAM: Record<Repo, { repo: string; commit: string; rawBase: string }> = {
  auif: {
    repo: AUIF_REPO,
    commit: AUIF_COMMIT,
    rawBase: `https://raw.githubusercontent.com/${AUIF_REPO}/${AUIF_COMMIT}/`,
  },
  didfuse: {
    repo: DIDFUSE_REPO,
    commit: DIDFUSE_COMMIT,
    rawBase: `https://raw.githubusercontent.com/${DIDFUSE_REPO}/${DIDFUSE_COMMIT}/`,
  },
  bayesfusion: {
    repo: BAYESFUSION_REPO,
    commit: BAYESFUSION_COMMIT,
    rawBase: `https://raw.githubusercontent.com/${BAYESFUSION_REPO}/${BAYESFUSION_COMMIT}/`,
  },
  ...Object.fromEntries(Object.entries(BASELINE_REPOS).map(([k, d]) => [k, { repo: d.repo, commit: d.commit, rawBase: `https://raw.githubusercontent.com/${d.repo}/${d.commit}/` }])) as Record<BaselineRepo, { repo: string; commit: string; rawBase: string }>,
  vifb: {
    repo: VIFB_REPO,
    commit: VIFB_COMMIT,
    rawBase: `https://raw.githubusercontent.com/${VIFB_REPO}/${VIFB_COMMIT}/`,
  },
};

/** One upstream file: path relative to the repository root (`/`-separated), size, sha256 (hex). */
export interface ManifestEntry {
  path: string;
  size: number;
  sha256: string;
}

/** A list of upstream files of one repository at one commit. */
export interface Manifest {
  repo: string;
  commit: string;
  description?: string;
  files: ManifestEntry[];
}

/** Named sets of upstream files that can be staged together. */
export type GroupName =
  | 'tno'
  | 'flir'
  | 'nir'
  | 'train'
  | 'models'
  | 'results-tno'
  | 'results-flir'
  | 'figures'
  | 'didfuse-models'
  | 'didfuse-results-tno'
  | 'didfuse-results-flir'
  | 'didfuse-figures'
  | 'bayes-examples'
  | 'bayes-results'
  | 'bayes-figures'
  | 'vifb'
  | 'vifb-fused'
  | BaselineGroupName;

export interface GroupDef {
  repo: Repo;
  /** Every manifest file whose path starts with this prefix belongs to the group. */
  prefix: string;
  description: string;
}

/** The groups, in the order `npm run data` stages them. */
export const GROUPS: Record<GroupName, GroupDef> = {
  tno: { repo: 'auif', prefix: 'Datasets/Test_data_TNO/', description: 'TNO test pairs IR/VIS 1..40 (BMP)' },
  flir: { repo: 'auif', prefix: 'Datasets/Test_data_FLIR/', description: 'FLIR test pairs IR/VIS 1..40 (JPEG)' },
  nir: { repo: 'auif', prefix: 'Datasets/Test_data_NIR_Country/', description: 'RGB-NIR "country" test pairs IR/VIS 1..52 (PNG)' },
  train: { repo: 'auif', prefix: 'Datasets/Train_data_FLIR/', description: 'training set: 360 FLIR images (JPEG)' },
  models: { repo: 'auif', prefix: 'Models/', description: "AUIF authors' pretrained weights (3 legacy PyTorch .model files)" },
  'results-tno': { repo: 'auif', prefix: 'Test_result/TNO_TCSVT/', description: "AUIF authors' fused TNO outputs F1..F40" },
  'results-flir': { repo: 'auif', prefix: 'Test_result/FLIR_TCSVT/', description: "AUIF authors' fused FLIR outputs F1..F40" },
  figures: { repo: 'auif', prefix: 'image/', description: 'AUIF README figures (framework, quantitative table)' },
  'didfuse-models': { repo: 'didfuse', prefix: 'Models/', description: 'DIDFuse pretrained weights (2 legacy PyTorch .pkl files)' },
  'didfuse-results-tno': { repo: 'didfuse', prefix: 'Test_result/TNO_IJCAI/', description: "DIDFuse authors' fused TNO outputs" },
  'didfuse-results-flir': { repo: 'didfuse', prefix: 'Test_result/FLIR_IJCAI/', description: "DIDFuse authors' fused FLIR outputs" },
  'didfuse-figures': { repo: 'didfuse', prefix: 'image/', description: 'DIDFuse README figure (quantitative table)' },
  'bayes-examples': { repo: 'bayesfusion', prefix: 'datasets/', description: 'Bayesian fusion example pairs IR/VIS 1..3 (PNG)' },
  'bayes-results': { repo: 'bayesfusion', prefix: 'result/', description: "Bayesian fusion authors' published results F1..F3" },
  'bayes-figures': { repo: 'bayesfusion', prefix: 'image/', description: 'Bayesian fusion paper Table 3 (picture)' },
  ...BASELINE_GROUPS,
  vifb: { repo: 'vifb', prefix: 'input/', description: 'VIFB visible–infrared pairs: input/IR, input/VI (21 scenes, JPEG, visible mostly RGB)' },
  'vifb-fused': { repo: 'vifb', prefix: 'output/fused_images/', description: "VIFB's published fused outputs of ADF, TIF, GFF, CNN, U2Fusion, SeAFusion (JPEG)" },
};

/** Every group name, in staging order. */
export const GROUP_NAMES = Object.keys(GROUPS) as GroupName[];

export function isGroupName(name: string): name is GroupName {
  return Object.prototype.hasOwnProperty.call(GROUPS, name);
}

/**
 * The package root (the folder holding `package.json`, `datasets/`, `models/`), found from this
 * module's location: `lib/data/` under tsx and `dist/data/` when compiled are both two levels down.
 */
export const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Manifest files (relative to the package root) that together list one repository's files. */
export const MANIFEST_FILES: Record<Repo, string[]> = {
  auif: ['datasets/manifest.json', 'models/manifest.json'],
  didfuse: ['datasets/manifest.didfuse.json'],
  bayesfusion: ['datasets/manifest.bayesfusion.json'],
  ...Object.fromEntries(Object.keys(BASELINE_REPOS).map((k) => [k, [`datasets/manifest.${k}.json`]])) as Record<BaselineRepo, string[]>,
  vifb: ['datasets/manifest.vifb.json'],
};

const SHA256_RE = /^[0-9a-f]{64}$/;

/** Checks that `rel` is a clean relative `/`-separated path (no `..`, no leading `/`). */
export function checkRelPath(rel: string, where = 'path'): string {
  if (typeof rel !== 'string' || rel === '' || rel.startsWith('/') || rel.includes('\\') || /^[A-Za-z]:/.test(rel)) {
    throw new Error(`${where}: expected a relative '/'-separated path, got ${JSON.stringify(rel)}`);
  }
  const parts = rel.split('/');
  if (parts.some((p) => p === '' || p === '.' || p === '..')) {
    throw new Error(`${where}: path ${JSON.stringify(rel)} has an empty, '.' or '..' segment`);
  }
  return rel;
}

/** Validates a parsed manifest (throws naming `file` and the bad entry). */
export function validateManifest(data: unknown, file: string): Manifest {
  const m = data as Manifest;
  if (!m || typeof m !== 'object' || typeof m.repo !== 'string' || typeof m.commit !== 'string' || !Array.isArray(m.files)) {
    throw new Error(`manifest ${file}: expected an object with string "repo", "commit" and an array "files"`);
  }
  const seen = new Set<string>();
  m.files.forEach((e, i) => {
    const where = `manifest ${file}: files[${i}]`;
    if (!e || typeof e !== 'object') throw new Error(`${where}: not an object`);
    checkRelPath(e.path, where);
    if (!Number.isSafeInteger(e.size) || e.size < 0) throw new Error(`${where} (${e.path}): bad size ${JSON.stringify(e.size)}`);
    if (typeof e.sha256 !== 'string' || !SHA256_RE.test(e.sha256)) {
      throw new Error(`${where} (${e.path}): bad sha256 ${JSON.stringify(e.sha256)} (64 lowercase hex digits expected)`);
    }
    if (seen.has(e.path)) throw new Error(`${where}: duplicate path ${e.path}`);
    seen.add(e.path);
  });
  return m;
}

/** Reads and validates one manifest file. */
export function readManifestFile(file: string): Manifest {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`manifest ${file} could not be read: ${(e as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new Error(`manifest ${file} is not valid JSON: ${(e as Error).message}`);
  }
  return validateManifest(data, file);
}

const cache = new Map<string, Manifest>();

/**
 * The manifest of one repository: all its manifest files merged (cached).
 * @param root folder holding `datasets/` and `models/` (default: the package root).
 */
export function loadManifest(repo: Repo = 'auif', root: string = packageRoot): Manifest {
  const key = `${repo}\0${root}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const parts = MANIFEST_FILES[repo].map((f) => readManifestFile(path.join(root, f)));
  const merged: Manifest = { repo: parts[0].repo, commit: parts[0].commit, files: [] };
  for (const [i, p] of parts.entries()) {
    if (p.repo !== merged.repo || p.commit !== merged.commit) {
      throw new Error(`manifest ${MANIFEST_FILES[repo][i]}: repo/commit ${p.repo}@${p.commit} differs from ${merged.repo}@${merged.commit}`);
    }
    merged.files.push(...p.files);
  }
  merged.files.sort((a, b) => compareStrings(a.path, b.path));
  cache.set(key, merged);
  return merged;
}

/** The entries of `group` in `manifest` (default: the real manifest of the group's repository). */
export function groupEntries(group: GroupName, manifest?: Manifest): ManifestEntry[] {
  const def = GROUPS[group];
  if (!def) throw new Error(`unknown data group ${JSON.stringify(group)}; known groups: ${GROUP_NAMES.join(', ')}`);
  const m = manifest ?? loadManifest(def.repo);
  return m.files.filter((e) => e.path.startsWith(def.prefix));
}

/** The group that a file of `repo` belongs to, or undefined. */
export function groupOf(rel: string, repo: Repo = 'auif'): GroupName | undefined {
  return GROUP_NAMES.find((g) => GROUPS[g].repo === repo && rel.startsWith(GROUPS[g].prefix));
}

/** Plain code-unit comparison (locale-independent, so manifests sort the same everywhere). */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Serialises a manifest deterministically: fixed key order, files sorted, one file per line. */
export function formatManifest(m: Manifest): string {
  const files = [...m.files].sort((a, b) => compareStrings(a.path, b.path));
  const head: string[] = [`  "repo": ${JSON.stringify(m.repo)}`, `  "commit": ${JSON.stringify(m.commit)}`];
  if (m.description !== undefined) head.push(`  "description": ${JSON.stringify(m.description)}`);
  const lines = files.map((f) => `    {"path": ${JSON.stringify(f.path)}, "size": ${f.size}, "sha256": ${JSON.stringify(f.sha256)}}`);
  return `{\n${head.join(',\n')},\n  "files": [\n${lines.join(',\n')}\n  ]\n}\n`;
}
