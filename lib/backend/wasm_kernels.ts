/**
 * Kernels that `@tensorflow/tfjs-backend-wasm` 4.22 lacks but AUIF training needs, built from
 * kernels the wasm backend does have, so that they run in XNNPACK at wasm speed instead of
 * failing with "Kernel 'X' not registered for backend 'wasm'".
 *
 * Which kernels are missing was found by running, on the wasm backend, the forward pass,
 * `tf.variableGrads` and an Adam step of a small model using every op of the training step
 * (conv2d 1→64 and 64→1, reflect `mirrorPad`, `reverse`, `transpose`, `concat`, `slice`, `split`,
 * `pad`, `prelu`, `sigmoid`, `moments`-based batch norm, `sqrt`, `div`, `square`, `mean`,
 * `clipByValue`, `abs`, `maximum`/`minimum`, `where`, a learnable depthwise conv and a depthwise
 * 3×3 Gaussian SSIM); see test/backend/wasm_kernels.test.ts. Of the kernels tfjs-cpu has and
 * tfjs-wasm lacks, only these three are reached:
 *
 * - `Conv2DBackpropFilter` — ∂conv2d/∂filter. For stride s (dilation 1, NHWC)
 *     dW[kh,kw,ci,co] = Σ_{n,y,x} xpad[n, y·s+kh, x·s+kw, ci] · dy[n,y,x,co],
 *   which is a *forward* conv2d with the batch axis playing the role of the channel axis:
 *   (A) the stride of the original conv becomes the dilation:
 *     conv2d(input  = transpose(x, [3,1,2,0])  : [Ci, H, W, N],
 *            filter = transpose(dy, [1,2,0,3]) : [Ho, Wo, N, Co],
 *            strides 1, dilations s, explicit pads)  → [Ci, KH, KW, Co] → transpose [1,2,0,3];
 *     the pads are (top, (Ho−1)·s+KH−H−top) and (left, (Wo−1)·s+KW−W−left), from
 *     `backend_util.computeConv2DInfo` of the original conv ('valid', 'same', a number or an
 *     explicit array); a negative bottom/right (rows the conv never reads, e.g. stride 2 'valid'
 *     on an even size) is sliced off instead.
 *   (B) stride 1 and Ci > Co (e.g. the 64→1 output layer): x is the filter and dy the input,
 *     so that XNNPACK's GEMM gets Ci (not 1) output channels — 2.6× faster for 64→1:
 *     conv2d(input  = transpose(dy, [3,1,2,0]) : [Co, Ho, Wo, N],
 *            filter = transpose(x, [1,2,0,3])  : [H, W, N, Ci],
 *            pads (KH−1−top, H−Ho+top), (KW−1−left, W−Wo+left))  → [Co, KH, KW, Ci], which is
 *     dW flipped in space: reverse [1,2], transpose [1,2,3,0].
 *
 * - `DepthwiseConv2dNativeBackpropFilter` — ∂depthwiseConv2d/∂filter, filter [KH,KW,C,M].
 *   Same identity, but each channel c only pairs with its own outputs c·M+m, so batch and
 *   channel are folded together and a depthwise conv does it without waste:
 *     depthwiseConv2d(input  = reshape(transpose(x, [1,2,0,3]), [1, H, W, N·C]),
 *                     filter = reshape(transpose(reshape(dy, [N,Ho,Wo,C,M]), [1,2,0,3,4]),
 *                                      [Ho, Wo, N·C, M]),
 *                     strides 1, dilations s, pads as in (A))  → [1, KH, KW, N·C·M]
 *   then sum over N (reshape [KH, KW, N, C·M], sum axis 2) → [KH, KW, C, M].
 *
 * - `DepthwiseConv2dNativeBackpropInput` — ∂depthwiseConv2d/∂x. The adjoint of a stride-s
 *   correlation is a stride-1 correlation of the zero-dilated dy with the spatially flipped filter
 *   (see {@link adjointCorrelation}):
 *     dx' = depthwiseConv2d(dilate_s(dy), reshape(reverse(W, [0,1]), [KH, KW, C·M, 1]),
 *           strides 1, pads top = KH−1−padTop, bottom = H+padTop−Ho·s (width alike)) → [N,H,W,C·M]
 *     dx  = sum over M (reshape [N, H, W, C, M], sum axis 4)          (no sum when M = 1).
 *
 * Opt-in, `registerWasmKernels({ replaceConv2DBackpropInput: true })`: the wasm backend *has*
 * `Conv2DBackpropInput` (∂conv2d/∂x), but as a plain C++ loop outside XNNPACK; for 64→64 3×3 on
 * [32,130,130,64] it takes ~11.5 s against ~1.1 s for the same identity as above with conv2d
 * (filter transpose(reverse(W, [0,1]), [0,1,3,2]) : [KH, KW, Co, Ci]); 64→1 1.2 s → 0.4 s,
 * stride 2 3.2 s → 1.2 s. It is not the default only because it replaces a registered kernel.
 *
 * All of them support NHWC only and dilations 1 (tfjs's own gradients of conv2d and
 * depthwiseConv2d refuse dilations ≠ 1 anyway); anything else throws a {@link WasmKernelError}.
 *
 * Implementation: a kernel function here calls the wasm backend's own kernel functions
 * (`tf.getKernel(name, 'wasm').kernelFunc`), the way tfjs-backend-wasm's kernels compose each
 * other. Their outputs are bare TensorInfos the engine does not track, so every intermediate is
 * released with `backend.disposeData` (which also frees the XNNPACK operator cached for a
 * filter). Reshapes are views (same dataId, new shape), never disposed separately.
 *
 * {@link registerWasmKernels} is idempotent and registers a kernel only when the wasm backend
 * has none of that name (a later tfjs-backend-wasm that ships its own keeps its own).
 */
