/**
 * A change that the current state forbids (an API still given to a client, a secret for a public
 * client, a resource declared in the configuration); the message says what is in the way.
 */
export class StateConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StateConflictError';
  }
}
