/**
 * `auif fuse`: fuse one pair, or every pair of a test set, with the pretrained (or given) weights.
 *
 *   auif fuse --ir IR --vis VIS --out F.png [--mode sum|average|l1] [--weights FILE] [--colour auto|grey]
 *   auif fuse --dataset tno|flir|nir|vifb --out DIR [--mode …] [--weights FILE] [--colour auto|grey]
 *
 * Colour (lib/fusion/colour.ts): with `--colour auto` (default) a colour visible image is fused
 * through its PIL YCbCr luma and written as an RGB PNG; grey inputs give a one-channel PNG.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { initBackend } from '../backend/select.js';
import { readImage8, writeImagePng, type Image8 } from '../io/colour_image.js';
import { fuseColour, COLOUR_MODES, type ColourMode, type ColourFusionResult } from '../fusion/colour.js';
import { vifbPairs, vifbOutputFile } from '../data/vifb.js';
import { checkPairFor, getMethod, methodNames, type Fuser, type LoadOptions } from '../methods/index.js';
import { datasetPairs, isDatasetName, DATASET_NAMES, type DatasetName } from '../data/datasets.js';
import { createProgress } from '../util/progress.js';
import { UsageError } from './usage.js';
import { checkFileOutput, checkFolderOutput, checkPngOutput, ensureOutputDir, ensureParentDir, refuseOutputOverInput, sameFile } from './paths.js';
import { median } from '../util/stats.js';
import { applyMaxPixels, MAX_PIXELS_OPTION } from './max_pixels.js';

export const FUSE_USAGE = `usage:
  auif fuse [--method NAME] --ir IR --vis VIS --out F.png [--mode sum|average|l1] [--weights FILE] [--option KEY=VALUE …] [--colour auto|grey]
  auif fuse [--method NAME] --dataset tno|flir|nir|vifb --out DIR [same options]
    (--out F.png: PNG only, lossless; --max-pixels N: the input pixel limit, default 178956970, 0 = none)
    (--colour auto, the default: a colour visible image is fused through its YCbCr luma (PIL) and
     written as RGB PNG, keeping its Cb/Cr; grey inputs give a one-channel PNG; --colour grey: luma only)
  auif methods                        (lists the methods, their citation and parameter count)`;

/** Method options from the command line: `--mode`, `--weights` and each `--option KEY=VALUE`. */
export function methodOptions(values: { mode?: string; weights?: string; option?: string[] }): LoadOptions {
  const opts: LoadOptions = {};
  if (values.weights !== undefined) opts.weights = values.weights;
  if (values.mode !== undefined) opts.mode = values.mode;
  for (const kv of values.option ?? []) {
    const m = /^([A-Za-z][\w-]*)=(.*)$/.exec(kv);
    if (!m) throw new UsageError(`--option must be KEY=VALUE, got '${kv}'`);
    const v = m[2];
    opts[m[1]] = v === 'true' ? true : v === 'false' ? false : /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(v) ? Number(v) : v;
  }
  return opts;
}

/** Loads a method, turning an unknown name or option into a usage error. */
async function loadMethod(name: string, opts: LoadOptions): Promise<Fuser> {
  if (!methodNames().includes(name)) throw new UsageError(`--method must be one of ${methodNames().join(', ')}, got '${name}'`);
  try {
    return await getMethod(name).load(opts);
  } catch (e) {
    if ((e as Error).name === 'MethodError') throw new UsageError((e as Error).message);
    throw e;
  }
}

