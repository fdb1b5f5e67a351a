import { isCommonPassword } from './common-passwords.ts';

export const MIN_PASSWORD_LENGTH = 8;
export const MAX_PASSWORD_LENGTH = 128;

/** Returns the reason a password is refused, or undefined when it is acceptable. Never truncates. */
export function passwordProblem(password: string): string | undefined {
  const code = passwordProblemCode(password);
  if (code === 'too_short') return `password must be at least ${MIN_PASSWORD_LENGTH} characters`;
  if (code === 'too_long') return `password must be at most ${MAX_PASSWORD_LENGTH} characters`;
  if (code === 'common') return 'password is in a list of commonly used passwords; choose another';
  return undefined;
}

/** The same rule as passwordProblem, as a code a page can say in its own language. */
export type PasswordProblemCode = 'too_short' | 'too_long' | 'common';

export function passwordProblemCode(password: string): PasswordProblemCode | undefined {
  const length = [...password].length;
  if (length < MIN_PASSWORD_LENGTH) return 'too_short';
  if (length > MAX_PASSWORD_LENGTH) return 'too_long';
  return isCommonPassword(password) ? 'common' : undefined;
}
