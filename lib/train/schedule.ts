/**
 * The learning-rate schedule of upstream training, `torch.optim.lr_scheduler.MultiStepLR(opt,
 * [41, 81], gamma=0.1)`, stepped once after every epoch:
 *
 *   lr(e) = lr₀ · γ^|{m ∈ milestones : m ≤ e}|,   e = 0, 1, … the number of scheduler steps so far
 *
 * i.e. with 1-based epochs E, epochs 1…41 train at lr₀ and epochs 42…80 at 0.1·lr₀ (milestone 81
 * is never reached in 80 epochs). Computed as PyTorch does, one multiplication per milestone
 * passed (`lr · γ^count`), in float64.
 */

export const DEFAULT_MILESTONES: readonly number[] = [41, 81];
export const DEFAULT_GAMMA = 0.1;

/** lr after `e` scheduler steps (e = the 0-based epoch index). */
export function multiStepLr(baseLr: number, e: number, milestones: readonly number[] = DEFAULT_MILESTONES, gamma = DEFAULT_GAMMA): number {
  if (!Number.isInteger(e) || e < 0) throw new RangeError(`multiStepLr: epoch index must be an integer ≥ 0, got ${e}`);
  const counts = new Map<number, number>();
  for (const m of milestones) counts.set(m, (counts.get(m) ?? 0) + 1);
  let lr = baseLr;
  for (const m of [...counts.keys()].sort((a, b) => a - b)) {
    if (m <= e) lr = lr * gamma ** counts.get(m)!;
  }
  return lr;
}
