/** The training-loss chart: series from a step log, epoch means, the live recorder outside a kernel. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { lossChart, liveLossChart } from '../../lib/figures/live_loss.js';
import type { StepLog } from '../../lib/train/loop.js';

const t = suite('figures/live_loss');
const step = (epoch: number, s: number, loss: number): StepLog => ({ epoch, step: s, iteration: (epoch - 1) * 2 + s, lr: 0.01, loss, mse: loss / 10, ssim: loss / 20, seconds: 1 });
const log = [step(1, 1, 4), step(1, 2, 2), step(2, 1, 1), step(2, 2, 0.5)];

t('series per step, μ·SSIM term, epoch means from the steps, log axis', () => {
  const fig = lossChart(log, { mu: 5, title: 'x' });
  const data = fig.data as { name: string; x: number[]; y: number[] }[];
  assert.equal(data.map((d) => d.name), ['loss', 'MSE', 'μ·SSIM term (μ = 5)', 'epoch mean loss']);
  assert.equal(data[0].y, [4, 2, 1, 0.5]);
  assert.equal(data[2].y, [1, 0.5, 0.25, 0.125]);
  assert.equal(data[3].x, [2, 4]);       // epoch e ends at step e·(steps per epoch)
  assert.equal(data[3].y, [3, 0.75]);    // mean of (4, 2) and (1, 0.5)
  assert.is((fig.layout!.yaxis as { type?: string }).type, 'log');
});

t('liveLossChart records the callbacks (no kernel: nothing drawn)', () => {
  const c = liveLossChart({ mu: 5, title: 'run: {steps} steps per epoch' });
  c.onStart({ stepsPerEpoch: 2 } as Parameters<typeof c.onStart>[0]);
  for (const s of log) c.onStep(s);
  c.onEpoch({ epoch: 1, steps: 2, lr: 0.01, loss: 3, mse: 0.3, ssim: 0.15, seconds: 2 } as Parameters<typeof c.onEpoch>[0]);
  c.finish();
  assert.is(c.steps.length, 4);
  const fig = c.figure();
  assert.match(JSON.stringify(fig.layout!.title), /run: 2 steps per epoch/);
  assert.equal((fig.data as { y: number[] }[])[3].y, [3]);
});

t.run();
