/**
 * The upstream repositories of the ported baselines (issue 16): weights of DenseFuse and
 * DeepFuse, the published ADF/TIF/DenseFuse outputs and the CSR data, each pinned to a commit
 * (the `repo`/`commit` of each entry below). Their manifests are `datasets/manifest.<repo>.json` (made with
 * `scripts/make-manifest-baselines.ts`); {@link BASELINE_GROUPS} are their data groups.
 *
 * Staging sources per repository: `$<env>`, then `../shared/upstream/<shared>` (the local copy,
 * where the upstream prefix `sharedStrip` is dropped from each path), then the raw URL. Staged at
 * `models/upstream/<repo>/<path>` (weights) or `datasets/<repo>/<path>` (outputs). Neither is
 * committed (weights and outputs carry no licence).
 */
import type { GroupDef } from './manifest.js';

export type BaselineRepo = 'metricslab' | 'classic-collection' | 'densefuse-tf' | 'densefuse-pytorch' | 'deepfuse' | 'deepfuse-huili';

export interface BaselineRepoDef {
  repo: string;
  commit: string;
  /** Folder of the local copy under `../shared/upstream/`. */
  shared: string;
  /** Prefix of the upstream path that the local copy drops (its files sit flat). */
  sharedStrip?: string;
  /** Environment variable naming another local copy laid out like the upstream repository. */
  env: string;
  /** `models`: staged under `models/upstream/<repo>/`; `datasets`: under `datasets/<repo>/`. */
  staged: 'models' | 'datasets';
  note?: string;
}

export const BASELINE_REPOS: Record<BaselineRepo, BaselineRepoDef> = {
  metricslab: {
    repo: 'CharlesShan-hub/MetricsLab', commit: '777ee54e49ef18762b594f58e4552ff5cd30831f',
    shared: 'baselines/metricslab', env: 'AUIF_METRICSLAB_DIR', staged: 'datasets',
  },
  'classic-collection': {
    repo: 'thfylsty/Classic-and-state-of-the-art-image-fusion-methods', commit: '5d9457df396f1ea6921e1b9b3703995205940862',
    shared: 'baselines/classic-collection', env: 'AUIF_CLASSIC_DIR', staged: 'datasets',
  },
  'densefuse-tf': {
    repo: 'hli1221/imagefusion_densefuse', commit: 'ef23f0f06c4fce7a6c2c04c9d20119e3d96507b9',
    shared: 'densefuse/imagefusion_densefuse', sharedStrip: 'models/densefuse_gray/', env: 'AUIF_DENSEFUSE_TF_DIR', staged: 'models',
    note: 'at this commit the checkpoints ship zipped (models/densefuse_gray.zip); the extracted files are listed under the folder name the zip unpacks to, so the raw-URL source may 404 and the local copy is the source',
  },
  'densefuse-pytorch': {
    repo: 'hli1221/densefuse-pytorch', commit: '4394b63e9295db1c6b7a5c3664551c90f0605f2b',
    shared: 'densefuse/densefuse-pytorch', sharedStrip: 'models/', env: 'AUIF_DENSEFUSE_PT_DIR', staged: 'models',
  },
  deepfuse: {
    repo: 'KRamPrabhakar/DeepFuse', commit: '31c226f807957a7c356391854c6d80586e872166',
    shared: 'deepfuse', env: 'AUIF_DEEPFUSE_DIR', staged: 'models',
  },
  'deepfuse-huili': {
    repo: 'hli1221/Imagefusion_deepfuse', commit: '19dd37082fa1efb454b275b8cede2be1aea4d0f6',
    shared: 'deepfuse/imagefusion_deepfuse_huili', sharedStrip: 'models/deepfuse_models/', env: 'AUIF_DEEPFUSE_HUILI_DIR', staged: 'models',
  },
};

export const BASELINE_REPO_NAMES = Object.keys(BASELINE_REPOS) as BaselineRepo[];

export type BaselineGroupName =
  | 'adf-published' | 'tif-published' | 'densefuse-published' | 'csr-data'
  | 'densefuse-tf-model' | 'densefuse-pytorch-model' | 'deepfuse-model' | 'deepfuse-huili-model';

export const BASELINE_GROUPS: Record<BaselineGroupName, GroupDef> = {
  'adf-published': { repo: 'metricslab', prefix: 'imgs/TNO/fuse/ADF/', description: 'ADF outputs (authors\' code, 0..255 inputs) on 18 AUIF TNO pairs, from MetricsLab' },
  'tif-published': { repo: 'metricslab', prefix: 'imgs/TNO/fuse/TIF/', description: 'TIF output on AUIF TNO pair 1, from MetricsLab' },
  'densefuse-published': { repo: 'classic-collection', prefix: 'imagefusion_densefuse-master/outputs/', description: 'DenseFuse (TF, λ = 1e2) addition and l1 outputs on 5 TNO pairs' },
  'csr-data': { repo: 'classic-collection', prefix: 'ConvSR_Image_Fusion_Codes/', description: 'CSR dictionary dict.mat and the package\'s example pairs and results' },
  'densefuse-tf-model': { repo: 'densefuse-tf', prefix: 'models/', description: 'DenseFuse TF checkpoint λ = 1e2 (.index + .data bundle)' },
  'densefuse-pytorch-model': { repo: 'densefuse-pytorch', prefix: 'models/', description: 'DenseFuse PyTorch weights densefuse_gray.model (legacy pickle)' },
  'deepfuse-model': { repo: 'deepfuse', prefix: 'DF_model', description: 'DeepFuse official Lasagne weights DF_model_Epoch99.npz' },
  'deepfuse-huili-model': { repo: 'deepfuse-huili', prefix: 'models/', description: 'Hui Li\'s DeepFuse TF re-implementation, epoch-4 checkpoint' },
};
