import { hash, randomInt } from 'node:crypto';

export const RECOVERY_CODE_COUNT = 10;

/** Crockford's base32 alphabet: no I, L, O or U, so a code read aloud or copied by hand survives. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const GROUPS = 4;
const GROUP_LENGTH = 4;

/** Ten codes of 80 random bits each, shown once, as XXXX-XXXX-XXXX-XXXX. */
export function generateRecoveryCodes(count = RECOVERY_CODE_COUNT): string[] {
  return Array.from({ length: count }, () => Array.from({ length: GROUPS }, () => (
    Array.from({ length: GROUP_LENGTH }, () => ALPHABET[randomInt(ALPHABET.length)]).join('')
  )).join('-'));
}

/** What the user typed, the way it was shown: upper case, without spaces or dashes, Crockford's look-alikes mapped. */
function canonical(code: string): string {
  return code.toUpperCase().replace(/[\s-]+/g, '').replace(/[IL]/g, '1').replace(/O/g, '0');
}

/**
 * 80 random bits leave nothing for a slow hash to protect, so SHA-256 suffices (as for client
 * secrets); a deterministic hash also lets the store find and consume the code in one write.
 */
export function hashRecoveryCode(code: string): string {
  return hash('sha256', `keyline-recovery-code:${canonical(code)}`, 'base64url');
}

export function looksLikeRecoveryCode(code: string): boolean {
  return canonical(code).length === GROUPS * GROUP_LENGTH && [...canonical(code)].every((char) => ALPHABET.includes(char));
}
