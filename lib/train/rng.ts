/**
 * The seeded random number generator of training: every random choice of a run (weight
 * initialisation, the per-epoch shuffle, the crops) is drawn from one stream, so a run is fixed
 * by its seed and can be checkpointed and resumed mid-stream.
 *
 * Generator: xoshiro128** (Blackman & Vigna, "Scrambled linear pseudorandom number generators",
 * ACM TOMS 2021; 128-bit state, period 2¹²⁸ − 1), its state seeded from the 32-bit seed by four
 * outputs of splitmix32. Normal variates by Box–Muller, z = √(−2 ln u₁) · cos(2π u₂) (one
 * variate per pair; the sine partner is dropped so the state is the four words and nothing else).
 *
 * PyTorch's generators (mt19937 on the CPU, Philox on CUDA) are not reproduced: a seeded run here
 * draws different numbers from the same distributions as `torch.manual_seed(seed)` would.
 */

/** 2⁻⁵³. */
const TWO_M53 = 2 ** -53;

/** splitmix32 step: returns [next state, output]. */
function splitmix32(state: number): [number, number] {
  const s = (state + 0x9e3779b9) | 0;
  let z = s;
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
  return [s, (z ^ (z >>> 15)) >>> 0];
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** The generator's whole state: four 32-bit words (never all zero). */
export type RngState = [number, number, number, number];

/** A seeded xoshiro128** stream. */
export class Rng {
  private s: Uint32Array;

  /** @param seed any integer; only its low 32 bits are used. */
  constructor(seed: number) {
    if (!Number.isInteger(seed)) throw new RangeError(`Rng: seed must be an integer, got ${seed}`);
    this.s = new Uint32Array(4);
    let st = seed | 0;
    for (let i = 0; i < 4; i++) {
      const [next, out] = splitmix32(st);
      st = next;
      this.s[i] = out;
    }
    if (this.s.every((w) => w === 0)) this.s[0] = 1;
  }

  /** A generator continuing from a saved {@link state}. */
  static fromState(state: readonly number[]): Rng {
    if (state.length !== 4 || !state.every((w) => Number.isInteger(w) && w >= 0 && w < 2 ** 32) || state.every((w) => w === 0)) {
      throw new RangeError(`Rng.fromState: expected four 32-bit words, not all zero, got [${state.join(', ')}]`);
    }
    const r = new Rng(0);
    r.s.set(state);
    return r;
  }

  /** The state, to save and later pass to {@link fromState}. */
  state(): RngState {
    return [this.s[0], this.s[1], this.s[2], this.s[3]];
  }

  /** Next 32-bit output, uniform on [0, 2³²). */
  nextU32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** Uniform on [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.nextU32() >>> 5; // 27 bits
    const lo = this.nextU32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) * TWO_M53;
  }

  /**
   * Uniform on [a, b) as a float32, the way `torch.Tensor.uniform_(a, b)` makes a float32
   * sample: u = (24 random bits)·2⁻²⁴, x = fl32(u·(b − a) + a).
   */
  uniformF32(a: number, b: number): number {
    const u = (this.nextU32() >>> 8) * 2 ** -24;
    return Math.fround(Math.fround(u * Math.fround(b - a)) + Math.fround(a));
  }

  /** Normal N(mean, std²) in float64 (Box–Muller). */
  normal(mean = 0, std = 1): number {
    const u1 = 1 - this.uniform(); // (0, 1]: the log is finite
    const u2 = this.uniform();
    return mean + std * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** Uniform integer on [lo, hi) (hi − lo ≤ 2³²), unbiased (rejection sampling). */
  int(lo: number, hi: number): number {
    const n = hi - lo;
    if (!Number.isInteger(lo) || !Number.isInteger(hi) || n < 1 || n > 2 ** 32) {
      throw new RangeError(`Rng.int: need integers lo < hi with hi − lo ≤ 2³², got [${lo}, ${hi})`);
    }
    const limit = 2 ** 32 - (2 ** 32 % n); // largest multiple of n ≤ 2³²
    let x: number;
    do x = this.nextU32(); while (x >= limit);
    return lo + (x % n);
  }

  /** A uniformly random permutation of 0…n−1 (Fisher–Yates). */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(0, i + 1);
      const t = p[i]; p[i] = p[j]; p[j] = t;
    }
    return p;
  }
}
