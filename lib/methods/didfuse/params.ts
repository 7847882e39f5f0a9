/**
 * DIDFuse's weights (Zhao, Xu, Zhang, Liu, Zhang, Li: "DIDFuse: Deep Image Decomposition for
 * Infrared and Visible Image Fusion", IJCAI 2020): the authors' two checkpoints
 * `Models/Encoder_weight_IJCAI.pkl` and `Models/Decoder_weight_IJCAI.pkl` (legacy `torch.save`
 * pickles holding `{'weight': state_dict, 'epoch': 120}`, read by `lib/io/torch_checkpoint.ts`),
 * checked key by key and shape by shape and turned into seven {@link ConvBlock}s.
 *
 * Every block is conv 3×3 (with bias) → BatchNorm2d (eval) → activation; BN is folded as PyTorch's
 * CPU kernel does it (`torch/nn/functional.py` batch_norm, eval mode):
 *
 *   y = z·α + β',  α = γ / √(σ² + ε),  β' = β − μ·α,  ε = 1e-5        (float32, as PyTorch)
 *
 * Key layout (`README.md` §4 in this folder): the conv of cov1 and cov7 is at index 1 (a
 * reflection pad is index 0), the others at index 0; BN follows the conv, PReLU the BN.
 */
import fs from 'node:fs';
import path from 'node:path';
import { readTorchCheckpoint } from '../../io/torch_checkpoint.js';
import { readSafetensors } from '../../io/safetensors.js';
import type { NamedTensor, StateDict } from '../../io/tensor_record.js';
import { stagedFile } from '../../data/stage.js';
import { StateDictError } from '../../model/params.js';

export { StateDictError };

/** Activation ending a block. */
export type Activation = 'prelu' | 'tanh' | 'sigmoid';

/** One conv → BN → activation block, BN folded to `scale`/`shift`. */
export interface ConvBlock {
  name: BlockName;
  cin: number;
  cout: number;
  /** Conv weight [cout, cin, 3, 3] (PyTorch OIHW, row-major). */
  weight: Float32Array;
  bias: Float32Array;
  /** α = γ/√(σ²+ε) and β' = β − μ·α per output channel (float32). */
  scale: Float32Array;
  shift: Float32Array;
  activation: Activation;
  /** The PReLU slope (one shared value); 0 for tanh/sigmoid blocks. */
  alpha: number;
  /** Reflection padding (cov1, cov7) instead of zero padding. */
  reflect: boolean;
  /** Learned values of the block (conv weight + bias, BN γ + β, PReLU slope). */
  parameters: number;
}

export type BlockName = 'cov1' | 'cov2' | 'cov3' | 'cov4' | 'cov5' | 'cov6' | 'cov7';

/** The seven blocks: encoder cov1–cov4, decoder cov5–cov7. */
export interface DidfuseParams {
  cov1: ConvBlock; cov2: ConvBlock; cov3: ConvBlock; cov4: ConvBlock;
  cov5: ConvBlock; cov6: ConvBlock; cov7: ConvBlock;
  /** `epoch` of the checkpoints where known (120 for the published weights). */
  epoch?: number;
}

/** Architecture of each block (reference §1): channels, conv/BN/PReLU indices, activation, padding. */
export const BLOCKS: Readonly<Record<BlockName, { module: 'encoder' | 'decoder'; cin: number; cout: number; conv: number; activation: Activation; reflect: boolean }>> = {
  cov1: { module: 'encoder', cin: 1, cout: 64, conv: 1, activation: 'prelu', reflect: true },
  cov2: { module: 'encoder', cin: 64, cout: 64, conv: 0, activation: 'prelu', reflect: false },
  cov3: { module: 'encoder', cin: 64, cout: 64, conv: 0, activation: 'tanh', reflect: false },
  cov4: { module: 'encoder', cin: 64, cout: 64, conv: 0, activation: 'tanh', reflect: false },
  cov5: { module: 'decoder', cin: 128, cout: 64, conv: 0, activation: 'prelu', reflect: false },
  cov6: { module: 'decoder', cin: 128, cout: 64, conv: 0, activation: 'prelu', reflect: false },
  cov7: { module: 'decoder', cin: 128, cout: 1, conv: 1, activation: 'sigmoid', reflect: true },
};

export const BLOCK_NAMES = Object.keys(BLOCKS) as BlockName[];

/** The published checkpoint of each module (upstream path). */
export const DIDFUSE_FILES = { encoder: 'Models/Encoder_weight_IJCAI.pkl', decoder: 'Models/Decoder_weight_IJCAI.pkl' } as const;

const BN_FIELDS = ['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked'] as const;

/** Every key and shape of one module's state dict, in upstream order (reference §4). */
export function expectedDidfuseKeys(module: 'encoder' | 'decoder'): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const name of BLOCK_NAMES) {
    const b = BLOCKS[name];
    if (b.module !== module) continue;
    const p = `${name}.${name}.`;
    out.set(`${p}${b.conv}.weight`, [b.cout, b.cin, 3, 3]);
    out.set(`${p}${b.conv}.bias`, [b.cout]);
    for (const f of BN_FIELDS) out.set(`${p}${b.conv + 1}.${f}`, f === 'num_batches_tracked' ? [] : [b.cout]);
    if (b.activation === 'prelu') out.set(`${p}${b.conv + 2}.weight`, [1]);
  }
  return out;
}

/**
 * Checks one module's state dict against {@link expectedDidfuseKeys}: every key present, no
 * extra one, each shape and dtype right. Throws a {@link StateDictError} naming `file` and the key.
 */
