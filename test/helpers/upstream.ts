/**
 * Test access to the upstream data (datasets, checkpoints, authors' outputs) and to the
 * PyTorch reference fixtures in ../shared/reference.
 *
 * Tests never read ../shared/upstream directly: they go through the project's staging
 * mechanism (lib/data/stage.ts). Where no source is reachable, `upstreamFile()` returns null and
 * `upstreamGroup()` false, after printing the reason once, loudly, so a skipped test is never silent.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { StagingError, ensureStaged, stagedFile, type GroupName, type Repo } from '../../lib/data/stage.js';

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Folder of the PyTorch-made reference fixtures (../shared/reference or $AUIF_REFERENCE_DIR). */
export function referenceDir(): string | null {
  const dir = process.env.AUIF_REFERENCE_DIR ?? path.resolve(projectRoot, '../shared/reference');
  return fs.existsSync(path.join(dir, 'auif_fixture.safetensors')) ? dir : null;
}

const warned = new Set<string>();
/** Prints a loud SKIP line (once per reason). */
export function skipLoudly(what: string, reason: string): void {
  const key = `${what}: ${reason}`;
  if (warned.has(key)) return;
  warned.add(key);
  console.warn(`\n  !! SKIP ${what}: ${reason}`);
}


/**
 * Local path of an upstream file (e.g. `Models/TCSVT_Decoder.model`), staged on first use from
 * $AUIF_DATA_DIR, ../shared/upstream or the pinned URL. Where no source works it prints a loud
 * SKIP with the reason and returns null.
 */
export async function upstreamFile(rel: string, repo: Repo = 'auif'): Promise<string | null> {
  try {
    return await stagedFile(rel, repo);
  } catch (e) {
    if (e instanceof StagingError) {
      skipLoudly(`${repo} ${rel}`, e.message);
      return null;
    }
    throw e;
  }
}

/**
 * Stages a whole data group (see lib/data/manifest.ts GROUPS) on first use. Returns false after a
 * loud SKIP when no source works.
 */
export async function upstreamGroup(group: GroupName): Promise<boolean> {
  try {
    await ensureStaged(group);
    return true;
  } catch (e) {
    if (e instanceof StagingError) {
      skipLoudly(`data group '${group}'`, e.message);
      return false;
    }
    throw e;
  }
}
