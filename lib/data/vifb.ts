/**
 * The VIFB visible–infrared benchmark (X. Zhang, P. Ye, G. Xiao, "VIFB: A Visible and Infrared
 * Image Fusion Benchmark", CVPR Workshops 2020; xingchenzhang/VIFB @ 22b2ea9): its 21 scenes and
 * the published fused outputs of six methods, staged on first use (groups `vifb`, `vifb-fused`:
 * from `$AUIF_VIFB_DIR`, `../shared/vifb` or the pinned upstream URL, sha256-checked against
 * `datasets/manifest.vifb.json`).
 *
 * Unlike the paper's sets (lib/data/datasets.ts) the pairs are named, not numbered; `index` is the
 * 1-based position in VIFB's own scene list (`util/configImgsVI.m`, alphabetical but for
 * `manlight` before `manWalking`).
 */
import path from 'node:path';
import { ensureStaged, stagedPath } from './stage.js';

/** VIFB's 21 scenes in its own order (`util/configImgsVI.m`). */
export const VIFB_SCENES = [
  'carLight', 'carShadow', 'carWhite', 'elecbike', 'fight', 'kettle', 'labMan', 'man', 'manCall', 'manCar',
  'manlight', 'manWalking', 'manwithbag', 'nightCar', 'peopleshadow', 'running', 'snow', 'tricycle', 'walking',
  'walking2', 'walkingnight',
] as const;
export type VifbScene = (typeof VIFB_SCENES)[number];

/** The methods whose fused outputs VIFB publishes here (`output/fused_images/<scene>_<method>.jpg`). */
export const VIFB_METHODS = ['ADF', 'TIF', 'GFF', 'CNN', 'U2Fusion', 'SeAFusion'] as const;
export type VifbMethod = (typeof VIFB_METHODS)[number];

export function isVifbMethod(s: string): s is VifbMethod {
  return (VIFB_METHODS as readonly string[]).includes(s);
}

export interface VifbPair {
  /** 1-based position in {@link VIFB_SCENES}. */
  index: number;
  name: VifbScene;
  ir: string;
  vis: string;
}

/** The 21 pairs (staging them if needed): `input/IR/<name>.jpg`, `input/VI/<name>.jpg`. */
export async function vifbPairs(opts: { quiet?: boolean } = {}): Promise<VifbPair[]> {
  await ensureStaged('vifb', { quiet: opts.quiet });
  return VIFB_SCENES.map((name, k) => ({
    index: k + 1,
    name,
    ir: stagedPath(`input/IR/${name}.jpg`, 'vifb'),
    vis: stagedPath(`input/VI/${name}.jpg`, 'vifb'),
  }));
}

/** Local path of VIFB's published output of `method` for `scene` (staging the outputs if needed). */
export async function vifbFusedFile(method: VifbMethod, scene: VifbScene, opts: { quiet?: boolean } = {}): Promise<string> {
  await ensureStaged('vifb-fused', { quiet: opts.quiet });
  return stagedPath(`output/fused_images/${scene}_${method}.jpg`, 'vifb');
}

/** File names tried for a scene in a folder of one's own fused images, in order. */
export function vifbFusedNames(scene: string): string[] {
  return ['png', 'jpg', 'bmp', 'tif'].map((e) => `${scene}.${e}`);
}

/** `DIR/<scene>.png` as `auif fuse --dataset vifb --out DIR` writes it. */
export function vifbOutputFile(dir: string, scene: string): string {
  return path.join(dir, `${scene}.png`);
}
