/** A request about accounts that cannot be honoured; the message is safe to show. */
export class AccountError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AccountError';
  }
}
