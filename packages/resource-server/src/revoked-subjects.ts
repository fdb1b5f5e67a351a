import type { AccessTokenClaims, RevocationCheck } from './types.ts';

/**
 * Revocation by signals: Keyline's shared-signals stream says when a subject's sessions or
 * credentials were revoked, and every token issued to that subject before that moment is refused.
 * Fed by `record()` from a signals receiver; one process's memory, so each API node keeps its own.
 */
export class RevokedSubjects implements RevocationCheck {
  readonly #revokedAt = new Map<string, number>();

  /** The subject's tokens issued at or before `atSeconds` (epoch seconds) are revoked. */
  record(subject: string, atSeconds: number): void {
    this.#revokedAt.set(subject, Math.max(atSeconds, this.#revokedAt.get(subject) ?? 0));
  }

  async isRevoked(_token: string, claims: AccessTokenClaims): Promise<boolean> {
    const revokedAt = this.#revokedAt.get(claims.sub);
    return revokedAt !== undefined && claims.iat <= revokedAt;
  }
}
