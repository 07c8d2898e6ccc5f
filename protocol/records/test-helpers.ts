/**
 * Test-only helpers: assert that a function raises a RecordsError (by instanceof,
 * since RecordsError keeps ProtocolDecodeError's name) with the expected check.
 */
import { RecordsError, type RecordsCheck } from './errors.js';

import type { Test } from 'tap';

type Assert = Pick<Test, 'fail' | 'ok' | 'equal'>;

export function catchRecordsError(fn: () => unknown): RecordsError | Error | null {
  try {
    fn();
    return null;
  } catch (error) {
    if (error instanceof Error) return error;
    return new Error(String(error));
  }
}

export function throwsRecordsError(t: Assert, fn: () => unknown, check?: RecordsCheck, message = ''): void {
  const error = catchRecordsError(fn);
  if (error === null) {
    t.fail(`expected a RecordsError ${check ?? ''} ${message}`);
    return;
  }
  if (!(error instanceof RecordsError)) {
    t.fail(`expected a RecordsError ${message}, got ${error.name}: ${error.message}`);
    return;
  }
  if (check !== undefined) t.equal(error.check, check, `${message} (${error.message})`);
  else t.ok(true, `${message} (${error.message})`);
}