export function checkDidfuseStateDict(sd: StateDict, module: 'encoder' | 'decoder', file: string): void {
  const expected = expectedDidfuseKeys(module);
  const missing = [...expected.keys()].filter((k) => !sd.has(k));
  if (missing.length) {
    const other = module === 'encoder' ? 'decoder' : 'encoder';
    const swapped = [...expectedDidfuseKeys(other).keys()].every((k) => sd.has(k)) ? ` (it looks like the DIDFuse ${other})` : '';
    throw new StateDictError(`${file}: not a DIDFuse ${module}${swapped}: missing key '${missing[0]}'${missing.length > 1 ? ` and ${missing.length - 1} more` : ''}`, missing[0]);
  }
  const extra = [...sd.keys()].filter((k) => !expected.has(k));
  if (extra.length) throw new StateDictError(`${file}: unexpected key '${extra[0]}' in the DIDFuse ${module}${extra.length > 1 ? ` (and ${extra.length - 1} more)` : ''}`, extra[0]);
  for (const [k, shape] of expected) {
    const t = sd.get(k)!;
    if (t.shape.length !== shape.length || t.shape.some((s, i) => s !== shape[i])) {
      throw new StateDictError(`${file}: key '${k}' has shape [${t.shape.join(', ')}], expected [${shape.join(', ')}]`, k);
    }
    const dtype = k.endsWith('num_batches_tracked') ? 'int64' : 'float32';
    if (t.dtype !== dtype) throw new StateDictError(`${file}: key '${k}' has dtype ${t.dtype}, expected ${dtype}`, k);
  }
}

function f32(sd: StateDict, k: string): Float32Array { return (sd.get(k) as NamedTensor).data as Float32Array; }

/** Builds the blocks of one checked module. */
function blocksOf(sd: StateDict, module: 'encoder' | 'decoder'): Partial<Record<BlockName, ConvBlock>> {
  const out: Partial<Record<BlockName, ConvBlock>> = {};
  for (const name of BLOCK_NAMES) {
    const b = BLOCKS[name];
    if (b.module !== module) continue;
    const p = `${name}.${name}.`;
    const conv = `${p}${b.conv}.`, bn = `${p}${b.conv + 1}.`;
    const gamma = f32(sd, bn + 'weight'), beta = f32(sd, bn + 'bias'), mean = f32(sd, bn + 'running_mean'), variance = f32(sd, bn + 'running_var');
    const scale = new Float32Array(b.cout), shift = new Float32Array(b.cout);
    for (let o = 0; o < b.cout; o++) {
      const invstd = Math.fround(1 / Math.fround(Math.sqrt(Math.fround(variance[o] + 1e-5))));
      scale[o] = Math.fround(invstd * gamma[o]);
      shift[o] = Math.fround(beta[o] - Math.fround(mean[o] * scale[o]));
    }
    const alpha = b.activation === 'prelu' ? f32(sd, `${p}${b.conv + 2}.weight`)[0] : 0;
    const weight = Float32Array.from(f32(sd, conv + 'weight'));
    out[name] = {
      name, cin: b.cin, cout: b.cout, weight, bias: Float32Array.from(f32(sd, conv + 'bias')), scale, shift,
      activation: b.activation, alpha, reflect: b.reflect,
      parameters: weight.length + 3 * b.cout + (b.activation === 'prelu' ? 1 : 0),
    };
  }
  return out;
}

/** DIDFuse parameters from the encoder's and the decoder's state dicts (each checked first). */
export function didfuseParamsFromStateDicts(encoder: StateDict, decoder: StateDict, files = { encoder: 'encoder', decoder: 'decoder' }): DidfuseParams {
  checkDidfuseStateDict(encoder, 'encoder', files.encoder);
  checkDidfuseStateDict(decoder, 'decoder', files.decoder);
  return { ...blocksOf(encoder, 'encoder'), ...blocksOf(decoder, 'decoder') } as DidfuseParams;
}

/** Learned values (reference §1: encoder 111 938 + decoder 148 997 = 260 935). */
export function countDidfuseParameters(p: DidfuseParams): number {
  return BLOCK_NAMES.reduce((s, n) => s + p[n].parameters, 0);
}

/** A state dict from a `.safetensors` file or a PyTorch checkpoint (`{'weight': sd, …}` or a bare state dict). */
function readModule(file: string): StateDict {
  if (!fs.existsSync(file)) throw new StateDictError(`DIDFuse weights not found: ${file}`);
  return file.endsWith('.safetensors') ? readSafetensors(file).tensors : readTorchCheckpoint(file);
}

/**
 * The DIDFuse weights: `encoder`/`decoder` files, or a folder holding the two published `.pkl`
 * files, or (nothing given) the published weights staged from the upstream repository.
 */
export async function loadDidfuseWeights(opts: { weights?: string; encoder?: string; decoder?: string } = {}): Promise<DidfuseParams> {
  let enc = opts.encoder, dec = opts.decoder;
  if (opts.weights !== undefined) {
    if (!fs.existsSync(opts.weights) || !fs.statSync(opts.weights).isDirectory()) {
      throw new StateDictError(`DIDFuse --weights must be a folder holding ${path.basename(DIDFUSE_FILES.encoder)} and ${path.basename(DIDFUSE_FILES.decoder)} (or give --option encoder=FILE --option decoder=FILE): ${opts.weights}`);
    }
    enc ??= path.join(opts.weights, path.basename(DIDFUSE_FILES.encoder));
    dec ??= path.join(opts.weights, path.basename(DIDFUSE_FILES.decoder));
  }
  enc ??= await stagedFile(DIDFUSE_FILES.encoder, 'didfuse', { quiet: true });
  dec ??= await stagedFile(DIDFUSE_FILES.decoder, 'didfuse', { quiet: true });
  return didfuseParamsFromStateDicts(readModule(enc), readModule(dec), { encoder: enc, decoder: dec });
}
