import {
  MongoBulkWriteError, MongoClientClosedError, MongoNetworkError, MongoNotConnectedError, MongoServerClosedError, MongoServerError,
  MongoServerSelectionError, MongoTopologyClosedError,
} from 'mongodb';
import { StoreUnavailableError } from '../store-errors.ts';

const DUPLICATE_KEY = 11000;

/** Server answers that mean "no usable primary right now" (shutdown, step-down, election), not a bad request. */
const NO_PRIMARY_CODES = new Set([
  91, // ShutdownInProgress
  189, // PrimarySteppedDown
  10107, // NotWritablePrimary
  11600, // InterruptedAtShutdown
  11602, // InterruptedDueToReplStateChange
  13435, // NotPrimaryNoSecondaryOk
  13436, // NotPrimaryOrSecondary
]);

/** FerretDB v1 (SQLite handler) reports a unique-index violation on update with its backend's message instead of E11000. */
const FERRETDB_UNIQUE_VIOLATION = /UNIQUE constraint failed/;

export function isDuplicateKeyError(error: unknown): error is MongoServerError {
  return error instanceof MongoServerError && (error.code === DUPLICATE_KEY || FERRETDB_UNIQUE_VIOLATION.test(error.message));
}

/**
 * The fields of the unique index a duplicate-key error is about, when the server says
 * (MongoDB does; FerretDB v1 does not).
 */
export function duplicateKeyFields(error: MongoServerError): string[] | undefined {
  const pattern: unknown = error.keyPattern;
  return pattern && typeof pattern === 'object' ? Object.keys(pattern) : undefined;
}

/**
 * FerretDB v1 answers a command its backend dropped while shutting down (or while the connection
 * went away) with InternalError and the backend's words, where MongoDB says ShutdownInProgress.
 */
const FERRETDB_INTERRUPTED = /context canceled|transaction has already been committed or rolled back|database is closed|sql: connection is already closed/;
const INTERNAL_ERROR = 1;

/** Socket errors Node raises itself; the driver lets some through unwrapped (a write to a socket the server ended: EPIPE). */
const NETWORK_ERROR_CODES = new Set(['EPIPE', 'ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'ENOTCONN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * A bulk write (an audit batch's insertMany) that failed on the connection rather than on a
 * document: the driver wraps the network error in a MongoBulkWriteError with no write errors,
 * copying the network error's own fields (`beforeHandshake` is only ever a network error's).
 */
function isBulkWriteCutOff(error: unknown): boolean {
  return error instanceof MongoBulkWriteError && [error.writeErrors].flat().length === 0 && Object.hasOwn(error, 'beforeHandshake');
}

/** The database cannot be reached or has no primary: worth a 503 and a retry, not a 500. */
export function isUnavailableError(error: unknown, depth = 0): boolean {
  if (depth > 4) return false;
  if (isBulkWriteCutOff(error)) return true;
  // Read as plain objects: an error Node raises itself may come from another realm than our Error.
  if (typeof error !== 'object' || error === null) return false;
  const { code, cause } = error as { code?: unknown; cause?: unknown };
  if (typeof code === 'string' && NETWORK_ERROR_CODES.has(code)) return true;
  if (cause !== undefined && isUnavailableError(cause, depth + 1)) return true;
  if (
    error instanceof MongoServerSelectionError
    || error instanceof MongoNetworkError // includes timeouts and cleared pools
    || error instanceof MongoNotConnectedError
    || error instanceof MongoTopologyClosedError
    || error instanceof MongoServerClosedError
    || error instanceof MongoClientClosedError
  ) {
    return true;
  }
  if (error instanceof MongoServerError && error.code === INTERNAL_ERROR && FERRETDB_INTERRUPTED.test(error.message)) return true;
  return error instanceof MongoServerError && typeof error.code === 'number' && NO_PRIMARY_CODES.has(error.code);
}

/** Turns driver connectivity failures into StoreUnavailableError; passes every other error through. */
export function toStoreError(error: unknown, describeDatabase: string, scrub: (message: string) => string): unknown {
  if (!isUnavailableError(error)) return error;
  const reason = scrub(error instanceof Error ? error.message : String(error));
  return new StoreUnavailableError(`MongoDB at ${describeDatabase} is unavailable: ${reason}`, { cause: error });
}
