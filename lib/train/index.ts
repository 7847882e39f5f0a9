/**
 * Training (AUIF Sec. III-D; upstream `train.py`): the loop, its pieces and the checkpoint format.
 */
export * from './rng.js';
export * from './init.js';
export * from './parameters.js';
export * from './batchnorm_train.js';
export * from './forward.js';
export * from './ssim_loss.js';
export * from './loss.js';
export * from './gradients.js';
export * from './native_step.js';
export * from './adam.js';
export * from './schedule.js';
export * from './augment.js';
export * from './data.js';
export * from './config.js';
export * from './state.js';
export * from './step.js';
export * from './loop.js';
export * from './variant.js';
export * from './ablations.js';
export * from './ablations_check.js';
