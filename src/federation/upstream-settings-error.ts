/** An upstream's settings are not valid as given; the message names the setting at fault and is safe to show (never a secret). */
export class UpstreamSettingsError extends Error {
  /** The setting at fault (`issuer`, `domains`, `clientSecret`...). */
  readonly field: string;

  constructor(field: string, message: string) {
    super(message);
    this.name = 'UpstreamSettingsError';
    this.field = field;
  }
}
