/**
 * DIDFuse as a {@link FusionMethod} — Zhao, Xu, Zhang, Liu, Zhang, Li, "DIDFuse: Deep Image
 * Decomposition for Infrared and Visible Image Fusion", IJCAI 2020 (AUIF's predecessor: a learned
 * auto-encoder whose encoder splits an image into base and detail feature maps). Test phase as
 * the authors' published images were made (`lib/methods/didfuse/README.md` §2, rule 'Sum'):
 *
 *   (f1, f2, fb, fd)(I) = encoder(I),   F• = f•(I_ir) + f•(I_vis)  for all four maps
 *   F = decoder(F1, F2, Fb, Fd) ∈ (0, 1)
 *
 * The 64-channel 3×3 convolutions run on the native addon (`native/conv_kernels.cc`) on CPU
 * backends, else through tfjs (`didfuse/network_tf.ts`); option `engine` (`auto` | `native` |
 * `tfjs`) forces one. Options `encoder`/`decoder` name the two weight files (`weights`: a folder
 * holding both); default: the published `Models/*_IJCAI.pkl`, staged on first use.
 * Intermediate maps: channel means of the base (fb) and detail (fd) features of both images and
 * of their sums.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ImageError, type GreyImage } from '../io/image.js';
import { convEngine } from '../kernels/native.js';
import type { DatasetName } from '../data/datasets.js';
import type { PublishedOutputs } from '../report/method_parity.js';
import { countDidfuseParameters, loadDidfuseWeights, type DidfuseParams } from './didfuse/params.js';
import { fuseSumNative } from './didfuse/network_native.js';
import { blockTf, disposeTfParams, encodeTf, toTfParams, type TfParams } from './didfuse/network_tf.js';
import { checkOptions, MethodError, type FusionMethod, type FusionResult, type Fuser, type LoadOptions, type MethodInfo, type NamedMap } from './types.js';

/** DIDFuse's own published fused images (rule 'Sum', the weights above), per test set. */
export const DIDFUSE_PUBLISHED: Partial<Record<DatasetName, PublishedOutputs>> = {
  tno: { repo: 'didfuse', group: 'didfuse-results-tno', folder: 'Test_result/TNO_IJCAI' },
  flir: { repo: 'didfuse', group: 'didfuse-results-flir', folder: 'Test_result/FLIR_IJCAI' },
};

/** Reflection padding by 1 needs at least 2 pixels on each side (PyTorch's ReflectionPad2d too). */
export const DIDFUSE_MIN_SIDE = 2;

export const DIDFUSE_INFO: MethodInfo = {
  name: 'didfuse',
  title: 'DIDFuse',
  citation: 'Zhao, Xu, Zhang, Liu, Zhang, Li: DIDFuse: Deep Image Decomposition for Infrared and Visible Image Fusion, IJCAI 2020',
  family: 'learned',
  parameters: 260935,
  minSide: DIDFUSE_MIN_SIDE,
  defaults: { mode: 'sum', channels: 64 },
};

const ENGINES = ['auto', 'native', 'tfjs'] as const;
type Engine = (typeof ENGINES)[number];

/** Refuses a pair of unequal sizes or one below {@link DIDFUSE_MIN_SIDE}, naming the sizes. */
export function checkDidfusePair(ir: GreyImage, vis: GreyImage): void {
  if (ir.width !== vis.width || ir.height !== vis.height) {
    throw new ImageError(`IR and VIS sizes differ: IR image is ${ir.width}×${ir.height}, VIS image is ${vis.width}×${vis.height} (DIDFuse fuses registered pairs of equal size; nothing is resized)`);
  }
  if (ir.width < DIDFUSE_MIN_SIDE || ir.height < DIDFUSE_MIN_SIDE) {
    throw new ImageError(`image is ${ir.width}×${ir.height}; DIDFuse needs at least ${DIDFUSE_MIN_SIDE}×${DIDFUSE_MIN_SIDE} pixels (its reflection padding mirrors one pixel inward)`);
  }
  for (const [name, img] of [['IR', ir], ['VIS', vis]] as const) {
    if (img.data.length !== img.width * img.height) throw new ImageError(`${name} image has ${img.data.length} values for ${img.width}×${img.height}`);
  }
}

/**
 * The tfjs path of the 'Sum' rule; returns F and (optionally) the channel means. One image at a
 * time and each map freed as soon as it is used, so that at most about seven 64-channel maps are
 * alive (the wasm heap is limited).
 */
