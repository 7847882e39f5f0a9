/**
 * lib/backend/wasm_kernels.ts: the kernels added to the wasm backend agree with tfjs-cpu, the
 * gradient (and an Adam step) of a small model using every op of the AUIF training step is the
 * same on wasm as on cpu, and nothing leaks.
 *
 * Tolerances: a kernel's output, max |wasm − cpu| ≤ 1e-4 · max |cpu|; the model's loss,
 * gradients and Adam-updated parameters, the same, 1e-4 relative to each tensor's scale.
 * The test restores the backend (and the wasm Conv2DBackpropInput kernel) it found.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs'; // registers the gradient functions (tfjs-core's Node bundle has none), as lib/backend/select.ts does
import '@tensorflow/tfjs-backend-wasm';
import {
  registerWasmKernels, WASM_EXTRA_KERNELS, WASM_REPLACEMENT_KERNELS, WasmKernelError,
} from '../../lib/backend/wasm_kernels.js';

const TOL = 1e-4;
const t = suite('backend/wasm_kernels');

let previousBackend: string | undefined;
let originalBackpropInput: tf.KernelConfig | undefined;

t.before(async () => {
  previousBackend = tf.getBackend() as string | undefined;
  originalBackpropInput = tf.getKernel('Conv2DBackpropInput', 'wasm');
  registerWasmKernels();
  if (!(await tf.setBackend('wasm'))) throw new Error('wasm backend failed to initialise');
  await tf.ready();
});

t.after(async () => {
  restoreBackpropInput();
  await tf.setBackend(previousBackend ?? 'cpu');
});

/** Puts the wasm backend's own Conv2DBackpropInput back (after the opt-in replacement). */
function restoreBackpropInput(): void {
  if (!originalBackpropInput) return;
  if (tf.getKernel('Conv2DBackpropInput', 'wasm')?.kernelFunc === originalBackpropInput.kernelFunc) return;
  tf.unregisterKernel('Conv2DBackpropInput', 'wasm');
  tf.registerKernel(originalBackpropInput);
}

/** Deterministic uniform values in [lo, hi) (independent of the backend). */
function rand(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  let s = (seed * 2654435761) >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    out[i] = lo + (hi - lo) * (s / 4294967296);
  }
  return out;
}

const size = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);

/** max |a − b| / max |b|, b the cpu reference. */
function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.is(a.length, b.length, 'same length');
  let d = 0, s = 0;
  for (let i = 0; i < b.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    s = Math.max(s, Math.abs(b[i]));
  }
  return s === 0 ? d : d / s;
}

interface Out { shape: number[]; data: Float32Array }

/** Runs `f` on backend `name` inside a tidy and downloads its result. */
async function on(name: string, f: () => tf.Tensor): Promise<Out> {
  await tf.setBackend(name);
  return tf.tidy(() => {
    const r = f();
    return { shape: r.shape, data: r.dataSync() as Float32Array };
  });
}

/** The same computation on cpu and on wasm; returns the relative error (shapes must agree). */
async function cpuVsWasm(what: string, f: () => tf.Tensor): Promise<number> {
  const ref = await on('cpu', f);
  const got = await on('wasm', f);
  assert.equal(got.shape, ref.shape, `${what}: shape`);
  return relErr(got.data, ref.data);
}

type Pad = 'valid' | 'same' | number | [[number, number], [number, number], [number, number], [number, number]];
interface Case { x: [number, number, number, number]; k: [number, number]; co: number; stride: number; pad: Pad }

