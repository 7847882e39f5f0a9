/** Assertions shared by the checkpoint-format tests. */
import * as assert from 'uvu/assert';
import { CheckpointError } from '../../lib/io/tensor_record.js';

/** Runs `fn`, asserts it throws a CheckpointError whose message matches every pattern, returns it. */
export function throwsCheckpoint(fn: () => unknown, ...patterns: RegExp[]): CheckpointError {
  try {
    fn();
  } catch (e) {
    assert.instance(e, CheckpointError);
    for (const p of patterns) assert.match((e as Error).message, p);
    return e as CheckpointError;
  }
  throw new assert.Assertion({ message: `expected a CheckpointError matching ${patterns.join(', ')}`, operator: 'throws', expects: 'throw', actual: 'no throw' });
}

/** Byte equality of two views. */
export const sameBytes = (a: Uint8Array, b: Uint8Array): boolean =>
  a.length === b.length && Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.length), Buffer.from(b.buffer, b.byteOffset, b.length)) === 0;
