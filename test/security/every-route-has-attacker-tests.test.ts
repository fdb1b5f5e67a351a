/**
 * The standing rule of test/security: every route Keyline declares has attacker's tests, written
 * with it. The routes are read from the router files and the admin API's operations as they are,
 * so a new route without an entry below fails here, and an entry whose route is gone fails too.
 * Each entry names the abuse cases and the test files that try them; the files must exist.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { declaredRoutes } from '../support/declared-routes.ts';

const TESTS = join(import.meta.dirname, '..');

interface AttackedSurface {
  /** An exact route ("POST /account/profile"), or every route under a prefix ("* /admin/v1/"). */
  routes: string;
  abuse: string;
  tests: string[];
}

const INTERACTION_STEPS = [
  'totp', 'recovery-code', 'enrol/totp', 'notice', 'passkey', 'passkey/options',
].map((step) => `POST /interaction/:uid/${step}`);

const SURFACES: AttackedSurface[] = [
  {
    routes: 'GET /interaction/:uid',
    abuse: 'another browser\'s interaction, an expired or unknown uid, a step page reached out of order',
    tests: ['security/passkey-enrolment-needs-enrolment-step.test.ts', 'integration/fuzz.test.ts'],
  },
  {
    routes: 'POST /interaction/:uid/login',
    abuse: 'guessing from one or many (forged) addresses, concurrently; presses during the countdown; a password alone reaching an enrolment; '
      + 'a password (or another upstream\'s) session carried by single sign-on into a client without local login',
    tests: [
      'security/forged-forwarded-headers.test.ts', 'security/countdown-presses-do-not-count.test.ts', 'integration/throttling.test.ts',
      'security/no-local-login-refuses-the-password-and-passkey.test.ts', 'security/no-local-login-refuses-a-password-session.test.ts',
      'security/no-local-login-needs-one-of-its-upstreams.test.ts',
    ],
  },
  {
    routes: 'POST /interaction/:uid/upstream/:id',
    abuse: 'an upstream the client does not offer (another client\'s, disabled, unknown, path-like ids), login CSRF without or with another '
      + 'interaction\'s form token, another browser, after the login step, 20 at once',
    tests: ['security/upstream-start-only-for-an-offered-upstream.test.ts', 'integration/login-upstream-buttons.test.ts'],
  },
  {
    routes: 'GET /interaction/:uid/upstream/:id/return',
    abuse: 'another browser (login CSRF through the upstream), before any answer, for another upstream, 20 at once, an upstream that '
      + 'answers another issuer, signs with a key it does not publish, drops or changes the nonce, or fails with hostile text',
    tests: [
      'security/upstream-answer-belongs-to-the-browser-that-started-it.test.ts', 'security/upstream-answer-taken-once-under-concurrency.test.ts',
      'security/upstream-error-page-never-echoes-the-upstream.test.ts', 'integration/upstream-oidc-sign-in.test.ts',
      'security/upstream-callback-for-a-disabled-upstream.test.ts',
    ],
  },
  ...['GET', 'POST'].map((method) => ({
    routes: `${method} /federation/:id/callback`,
    abuse: 'a replayed or unknown state, 20 at once with one state, an answer delivered to another upstream\'s callback (mix-up), '
      + 'a disabled or removed upstream, hostile error parameters, an upstream address inside the network',
    tests: [
      'security/upstream-answer-taken-once-under-concurrency.test.ts', 'integration/upstream-oidc-sign-in.test.ts',
      'security/upstream-address-inside-the-network-is-refused.test.ts', 'security/upstream-error-page-never-echoes-the-upstream.test.ts',
      'integration/upstream-apple-client-secret.test.ts', 'security/upstream-callback-for-a-disabled-upstream.test.ts',
    ],
  })),
  ...INTERACTION_STEPS.map((routes) => ({
    routes,
    abuse: 'out of order, replayed, with another interaction\'s id or challenge, 20 at once, a factor enrolled in the same sign-in counted',
    tests: [
      'security/passkey-enrolment-needs-enrolment-step.test.ts', 'security/enrolled-factor-always-asked.test.ts',
      'security/password-success-refunds-no-code-guesses.test.ts', 'security/step-up-from-a-session-alone-adds-no-factor.test.ts',
    ],
  })),
  {
    routes: 'POST /interaction/:uid/confirm',
    abuse: 'consent before sign-in, another interaction\'s form token, hostile form input',
    tests: ['security/passkey-enrolment-needs-enrolment-step.test.ts', 'integration/fuzz.test.ts'],
  },
  {
    routes: '* /interaction/:uid/upstream-link',
    abuse: 'posting the link form or its passkey with nothing to link (skipping the upstream step), another browser\'s interaction, the victim\'s '
      + 'form token, another account\'s passkey, guessing past the throttle, a replay after the link',
    tests: [
      'security/upstream-link-step-cannot-be-skipped.test.ts', 'security/upstream-link-needs-its-own-interaction.test.ts',
      'integration/upstream-linking.test.ts', 'integration/upstream-linking-passkey.test.ts',
    ],
  },
  {
    routes: 'POST /interaction/:uid/identify',
    abuse: 'another browser\'s interaction, without or with another interaction\'s form token, a domain claimed by an upstream the client does not offer, hostile addresses',
    tests: ['security/identify-and-directory-forms-belong-to-their-interaction.test.ts', 'integration/home-realm-discovery.test.ts'],
  },
  {
    routes: 'GET /interaction/:uid/upstream/:id',
    abuse: 'another browser\'s interaction, an upstream the client does not offer, an unknown or path-like id',
    tests: ['security/identify-and-directory-forms-belong-to-their-interaction.test.ts', 'integration/ldap-sign-in.test.ts'],
  },
  {
    routes: 'POST /interaction/:uid/upstream/:id/password',
    abuse: 'filter injection (wildcards, filter syntax, NUL), an empty password, guessing past the throttle, login CSRF, another browser\'s interaction, '
      + 'an upstream the client does not offer, the directory down',
    tests: [
      'security/ldap-filter-injection.test.ts', 'security/ldap-empty-password.test.ts', 'security/directory-guesses-at-once-stay-within-the-limit.test.ts',
      'security/identify-and-directory-forms-belong-to-their-interaction.test.ts', 'integration/ldap-sign-in.test.ts',
    ],
  },
  {
    routes: 'POST /interaction/:uid/abort',
    abuse: 'another interaction\'s id and form token, hostile form input',
    tests: ['integration/fuzz.test.ts', 'integration/device-flow.test.ts'],
  },
  {
    routes: '* /account',
    abuse: 'signed out, without the page\'s CSRF token, with another person\'s session, factor or client id; stale sign-in; 20 at once; '
      + 'attributes only an administrator sets, undeclared ones, oversized values; unlinking another person\'s link or the last way in, twice at once',
    tests: [
      'security/account-routes-abuse.test.ts', 'security/account-attributes-only-the-editable-ones.test.ts', 'security/step-up-keeps-the-sign-in-time.test.ts',
      'security/reset-link-void-after-password-change.test.ts', 'integration/account-security.test.ts', 'integration/account-pages.test.ts',
      'security/data-download-holds-no-secret.test.ts', 'security/self-delete-needs-a-fresh-sign-in.test.ts', 'security/self-delete-twice-at-once.test.ts',
      'security/profile-choices-are-checked-on-the-server.test.ts',
      'security/unlink-cannot-remove-the-last-way-in.test.ts', 'security/unlink-someone-elses-link.test.ts', 'integration/account-linked-sign-ins.test.ts',
    ],
  },
  {
    routes: '* /password/',
    abuse: 'a link used twice or concurrently, a link older than the password, mail floods, an unverified sign-up holding the address',
    tests: ['security/reset-link-void-after-password-change.test.ts', 'security/sign-up-pre-hijacking.test.ts', 'integration/self-service.test.ts'],
  },
  {
    routes: '* /email/verify',
    abuse: 'the stranger\'s sign-up confirmed by the owner\'s click, a link used twice, another address\'s link',
    tests: ['security/sign-up-pre-hijacking.test.ts', 'integration/self-service.test.ts'],
  },
  {
    routes: '* /sign-up',
    abuse: 'pre-hijacking another person\'s address, mail floods to one address from many IPs, enumeration',
    tests: ['security/sign-up-pre-hijacking.test.ts', 'security/sign-up-mails-per-address-are-limited.test.ts'],
  },
  {
    routes: '* /admin/v1/',
    abuse: 'no token, a forged or foreign token, a DPoP token as bearer, a demoted or re-keyed client, the read-only scope writing, hostile bodies',
    tests: [
      'integration/admin-api.test.ts', 'security/client-tokens-follow-current-registration.test.ts',
      'security/machine-endpoints-answer-json.test.ts', 'security/redirect-uris-are-exact-and-https.test.ts',
    ],
  },
  {
    routes: '* /admin/v1/groups',
    abuse: 'a cycle through a move, a parent or member that does not exist, a name unsafe in tokens, a group removed under its children; every caller kind',
    tests: ['integration/authorization-admin.test.ts', 'security/admin-api-role-matrix.test.ts'],
  },
  {
    routes: '* /admin/v1/roles',
    abuse: 'a permission not of the resource, a reserved name, changing a built-in role, keyline-admin granted to a client, grants to holders that do not exist, '
      + 'the same grant 20 times at once or repeated',
    tests: ['integration/authorization-admin.test.ts', 'security/admin-api-role-matrix.test.ts', 'security/no-op-grants-are-not-audited-as-changes.test.ts'],
  },
  {
    routes: '* /admin/v1/upstreams',
    abuse: 'secrets echoed by any answer, the audit trail or the log; a domain another upstream claims, 10 claims at once; plain http or ldap:// '
      + 'off loopback; the help desk or a read-only caller changing one; Mongo operator objects as ids, domains or mapping',
    tests: [
      'security/upstream-secrets-never-leave-keyline.test.ts', 'security/upstream-domain-claimed-once.test.ts', 'security/upstream-urls-must-be-https.test.ts',
      'security/upstreams-only-for-admins.test.ts', 'security/upstream-ids-are-never-queries.test.ts', 'security/admin-api-role-matrix.test.ts',
      'integration/upstreams-admin.test.ts',
    ],
  },
  {
    routes: '* /admin/v1/users',
    abuse: 'a person\'s token with scopes their roles no longer give, a disabled or removed person, the help desk on clients and keys, '
      + 'the help desk unlocking or resetting an administrator, a reset link asked for a disabled person',
    tests: [
      'security/admin-api-role-matrix.test.ts', 'security/helpdesk-cannot-weaken-an-administrator.test.ts',
      'integration/authorization-admin.test.ts', 'integration/admin-api.test.ts',
    ],
  },
  {
    routes: '* /ssf/',
    abuse: 'another receiver\'s stream, no or a stale receiver token, push endpoints inside the network, hostile bodies',
    tests: [
      'integration/shared-signals.test.ts', 'security/client-tokens-follow-current-registration.test.ts',
      'security/ssrf-guard-checks-the-connected-address.test.ts', 'security/machine-endpoints-answer-json.test.ts',
    ],
  },
  {
    routes: 'GET /.well-known/ssf-configuration',
    abuse: 'forged Host and X-Forwarded-Proto changing published URLs; HTML for a browser Accept',
    tests: ['security/forged-forwarded-headers.test.ts', 'security/machine-endpoints-answer-json.test.ts'],
  },
  {
    routes: 'GET /metrics',
    abuse: 'anyone on the public port',
    tests: ['security/metrics-not-on-the-public-port.test.ts'],
  },
  {
    routes: 'GET /readyz',
    abuse: 'saying ready while draining or while the store is down',
    tests: ['integration/readiness-during-drain.test.ts', 'security/store-outage-keeps-sessions.test.ts'],
  },
  {
    routes: 'GET /healthz',
    abuse: 'none beyond being public: it reads nothing and says nothing but "ok"',
    tests: ['integration/ops-routes.test.ts'],
  },
  {
    routes: 'GET /session/end/stay',
    abuse: 'an unknown or hostile client_id reflected into the page',
    tests: ['security/account-routes-abuse.test.ts'],
  },
  {
    routes: 'GET /',
    abuse: 'public; in development it links the example app found by its registration: a client named so with an outside home page',
    tests: ['integration/ops-routes.test.ts', 'security/start-page-links-only-a-loopback-example.test.ts'],
  },
  {
    routes: 'POST /language',
    abuse: 'a return path off Keyline (//host, /\\host, /..//host, a URL, javascript:), a form from another site, a cookie planted by a sibling subdomain, an unshipped locale, JSON, an oversized body',
    tests: [
      'security/language-picker-return-path-stays-on-keyline.test.ts', 'security/language-picker-refuses-another-sites-form.test.ts',
      'security/language-picker-dot-segments-never-leave-keyline.test.ts', 'security/language-cookie-is-host-only-over-https.test.ts',
      'integration/language-picker.test.ts',
    ],
  },
  {
    routes: 'POST /federation/:id/backchannel-logout',
    abuse: 'forged signatures (another key, alg none, HS256 keyed with the public key), another audience or issuer, a nonce, stale or future iat, '
      + 'one token 20 times at once, a token for another upstream (mix-up), a disabled or unknown upstream, hostile bodies',
    tests: [
      'security/upstream-logout-token-forged-signature.test.ts', 'security/upstream-logout-token-wrong-audience.test.ts',
      'security/upstream-logout-token-with-nonce-refused.test.ts', 'security/upstream-logout-token-claims-are-checked.test.ts',
      'security/upstream-logout-token-replayed-once.test.ts', 'security/upstream-logout-token-for-another-upstream.test.ts',
      'integration/upstream-logout.test.ts',
    ],
  },
  {
    routes: 'POST /federation/:id/events',
    abuse: 'no, a wrong or another upstream\'s bearer token; a SET for another receiver or from another issuer; a JWT that is not a SET; '
      + 'one SET 10 times at once; an email-only, opaque or foreign subject',
    tests: [
      'security/upstream-receiver-needs-its-bearer.test.ts', 'security/upstream-set-email-subject-ends-nothing.test.ts', 'integration/upstream-logout.test.ts',
    ],
  },
  {
    routes: 'GET /federation/:id/logged-out',
    abuse: 'a destination in the query (open redirect), another upstream\'s path, a made-up or reused state, two returns at once',
    tests: ['security/upstream-logout-return-is-never-an-open-redirect.test.ts', 'integration/upstream-rp-initiated-logout.test.ts'],
  },
];

function covers(surface: AttackedSurface, route: string): boolean {
  if (!surface.routes.startsWith('* ')) return surface.routes === route;
  const prefix = surface.routes.slice(2);
  const path = route.slice(route.indexOf(' ') + 1);
  return path === prefix || path.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`);
}

test('every declared route is attacked by some test, and no entry names a route that is gone', () => {
  const routes = declaredRoutes();
  expect(routes.length).toBeGreaterThan(50);
  expect(routes.filter((route) => !SURFACES.some((surface) => covers(surface, route)))).toEqual([]);
  expect(SURFACES.filter((surface) => !routes.some((route) => covers(surface, route))).map((surface) => surface.routes)).toEqual([]);
});

test('every test an entry names exists', () => {
  const named = [...new Set(SURFACES.flatMap((surface) => surface.tests))];
  expect(named.filter((file) => !existsSync(join(TESTS, file)))).toEqual([]);
});
