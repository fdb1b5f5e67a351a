/** A group, role or grant change that is not valid as asked; the message names the input at fault and is safe to show. */
export class AuthorizationError extends Error {
  /** The input at fault (`name`, `parent`, `permissions`, `resource`, an attribute's name). */
  readonly field: string;

  constructor(field: string, message: string) {
    super(message);
    this.name = 'AuthorizationError';
    this.field = field;
  }
}
