/**
 * One interface for every fusion method (AUIF, DIDFuse, Bayesian fusion, the paper's baselines),
 * in the spirit of torchvision's model registry and VIFB's `methods/<Name>/`: the same call shape
 * for every method, so a comparison is a loop over {@link listMethods}.
 *
 *   const m = getMethod('auif');
 *   const fuser = await m.load({ weights });          // weights read once
 *   const { F, maps } = await fuser.fuse(ir, vis, { intermediates: true });
 *   fuser.dispose();
 *
 * Inputs and output are grey float images in [0, 1] of the input size ({@link GreyImage}); the
 * colour path (fusing the Y channel of a colour visible image) wraps any method from outside.
 */
import { ImageError, type GreyImage } from '../io/image.js';

/** What a method is: the metadata a table or a `auif methods` listing is generated from. */
export interface MethodInfo {
  /** Registry key, lower case: `auif`, `didfuse`, `bayes`, … (`auif fuse --method <name>`). */
  name: string;
  /** Display name as the papers print it: `AUIF`, `DIDFuse`, `BF`, … */
  title: string;
  /** Short citation: authors, title, venue, year. */
  citation: string;
  /** `learned` (weights), `model-based` (an optimisation model solved per image) or `classic`. */
  family: 'learned' | 'model-based' | 'classic';
  /** Number of learned parameters (0 for methods without weights). */
  parameters: number;
  /** Smallest image side the method accepts. */
  minSide: number;
  /** The method's default options, as its authors set them (shown by `auif methods`). */
  defaults: Readonly<Record<string, string | number | boolean>>;
}

/** Options of {@link FusionMethod.load}: where the weights are (learned methods), method knobs. */
export interface LoadOptions {
  /** A weights file (format per method); omitted: the published weights, staged on first use. */
  weights?: string;
  /** Method-specific options (e.g. AUIF's `mode`); unknown keys are refused by the method. */
  [option: string]: string | number | boolean | undefined;
}

/** Options of one fusion call. */
export interface FuseCallOptions {
  /** Also return the method's intermediate maps (for figures); costs memory. */
  intermediates?: boolean;
}

/** A named intermediate map: a grey plane (values not necessarily in [0, 1]). */
export interface NamedMap { name: string; image: GreyImage; description?: string }

/** The result of one fusion: F in [0, 1] (before 8-bit quantisation) and optional maps. */
export interface FusionResult { F: GreyImage; maps?: NamedMap[] }

/** A method with its weights loaded: fuses any number of pairs. */
export interface Fuser {
  readonly info: MethodInfo;
  /** Fuses a registered pair of equal size; throws an `ImageError` naming the sizes otherwise. */
  fuse(ir: GreyImage, vis: GreyImage, opts?: FuseCallOptions): Promise<FusionResult>;
  /** Frees tensors / native buffers. */
  dispose(): void;
}

/** A fusion method: its metadata and a loader. */
export interface FusionMethod {
  readonly info: MethodInfo;
  load(opts?: LoadOptions): Promise<Fuser>;
}

/** Error about a method name or a method option; the message names it. */
export class MethodError extends Error {
  constructor(message: string) { super(message); this.name = 'MethodError'; }
}

/** Refuses option keys a method does not know (a typo must not be silently ignored). */
export function checkOptions(info: MethodInfo, opts: LoadOptions, known: readonly string[]): void {
  for (const k of Object.keys(opts)) {
    if (opts[k] === undefined) continue;
    if (k !== 'weights' && !known.includes(k)) {
      throw new MethodError(`${info.name}: unknown option '${k}' (known: ${['weights', ...known].join(', ')})`);
    }
  }
}

/**
 * Checks an IR/VIS pair for a method: equal sizes, each side at least `info.minSide`. Throws an
 * `ImageError` naming both files (or images) and their sizes.
 */
export function checkPairFor(info: MethodInfo, ir: { width: number; height: number }, vis: { width: number; height: number }, names = { ir: 'IR image', vis: 'VIS image' }): void {
  if (ir.width !== vis.width || ir.height !== vis.height) {
    throw new ImageError(`${info.title}: IR and VIS sizes differ: ${names.ir} is ${ir.width}×${ir.height}, ${names.vis} is ${vis.width}×${vis.height} (registered pairs of equal size only; nothing is resized)`);
  }
  if (ir.width < info.minSide || ir.height < info.minSide) {
    throw new ImageError(`${names.ir} is ${ir.width}×${ir.height}; ${info.title} needs at least ${info.minSide}×${info.minSide} pixels`, names.ir);
  }
}