// Odd and even sizes, batch 1..4, one and several channels both ways (Ci > Co takes the other
// formulation of Conv2DBackpropFilter), stride 1 and 2, 'valid', 'same', numeric and explicit pads
// (incl. ones that leave input rows unread, which the kernels crop), 1×1 and non-square kernels.
// (Numeric pads only with square kernels: tfjs computes their output size from the kernel height.)
const CASES: Case[] = [
  { x: [2, 7, 9, 3], k: [3, 3], co: 4, stride: 1, pad: 'valid' },
  { x: [2, 7, 9, 5], k: [3, 3], co: 2, stride: 1, pad: 'valid' },
  { x: [3, 8, 11, 6], k: [3, 3], co: 1, stride: 1, pad: 'same' },
  { x: [2, 7, 9, 5], k: [3, 3], co: 2, stride: 2, pad: 'same' },
  { x: [2, 8, 6, 3], k: [3, 3], co: 4, stride: 2, pad: 'valid' },
  { x: [2, 7, 8, 1], k: [3, 3], co: 8, stride: 2, pad: 'same' },
  { x: [1, 6, 6, 1], k: [3, 3], co: 5, stride: 2, pad: 'valid' },
  { x: [4, 13, 10, 8], k: [3, 3], co: 16, stride: 1, pad: 'same' },
  { x: [2, 10, 10, 16], k: [3, 3], co: 1, stride: 1, pad: 'valid' },
  { x: [3, 5, 5, 2], k: [3, 3], co: 2, stride: 1, pad: [[0, 0], [2, 1], [0, 3], [0, 0]] },
  { x: [3, 5, 7, 4], k: [3, 3], co: 2, stride: 2, pad: [[0, 0], [1, 0], [2, 2], [0, 0]] },
  { x: [2, 9, 9, 4], k: [3, 3], co: 3, stride: 1, pad: 1 },
  { x: [2, 9, 9, 4], k: [2, 2], co: 3, stride: 2, pad: 1 },
  { x: [2, 9, 9, 2], k: [3, 2], co: 3, stride: 2, pad: 'same' },
  { x: [2, 9, 7, 3], k: [2, 3], co: 2, stride: 1, pad: 'valid' },
  { x: [3, 6, 5, 2], k: [1, 1], co: 2, stride: 2, pad: 'valid' },
  { x: [2, 3, 3, 2], k: [1, 1], co: 2, stride: 2, pad: 'valid' },
];
const label = (c: Case): string => `x [${c.x}] k ${c.k.join('×')} → ${c.co}, stride ${c.stride}, pad ${JSON.stringify(c.pad)}`;

function outShape(c: Case, depthwiseMultiplier?: number): number[] {
  // Shape inference only (cheap, on whichever backend is active).
  return tf.tidy(() => {
    const x = tf.zeros(c.x) as tf.Tensor4D;
    if (depthwiseMultiplier) return tf.depthwiseConv2d(x, tf.zeros([...c.k, c.x[3], depthwiseMultiplier]) as tf.Tensor4D, c.stride, c.pad).shape;
    return tf.conv2d(x, tf.zeros([...c.k, c.x[3], c.co]) as tf.Tensor4D, c.stride, c.pad).shape;
  });
}

function report(name: string, worst: number): void {
  console.log(`    ${name}: max |wasm − cpu| / scale = ${worst.toExponential(2)} (tolerance ${TOL})`);
}

t('registerWasmKernels registers the missing kernels, only once, and leaves the others alone', () => {
  const before = new Map(tf.getKernelsForBackend('wasm').map((k) => [k.kernelName, k.kernelFunc]));
  for (const k of WASM_EXTRA_KERNELS) {
    assert.ok(tf.getKernel(k.kernelName, 'cpu'), `${k.kernelName} is a real tfjs kernel`);
    assert.is(tf.getKernel(k.kernelName, 'wasm')?.kernelFunc, k.kernelFunc, `${k.kernelName} registered`);
  }
  registerWasmKernels();
  registerWasmKernels();
  const after = tf.getKernelsForBackend('wasm');
  assert.is(after.length, before.size);
  for (const k of after) assert.is(k.kernelFunc, before.get(k.kernelName), `${k.kernelName} unchanged`);
  // Without the option the native Conv2DBackpropInput stays.
  assert.is(tf.getKernel('Conv2DBackpropInput', 'wasm')?.kernelFunc, originalBackpropInput?.kernelFunc);
});

