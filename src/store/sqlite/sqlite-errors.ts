import { DuplicateError } from '../store-errors.ts';

const SQLITE_CONSTRAINT_UNIQUE = 2067;
const SQLITE_CONSTRAINT_PRIMARYKEY = 1555;

/** Runs a write and turns a unique-constraint failure into a DuplicateError. */
export function withDuplicateCheck<T>(entity: string, field: string, value: string, write: () => T): T {
  try {
    return write();
  } catch (error) {
    const code = (error as { errcode?: number }).errcode;
    if (code === SQLITE_CONSTRAINT_UNIQUE || code === SQLITE_CONSTRAINT_PRIMARYKEY) {
      throw new DuplicateError(entity, field, value);
    }
    throw error;
  }
}
