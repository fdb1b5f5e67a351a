import { dictionary } from '@zxcvbn-ts/language-common';

let commonPasswords: Set<string> | undefined;

/**
 * True for a password in zxcvbn-ts's list of ~49,000 commonly used passwords (MIT licence,
 * @zxcvbn-ts/language-common). Compared case-insensitively, as attackers' lists are.
 */
export function isCommonPassword(password: string): boolean {
  commonPasswords ??= new Set(dictionary['passwords-common'].map((entry) => String(entry).toLowerCase()));
  return commonPasswords.has(password.toLowerCase());
}
