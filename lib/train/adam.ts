/**
 * Adam (Kingma & Ba, ICLR 2015) exactly as `torch.optim.Adam` (PyTorch 1.13, single-tensor
 * path, amsgrad off) updates one parameter p with gradient g at step t = 1, 2, …:
 *
 *   m ← β₁·m + (1 − β₁)·g
 *   v ← β₂·v + (1 − β₂)·g²
 *   p ← p − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)
 *
 * β₁ = 0.9, β₂ = 0.999, ε = 1e-8, no weight decay. The bias corrections and the step size are
 * Python doubles; every tensor operation is float32, in PyTorch's order of operations
 * (`exp_avg.mul_(β₁).add_(g, alpha=1−β₁)`, `exp_avg_sq.mul_(β₂).addcmul_(g, g, value=1−β₂)`,
 * `denom = (exp_avg_sq.sqrt() / bc2_sqrt).add_(ε)`, `p.addcdiv_(exp_avg, denom, value=−step_size)`).
 * Residual: ATen's vectorised `add_` with alpha is a fused multiply-add; here it is the float64
 * sum of the exact product rounded to float32, which differs from a true FMA only when that
 * double rounding does (≤ 1 ulp, rarely).
 *
 * The parameters live on the host as Float32Arrays (AUIF has ~12k of them), so the update is
 * backend-independent and the optimiser state is plain data to checkpoint.
 */

/** Adam hyper-parameters (PyTorch defaults). */
export interface AdamOptions {
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

export const ADAM_DEFAULTS: Readonly<AdamOptions> = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 };

/** Per-parameter state (`optimizer.state[p]`): `step`, `exp_avg` (m), `exp_avg_sq` (v). */
export interface AdamParamState {
  step: number;
  expAvg: Float32Array;
  expAvgSq: Float32Array;
}

const f32 = Math.fround;

/**
 * One Adam update of one parameter: returns the new p (a new array) and updates `state` in
 * place (m, v, step). `p`, `g` and the state arrays must have the same length.
 */
export function adamUpdate(p: Float32Array, g: Float32Array, state: AdamParamState, lr: number, opts: AdamOptions = ADAM_DEFAULTS): Float32Array {
  const n = p.length;
  if (g.length !== n || state.expAvg.length !== n || state.expAvgSq.length !== n) {
    throw new Error(`adamUpdate: parameter has ${n} values, gradient ${g.length}, exp_avg ${state.expAvg.length}, exp_avg_sq ${state.expAvgSq.length}`);
  }
  state.step += 1;
  const t = state.step;
  const b1 = f32(opts.beta1);
  const a1 = f32(1 - opts.beta1);
  const b2 = f32(opts.beta2);
  const a2 = f32(1 - opts.beta2);
  const wd = f32(opts.weightDecay);
  const bc1 = 1 - opts.beta1 ** t;
  const bc2 = 1 - opts.beta2 ** t;
  const stepSize = f32(-(lr / bc1)); // value = −step_size, cast to float
  const bc2Sqrt = f32(Math.sqrt(bc2));
  const eps = f32(opts.eps);
  const m = state.expAvg;
  const v = state.expAvgSq;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const gi = opts.weightDecay !== 0 ? f32(g[i] + wd * p[i]) : g[i]; // grad.add(param, alpha=wd)
    m[i] = f32(f32(m[i] * b1) + gi * a1);
    v[i] = f32(f32(v[i] * b2) + f32(f32(a2 * gi) * gi));
    const denom = f32(f32(f32(Math.sqrt(v[i])) / bc2Sqrt) + eps);
    out[i] = f32(p[i] + f32(f32(stepSize * m[i]) / denom));
  }
  return out;
}

/** A fresh state (`step` 0, m = v = 0) for a parameter of n values. */
export function adamInitialState(n: number): AdamParamState {
  return { step: 0, expAvg: new Float32Array(n), expAvgSq: new Float32Array(n) };
}

/**
 * Adam over named parameters in groups with their own learning rates (upstream: one
 * `optim.Adam` per module — base lr 1e-2, detail 1e-3, decoder 1e-2 — which is the same as one
 * Adam with three parameter groups, since Adam's update is per parameter).
 */
export class Adam {
  /** State of each parameter by key, created on its first step. */
  readonly state = new Map<string, AdamParamState>();

  constructor(readonly options: AdamOptions = { ...ADAM_DEFAULTS }) {}

  /**
   * One step: for every key of `grads`, returns the updated value of `params.get(key)`.
   * @param lrOf learning rate of a key's group
   */
  step(params: ReadonlyMap<string, Float32Array>, grads: ReadonlyMap<string, Float32Array>, lrOf: (key: string) => number): Map<string, Float32Array> {
    const out = new Map<string, Float32Array>();
    for (const [key, g] of grads) {
      const p = params.get(key);
      if (!p) throw new Error(`Adam.step: gradient for '${key}', which is not a parameter`);
      let st = this.state.get(key);
      if (!st) this.state.set(key, (st = adamInitialState(p.length)));
      out.set(key, adamUpdate(p, g, st, lrOf(key), this.options));
    }
    return out;
  }
}