t('Conv2DBackpropFilter: wasm = cpu', async () => {
  let worst = 0;
  for (const [i, c] of CASES.entries()) {
    const fs: [number, number, number, number] = [...c.k, c.x[3], c.co];
    const dyShape = outShape(c);
    const xv = rand(size(c.x), 10 + i), dyv = rand(size(dyShape), 20 + i);
    const err = await cpuVsWasm(label(c), () => tf.engine().runKernel('Conv2DBackpropFilter',
      { x: tf.tensor(xv, c.x), dy: tf.tensor(dyv, dyShape) },
      { strides: c.stride, pad: c.pad, dataFormat: 'NHWC', filterShape: fs } as unknown as tf.NamedAttrMap) as tf.Tensor);
    assert.ok(err <= TOL, `${label(c)}: rel err ${err}`);
    worst = Math.max(worst, err);
  }
  // The public op path (tf.grad of conv2d w.r.t. its filter) too.
  const c = CASES[7];
  const xv = rand(size(c.x), 1), wv = rand(9 * c.x[3] * c.co, 2);
  const err = await cpuVsWasm('tf.grad', () => tf.grad((w: tf.Tensor) => tf.sum(tf.square(
    tf.conv2d(tf.tensor4d(xv, c.x), w as tf.Tensor4D, 2, 'same'))))(tf.tensor4d(wv, [3, 3, c.x[3], c.co])));
  assert.ok(err <= TOL, `tf.grad: rel err ${err}`);
  report('Conv2DBackpropFilter', Math.max(worst, err));
});

t('DepthwiseConv2dNativeBackpropFilter: wasm = cpu (channel multiplier 1 and 2)', async () => {
  let worst = 0;
  for (const [i, c] of CASES.entries()) {
    for (const m of [1, 2]) {
      const fs: [number, number, number, number] = [...c.k, c.x[3], m];
      const dyShape = outShape(c, m);
      const xv = rand(size(c.x), 30 + i), dyv = rand(size(dyShape), 40 + i);
      const err = await cpuVsWasm(`${label(c)} ×${m}`, () => tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter',
        { x: tf.tensor(xv, c.x), dy: tf.tensor(dyv, dyShape) },
        { strides: c.stride, pad: c.pad, dilations: 1, filterShape: fs } as unknown as tf.NamedAttrMap) as tf.Tensor);
      assert.ok(err <= TOL, `${label(c)} ×${m}: rel err ${err}`);
      worst = Math.max(worst, err);
    }
  }
  report('DepthwiseConv2dNativeBackpropFilter', worst);
});

t('DepthwiseConv2dNativeBackpropInput: wasm = cpu (channel multiplier 1 and 2)', async () => {
  let worst = 0;
  for (const [i, c] of CASES.entries()) {
    for (const m of [1, 2]) {
      const fs: [number, number, number, number] = [...c.k, c.x[3], m];
      const dyShape = outShape(c, m);
      const fv = rand(size(fs), 50 + i), dyv = rand(size(dyShape), 60 + i);
      const err = await cpuVsWasm(`${label(c)} ×${m}`, () => tf.engine().runKernel('DepthwiseConv2dNativeBackpropInput',
        { dy: tf.tensor(dyv, dyShape), filter: tf.tensor(fv, fs) },
        { strides: c.stride, pad: c.pad, dilations: 1, inputShape: c.x } as unknown as tf.NamedAttrMap) as tf.Tensor);
      assert.ok(err <= TOL, `${label(c)} ×${m}: rel err ${err}`);
      worst = Math.max(worst, err);
    }
  }
  report('DepthwiseConv2dNativeBackpropInput', worst);
});

