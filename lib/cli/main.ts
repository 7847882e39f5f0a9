/**
 * The `auif` command line. Errors that concern the user's input (bad file, wrong size, missing
 * data, bad weights) are printed as one clear message, without a stack trace.
 */
import { fuseCommand, methodsCommand, FUSE_USAGE } from './fuse.js';
import { trainCommand, TRAIN_USAGE } from './train.js';
import { evalCommand, EVAL_USAGE } from './eval.js';
import { UsageError } from './usage.js';

const USAGE = `auif — AUIF infrared/visible image fusion (Zhao et al., TCSVT 2021) in TypeScript

commands:
${FUSE_USAGE.replace(/^usage:\n/, '')}
${TRAIN_USAGE.replace(/^usage:\n/, '')}
${EVAL_USAGE.replace(/^usage:\n/, '')}

environment: AUIF_BACKEND=gpu|node|wasm|cpu, AUIF_DATA_DIR=<upstream repo copy>, AUIF_UPSTREAM_URL=<mirror prefix>, AUIF_REFERENCE_DIR=<reference folder>,
  AUIF_MAX_PIXELS=N (image pixel limit, default 178956970 = 2 × PIL's MAX_IMAGE_PIXELS; 0 = none)`;

const COMMANDS: Record<string, (argv: string[]) => Promise<void>> = { fuse: fuseCommand, methods: methodsCommand, train: trainCommand, eval: evalCommand };

/** Runs the CLI; resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    console.log(USAGE);
    return cmd ? 0 : 2;
  }
  const run = COMMANDS[cmd];
  if (!run) {
    console.error(`auif: unknown command '${cmd}'\n\n${USAGE}`);
    return 2;
  }
  try {
    await run(rest);
    return 0;
  } catch (e) {
    const err = e as Error & { code?: string };
    if (err instanceof UsageError || err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || err.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' || err.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
      // node's parseArgs messages run over several lines: one line is the rule here.
      console.error(`auif ${cmd}: ${err.message.split('\n').map((l) => l.trim()).filter(Boolean).join(' ')}`);
      return 2;
    }
    const known = ['ImageError', 'StateDictError', 'CheckpointError', 'StagingError', 'BackendError', 'PickleError', 'DownloadError',
      'MetricInputError', 'EvaluationError', 'PaperTableError', 'ReferenceFileError', 'TrainResourceError', 'StepLogError', 'MethodError', 'TrainDivergedError', 'TrainLockError'];
    if (known.includes(err.name) || known.includes(err.constructor?.name)) {
      console.error(`auif ${cmd}: ${err.message}`);
      return 1;
    }
    console.error(`auif ${cmd}: unexpected error:`, err);
    return 1;
  }
}
