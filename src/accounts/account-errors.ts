/** A request about accounts that cannot be honoured; the message is safe to show. */
export class AccountError extends Error {
  /** The inputs at fault (`email`, `password`, a claim such as `birthdate` or `address.country`), when known. */
  readonly fields: readonly string[];

  constructor(message: string, options: { fields?: readonly string[] } = {}) {
    super(message);
    this.name = 'AccountError';
    this.fields = options.fields ?? [];
  }
}
