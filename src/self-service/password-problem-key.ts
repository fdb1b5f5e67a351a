import { isCommonPassword } from '../accounts/common-passwords.ts';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '../accounts/password-policy.ts';

export type PasswordProblemKey = 'too_short' | 'too_long' | 'common';

/** Which of the password policy's rules a refused password broke, for a message in the page's language. */
export function passwordProblemKey(password: string): PasswordProblemKey {
  const length = [...password].length;
  if (length < MIN_PASSWORD_LENGTH) return 'too_short';
  if (length > MAX_PASSWORD_LENGTH) return 'too_long';
  return isCommonPassword(password) ? 'common' : 'too_short';
}
