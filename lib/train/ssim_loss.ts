/**
 * The SSIM loss of upstream training, `kornia.losses.SSIM(3, reduction='mean')` (kornia 0.4.1;
 * Wang et al., "Image quality assessment: from error visibility to structural similarity",
 * IEEE TIP 2004):
 *
 *   μₓ = g ⋆ x,  σₓ² = g ⋆ x² − μₓ²,  σₓᵧ = g ⋆ (x·y) − μₓμᵧ      (g: 3×3 Gaussian, σ = 1.5)
 *   SSIM = (2μₓμᵧ + C₁)(2σₓᵧ + C₂) / ((μₓ² + μᵧ² + C₁)(σₓ² + σᵧ² + C₂)),  C₁ = 0.01², C₂ = 0.03²
 *   L_SSIM = mean( clamp(1 − SSIM, 0, 1) / 2 )
 *
 * `⋆` is kornia's `filter2D`: a correlation after 'reflect' padding (mirror without repeating the
 * edge) of 1 pixel on each side, so the map has the image's size. g is kornia's
 * `get_gaussian_kernel2d((3, 3), (1.5, 1.5))`: the outer product of the normalised 1-D kernel
 * exp(−x²/(2σ²)), x ∈ {−1, 0, 1}, all in float32. max_val = 1 (images in [0, 1]).
 * The PyTorch reference behind `datasets/reference/auif_fixture.safetensors` (`train.ssim_loss`)
 * uses exactly these semantics (lib/train/README.md).
 */
import * as tf from '@tensorflow/tfjs-core';
import { reflectPad } from '../unrolling/pad.js';

/** SSIM window side (upstream `kornia.losses.SSIM(3, …)`). */
export const SSIM_WINDOW = 3;
/** Gaussian σ of the window (fixed in kornia 0.4.1). */
export const SSIM_SIGMA = 1.5;
/** C₁ = (0.01·L)², C₂ = (0.03·L)² with L = max_val = 1 (Python doubles, used as float32). */
export const SSIM_C1 = 0.01 ** 2;
export const SSIM_C2 = 0.03 ** 2;

/**
 * kornia's `get_gaussian_kernel2d((k, k), (σ, σ))`, row-major k×k, float32:
 * gauss = exp(−x²/(2σ²)) / Σ exp(−x²/(2σ²)),  x = arange(k) − k//2,  kernel = gauss ⊗ gauss.
 */
export function gaussianWindow(k = SSIM_WINDOW, sigma = SSIM_SIGMA): Float32Array {
  if (!Number.isInteger(k) || k < 1 || k % 2 === 0) throw new RangeError(`gaussianWindow: size must be odd and ≥ 1, got ${k}`);
  const f = Math.fround;
  const denom = f(2 * sigma ** 2); // float(2 * sigma ** 2), a Python double used as a float32 scalar
  const g = new Float32Array(k);
  let sum = 0;
  for (let i = 0; i < k; i++) {
    const x = i - (k >> 1);
    g[i] = f(Math.exp(f(-f(x * x) / denom)));
    sum = f(sum + g[i]);
  }
  for (let i = 0; i < k; i++) g[i] = f(g[i] / sum);
  const w = new Float32Array(k * k);
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) w[i * k + j] = f(g[i] * g[j]);
  return w;
}

/** g ⋆ reflectpad(x) for each image of a one-channel NHWC batch (differentiable). */
function gaussianFilter(x: tf.Tensor4D, window: tf.Tensor4D): tf.Tensor4D {
  const p = (window.shape[0] - 1) / 2;
  return tf.conv2d(reflectPad(x, p), window, 1, 'valid');
}

/**
 * The SSIM map of two one-channel NHWC batches [n, h, w, 1] with values in [0, 1]; same shape.
 * The five filterings (x, y, x², y², xy) are separate convolutions (no concat/split: the wasm
 * backend slices in JavaScript).
 */
export function ssimMap(x: tf.Tensor4D, y: tf.Tensor4D, windowSize = SSIM_WINDOW): tf.Tensor4D {
  if (x.rank !== 4 || x.shape[3] !== 1 || x.shape.some((d, i) => d !== y.shape[i])) {
    throw new Error(`ssimMap: need two one-channel NHWC batches of the same shape, got [${x.shape}] and [${y.shape}]`);
  }
  const p = (windowSize - 1) / 2;
  if (x.shape[1] <= p || x.shape[2] <= p) throw new Error(`ssimMap: a ${windowSize}×${windowSize} window needs images larger than ${p}×${p}, got ${x.shape[1]}×${x.shape[2]}`);
  return tf.tidy(() => {
    const window = tf.tensor4d(gaussianWindow(windowSize), [windowSize, windowSize, 1, 1]);
    const [mu1, mu2, ex2, ey2, exy] = [x, y, tf.mul(x, x), tf.mul(y, y), tf.mul(x, y)].map((m) => gaussianFilter(m as tf.Tensor4D, window));
    const mu1Sq = tf.square(mu1);
    const mu2Sq = tf.square(mu2);
    const mu1mu2 = tf.mul(mu1, mu2);
    const sigma1Sq = tf.sub(ex2, mu1Sq);
    const sigma2Sq = tf.sub(ey2, mu2Sq);
    const sigma12 = tf.sub(exy, mu1mu2);
    const num = tf.mul(tf.add(tf.mul(2, mu1mu2), SSIM_C1), tf.add(tf.mul(2, sigma12), SSIM_C2));
    const den = tf.mul(tf.add(tf.add(mu1Sq, mu2Sq), SSIM_C1), tf.add(tf.add(sigma1Sq, sigma2Sq), SSIM_C2));
    return tf.div(num, den) as tf.Tensor4D;
  });
}

/** L_SSIM = mean(clamp(1 − SSIM(x, y), 0, 1) / 2), a scalar (upstream `SSIMLoss(img_input, img_recon)`). */
export function ssimLoss(x: tf.Tensor4D, y: tf.Tensor4D, windowSize = SSIM_WINDOW): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.div(tf.clipByValue(tf.sub(1, ssimMap(x, y, windowSize)), 0, 1), 2)) as tf.Scalar);
}