import * as tf from '@tensorflow/tfjs-core';
import { backend_util } from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';

const BACKEND = 'wasm';

/** The part of tfjs-backend-wasm's `BackendWasm` used here. */
interface WasmBackendLike {
  disposeData(dataId: object, force?: boolean): boolean;
}

type Pads4 = [[number, number], [number, number], [number, number], [number, number]];

/** Error thrown by these kernels for an unsupported configuration. */
export class WasmKernelError extends Error {
  constructor(message: string) { super(message); this.name = 'WasmKernelError'; }
}

/**
 * Owns the intermediate TensorInfos produced while a composite kernel runs and disposes them
 * at the end, except the one handed back with {@link Scratch.keep}.
 */
class Scratch {
  private owned: TensorInfo[] = [];
  constructor(private readonly backend: WasmBackendLike) {}

  /** Runs the wasm backend's kernel `name`; the result is owned by this scratch. */
  run(name: string, inputs: NamedTensorInfoMap, attrs: NamedAttrMap = {}): TensorInfo {
    const kernel = tf.getKernel(name, BACKEND);
    if (!kernel) throw new WasmKernelError(`wasm_kernels: the wasm backend has no '${name}' kernel to build on`);
    const out = kernel.kernelFunc({ inputs, backend: this.backend, attrs });
    if (Array.isArray(out)) {
      for (const t of out) this.owned.push(t);
      throw new WasmKernelError(`wasm_kernels: kernel '${name}' returned several outputs`);
    }
    this.owned.push(out);
    return out;
  }

  /** Releases ownership of `t` (a tensor from {@link run} or a view of one) and returns it. */
  keep(t: TensorInfo): TensorInfo {
    const i = this.owned.findIndex((o) => o.dataId === t.dataId);
    if (i < 0) throw new WasmKernelError('wasm_kernels: internal error, result is not a fresh tensor');
    this.owned.splice(i, 1);
    return t;
  }

  dispose(): void {
    for (const t of this.owned) this.backend.disposeData(t.dataId);
    this.owned = [];
  }
}

/** A reshape that shares the data (no copy, no refcount: never dispose a view itself). */
function view(t: TensorInfo, shape: number[]): TensorInfo {
  const size = shape.reduce((a, b) => a * b, 1);
  const have = t.shape.reduce((a, b) => a * b, 1);
  if (size !== have) throw new WasmKernelError(`wasm_kernels: internal error, cannot view [${t.shape}] as [${shape}]`);
  return { dataId: t.dataId, shape, dtype: t.dtype };
}

/**
 * Transpose through the wasm kernel, or a view when the permutation only moves size-1 axes
 * (then the memory order is unchanged).
 */
