import type { ChangeType, CredentialChange, InitiatingEntity } from '../../signals/security-signals.ts';
import type { FactorRecord } from '../../store/store.ts';

/**
 * A second factor as a CAEP credential-change. A passkey is reported as `fido2-platform`: the
 * authenticator's attachment is not something WebAuthn tells the server reliably.
 */
export function factorCredentialChange(factor: Pick<FactorRecord, 'type' | 'name'>, changeType: ChangeType, initiator: InitiatingEntity = 'user'): CredentialChange {
  return {
    credentialType: factor.type === 'totp' ? 'app' : 'fido2-platform',
    changeType,
    initiator,
    ...(factor.name ? { friendlyName: factor.name } : {}),
  };
}
