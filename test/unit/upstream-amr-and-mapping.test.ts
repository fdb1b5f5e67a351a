import { ACR } from '../../src/accounts/authentication-level.ts';
import { federatedAccountId } from '../../src/federation/federated-account-id.ts';
import { mapIdentity } from '../../src/federation/map-identity.ts';
import { upstreamAmr } from '../../src/federation/upstream-amr.ts';
import { nextStep } from '../../src/oidc/interactions/next-step.ts';
import type { FactorRecord } from '../../src/store/store.ts';

const totp: FactorRecord = { id: 't', accountId: 'a', type: 'totp', name: 'app', counter: 0, credentialId: null, data: {}, createdAt: new Date(), lastUsedAt: null };
const after = (amr: ReturnType<typeof upstreamAmr>, required: typeof ACR[keyof typeof ACR] | undefined, factors: FactorRecord[] = [totp]) =>
  nextStep({ progress: { accountId: 'a', amr, remember: false, authTime: 1 }, required, factors, recoveryCodesLeft: 0 });

describe('what an upstream sign-in proved (amr)', () => {
  test('always fed; an untrusted upstream\'s own mfa/hwk counts for nothing', () => {
    expect(upstreamAmr(false, { amr: ['mfa', 'hwk', 'pwd'], acr: 'phr' })).toEqual(['fed']);
  });

  test('a trusted upstream\'s mfa, second factor or multi-factor acr gives mfa, never hwk/swk', () => {
    expect(upstreamAmr(true, { amr: ['pwd', 'mfa'] })).toEqual(['fed', 'mfa']);
    expect(upstreamAmr(true, { amr: ['pwd', 'otp'] })).toEqual(['fed', 'otp', 'mfa']);
    expect(upstreamAmr(true, { amr: ['hwk'] })).toEqual(['fed', 'mfa']);
    expect(upstreamAmr(true, { acr: 'http://schemas.openid.net/pape/policies/2007/06/multi-factor' })).toEqual(['fed', 'mfa']);
    expect(upstreamAmr(true, { amr: ['pwd'] })).toEqual(['fed']);
  });

  test('Keyline\'s MFA policy: a client requiring MFA gets the second-factor step after an untrusted upstream, not after a trusted one that said mfa', () => {
    expect(after(upstreamAmr(false, { amr: ['mfa'] }), ACR.multiFactor)).toEqual({ step: 'second-factor', offer: ['totp'] });
    expect(after(upstreamAmr(true, { amr: ['mfa'] }), ACR.multiFactor)).toEqual({ step: 'finish', acr: ACR.multiFactor });
    // Phishing-resistant is never reached on an upstream's word: the account's own passkey is asked for (none here: unmet).
    expect(after(upstreamAmr(true, { amr: ['hwk', 'mfa'] }), ACR.phishingResistant)).toEqual({ step: 'unmet' });
    // No second factor and nothing required: fed alone finishes at the password level.
    expect(after(['fed'], undefined, [])).toEqual({ step: 'finish', acr: ACR.password });
  });
});

describe('mapping an upstream identity (one pure function for every type)', () => {
  const mapping = {
    claims: { name: 'name', given_name: 'given_name', department: 'department', 'https://acme.example/roles': 'roles' },
    groups: [{ claim: 'groups', value: 'eng', group: 'engineering' }, { claim: 'memberOf', value: 'cn=admins,dc=acme', group: 'admins' }],
  };

  test('claims become profile fields or custom attributes; group rules match a value or a list member', () => {
    expect(mapIdentity(mapping, {
      claims: { name: 'Ada', given_name: 'Ada', department: 'R&D', 'https://acme.example/roles': ['x'], groups: ['eng', 'ops'], memberOf: 'cn=users,dc=acme' },
    })).toEqual({ profile: { name: 'Ada', given_name: 'Ada' }, attributes: { department: 'R&D', roles: ['x'] }, groups: ['engineering'] });
  });

  test('absent claims map to nothing, and inherited properties are not claims', () => {
    expect(mapIdentity({ claims: { toString: 'name' }, groups: [{ claim: 'constructor', value: 'x', group: 'g' }] }, { claims: {} }))
      .toEqual({ profile: {}, attributes: {}, groups: [] });
  });
});

test('the just-in-time account id is derived from (upstream, subject) and shaped like a UUID', () => {
  expect(federatedAccountId('acme', 'u1')).toBe(federatedAccountId('acme', 'u1'));
  expect(federatedAccountId('acme', 'u1')).not.toBe(federatedAccountId('acme2', 'u1'));
  expect(federatedAccountId('a', 'b\u0000c')).not.toBe(federatedAccountId('a\u0000b', 'c'));
  expect(federatedAccountId('acme', 'u1')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
});
