import { StoreUnavailableError } from '../store-errors.ts';

export interface ErrorBoundary {
  /** Whether the store has been closed: calls are refused rather than reconnecting behind the caller's back. */
  isClosed(): boolean;
  translate(error: unknown): unknown;
}

/**
 * Wraps every method of a repository so that a closed store refuses calls and driver errors
 * leave as store errors. Methods are called on the repository itself, so its private fields work.
 */
export function withErrorBoundary<T extends object>(repository: T, boundary: ErrorBoundary): T {
  return new Proxy(repository, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]): Promise<unknown> => {
        if (boundary.isClosed()) throw new StoreUnavailableError('MongoDB store is closed');
        try {
          return await Reflect.apply(value, target, args);
        } catch (error) {
          throw boundary.translate(error);
        }
      };
    },
  });
}
