/**
 * What factors need of Keyline's secrets-at-rest cipher: a string sealed under the secrets key,
 * with associated data naming what it is, so a sealed value moved to another record never opens.
 */
export interface SecretSealer {
  encrypt(plaintext: string, associatedData: string): string;
  decrypt(sealed: string, associatedData: string): string;
}
