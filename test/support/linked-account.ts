import { AccountPages } from './account-pages.ts';
import { createTestUser, type TestUser } from './oidc-flow.ts';
import type { RunningKeyline } from './start-keyline.ts';

/** Links an upstream identity to an account, as a finished upstream sign-in leaves it (the upstream round trip is the connectors' tests' business). */
export async function linkIdentity(kl: RunningKeyline, accountId: string, upstreamId: string, subject: string): Promise<void> {
  await kl.store.federatedIdentities.link({ upstreamId, subject, accountId, linkedAt: new Date(), lastSignInAt: null });
}

/** A person signed in to their account's security page, with a fresh sign-in. */
export async function signedInToSecurityPage(kl: RunningKeyline, user?: TestUser): Promise<{ pages: AccountPages; user: TestUser; accountId: string }> {
  const person = user ?? await createTestUser(kl);
  const pages = new AccountPages(kl);
  await pages.open('/account/security');
  await pages.signIn(person);
  const accountId = (await kl.store.accounts.findByEmail(person.email))!.id;
  return { pages, user: person, accountId };
}
