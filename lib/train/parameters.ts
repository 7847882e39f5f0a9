/**
 * The trainable tensors of an {@link AuifParams} record under their upstream names, and the
 * optimiser group of each (upstream `train.py` builds one Adam per module):
 *
 * | group | upstream module | tensors (layer i) |
 * |---|---|---|
 * | `base` | `Encoder_Base` | `base.conv1.i.{kernel, eta, theta, rest.0.weight, rest.0.bias, rest.1.weight}` |
 * | `detail` | `Encoder_Detail` | `detail.conv2.i.{…}` (the same six) |
 * | `decoder` | `Decoder` | `decoder.decoder.1.weight` (W), `decoder.decoder.2.{weight, bias}` (BN γ, β) |
 *
 * The BN running statistics and `num_batches_tracked` are buffers, not parameters. The order is
 * PyTorch's `named_parameters()` order.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { AuifParams, EncoderParams } from '../model/params.js';

/** Optimiser parameter group (one per upstream module). */
export type ParamGroup = 'base' | 'detail' | 'decoder';
export const PARAM_GROUPS: readonly ParamGroup[] = ['base', 'detail', 'decoder'];

/** One trainable tensor, its upstream key and its group. */
export interface TrainableParam { key: string; group: ParamGroup; tensor: tf.Tensor }

const LAYER_LIST = { base: 'conv1', detail: 'conv2' } as const;

function encoderParams(enc: EncoderParams): TrainableParam[] {
  return enc.layers.flatMap((l, i) => {
    const p = `${enc.kind}.${LAYER_LIST[enc.kind]}.${i}.`;
    const t = (name: string, tensor: tf.Tensor): TrainableParam => ({ key: p + name, group: enc.kind, tensor });
    return [t('kernel', l.K), t('eta', l.eta), t('theta', l.theta), t('rest.0.weight', l.bn.gamma), t('rest.0.bias', l.bn.beta), t('rest.1.weight', l.alpha)];
  });
}

/** Every trainable tensor of `params` (the tensors themselves, not copies), upstream order. */
export function trainableParams(params: AuifParams): TrainableParam[] {
  return [
    ...encoderParams(params.base),
    ...encoderParams(params.detail),
    { key: 'decoder.decoder.1.weight', group: 'decoder', tensor: params.decoder.W },
    { key: 'decoder.decoder.2.weight', group: 'decoder', tensor: params.decoder.bn.gamma },
    { key: 'decoder.decoder.2.bias', group: 'decoder', tensor: params.decoder.bn.beta },
  ];
}

/** True for the key of a trainable parameter (not a BN buffer). */
export function isTrainableKey(key: string): boolean {
  return /^(base\.conv1|detail\.conv2)\.\d+\.(kernel|eta|theta|rest\.0\.weight|rest\.0\.bias|rest\.1\.weight)$/.test(key)
    || /^decoder\.decoder\.(1\.weight|2\.weight|2\.bias)$/.test(key);
}

/** The group of a key: its module prefix. */
export function groupOf(key: string): ParamGroup {
  const g = key.slice(0, key.indexOf('.'));
  if (g !== 'base' && g !== 'detail' && g !== 'decoder') throw new Error(`groupOf: key '${key}' has no module prefix base./detail./decoder.`);
  return g;
}
