/**
 * Test access to the upstream data (datasets, checkpoints, authors' outputs) and to the
 * reference fixtures (`datasets/reference/`, see lib/data/reference.ts).
 *
 * Tests never read ../shared/upstream directly: they go through the project's staging
 * mechanism (lib/data/stage.ts). Where no source is reachable, `upstreamFile()` returns null and
 * `upstreamGroup()` false, after printing the reason once, loudly, so a skipped test is never silent.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { StagingError, ensureStaged, stagedFile, type GroupName, type Repo } from '../../lib/data/stage.js';
import { findReferenceFile } from '../../lib/data/reference.js';

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Folder of the reference fixtures (`datasets/reference/`, else `$AUIF_REFERENCE_DIR` or
 * `../shared/reference`: lib/data/reference.ts), or null when none holds `auif_fixture.safetensors`.
 */
export function referenceDir(): string | null {
  const file = findReferenceFile('auif_fixture.safetensors');
  return file ? path.dirname(file) : null;
}

/**
 * Prints a loud `!! SKIP what: why` line on stdout, every call. Called inside a test, it marks
 * that test as skipped: scripts/test.mjs attributes each marker to the test that printed it
 * (uvu reports tests in order), counts the test as skipped, not passed, and lists it with the
 * reason; with `CI=true` or `AUIF_REQUIRE_DATA=1` any skip fails the run. Called at import time
 * (outside any test) it marks a skipped part (e.g. one operator variant), listed the same way.
 * A test that cannot run MUST call this (or a helper that does) before returning early.
 */
export function skipLoudly(what: string, reason: string): void {
  const why = reason.replace(/\s*\n\s*/g, ' ');
  process.stdout.write(`\n  !! SKIP ${what}: ${why.length > 400 ? `${why.slice(0, 400)}…` : why}\n`);
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