function transpose(s: Scratch, x: TensorInfo, perm: number[]): TensorInfo {
  const shape = perm.map((p) => x.shape[p]);
  const moved = perm.filter((p) => x.shape[p] !== 1);
  if (moved.every((p, i) => i === 0 || moved[i - 1] < p)) return view(x, shape);
  return s.run('Transpose', { x }, { perm });
}

/**
 * Makes the spatial pads of an NHWC tensor non-negative: a negative pad means "drop that many
 * rows/columns", done with a Slice. Returns the (maybe cropped) tensor and the explicit pads
 * left for the convolution.
 */
function cropNegativePads(
  s: Scratch, x: TensorInfo, top: number, bottom: number, left: number, right: number,
): { x: TensorInfo; pads: Pads4 } {
  const pads: Pads4 = [[0, 0], [Math.max(top, 0), Math.max(bottom, 0)], [Math.max(left, 0), Math.max(right, 0)], [0, 0]];
  if (top >= 0 && bottom >= 0 && left >= 0 && right >= 0) return { x, pads };
  const [n, h, w, c] = x.shape;
  const t0 = Math.max(-top, 0), l0 = Math.max(-left, 0);
  const hh = h - t0 - Math.max(-bottom, 0), ww = w - l0 - Math.max(-right, 0);
  if (hh <= 0 || ww <= 0) {
    throw new WasmKernelError(`wasm_kernels: padding [${top},${bottom},${left},${right}] leaves nothing of a ${h}×${w} input`);
  }
  return { x: s.run('Slice', { x }, { begin: [0, t0, l0, 0], size: [n, hh, ww, c] }), pads };
}

function ones(v: number | number[] | undefined): boolean {
  if (v == null) return true;
  return (Array.isArray(v) ? v : [v]).every((d) => d === 1);
}

function checkNHWC(kernel: string, dataFormat: unknown): void {
  if (dataFormat != null && dataFormat !== 'NHWC' && dataFormat !== 'channelsLast') {
    throw new WasmKernelError(`${kernel} on wasm (auif-ts wasm_kernels): dataFormat '${String(dataFormat)}' is not supported; use 'NHWC'`);
  }
}

function checkDilations(kernel: string, dilations: unknown): void {
  if (!ones(dilations as number | number[] | undefined)) {
    throw new WasmKernelError(`${kernel} on wasm (auif-ts wasm_kernels): dilations ${JSON.stringify(dilations)} are not supported; only 1`);
  }
}

function checkShape(kernel: string, what: string, got: number[], want: number[]): void {
  if (got.length !== want.length || got.some((d, i) => d !== want[i])) {
    throw new WasmKernelError(`${kernel}: ${what} has shape [${got}], expected [${want}]`);
  }
}

type ConvInfo = ReturnType<typeof backend_util.computeConv2DInfo>;

/** Pads (top, bottom, left, right) of xpad so that it holds exactly (Ho−1)·s+K rows/columns. */
function filterGradPads(info: ConvInfo): [number, number, number, number] {
  const top = info.padInfo.top, left = info.padInfo.left;
  const bottom = (info.outHeight - 1) * info.strideHeight + info.filterHeight - info.inHeight - top;
  const right = (info.outWidth - 1) * info.strideWidth + info.filterWidth - info.inWidth - left;
  return [top, bottom, left, right];
}

/**
 * The adjoint of a strided correlation, as a stride-1 forward correlation (`kernel` = 'Conv2D' or
 * 'DepthwiseConv2dNative') of the zero-dilated dy with an already flipped filter:
 * dy [N,Ho,Wo,C'] gets s−1 zeros after every row/column (reshape to [N,Ho,1,Wo,1,C'], PadV2 the
 * unit axes to s, reshape to [N, Ho·s, Wo·s, C']), then is correlated with pads
 * top = KH−1−padTop, bottom = H+padTop−Ho·s (width alike) so that the result is [N, H, W, ·].
 */
