/** The pages a link in a message opens. The token travels in the query, which request logs never carry. */
export const SELF_SERVICE_PATHS = {
  forgotPassword: '/password/forgot',
  resetPassword: '/password/reset',
  verifyEmail: '/email/verify',
  signUp: '/sign-up',
} as const;

export function linkTo(issuer: string, path: string, token?: string): string {
  const url = new URL(path, `${issuer}/`);
  if (token) url.searchParams.set('token', token);
  return url.href;
}
