/**
 * The registry of fusion methods (torchvision-style `listMethods()` / `getMethod(name)`).
 * Adding a method = its file in this folder + its test + one line in {@link METHODS}.
 */
import { auif } from './auif.js';
import { bayes } from './bayes.js';
import { didfuse } from './didfuse.js';
import { adf } from './adf.js';
import { tif } from './tif.js';
import { densefuse } from './densefuse.js';
import { deepfuse } from './deepfuse.js';
import { csr } from './csr.js';
import { MethodError, type FusionMethod, type MethodInfo } from './types.js';

export * from './types.js';
export { auif, AUIF_INFO, countAuifParameters } from './auif.js';
export { bayes, BAYES_INFO, bayesParams } from './bayes.js';

/** Every method, in the order tables list them. */
export const METHODS: readonly FusionMethod[] = [
  auif,
  didfuse,
  bayes,
  adf,
  tif,
  densefuse,
  deepfuse,
  csr,
];

/** The names `auif fuse --method` accepts. */
export function methodNames(): string[] { return METHODS.map((m) => m.info.name); }

/** Metadata of every registered method. */
export function listMethods(): MethodInfo[] { return METHODS.map((m) => m.info); }

/** The method registered under `name`; a clear error listing the known names otherwise. */
export function getMethod(name: string): FusionMethod {
  const m = METHODS.find((x) => x.info.name === name.toLowerCase());
  if (!m) throw new MethodError(`unknown method '${name}' (known: ${methodNames().join(', ')})`);
  return m;
}
