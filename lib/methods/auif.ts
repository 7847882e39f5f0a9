/**
 * AUIF as a {@link FusionMethod} — Zhao, Xu, Zhang, Liu, Zhang, "Efficient and Model-Based
 * Infrared and Visible Image Fusion via Algorithm Unrolling", IEEE TCSVT 32(3), 2022
 * (arXiv 2021). The network itself is `lib/model/` (test phase: `fuse()` in `model/auif.ts`):
 *
 *   F = decoder(fuse(Bᴺ_ir, Bᴺ_vis), fuse(Dᴺ_ir, Dᴺ_vis)),  fuse ∈ {Sum (paper), Average, l1}
 *
 * Options: `mode` (`sum` | `average` | `l1`, default `sum` as the paper). Intermediate maps:
 * Bᴺ and Dᴺ of both images (the unrolled encoders' last iterates).
 */
import * as tf from '@tensorflow/tfjs-core';
import { loadWeights } from '../model/checkpoint.js';
import { checkPair, decompose, fuse, toTensor } from '../model/auif.js';
import { disposeParams, type AuifParams } from '../model/params.js';
import { FUSION_MODES, type FusionMode } from '../fusion/rules.js';
import { AUIF_INFO } from './auif_info.js';
import type { GreyImage } from '../io/image.js';
import { checkOptions, MethodError, type FusionMethod, type Fuser, type LoadOptions, type MethodInfo, type NamedMap } from './types.js';

/** Learned parameters of AUIF (running BN statistics are not counted): 2 × 10 × 581 + 11. */
export function countAuifParameters(params: AuifParams): number {
  let n = 0;
  for (const enc of [params.base, params.detail]) {
    for (const l of enc.layers) n += l.K.size + l.eta.size + l.theta.size + l.bn.gamma.size + l.bn.beta.size + l.alpha.size;
  }
  return n + params.decoder.W.size + params.decoder.bn.gamma.size + params.decoder.bn.beta.size;
}

export { AUIF_INFO };

function planeOf(t: tf.Tensor, index: number, h: number, w: number): GreyImage {
  const all = t.dataSync() as Float32Array;
  return { width: w, height: h, data: all.slice(index * h * w, (index + 1) * h * w) };
}

/** AUIF behind the method interface; `load()` reads the weights once (default: the authors'). */
export const auif: FusionMethod = {
  info: AUIF_INFO,
  async load(opts: LoadOptions = {}): Promise<Fuser> {
    checkOptions(AUIF_INFO, opts, ['mode']);
    const mode = (opts.mode ?? 'sum') as FusionMode;
    if (!FUSION_MODES.includes(mode)) throw new MethodError(`auif: mode must be one of ${FUSION_MODES.join(', ')}, got '${opts.mode}'`);
    const params = await loadWeights(opts.weights);
    const info: MethodInfo = { ...AUIF_INFO, parameters: countAuifParameters(params), defaults: { ...AUIF_INFO.defaults, layers: params.base.layers.length } };
    return {
      info,
      async fuse(ir, vis, call = {}) {
        checkPair(ir, vis);
        const F = await fuse(ir, vis, params, mode);
        if (!call.intermediates) return { F };
        const maps: NamedMap[] = [];
        tf.tidy(() => {
          const { B, D } = decompose(tf.concat([toTensor(ir), toTensor(vis)], 0), params);
          const [h, w] = [ir.height, ir.width];
          maps.push(
            { name: 'B_ir', image: planeOf(B, 0, h, w), description: 'Bᴺ of the infrared image (base encoder)' },
            { name: 'B_vis', image: planeOf(B, 1, h, w), description: 'Bᴺ of the visible image' },
            { name: 'D_ir', image: planeOf(D, 0, h, w), description: 'Dᴺ of the infrared image (detail encoder)' },
            { name: 'D_vis', image: planeOf(D, 1, h, w), description: 'Dᴺ of the visible image' },
          );
        });
        return { F, maps };
      },
      dispose() { disposeParams(params); },
    };
  },
};
