/**
 * How long the store keeps a device code after its own `exp`. oidc-provider tells an expired code
 * from an unknown one (`expired_token` at the token endpoint, "this code has expired" on the
 * user-code page) only while it can still read it, and the store never returns a record past its
 * `expiresAt`. The code itself is dead from `exp` on: oidc-provider checks it on every use.
 */
export const EXPIRED_DEVICE_CODES_KEPT_SECONDS = 3600;

/** The store lifetime of an oidc-provider record that oidc-provider says expires in `expiresIn`. */
export function storedLifetime(model: string, expiresIn: number): number {
  return model === 'DeviceCode' ? expiresIn + EXPIRED_DEVICE_CODES_KEPT_SECONDS : expiresIn;
}
