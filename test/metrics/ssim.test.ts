import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ssim, ssimPair } from '../../lib/metrics/ssim.js';
import type { MetricImage } from '../../lib/metrics/index.js';
import { close, constant, gen, noise } from './_helpers.js';

const t = suite('metrics/ssim (SSIM)');
const C1 = (0.01 * 255) ** 2;
const C2 = (0.03 * 255) ** 2;

/** Wang's ssim_index.m written plainly in 2-D (11×11 Gaussian σ 1.5, 'valid'). */
function naiveSsim(a: MetricImage, b: MetricImage): number {
  const n = 11;
  const w: number[] = [];
  for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) w.push(Math.exp(-((x - 5) ** 2 + (y - 5) ** 2) / (2 * 1.5 * 1.5)));
  const s = w.reduce((p, q) => p + q, 0);
  let total = 0;
  let count = 0;
  for (let y = 0; y + n <= a.height; y++) {
    for (let x = 0; x + n <= a.width; x++) {
      let ma = 0, mb = 0, aa = 0, bb = 0, ab = 0;
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          const k = w[i * n + j] / s;
          const u = a.data[(y + i) * a.width + x + j];
          const v = b.data[(y + i) * b.width + x + j];
          ma += k * u; mb += k * v; aa += k * u * u; bb += k * v * v; ab += k * u * v;
        }
      }
      total += ((2 * ma * mb + C1) * (2 * (ab - ma * mb) + C2)) / ((ma * ma + mb * mb + C1) * (aa - ma * ma + bb - mb * mb + C2));
      count++;
    }
  }
  return total / count;
}

t('constant images a, b: (2ab + C1)/(a² + b² + C1) at every window', () => {
  close(ssimPair(constant(11, 11, 100), constant(11, 11, 50)), (2 * 100 * 50 + C1) / (100 ** 2 + 50 ** 2 + C1));
  // SSIM(IR,F) + SSIM(VIS,F) with F = IR: 1 + the constant formula
  close(ssim(constant(12, 13, 0), constant(12, 13, 255), constant(12, 13, 0)), 1 + C1 / (255 ** 2 + C1));
});

t('identical images: 1 per source', () => {
  const a = noise(20, 15, 3);
  close(ssimPair(a, a), 1);
  close(ssim(a, a, a), 2);
});

t('equals a plain 2-D implementation', () => {
  const a = noise(30, 24, 11);
  const b = gen(30, 24, (x, y) => (a.data[y * 30 + x] + noise(30, 24, 12).data[y * 30 + x]) / 2);
  close(ssimPair(a, b), naiveSsim(a, b), 1e-12);
  const c = noise(30, 24, 13);
  close(ssim(a, c, b), naiveSsim(a, b) + naiveSsim(c, b), 1e-12);
});

t('images smaller than the 11×11 window are rejected', () => {
  assert.throws(() => ssimPair(constant(10, 30, 1), constant(10, 30, 1)), /SSIM: image 10×30 is smaller than the 11×11 SSIM window/);
});

t.run();