function adjointCorrelation(
  s: Scratch, dy: TensorInfo, flipped: TensorInfo, info: ConvInfo, kernel: 'Conv2D' | 'DepthwiseConv2dNative',
): TensorInfo {
  const { batchSize: n, inHeight: h, inWidth: w, filterHeight: kh, filterWidth: kw } = info;
  const { outHeight: ho, outWidth: wo, strideHeight: sh, strideWidth: sw } = info;
  const c = dy.shape[3];
  let dyd = dy;
  if (sh > 1 || sw > 1) {
    const padded = s.run('PadV2', { x: view(dy, [n, ho, 1, wo, 1, c]) }, {
      paddings: [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]], constantValue: 0,
    });
    dyd = view(padded, [n, ho * sh, wo * sw, c]);
  }
  const top = kh - 1 - info.padInfo.top, left = kw - 1 - info.padInfo.left;
  const bottom = h + info.padInfo.top - ho * sh, right = w + info.padInfo.left - wo * sw;
  const crop = cropNegativePads(s, dyd, top, bottom, left, right);
  const attrs: NamedAttrMap = { strides: [1, 1], pad: crop.pads, dilations: [1, 1], dimRoundingMode: undefined as unknown as string };
  if (kernel === 'Conv2D') attrs.dataFormat = 'NHWC';
  const out = s.run(kernel, { x: crop.x, filter: flipped }, attrs);
  checkShape(kernel, 'internal adjoint result', out.shape.slice(0, 3), [n, h, w]);
  return out;
}

/** Conv2DBackpropFilter: inputs {x, dy}, attrs {strides, pad, dataFormat, dimRoundingMode, filterShape}. */
const conv2DBackpropFilter: KernelFunc = ({ inputs, backend, attrs }) => {
  const name = 'Conv2DBackpropFilter';
  const x = inputs.x as TensorInfo, dy = inputs.dy as TensorInfo;
  const a = (attrs ?? {}) as unknown as tf.Conv2DBackpropFilterAttrs;
  checkNHWC(name, a.dataFormat);
  checkDilations(name, (a as unknown as { dilations?: number | number[] }).dilations);
  const info = backend_util.computeConv2DInfo(x.shape as [number, number, number, number],
    a.filterShape, a.strides, 1, a.pad, a.dimRoundingMode, false, 'channelsLast');
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci, outChannels: co, filterHeight: kh, filterWidth: kw } = info;
  const { outHeight: ho, outWidth: wo, strideHeight: sh, strideWidth: sw } = info;
  checkShape(name, 'dy', dy.shape, [n, ho, wo, co]);
  const top = info.padInfo.top, left = info.padInfo.left;

  const s = new Scratch(backend as WasmBackendLike);
  try {
    // (B) stride 1 and Ci > Co: x is the filter, dy the input, so that the GEMM's N is Ci.
    const pT = kh - 1 - top, pB = h - ho + top, pL = kw - 1 - left, pR = w - wo + left;
    if (sh === 1 && sw === 1 && ci > co && pT >= 0 && pB >= 0 && pL >= 0 && pR >= 0) {
      const dyT = transpose(s, dy, [3, 1, 2, 0]); // [Co, Ho, Wo, N]
      const xT = transpose(s, x, [1, 2, 0, 3]); // [H, W, N, Ci]
      const out = s.run('Conv2D', { x: dyT, filter: xT }, {
        strides: [1, 1], pad: [[0, 0], [pT, pB], [pL, pR], [0, 0]], dilations: [1, 1],
        dataFormat: 'NHWC', dimRoundingMode: undefined as unknown as string,
      }); // [Co, KH, KW, Ci], spatially flipped
      checkShape(name, 'internal conv result', out.shape, [co, kh, kw, ci]);
      const unflipped = s.run('Reverse', { x: out }, { dims: [1, 2] });
      return s.keep(transpose(s, unflipped, [1, 2, 3, 0])); // [KH, KW, Ci, Co]
    }
    // (A) batch ↔ channels, stride → dilation.
    const bottom = (ho - 1) * sh + kh - h - top, right = (wo - 1) * sw + kw - w - left;
    const crop = cropNegativePads(s, x, top, bottom, left, right);
    const xT = transpose(s, crop.x, [3, 1, 2, 0]); // [Ci, H, W, N]
    const dyT = transpose(s, dy, [1, 2, 0, 3]); // [Ho, Wo, N, Co]
    const out = s.run('Conv2D', { x: xT, filter: dyT }, {
      strides: [1, 1], pad: crop.pads, dilations: [sh, sw],
      dataFormat: 'NHWC', dimRoundingMode: undefined as unknown as string,
    }); // [Ci, KH, KW, Co]
    checkShape(name, 'internal conv result', out.shape, [ci, kh, kw, co]);
    return s.keep(transpose(s, out, [1, 2, 0, 3])); // [KH, KW, Ci, Co]
  } finally {
    s.dispose();
  }
};

