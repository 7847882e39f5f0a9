/**
 * Location of the reference data made for this project: the papers' printed tables, per-pair
 * metrics of the authors' outputs (Python and Octave), the PyTorch fixtures of AUIF and of the
 * baselines, and real `torch.save` files. They are small derived files, committed in
 * `datasets/reference/` with a provenance note (`datasets/reference/README.md`); they are not
 * upstream files, so they are not staged.
 *
 * Looked up, in order (see {@link referenceDirs}):
 * 1. the project copy `datasets/reference/` (skipped with `AUIF_NO_PROJECT_REFERENCE=1`, which
 *    simulates a checkout without it, e.g. to check that missing data fails the tests in CI);
 * 2. `$AUIF_REFERENCE_DIR` when set — it then replaces 3;
 * 3. `../shared/reference` beside the package root (skipped with `AUIF_NO_SHARED=1`).
 */
import fs from 'node:fs';
import path from 'node:path';
import { packageRoot } from './manifest.js';

/** A reference file that cannot be found or read; the message names every place looked. */
export class ReferenceFileError extends Error {
  constructor(message: string, readonly file?: string) { super(message); this.name = 'ReferenceFileError'; }
}

/** The project's own copy of the reference data. */
export const PROJECT_REFERENCE_DIR = path.join(packageRoot, 'datasets', 'reference');

/** `AUIF_NO_SHARED=1`: never read anything from `../shared` (staging and reference data). */
export function sharedDisabled(): boolean {
  return envFlag('AUIF_NO_SHARED');
}

function envFlag(name: string): boolean {
  const v = process.env[name];
  return v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';
}

/** The folders searched for reference files, in order (the env var only when set). */
export function referenceDirs(): { name: string; dir: string }[] {
  const dirs: { name: string; dir: string }[] = [];
  if (!envFlag('AUIF_NO_PROJECT_REFERENCE')) dirs.push({ name: 'datasets/reference', dir: PROJECT_REFERENCE_DIR });
  if (process.env.AUIF_REFERENCE_DIR) dirs.push({ name: '$AUIF_REFERENCE_DIR', dir: path.resolve(process.env.AUIF_REFERENCE_DIR) });
  else if (!sharedDisabled()) dirs.push({ name: '../shared/reference', dir: path.resolve(packageRoot, '../shared/reference') });
  return dirs;
}

/** Absolute path of reference file `name` from the first folder that has it, or null. */
export function findReferenceFile(name: string): string | null {
  if (!name || path.isAbsolute(name) || name.split(/[\\/]/).includes('..')) {
    throw new ReferenceFileError(`reference file name '${name}' must be a relative path inside the reference folder`);
  }
  for (const { dir } of referenceDirs()) {
    const file = path.join(dir, name);
    if (fs.existsSync(file)) return file;
  }
  return null;
}

/**
 * Absolute path of reference file `name` (e.g. `paper_tables.csv`) from the first folder of
 * {@link referenceDirs} that has it. Throws {@link ReferenceFileError} naming the file and the
 * folders looked in.
 */
export function referenceFile(name: string): string {
  const file = findReferenceFile(name);
  if (file) return file;
  const dirs = referenceDirs();
  throw new ReferenceFileError(
    `reference file ${name} not found; looked in ${dirs.length ? dirs.map((d) => `${d.name} (${d.dir})`).join(', ') : 'no folder (AUIF_NO_PROJECT_REFERENCE and AUIF_NO_SHARED are set)'}. `
    + 'Set AUIF_REFERENCE_DIR to the folder that holds it.',
  );
}
