/**
 * AUIF's method metadata (lib/methods/auif.ts), in a module of its own that imports nothing
 * Node-only, so that the browser page (lib/site/compute.ts `pageFuser`) can carry it too.
 */
import { MIN_SIDE } from '../unrolling/filters.js';
import type { MethodInfo } from './types.js';

export const AUIF_INFO: MethodInfo = {
  name: 'auif',
  title: 'AUIF',
  citation: 'Zhao, Xu, Zhang, Liu, Zhang: Efficient and Model-Based Infrared and Visible Image Fusion via Algorithm Unrolling, IEEE TCSVT 2021',
  family: 'learned',
  parameters: 11631,
  minSide: MIN_SIDE,
  defaults: { mode: 'sum', layers: 10, channels: 64 },
};