/** DepthwiseConv2dNativeBackpropFilter: inputs {x, dy}, attrs {strides, dilations, pad, dimRoundingMode, filterShape}. */
const depthwiseBackpropFilter: KernelFunc = ({ inputs, backend, attrs }) => {
  const name = 'DepthwiseConv2dNativeBackpropFilter';
  const x = inputs.x as TensorInfo, dy = inputs.dy as TensorInfo;
  const a = (attrs ?? {}) as unknown as tf.DepthwiseConv2dNativeBackpropFilterAttrs;
  checkDilations(name, a.dilations);
  const info = backend_util.computeConv2DInfo(x.shape as [number, number, number, number],
    a.filterShape, a.strides, 1, a.pad, a.dimRoundingMode, true);
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: c, outChannels: cm, filterHeight: kh, filterWidth: kw } = info;
  const { outHeight: ho, outWidth: wo, strideHeight: sh, strideWidth: sw } = info;
  const m = a.filterShape[3];
  checkShape(name, 'dy', dy.shape, [n, ho, wo, cm]);
  const top = info.padInfo.top, left = info.padInfo.left;
  const bottom = (ho - 1) * sh + kh - h - top, right = (wo - 1) * sw + kw - w - left;

  const s = new Scratch(backend as WasmBackendLike);
  try {
    const crop = cropNegativePads(s, x, top, bottom, left, right);
    const [, hc, wc] = crop.x.shape;
    const xr = view(transpose(s, crop.x, [1, 2, 0, 3]), [1, hc, wc, n * c]); // channel index n·C + c
    const dyr = view(transpose(s, view(dy, [n, ho, wo, c, m]), [1, 2, 0, 3, 4]), [ho, wo, n * c, m]);
    const out = s.run('DepthwiseConv2dNative', { x: xr, filter: dyr }, {
      strides: [1, 1], pad: crop.pads, dilations: [sh, sw], dimRoundingMode: undefined as unknown as string,
    }); // [1, KH, KW, N·C·M]
    checkShape(name, 'internal conv result', out.shape, [1, kh, kw, n * cm]);
    if (n === 1) return s.keep(view(out, [kh, kw, c, m]));
    const summed = s.run('Sum', { x: view(out, [kh, kw, n, cm]) }, { axis: [2], keepDims: false });
    return s.keep(view(summed, [kh, kw, c, m]));
  } finally {
    s.dispose();
  }
};

/** DepthwiseConv2dNativeBackpropInput: inputs {dy, filter}, attrs {strides, dilations, pad, dimRoundingMode, inputShape}. */
const depthwiseBackpropInput: KernelFunc = ({ inputs, backend, attrs }) => {
  const name = 'DepthwiseConv2dNativeBackpropInput';
  const dy = inputs.dy as TensorInfo, filter = inputs.filter as TensorInfo;
  const a = (attrs ?? {}) as unknown as tf.DepthwiseConv2dNativeBackpropInputAttrs;
  checkDilations(name, a.dilations);
  const info = backend_util.computeConv2DInfo(a.inputShape, filter.shape as [number, number, number, number],
    a.strides, 1, a.pad, a.dimRoundingMode, true);
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: c, outChannels: cm, filterHeight: kh, filterWidth: kw } = info;
  const m = filter.shape[3];
  checkShape(name, 'dy', dy.shape, [n, info.outHeight, info.outWidth, cm]);

  const s = new Scratch(backend as WasmBackendLike);
  try {
    const flipped = view(s.run('Reverse', { x: filter }, { dims: [0, 1] }), [kh, kw, cm, 1]);
    const out = adjointCorrelation(s, dy, flipped, info, 'DepthwiseConv2dNative'); // [N, H, W, C·M]
    if (m === 1) return s.keep(out);
    return s.keep(s.run('Sum', { x: view(out, [n, h, w, c, m]) }, { axis: [4], keepDims: false }));
  } finally {
    s.dispose();
  }
};