t('opt-in XNNPACK Conv2DBackpropInput: wasm = cpu, idempotent, restorable', async () => {
  registerWasmKernels({ replaceConv2DBackpropInput: true });
  registerWasmKernels({ replaceConv2DBackpropInput: true });
  try {
    assert.is(tf.getKernel('Conv2DBackpropInput', 'wasm')?.kernelFunc, WASM_REPLACEMENT_KERNELS[0].kernelFunc);
    let worst = 0;
    for (const [i, c] of CASES.entries()) {
      const fs: [number, number, number, number] = [...c.k, c.x[3], c.co];
      const dyShape = outShape(c);
      const fv = rand(size(fs), 70 + i), dyv = rand(size(dyShape), 80 + i);
      const err = await cpuVsWasm(label(c), () => tf.engine().runKernel('Conv2DBackpropInput',
        { dy: tf.tensor(dyv, dyShape), filter: tf.tensor(fv, fs) },
        { strides: c.stride, pad: c.pad, dataFormat: 'NHWC', inputShape: c.x } as unknown as tf.NamedAttrMap) as tf.Tensor);
      assert.ok(err <= TOL, `${label(c)}: rel err ${err}`);
      worst = Math.max(worst, err);
    }
    report('Conv2DBackpropInput (replacement)', worst);
  } finally {
    restoreBackpropInput();
  }
  assert.is(tf.getKernel('Conv2DBackpropInput', 'wasm')?.kernelFunc, originalBackpropInput?.kernelFunc);
});

t('unsupported configurations throw a clear error', async () => {
  await tf.setBackend('wasm');
  const x = tf.zeros([1, 6, 6, 2]), dy = tf.zeros([1, 4, 4, 3]);
  assert.throws(() => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy },
    { strides: 1, pad: 'valid', dataFormat: 'NCHW', filterShape: [3, 3, 2, 3] } as unknown as tf.NamedAttrMap),
  (e: Error) => e instanceof WasmKernelError && /NCHW.*not supported/.test(e.message));
  assert.throws(() => tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', { x, dy: tf.zeros([1, 2, 2, 2]) },
    { strides: 1, pad: 'valid', dilations: 2, filterShape: [3, 3, 2, 1] } as unknown as tf.NamedAttrMap),
  (e: Error) => e instanceof WasmKernelError && /dilations/.test(e.message));
  assert.throws(() => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy: tf.zeros([1, 5, 4, 3]) },
    { strides: 1, pad: 'valid', dataFormat: 'NHWC', filterShape: [3, 3, 2, 3] } as unknown as tf.NamedAttrMap),
  (e: Error) => e instanceof WasmKernelError && /dy has shape/.test(e.message));
  tf.dispose([x, dy]);
});

// ---------------------------------------------------------------------------------------------
// A small model using every op of the training step.

const N = 2, H = 9, W = 11, C = 64;
const PARAM_SHAPES: Record<string, number[]> = {
  dw: [3, 3, 2, 1], w1: [3, 3, 1, C], gamma: [C], beta: [C], alpha: [1], w2: [3, 3, C, 1],
};
const PARAM_INIT: Record<string, Float32Array> = {
  dw: rand(18, 101, 0, 0.2), w1: rand(9 * C, 102, -0.3, 0.3), gamma: rand(C, 103, 0.8, 1.2),
  beta: rand(C, 104, -0.1, 0.1), alpha: Float32Array.of(0.25), w2: rand(9 * C, 105, -0.05, 0.05),
};
const IR = rand(N * H * W, 106, 0, 1), VIS = rand(N * H * W, 107, 0, 1);

/** Gaussian 3×3 (σ = 1.5), the SSIM window. */
const GAUSS = (() => {
  const g = [-1, 0, 1].map((d) => Math.exp(-(d * d) / (2 * 1.5 * 1.5)));
  const s = g.reduce((a, b) => a + b, 0);
  return Float32Array.from([0, 1, 2].flatMap((i) => [0, 1, 2].map((j) => (g[i] * g[j]) / (s * s))));
})();

/** 1 − SSIM with a 3×3 Gaussian window applied depthwise to [a, b, a², b², ab]. */
function ssimLoss(a: tf.Tensor4D, b: tf.Tensor4D): tf.Scalar {
  const window = tf.tile(tf.tensor4d(GAUSS, [3, 3, 1, 1]), [1, 1, 5, 1]) as tf.Tensor4D;
  const stack = tf.concat([a, b, tf.mul(a, a), tf.mul(b, b), tf.mul(a, b)], 3) as tf.Tensor4D;
  const f = tf.depthwiseConv2d(stack, window, 1, 'valid');
  const [mu1, mu2, e11, e22, e12] = tf.split(f, 5, 3);
  const c1 = 0.01 ** 2, c2 = 0.03 ** 2;
  const s1 = tf.sub(e11, tf.square(mu1)), s2 = tf.sub(e22, tf.square(mu2)), s12 = tf.sub(e12, tf.mul(mu1, mu2));
  const num = tf.mul(tf.add(tf.mul(tf.mul(mu1, mu2), 2), c1), tf.add(tf.mul(s12, 2), c2));
  const den = tf.mul(tf.add(tf.add(tf.square(mu1), tf.square(mu2)), c1), tf.add(tf.add(s1, s2), c2));
  return tf.sub(1, tf.mean(tf.div(num, den))) as tf.Scalar;
}

