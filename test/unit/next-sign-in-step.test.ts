import { ACR } from '../../src/accounts/authentication-level.ts';
import { nextStep } from '../../src/oidc/interactions/next-step.ts';
import type { SignInProgress } from '../../src/oidc/interactions/sign-in-progress.ts';
import type { FactorRecord } from '../../src/store/store.ts';

const passwordOnly: SignInProgress = { accountId: 'a', amr: ['pwd'], remember: false, authTime: 1 };
const factor = (type: FactorRecord['type']): FactorRecord => ({
  id: type, accountId: 'a', type, name: type, counter: 0, credentialId: type === 'webauthn' ? 'c' : null, data: {}, createdAt: new Date(), lastUsedAt: null,
});

describe('which sign-in step comes next', () => {
  test('nothing proven yet: identify the user', () => {
    expect(nextStep({ progress: undefined, required: undefined, factors: [], recoveryCodesLeft: 0 })).toEqual({ step: 'identify' });
  });

  test('a password is enough when nothing more is required and the account has no second factor', () => {
    expect(nextStep({ progress: passwordOnly, required: undefined, factors: [], recoveryCodesLeft: 0 }))
      .toEqual({ step: 'finish', acr: ACR.password });
  });

  test('an account with a second factor is always asked for it, whatever is required', () => {
    expect(nextStep({ progress: passwordOnly, required: undefined, factors: [factor('totp')], recoveryCodesLeft: 10 }))
      .toEqual({ step: 'second-factor', offer: ['totp', 'recovery-code'] });
    expect(nextStep({ progress: passwordOnly, required: ACR.password, factors: [factor('webauthn')], recoveryCodesLeft: 0 }))
      .toEqual({ step: 'second-factor', offer: ['passkey'] });
  });

  test('a factor set up in this sign-in ends it at the level proven before, whatever is required', () => {
    expect(nextStep({ progress: { ...passwordOnly, enrolledDuringSignIn: true }, required: ACR.phishingResistant, factors: [factor('webauthn')], recoveryCodesLeft: 10 }))
      .toEqual({ step: 'finish', acr: ACR.password });
  });

  test('two factors required: offer what the account has, recovery codes last', () => {
    expect(nextStep({ progress: passwordOnly, required: ACR.multiFactor, factors: [factor('totp'), factor('webauthn')], recoveryCodesLeft: 3 }))
      .toEqual({ step: 'second-factor', offer: ['totp', 'passkey', 'recovery-code'] });
    expect(nextStep({ progress: passwordOnly, required: ACR.multiFactor, factors: [factor('totp')], recoveryCodesLeft: 0 }))
      .toEqual({ step: 'second-factor', offer: ['totp'] });
  });

  test('two factors required and none enrolled: set one up now', () => {
    expect(nextStep({ progress: passwordOnly, required: ACR.multiFactor, factors: [], recoveryCodesLeft: 0 }))
      .toEqual({ step: 'enrol', passkeyOnly: false });
  });

  test('phishing-resistant required: only a passkey will do; an account with other factors never sets one up here', () => {
    expect(nextStep({ progress: passwordOnly, required: ACR.phishingResistant, factors: [], recoveryCodesLeft: 0 }))
      .toEqual({ step: 'enrol', passkeyOnly: true });
    expect(nextStep({ progress: passwordOnly, required: ACR.phishingResistant, factors: [factor('totp')], recoveryCodesLeft: 10 }))
      .toEqual({ step: 'unmet' });
    expect(nextStep({ progress: { ...passwordOnly, amr: ['pwd', 'otp', 'mfa'] }, required: ACR.phishingResistant, factors: [factor('webauthn')], recoveryCodesLeft: 0 }))
      .toEqual({ step: 'second-factor', offer: ['passkey'] });
  });

  test('a passkey with user verification meets every level', () => {
    expect(nextStep({ progress: { ...passwordOnly, amr: ['swk', 'user', 'mfa'] }, required: ACR.phishingResistant, factors: [factor('webauthn')], recoveryCodesLeft: 0 }))
      .toEqual({ step: 'finish', acr: ACR.phishingResistant });
  });

  test('new recovery codes are shown, and a used one says how many are left, before finishing', () => {
    expect(nextStep({ progress: { ...passwordOnly, amr: ['pwd', 'otp', 'mfa'], sealedNewRecoveryCodes: 'x' }, required: undefined, factors: [], recoveryCodesLeft: 10 }))
      .toEqual({ step: 'show-recovery-codes' });
    expect(nextStep({ progress: { ...passwordOnly, amr: ['pwd', 'otp', 'mfa'], recoveryCodesLeft: 4 }, required: undefined, factors: [], recoveryCodesLeft: 4 }))
      .toEqual({ step: 'recovery-codes-left', left: 4 });
  });
});
