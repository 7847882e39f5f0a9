/**
 * Output-path guards shared by the commands: an output may never be an input of the same
 * command (fusing with `--out` naming the weights file must not overwrite them), and a folder
 * output must be a folder (or creatable), said in one line naming the path and the flag.
 */
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from './usage.js';
import { makeDirs } from '../util/mkdirs.js';
import { requirePngName } from '../io/image.js';

/** Refuses, before any work, an image output whose name does not end in .png (PNG is the one format written). */
export function checkPngOutput(flag: string, file: string): void {
  try {
    requirePngName(file);
  } catch (e) {
    throw new UsageError(`${flag} ${(e as Error).message}`);
  }
}

/** True when `a` and `b` name the same file (same path, or the same file through links). */
export function sameFile(a: string, b: string): boolean {
  const ra = path.resolve(a);
  const rb = path.resolve(b);
  if (ra === rb) return true;
  try { return fs.realpathSync(ra) === fs.realpathSync(rb); } catch { return false; }
}

/** Refuses `out` when it is one of the command's inputs (`[flag, file]` pairs; undefined ones skipped). */
export function refuseOutputOverInput(outFlag: string, out: string, inputs: readonly (readonly [string, string | undefined])[]): void {
  for (const [flag, file] of inputs) {
    if (file === undefined) continue;
    if (sameFile(out, file)) throw new UsageError(`${outFlag} ${out} is the ${flag} input; refusing to overwrite an input of this command`);
    // A folder input (e.g. --weights DIR of .model files): no output inside it either.
    try {
      if (fs.statSync(file).isDirectory() && path.resolve(out).startsWith(path.resolve(file) + path.sep)) {
        throw new UsageError(`${outFlag} ${out} lies inside the ${flag} folder ${file}; refusing to write among the inputs`);
      }
    } catch (e) {
      if (e instanceof UsageError) throw e;
    }
  }
}

/** Refuses, before any work, a folder output that already exists as a file. */
export function checkFolderOutput(flag: string, dir: string): void {
  let st: fs.Stats | undefined;
  try { st = fs.statSync(dir); } catch { return; }
  if (!st.isDirectory()) throw new UsageError(`${flag} ${dir} is a file; a folder is needed there`);
}

/** Makes sure `dir` is a folder (creating it and its parents); a file there is one clear error. */
export async function ensureOutputDir(flag: string, dir: string): Promise<void> {
  let st: fs.Stats | undefined;
  try { st = fs.statSync(dir); } catch { /* absent: create */ }
  if (st && !st.isDirectory()) throw new UsageError(`${flag} ${dir} is a file; a folder is needed there`);
  if (st) return;
  try {
    await makeDirs(dir);
  } catch (e) {
    throw new UsageError(`${flag} ${dir}: ${(e as Error).message}`);
  }
}

/** Makes sure the folder that will hold the output file `file` exists and is a folder. */
export function checkFileOutput(flag: string, file: string): void {
  const dir = path.dirname(path.resolve(file));
  let st: fs.Stats | undefined;
  try { st = fs.statSync(dir); } catch { /* absent: made later */ }
  if (st && !st.isDirectory()) throw new UsageError(`${flag} ${file}: ${dir} is a file, not a folder`);
  try {
    if (fs.statSync(file).isDirectory()) throw new UsageError(`${flag} ${file} is a folder; a file name is needed there`);
  } catch (e) {
    if (e instanceof UsageError) throw e;
  }
}

/** Like {@link checkFileOutput}, then creates the missing parent folders. */
export async function ensureParentDir(flag: string, file: string): Promise<void> {
  const dir = path.dirname(path.resolve(file));
  let st: fs.Stats | undefined;
  try { st = fs.statSync(dir); } catch { /* absent */ }
  if (st && !st.isDirectory()) throw new UsageError(`${flag} ${file}: ${dir} is a file, not a folder`);
  if (!st) await ensureOutputDir(flag, dir);
  try {
    if (fs.statSync(file).isDirectory()) throw new UsageError(`${flag} ${file} is a folder; a file name is needed there`);
  } catch (e) {
    if (e instanceof UsageError) throw e;
  }
}