function modelLoss(p: Record<string, tf.Tensor>, ir: tf.Tensor4D, vis: tf.Tensor4D): tf.Scalar {
  const reflect = (x: tf.Tensor4D) => tf.mirrorPad(x, [[0, 0], [1, 1], [1, 1], [0, 0]], 'reflect');
  const both = tf.concat([ir, vis], 3) as tf.Tensor4D;
  const mixed = tf.mean(tf.depthwiseConv2d(both, p.dw as tf.Tensor4D, 1, 'same'), 3, true) as tf.Tensor4D;
  let h: tf.Tensor = tf.conv2d(reflect(mixed), p.w1 as tf.Tensor4D, 1, 'valid'); // 1 → 64
  const { mean, variance } = tf.moments(h, [0, 1, 2]);
  h = tf.add(tf.mul(tf.div(tf.sub(h, mean), tf.sqrt(tf.add(variance, 1e-5))), p.gamma), p.beta);
  h = tf.prelu(h, p.alpha);
  h = tf.transpose(tf.transpose(h, [0, 2, 1, 3]), [0, 2, 1, 3]);
  const flipped = tf.reverse(h, [2]);
  h = tf.concat([tf.slice(h, [0, 0, 0, 0], [-1, -1, -1, C / 2]), tf.slice(flipped, [0, 0, 0, C / 2], [-1, -1, -1, C / 2])], 3);
  const y = tf.sigmoid(tf.conv2d(tf.pad(h as tf.Tensor4D, [[0, 0], [1, 1], [1, 1], [0, 0]]), p.w2 as tf.Tensor4D, 1, 'valid')); // 64 → 1
  const out = tf.clipByValue(tf.mul(y, 1.4), 0.05, 0.95) as tf.Tensor4D;
  const target = tf.where(tf.greater(ir, vis), ir, vis);
  const l1 = tf.mean(tf.abs(tf.sub(out, tf.maximum(ir, vis))));
  const l2 = tf.mean(tf.square(tf.sub(out, target)));
  const ssim = ssimLoss(out, tf.minimum(ir, vis) as tf.Tensor4D);
  return tf.addN([l1, l2, ssim]) as tf.Scalar;
}

interface StepResult { loss: number; grads: Record<string, Out>; updated: Record<string, Out> }

/** Loss, gradients and one Adam step of the model on the current backend; disposes everything. */
function trainStep(): StepResult {
  const vars: Record<string, tf.Variable> = {};
  for (const [k, shape] of Object.entries(PARAM_SHAPES)) {
    const init = tf.tensor(PARAM_INIT[k], shape);
    vars[k] = tf.variable(init, true);
    init.dispose();
  }
  const byName = new Map(Object.entries(vars).map(([k, v]) => [v.name, k]));
  const optimizer = tf.train.adam(1e-2);
  try {
    const ir = tf.tensor4d(IR, [N, H, W, 1]), vis = tf.tensor4d(VIS, [N, H, W, 1]);
    const { value, grads } = tf.variableGrads(() => modelLoss(vars, ir, vis), Object.values(vars));
    const res: StepResult = { loss: value.dataSync()[0], grads: {}, updated: {} };
    for (const [name, g] of Object.entries(grads)) res.grads[byName.get(name)!] = { shape: g.shape, data: g.dataSync() as Float32Array };
    optimizer.applyGradients(grads as Parameters<typeof optimizer.applyGradients>[0]);
    for (const [k, v] of Object.entries(vars)) res.updated[k] = { shape: v.shape, data: v.dataSync() as Float32Array };
    tf.dispose([ir, vis, value, ...Object.values(grads)]);
    return res;
  } finally {
    optimizer.dispose();
    tf.dispose(Object.values(vars));
  }
}