/**
 * Conv2DBackpropInput through XNNPACK (opt-in replacement of the wasm backend's own kernel, see
 * {@link registerWasmKernels}): a stride-1 conv2d of the zero-dilated dy with the flipped,
 * in/out-swapped filter transpose(reverse(W, [0,1]), [0,1,3,2]) : [KH, KW, Co, Ci].
 * Inputs {dy, filter}, attrs {strides, pad, dataFormat, dimRoundingMode, inputShape}.
 */
const conv2DBackpropInput: KernelFunc = ({ inputs, backend, attrs }) => {
  const name = 'Conv2DBackpropInput';
  const dy = inputs.dy as TensorInfo, filter = inputs.filter as TensorInfo;
  const a = (attrs ?? {}) as unknown as tf.Conv2DBackpropInputAttrs;
  checkNHWC(name, a.dataFormat);
  const info = backend_util.computeConv2DInfo(a.inputShape, filter.shape as [number, number, number, number],
    a.strides, 1, a.pad, a.dimRoundingMode, false, 'channelsLast');
  checkShape(name, 'dy', dy.shape, [info.batchSize, info.outHeight, info.outWidth, info.outChannels]);

  const s = new Scratch(backend as WasmBackendLike);
  try {
    const flipped = transpose(s, s.run('Reverse', { x: filter }, { dims: [0, 1] }), [0, 1, 3, 2]);
    return s.keep(adjointCorrelation(s, dy, flipped, info, 'Conv2D')); // [N, H, W, Ci]
  } finally {
    s.dispose();
  }
};

/** The kernels this module adds to the wasm backend (each only where the backend has none). */
export const WASM_EXTRA_KERNELS: readonly { kernelName: string; kernelFunc: KernelFunc }[] = [
  { kernelName: 'Conv2DBackpropFilter', kernelFunc: conv2DBackpropFilter },
  { kernelName: 'DepthwiseConv2dNativeBackpropFilter', kernelFunc: depthwiseBackpropFilter },
  { kernelName: 'DepthwiseConv2dNativeBackpropInput', kernelFunc: depthwiseBackpropInput },
];

/** Kernels the wasm backend has, but slowly, that {@link registerWasmKernels} can replace. */
export const WASM_REPLACEMENT_KERNELS: readonly { kernelName: string; kernelFunc: KernelFunc }[] = [
  { kernelName: 'Conv2DBackpropInput', kernelFunc: conv2DBackpropInput },
];

export interface RegisterWasmKernelsOptions {
  /**
   * Also replace the wasm backend's own `Conv2DBackpropInput` (a plain C++ loop, not XNNPACK;
   * ~10× slower than a forward conv for 64→64 channels) by the XNNPACK composition above.
   * Default false.
   */
  replaceConv2DBackpropInput?: boolean;
}

/**
 * Registers, for backend 'wasm', each kernel of {@link WASM_EXTRA_KERNELS} that is not already
 * registered (and, with `replaceConv2DBackpropInput`, swaps in {@link WASM_REPLACEMENT_KERNELS}).
 * Idempotent. Call it after importing '@tensorflow/tfjs-backend-wasm', before or after
 * `tf.setBackend('wasm')`.
 */
export function registerWasmKernels(opts: RegisterWasmKernelsOptions = {}): void {
  for (const k of WASM_EXTRA_KERNELS) {
    if (tf.getKernel(k.kernelName, BACKEND)) continue;
    tf.registerKernel({ kernelName: k.kernelName, backendName: BACKEND, kernelFunc: k.kernelFunc });
  }
  if (opts.replaceConv2DBackpropInput) {
    for (const k of WASM_REPLACEMENT_KERNELS) {
      const existing = tf.getKernel(k.kernelName, BACKEND);
      if (existing?.kernelFunc === k.kernelFunc) continue;
      const config: KernelConfig = { kernelName: k.kernelName, backendName: BACKEND, kernelFunc: k.kernelFunc };
      if (existing) tf.unregisterKernel(k.kernelName, BACKEND);
      tf.registerKernel(config);
    }
  }
}
