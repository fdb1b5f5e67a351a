/** A unique value (an email, a client id) is already taken. */
export class DuplicateError extends Error {
  readonly entity: string;
  readonly field: string;

  constructor(entity: string, field: string, value: string) {
    super(`${entity} with ${field} "${value}" already exists`);
    this.name = 'DuplicateError';
    this.entity = entity;
    this.field = field;
  }
}

/** The record asked for does not exist. */
export class NotFoundError extends Error {
  constructor(entity: string, id: string) {
    super(`${entity} "${id}" not found`);
    this.name = 'NotFoundError';
  }
}

/** The database cannot be reached; callers answer 503 and retry later. */
export class StoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}