t('training-step gradient and Adam update of a small model: wasm = cpu', async () => {
  await tf.setBackend('cpu');
  const ref = trainStep();
  await tf.setBackend('wasm');
  const got = trainStep(); // throws "Kernel '…' not registered for backend 'wasm'" if one is missing
  const lossErr = Math.abs(got.loss - ref.loss) / Math.abs(ref.loss);
  assert.ok(lossErr <= TOL, `loss ${got.loss} vs ${ref.loss}`);
  let worstGrad = 0, worstParam = 0;
  for (const k of Object.keys(PARAM_SHAPES)) {
    assert.ok(ref.grads[k] && got.grads[k], `gradient for ${k}`);
    assert.equal(got.grads[k].shape, ref.grads[k].shape);
    const eg = relErr(got.grads[k].data, ref.grads[k].data);
    assert.ok(eg <= TOL, `grad ${k}: rel err ${eg}`);
    assert.ok(ref.grads[k].data.some((v) => v !== 0), `grad ${k} is not all zero`);
    const ep = relErr(got.updated[k].data, ref.updated[k].data);
    assert.ok(ep <= TOL, `Adam-updated ${k}: rel err ${ep}`);
    worstGrad = Math.max(worstGrad, eg);
    worstParam = Math.max(worstParam, ep);
  }
  console.log(`    model: loss rel err ${lossErr.toExponential(2)}, worst gradient ${worstGrad.toExponential(2)}, `
    + `worst Adam-updated parameter ${worstParam.toExponential(2)} (tolerance ${TOL})`);
});

t('no leaks: tensors, bytes and wasm data buffers return to the baseline', async () => {
  await tf.setBackend('wasm');
  const c = CASES[3];
  const fs: [number, number, number, number] = [...c.k, c.x[3], 2];
  const dyShape = outShape({ ...c, co: 2 });
  const ddyShape = outShape(c, 2);
  const x = tf.tensor(rand(size(c.x), 1), c.x), dy = tf.tensor(rand(size(dyShape), 2), dyShape);
  const ddy = tf.tensor(rand(size(ddyShape), 3), ddyShape), f = tf.tensor(rand(size(fs), 4), fs);
  const backend = tf.backend() as unknown as { numDataIds(): number };
  const base = { ...tf.memory(), dataIds: backend.numDataIds() };
  const run = () => {
    const attrs = { strides: c.stride, pad: c.pad, dilations: 1, dataFormat: 'NHWC' };
    tf.dispose([
      tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape: fs } as unknown as tf.NamedAttrMap) as tf.Tensor,
      tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', { x, dy: ddy }, { ...attrs, filterShape: fs } as unknown as tf.NamedAttrMap) as tf.Tensor,
      tf.engine().runKernel('DepthwiseConv2dNativeBackpropInput', { dy: ddy, filter: f }, { ...attrs, inputShape: c.x } as unknown as tf.NamedAttrMap) as tf.Tensor,
      tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: f }, { ...attrs, inputShape: c.x } as unknown as tf.NamedAttrMap) as tf.Tensor,
    ]);
  };
  for (let i = 0; i < 3; i++) run();
  registerWasmKernels({ replaceConv2DBackpropInput: true });
  try {
    for (let i = 0; i < 3; i++) run();
  } finally {
    restoreBackpropInput();
  }
  for (let i = 0; i < 2; i++) trainStep();
  const now = { ...tf.memory(), dataIds: backend.numDataIds() };
  assert.is(now.numTensors, base.numTensors, 'numTensors');
  assert.is(now.numBytes, base.numBytes, 'numBytes');
  assert.is(now.numDataBuffers, base.numDataBuffers, 'numDataBuffers');
  assert.is(now.dataIds, base.dataIds, 'wasm backend data ids');
  tf.dispose([x, dy, ddy, f]);
});

t.run();
