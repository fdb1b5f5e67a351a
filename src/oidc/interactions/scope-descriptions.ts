const DESCRIPTIONS: Record<string, string> = {
  openid: 'Sign you in with your Keyline account',
  profile: 'See your name',
  email: 'See your email address',
  offline_access: 'Stay connected while you are away (refresh tokens)',
};

export function describeScope(scope: string): { scope: string; description: string } {
  return { scope, description: DESCRIPTIONS[scope] ?? `Use the "${scope}" permission` };
}
