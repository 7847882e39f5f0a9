/**
 * The reproduction preset: how much work the notebooks and `npm run reproduce` do.
 *
 * - `quick` (default): a handful of pairs per test set, a few training epochs — minutes on a CPU;
 * - `full`: every pair of every set and the paper's training schedule.
 *
 * Chosen with `AUIF_PRESET=quick|full`; `npm run reproduce` passes it on to every notebook.
 */
import fs from 'node:fs';
import path from 'node:path';

export type PresetName = 'quick' | 'full';
export const PRESET_NAMES: readonly PresetName[] = ['quick', 'full'];

/** Error for an unknown preset; names the value and the allowed ones. */
export class PresetError extends Error {
  constructor(message: string) { super(message); this.name = 'PresetError'; }
}

/**
 * The preset named by `value` (default `$AUIF_PRESET`, else `quick`).
 * @throws {PresetError} for any other value than `quick` or `full`.
 */
export function presetName(value: string | undefined = process.env.AUIF_PRESET): PresetName {
  const v = (value ?? '').trim().toLowerCase();
  if (v === '') return 'quick';
  if (v === 'quick' || v === 'full') return v;
  throw new PresetError(`AUIF_PRESET=${JSON.stringify(value)} is not a preset (use ${PRESET_NAMES.join(' or ')})`);
}

/** `quick` under the quick preset, `full` under the full one: `byPreset(4, 40)`. */
export function byPreset<T>(quick: T, full: T, preset: PresetName = presetName()): T {
  return preset === 'full' ? full : quick;
}

/**
 * The 1-based pair numbers to process out of `total`: all of them under `full`, else `quick`
 * (numbers beyond `total` dropped).
 */
export function presetIndices(total: number, quick: number[], preset: PresetName = presetName()): number[] {
  if (preset === 'full') return Array.from({ length: total }, (_, i) => i + 1);
  return quick.filter((i) => Number.isInteger(i) && i >= 1 && i <= total);
}

/**
 * Where a notebook writes its figures and tables: `root/figures`, `root/results` under `full`;
 * `root/figures/quick`, `root/results/quick` (git-ignored) under `quick`, so a quick run never
 * overwrites the committed full-preset outputs. Both folders are created.
 */
export function presetOutputDirs(root = '..', preset: PresetName = presetName()): { figures: string; results: string } {
  const sub = preset === 'full' ? '' : 'quick';
  const dirs = { figures: path.join(root, 'figures', sub), results: path.join(root, 'results', sub) };
  for (const d of Object.values(dirs)) fs.mkdirSync(d, { recursive: true });
  return dirs;
}