export function fuseSumTf(ir: GreyImage, vis: GreyImage, p: TfParams, means = false): { F: Float32Array; maps?: Record<string, Float32Array> } {
  const [h, w] = [ir.height, ir.width];
  const maps: Record<string, Float32Array> = {};
  const meanOf = (t: tf.Tensor4D, name: string) => {
    if (!means) return;
    const m = tf.mean(t, 3);
    maps[name] = m.dataSync() as Float32Array;
    m.dispose();
  };
  const encodeOne = (img: GreyImage) => {
    const I = tf.tensor4d(img.data, [1, h, w, 1]);
    const e = encodeTf(I, p);
    I.dispose();
    return e;
  };
  const a = encodeOne(ir);
  meanOf(a.fb, 'fbIr'); meanOf(a.fd, 'fdIr');
  const b = encodeOne(vis);
  meanOf(b.fb, 'fbVis'); meanOf(b.fd, 'fdVis');
  const sum = (x: tf.Tensor4D, y: tf.Tensor4D) => { const s = tf.add(x, y) as tf.Tensor4D; x.dispose(); y.dispose(); return s; };
  const [F1, F2, Fb, Fd] = [sum(a.f1, b.f1), sum(a.f2, b.f2), sum(a.fb, b.fb), sum(a.fd, b.fd)];
  meanOf(Fb, 'Fb'); meanOf(Fd, 'Fd');
  const o1 = blockTf([Fb, Fd], p.cov5);
  tf.dispose([Fb, Fd]);
  const o2 = blockTf([o1, F2], p.cov6);
  tf.dispose([o1, F2]);
  const out = blockTf([o2, F1], p.cov7);
  tf.dispose([o2, F1]);
  const F = out.dataSync() as Float32Array;
  out.dispose();
  return means ? { F, maps } : { F };
}

/** DIDFuse behind the method interface; `load()` reads and checks the two weight files once. */
export const didfuse: FusionMethod = {
  info: DIDFUSE_INFO,
  async load(opts: LoadOptions = {}): Promise<Fuser> {
    checkOptions(DIDFUSE_INFO, opts, ['mode', 'engine', 'encoder', 'decoder']);
    if (opts.mode !== undefined && opts.mode !== 'sum') {
      throw new MethodError(`didfuse: mode must be 'sum' (the rule of the published results), got '${opts.mode}'`);
    }
    const engine = (opts.engine ?? 'auto') as Engine;
    if (!ENGINES.includes(engine)) throw new MethodError(`didfuse: engine must be one of ${ENGINES.join(', ')}, got '${opts.engine}'`);
    const str = (k: string) => (opts[k] === undefined ? undefined : String(opts[k]));
    const params: DidfuseParams = await loadDidfuseWeights({ weights: str('weights'), encoder: str('encoder'), decoder: str('decoder') });
    if (engine === 'native') convEngine(true);
    let tfParams: TfParams | undefined;
    const info: MethodInfo = { ...DIDFUSE_INFO, parameters: countDidfuseParameters(params) };
    return {
      info,
      async fuse(ir, vis, call = {}): Promise<FusionResult> {
        checkDidfusePair(ir, vis);
        const [h, w] = [ir.height, ir.width];
        const k = engine === 'tfjs' ? null : convEngine(engine === 'native');
        let F: Float32Array;
        let m: Record<string, Float32Array> | undefined;
        if (k) {
          const r = fuseSumNative(k, ir.data, vis.data, h, w, params, call.intermediates);
          F = r.F;
          m = r.means as unknown as Record<string, Float32Array> | undefined;
        } else {
          tfParams ??= toTfParams(params);
          const r = fuseSumTf(ir, vis, tfParams, call.intermediates);
          F = r.F;
          m = r.maps;
        }
        const result: FusionResult = { F: { width: w, height: h, data: F } };
        if (call.intermediates && m) {
          const img = (data: Float32Array): GreyImage => ({ width: w, height: h, data });
          const maps: NamedMap[] = [
            { name: 'base_ir', image: img(m.fbIr), description: 'base features fb of the infrared image (cov3, tanh), mean over the 64 channels' },
            { name: 'base_vis', image: img(m.fbVis), description: 'base features fb of the visible image, channel mean' },
            { name: 'detail_ir', image: img(m.fdIr), description: 'detail features fd of the infrared image (cov4, tanh), channel mean' },
            { name: 'detail_vis', image: img(m.fdVis), description: 'detail features fd of the visible image, channel mean' },
            { name: 'base_fused', image: img(m.Fb), description: 'Fb = fb_ir + fb_vis, channel mean' },
            { name: 'detail_fused', image: img(m.Fd), description: 'Fd = fd_ir + fd_vis, channel mean' },
          ];
          result.maps = maps;
        }
        return result;
      },
      dispose() { if (tfParams) disposeTfParams(tfParams); tfParams = undefined; },
    };
  },
};

