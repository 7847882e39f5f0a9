/**
 * DIDFuse's auto-encoder on the native convolution addon (`native/conv_kernels.cc`), on planar
 * c × h × w float32 maps. The same blocks as the tfjs path (`network_tf.ts`), reference
 * `README.md` §1 in this folder:
 *
 *   encoder:  f1 = cov1(I), f2 = cov2(f1), fb = cov3(f2), fd = cov4(f2)
 *   decoder:  o1 = cov5([Fb, Fd]), o2 = cov6([o1, F2]), out = cov7([o2, F1])
 *
 * Each block is one call: conv 3×3 + bias, folded BN, activation, all threaded over row strips.
 */
import type { ConvKernels } from '../../kernels/native.js';
import type { ConvBlock, DidfuseParams } from './params.js';

const ACT = { prelu: 1, tanh: 2, sigmoid: 3 } as const;

/** out (+)= block(inputs): `inputs` planar, concatenated along the channels. */
export function blockNative(k: ConvKernels, inputs: Float32Array[], h: number, w: number, b: ConvBlock, out?: Float32Array, accumulate = false): Float32Array {
  const dst = out ?? new Float32Array(b.cout * h * w);
  k.conv3x3(inputs, h, w, b.weight, b.bias, b.scale, b.shift, ACT[b.activation], b.alpha, b.reflect, dst, accumulate);
  return dst;
}

/** The encoder's four maps of one grey image (h × w plane). */
export function encodeNative(k: ConvKernels, I: Float32Array, h: number, w: number, p: DidfuseParams) {
  const f1 = blockNative(k, [I], h, w, p.cov1);
  const f2 = blockNative(k, [f1], h, w, p.cov2);
  return { f1, f2, fb: blockNative(k, [f2], h, w, p.cov3), fd: blockNative(k, [f2], h, w, p.cov4) };
}

/** The decoder on fused maps. */
export function decodeNative(k: ConvKernels, F1: Float32Array, F2: Float32Array, Fb: Float32Array, Fd: Float32Array, h: number, w: number, p: DidfuseParams) {
  const o1 = blockNative(k, [Fb, Fd], h, w, p.cov5);
  const o2 = blockNative(k, [o1, F2], h, w, p.cov6);
  return { o1, o2, out: blockNative(k, [o2, F1], h, w, p.cov7) };
}

/** a += b, element-wise. */
export function addInto(a: Float32Array, b: Float32Array): void {
  for (let i = 0; i < a.length; i++) a[i] += b[i];
}

/** Mean over the channels of a planar c × n map: one n-plane. */
export function channelMean(x: Float32Array, c: number, n: number): Float32Array {
  const acc = new Float64Array(n);
  for (let ch = 0; ch < c; ch++) {
    const o = ch * n;
    for (let i = 0; i < n; i++) acc[i] += x[o + i];
  }
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = acc[i] / c;
  return out;
}

/** Channel means of the base/detail features, for figures. */
export interface FeatureMeans { fbIr: Float32Array; fdIr: Float32Array; fbVis: Float32Array; fdVis: Float32Array; Fb: Float32Array; Fd: Float32Array }

/**
 * The published test-time rule ('Sum', reference §2) with six full-size 64-channel maps at most:
 *
 *   F1 = f1_ir + f1_vis,  F2 = f2_ir + f2_vis,  Fb = fb_ir + fb_vis,  Fd = fd_ir + fd_vis
 *   F = decoder(F1, F2, Fb, Fd)
 *
 * The IR maps are written where the sums go and the VIS ones added on (cov3/cov4 accumulate in
 * the kernel); with `means` the VIS base/detail maps are kept apart long enough to average them.
 */
export function fuseSumNative(k: ConvKernels, ir: Float32Array, vis: Float32Array, h: number, w: number, p: DidfuseParams, means = false): { F: Float32Array; means?: FeatureMeans } {
  const n = h * w;
  const F1 = blockNative(k, [ir], h, w, p.cov1);
  const F2 = blockNative(k, [F1], h, w, p.cov2);
  const Fb = blockNative(k, [F2], h, w, p.cov3);
  const Fd = blockNative(k, [F2], h, w, p.cov4);
  const T1 = blockNative(k, [vis], h, w, p.cov1);
  const T2 = blockNative(k, [T1], h, w, p.cov2);
  let m: FeatureMeans | undefined;
  if (means) {
    const fbIr = channelMean(Fb, 64, n), fdIr = channelMean(Fd, 64, n);
    const fbVis = channelMean(blockNative(k, [T2], h, w, p.cov3, T1), 64, n); // T1 reused as scratch, re-made below
    addInto(Fb, T1);
    const fdVis = channelMean(blockNative(k, [T2], h, w, p.cov4, T1), 64, n);
    addInto(Fd, T1);
    blockNative(k, [vis], h, w, p.cov1, T1);
    m = { fbIr, fdIr, fbVis, fdVis, Fb: channelMean(Fb, 64, n), Fd: channelMean(Fd, 64, n) };
  } else {
    blockNative(k, [T2], h, w, p.cov3, Fb, true);
    blockNative(k, [T2], h, w, p.cov4, Fd, true);
  }
  addInto(F1, T1);
  addInto(F2, T2);
  const o1 = blockNative(k, [Fb, Fd], h, w, p.cov5, T1);
  const o2 = blockNative(k, [o1, F2], h, w, p.cov6, T2);
  return { F: blockNative(k, [o2, F1], h, w, p.cov7), means: m };
}
