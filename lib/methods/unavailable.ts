/**
 * The AUIF paper's comparison methods that cannot run here, with the reason — metadata for the
 * comparison table (notebook 07), which prints their published numbers only. They are not
 * registered methods (`auif fuse --method` does not list them).
 */
export interface UnavailableMethod {
  /** Lower-case key, as a registered method would have. */
  name: string;
  /** Display name as the AUIF table prints it. */
  title: string;
  citation: string;
  /** Why it cannot be run by this package. */
  reason: string;
}

export const UNAVAILABLE_METHODS: readonly UnavailableMethod[] = [
  {
    name: 'fusiongan',
    title: 'FusionGAN',
    citation: 'Ma, Yu, Liang, Li, Jiang: FusionGAN: A generative adversarial network for infrared and visible image fusion, Information Fusion 48, 2019',
    reason: 'weights not available here: no trained generator is in ../shared/upstream or any repository this package stages, and retraining the GAN is out of scope; only the printed numbers are shown',
  },
  {
    name: 'imagefuse',
    title: 'ImageFuse',
    citation: 'Li, Wu, Kittler: Infrared and Visible Image Fusion using a Deep Learning Framework, ICPR 2018',
    reason: 'needs the ImageNet-trained VGG-19 weights (≈ 550 MB), too large to stage here (nothing of it is in ../shared/upstream); only the printed numbers are shown',
  },
  {
    name: 'tv-admm',
    title: 'TV-ADMM',
    citation: 'total-variation fusion solved by ADMM, as cited in the AUIF paper\'s comparison (the reference was not verified here)',
    reason: 'no public code (neither the authors nor VIFB or the collections in ../shared publish it), so the variant the table used cannot be reproduced; only the printed numbers are shown',
  },
];

/** The entry for `name`, or undefined. */
export function unavailableMethod(name: string): UnavailableMethod | undefined {
  return UNAVAILABLE_METHODS.find((m) => m.name === name.toLowerCase());
}
