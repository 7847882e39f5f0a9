/**
 * auif-ts — AUIF (Zhao et al., "Efficient and Model-Based Infrared and Visible Image Fusion via
 * Algorithm Unrolling", IEEE TCSVT 2021) on TensorFlow.js.
 */
export * from './backend/select.js';
export * from './io/image.js';
export { decodeImageFile, maxPixels, setMaxPixels, DEFAULT_MAX_PIXELS, MAX_PIXELS_ENV, type Image8 } from './io/decode_image.js';
export * from './io/tensor_record.js';
export { readSafetensors, writeSafetensors, encodeSafetensors, decodeSafetensors } from './io/safetensors.js';
export { readTorchCheckpoint, decodeTorchCheckpoint } from './io/torch_checkpoint.js';
export * from './unrolling/pad.js';
export * from './unrolling/filters.js';
export * from './unrolling/operator.js';
export * from './unrolling/step.js';
export * from './model/params.js';
export * from './nn/batchnorm.js';
export * from './model/encoder.js';
export * from './model/decoder.js';
export * from './model/auif.js';
export * from './model/tiling.js';
export * from './model/checkpoint.js';
export * from './fusion/rules.js';
export * from './io/ycbcr.js';
// (the type Image8 is the same shape as the one lib/train exports)
export { readImage8, isGreyContent, luma8, channelPlanes, encodePng, writeImagePng } from './io/colour_image.js';
export * from './fusion/colour.js';
export * from './data/vifb.js';
export * from './report/vifb.js';
export { computeVifb, VIFB_EXTRA_NAMES, type VifbExtraName, type VifbExtraValues } from './metrics/vifb.js';
export { edgeIntensity } from './metrics/ei.js';
export { ensureStaged, stagedFile, stagedPath, stagingSources, StagingError } from './data/stage.js';
export * from './metrics/index.js';
export { datasetPairs, DATASETS, DATASET_NAMES, isDatasetName, type DatasetName, type ImagePair } from './data/datasets.js';
export { ReferenceFileError, referenceDirs, referenceFile } from './data/reference.js';
export * from './report/evaluate.js';
export * from './report/paper_table.js';
export * from './report/compare_models.js';
export * from './report/quantitative.js';
export * from './report/training.js';
export { median } from './util/stats.js';
export * from './data/overview.js';
export * from './unrolling/classic.js';
export * from './figures/index.js';
export * from './train/index.js';
export * from './report/ablations.js';
export * from './report/mu_sweep.js';