export async function fuseCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      ir: { type: 'string' }, vis: { type: 'string' }, out: { type: 'string' },
      dataset: { type: 'string' }, mode: { type: 'string' }, weights: { type: 'string' },
      method: { type: 'string', default: 'auif' }, option: { type: 'string', multiple: true },
      colour: { type: 'string', default: 'auto' }, ...MAX_PIXELS_OPTION,
    },
    strict: true,
  });
  applyMaxPixels(values['max-pixels']);
  const method = values.method.toLowerCase();
  if (!methodNames().includes(method)) throw new UsageError(`--method must be one of ${methodNames().join(', ')}, got '${values.method}'`);
  const opts = methodOptions(values);
  const colour = values.colour as ColourMode;
  if (!COLOUR_MODES.includes(colour)) throw new UsageError(`--colour must be one of ${COLOUR_MODES.join(', ')}, got '${values.colour}'`);
  let irNoted = false;
  const noteIr = (r: ColourFusionResult, file: string) => {
    if (r.irReducedToLuma && !irNoted) process.stderr.write(`[auif] note: the infrared image ${file} is colour; it is reduced to luma (PIL 'L') before fusion\n`);
    if (r.irReducedToLuma) irNoted = true;
  };
  if (!values.out) throw new UsageError(`--out is required\n${FUSE_USAGE}`);
  if (values.dataset !== undefined && (values.ir || values.vis)) throw new UsageError(`give either --dataset or --ir/--vis, not both\n${FUSE_USAGE}`);

  if (values.dataset === undefined) {
    if (!values.ir || !values.vis) throw new UsageError(`--ir and --vis are required (or --dataset)\n${FUSE_USAGE}`);
    refuseOutputOverInput('--out', values.out, [['--ir', values.ir], ['--vis', values.vis], ['--weights', values.weights]]);
    checkFileOutput('--out', values.out); // nothing is created until the inputs are read and checked
    checkPngOutput('--out', values.out);
    await initBackend();
    const fuser = await loadMethod(method, opts); // method options are checked first
    // read and check both inputs before anything is written
    const [ir, vis] = await Promise.all([readImage8(values.ir), readImage8(values.vis)]);
    checkInputs(fuser, ir, vis, values.ir, values.vis);
    await ensureParentDir('--out', values.out);
    const t0 = performance.now();
    const r = await fuseNamed(fuser, ir, vis, values.ir, values.vis, colour);
    const ms = performance.now() - t0;
    noteIr(r, values.ir);
    await writeImagePng(values.out, r.F);
    fuser.dispose();
    process.stderr.write(`[auif] ${fuser.info.title}: fused ${ir.width}×${ir.height} in ${ms.toFixed(0)} ms → ${values.out} (${r.colour ? 'RGB: fused YCbCr luma, visible chroma' : 'grey'})\n`);
    return;
  }

  const vifb = values.dataset === 'vifb';
  if (!vifb && !isDatasetName(values.dataset)) throw new UsageError(`--dataset must be one of ${[...DATASET_NAMES, 'vifb'].join(', ')}, got '${values.dataset}'`);
  const outDir = values.out;
  checkFolderOutput('--out', outDir);
  const pairs: { label: string; ir: string; vis: string; out: string }[] = vifb
    ? (await vifbPairs()).map((p) => ({ label: p.name, ir: p.ir, vis: p.vis, out: vifbOutputFile(outDir, p.name) }))
    : (await datasetPairs(values.dataset as DatasetName)).map((p) => ({ label: `F${p.index}`, ir: p.ir, vis: p.vis, out: path.join(outDir, `F${p.index}.png`) }));
  for (const p of pairs) {
    for (const input of [p.ir, p.vis]) if (sameFile(path.join(outDir, path.basename(input)), input) || sameFile(p.out, input)) {
      throw new UsageError(`--out ${outDir} is the dataset's own folder; refusing to write next to the inputs`);
    }
  }
  if (values.weights) for (const p of pairs) refuseOutputOverInput('--out', p.out, [['--weights', values.weights]]);
  await ensureOutputDir('--out', outDir);
  await initBackend();
  const fuser = await loadMethod(method, opts);
  const bar = createProgress(`${fuser.info.title} fuse ${values.dataset}`, pairs.length, 'pairs');
  const times: { size: string; ms: number }[] = [];
  let coloured = 0;
  for (const p of pairs) {
    const [ir, vis] = await Promise.all([readImage8(p.ir), readImage8(p.vis)]);
    checkInputs(fuser, ir, vis, p.ir, p.vis);
    const t0 = performance.now();
    const r = await fuseNamed(fuser, ir, vis, p.ir, p.vis, colour);
    times.push({ size: `${ir.width}×${ir.height}`, ms: performance.now() - t0 });
    if (r.irReducedToLuma && !irNoted) { bar.stop(); noteIr(r, p.ir); }
    if (r.colour) coloured++;
    await writeImagePng(p.out, r.F);
    bar.tick(1, path.basename(p.out));
  }
  bar.stop();
  fuser.dispose();
  const ms = times.map((t) => t.ms);
  const bySize = new Map<string, number[]>();
  for (const t of times) bySize.set(t.size, [...(bySize.get(t.size) ?? []), t.ms]);
  const lines = [...bySize].sort((a, b) => b[1].length - a[1].length)
    .map(([size, v]) => `  ${size.padEnd(10)} ${String(v.length).padStart(3)} pairs  median ${median(v).toFixed(0)} ms`);
  if (coloured) process.stderr.write(`[auif] ${coloured} of ${pairs.length} visible images are colour: fused through their YCbCr luma, written as RGB PNG\n`);
  process.stderr.write(`[auif] ${pairs.length} pairs → ${outDir}: total ${(ms.reduce((a, b) => a + b, 0) / 1000).toFixed(1)} s, `
    + `median ${median(ms).toFixed(0)} ms/pair, min ${Math.min(...ms).toFixed(0)}, max ${Math.max(...ms).toFixed(0)}\n${lines.join('\n')}\n`);
}

/** Checks a pair before any fusion: equal sizes and the method's minimum side (messages name both files). */
function checkInputs(fuser: Fuser, ir: Image8, vis: Image8, irName: string, visName: string): void {
  checkPairFor(fuser.info, ir, vis, { ir: irName, vis: visName });
}

/** A method's fusion through the colour path, with the error messages naming the input files. */
async function fuseNamed(fuser: Fuser, ir: Image8, vis: Image8, irName: string, visName: string, colour: ColourMode): Promise<ColourFusionResult> {
  checkInputs(fuser, ir, vis, irName, visName);
  return fuseColour(fuser, ir, vis, { colour, names: { ir: irName, vis: visName } });
}

/** `auif methods`: every registered method with its family, parameter count and citation. */
export async function methodsCommand(argv: string[]): Promise<void> {
  if (argv.length) throw new UsageError(`auif methods takes no arguments, got '${argv.join(' ')}'`);
  const { listMethods } = await import('../methods/index.js');
  const rows = listMethods();
  const w = Math.max(...rows.map((r) => r.name.length));
  for (const r of rows) {
    const defaults = Object.entries(r.defaults).map(([k, v]) => `${k}=${v}`).join(' ');
    console.log(`${r.name.padEnd(w)}  ${r.title.padEnd(10)} ${r.family.padEnd(11)} ${String(r.parameters).padStart(9)} params  ${r.citation}${defaults ? `\n${' '.repeat(w + 2)}defaults: ${defaults}` : ''}`);
  }
}
