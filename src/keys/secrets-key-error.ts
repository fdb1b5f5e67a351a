/** The secrets key is missing, wrong or does not open what the store holds; the message says how to fix it. */
export class SecretsKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretsKeyError';
  }
}
