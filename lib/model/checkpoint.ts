/**
 * Loading AUIF weights: the authors' pretrained checkpoints (three PyTorch `.model` files in the
 * legacy pickle format, staged from the upstream repository) or a safetensors file with the
 * prefixed upstream names (this project's native format), into an {@link AuifParams} record.
 */
import fs from 'node:fs';
import path from 'node:path';
import { readTorchCheckpoint } from '../io/torch_checkpoint.js';
import { readSafetensors, writeSafetensors } from '../io/safetensors.js';
import type { StateDict } from '../io/tensor_record.js';
import { stagedFile } from '../data/stage.js';
import { checkVariant, parseModelVariant } from '../train/variant.js';
import { paramsFromStateDict, stateDictFromParams, StateDictError, type AuifParams } from './params.js';

/** Upstream checkpoint file of each module, and the prefix its keys get. */
export const PRETRAINED_FILES = [
  { prefix: 'base.', file: 'TCSVT_Encoder_Base.model' },
  { prefix: 'detail.', file: 'TCSVT_Encoder_Detail.model' },
  { prefix: 'decoder.', file: 'TCSVT_Decoder.model' },
] as const;

/** Merges the three module state dicts of an upstream `Models/` folder, with module prefixes. */
export function readUpstreamModels(dir: string): StateDict {
  const sd: StateDict = new Map();
  for (const { prefix, file } of PRETRAINED_FILES) {
    for (const [k, v] of readTorchCheckpoint(path.join(dir, file))) sd.set(prefix + k, v);
  }
  return sd;
}

/** The authors' pretrained state dict, staged on first use (see `npm run data`). */
export async function pretrainedStateDict(): Promise<StateDict> {
  const files = await Promise.all(PRETRAINED_FILES.map(({ file }) => stagedFile(`Models/${file}`)));
  return readUpstreamModels(path.dirname(files[0]));
}

/** Reads a weights file or folder into a state dict (names as in `auif_pretrained.safetensors`). */
export function readWeights(file: string): StateDict {
  if (!fs.existsSync(file)) throw new StateDictError(`weights not found: ${file}`);
  if (fs.statSync(file).isDirectory()) return readUpstreamModels(file);
  if (file.endsWith('.safetensors')) return readSafetensors(file).tensors;
  return readTorchCheckpoint(file);
}

/**
 * AUIF parameters from `weights` — a `.safetensors` file, a PyTorch checkpoint with prefixed
 * keys, or a folder holding the three upstream `.model` files — or, when omitted, the authors'
 * pretrained weights. Errors name the file and the key at fault.
 */
export async function loadWeights(weights?: string): Promise<AuifParams> {
  let sd: StateDict;
  if (weights && weights.endsWith('.safetensors') && fs.existsSync(weights) && fs.statSync(weights).isFile()) {
    // A file trained here records its variant (lib/train/variant.ts): check the tensors against it.
    const f = readSafetensors(weights);
    sd = f.tensors;
    if (f.metadata.model !== undefined) checkVariant(sd, parseModelVariant(f.metadata.model, weights), weights);
  } else {
    sd = weights ? readWeights(weights) : await pretrainedStateDict();
  }
  try {
    return paramsFromStateDict(sd);
  } catch (e) {
    if (e instanceof StateDictError) throw new StateDictError(`${weights ?? 'pretrained weights'}: ${e.message}`, e.key);
    throw e;
  }
}

/** Saves parameters as safetensors with the upstream names (atomic write). */
export async function saveWeights(file: string, params: AuifParams, metadata?: Record<string, string>): Promise<void> {
  await writeSafetensors(file, stateDictFromParams(params), metadata);
}
