/**
 * Location of the reference tables made for this project (`../shared/reference`: the papers'
 * printed tables, per-pair metrics of the authors' outputs, PyTorch fixtures). They are not
 * upstream files, so they are not staged: they are read in place, never copied or committed.
 *
 * Looked up, in order: `$AUIF_REFERENCE_DIR`, then `../shared/reference` beside the package root.
 */
import fs from 'node:fs';
import path from 'node:path';
import { packageRoot } from './manifest.js';

/** A reference file that cannot be found or read; the message names every place looked. */
export class ReferenceFileError extends Error {
  constructor(message: string, readonly file?: string) { super(message); this.name = 'ReferenceFileError'; }
}

/** The folders searched for reference files, in order (the env var only when set). */
export function referenceDirs(): { name: string; dir: string }[] {
  const dirs: { name: string; dir: string }[] = [];
  if (process.env.AUIF_REFERENCE_DIR) dirs.push({ name: '$AUIF_REFERENCE_DIR', dir: path.resolve(process.env.AUIF_REFERENCE_DIR) });
  dirs.push({ name: '../shared/reference', dir: path.resolve(packageRoot, '../shared/reference') });
  return dirs;
}

/**
 * Absolute path of reference file `name` (e.g. `paper_tables.csv`) from the first folder of
 * {@link referenceDirs} that has it. Throws {@link ReferenceFileError} naming the file and the
 * folders looked in.
 */
export function referenceFile(name: string): string {
  if (!name || path.isAbsolute(name) || name.split(/[\\/]/).includes('..')) {
    throw new ReferenceFileError(`reference file name '${name}' must be a relative path inside the reference folder`);
  }
  const dirs = referenceDirs();
  for (const { dir } of dirs) {
    const file = path.join(dir, name);
    if (fs.existsSync(file)) return file;
  }
  throw new ReferenceFileError(
    `reference file ${name} not found; looked in ${dirs.map((d) => `${d.name} (${d.dir})`).join(', ')}. `
    + 'Set AUIF_REFERENCE_DIR to the folder that holds it.',
  );
}
