import { TOTP, Secret } from 'otpauth';
import { matchingTotpStep, newTotpSecret, totpUri } from '../../src/accounts/factors/totp.ts';
import { generateRecoveryCodes, hashRecoveryCode, looksLikeRecoveryCode } from '../../src/accounts/factors/recovery-codes.ts';
import { ACR, levelOf, reportedAcr, requestedLevel, satisfies } from '../../src/accounts/authentication-level.ts';

/** What an authenticator app shows for this secret at this moment. */
function appCode(secret: string, at: number): string {
  return new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 }).generate({ timestamp: at });
}

describe('TOTP (RFC 6238)', () => {
  const secret = newTotpSecret();
  const now = Date.UTC(2026, 11, 1, 12, 0, 15);
  const step = Math.floor(now / 30_000);

  test('accepts the current code and one step either side, naming the step it matched', () => {
    expect(matchingTotpStep(secret, appCode(secret, now), now)).toBe(step);
    expect(matchingTotpStep(secret, appCode(secret, now - 30_000), now)).toBe(step - 1);
    expect(matchingTotpStep(secret, appCode(secret, now + 30_000), now)).toBe(step + 1);
  });

  test('refuses codes two steps away, wrong codes and malformed input', () => {
    expect(matchingTotpStep(secret, appCode(secret, now - 60_000), now)).toBeUndefined();
    expect(matchingTotpStep(secret, appCode(secret, now + 60_000), now)).toBeUndefined();
    const wrong = String((Number(appCode(secret, now)) + 1) % 1_000_000).padStart(6, '0');
    expect(matchingTotpStep(secret, wrong, now)).toBeUndefined();
    for (const junk of ['', '12345', '1234567', 'abcdef']) expect(matchingTotpStep(secret, junk, now)).toBeUndefined();
  });

  test('tolerates the spaces apps show in a code', () => {
    const code = appCode(secret, now);
    expect(matchingTotpStep(secret, `${code.slice(0, 3)} ${code.slice(3)}`, now)).toBe(step);
  });

  test('the otpauth URI names the issuer, the account and the secret', () => {
    const uri = new URL(totpUri(secret, 'Acme ID', 'ada@example.test'));
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.searchParams.get('secret')).toBe(secret);
    expect(uri.searchParams.get('issuer')).toBe('Acme ID');
    expect(decodeURIComponent(uri.pathname)).toContain('ada@example.test');
  });
});

describe('recovery codes', () => {
  test('ten distinct codes in the shown format', () => {
    const codes = generateRecoveryCodes();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) {
      expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/);
      expect(looksLikeRecoveryCode(code)).toBe(true);
    }
  });

  test('the hash ignores case, spaces and dashes, and never contains the code', () => {
    const [code] = generateRecoveryCodes(1);
    const hash = hashRecoveryCode(code!);
    expect(hashRecoveryCode(code!.toLowerCase().replaceAll('-', ' '))).toBe(hash);
    expect(hash).not.toContain(code!.replaceAll('-', ''));
    expect(hashRecoveryCode(generateRecoveryCodes(1)[0]!)).not.toBe(hash);
  });
});

describe('authentication levels', () => {
  test('the methods used decide the level', () => {
    expect(levelOf(['pwd'])).toBe(ACR.password);
    expect(levelOf(['pwd', 'otp', 'mfa'])).toBe(ACR.multiFactor);
    expect(levelOf(['swk', 'user', 'mfa'])).toBe(ACR.phishingResistant);
    expect(levelOf(['pwd', 'hwk', 'mfa'])).toBe(ACR.phishingResistant);
  });

  test('a stronger level satisfies a weaker requirement, never the reverse', () => {
    expect(satisfies(ACR.phishingResistant, ACR.multiFactor)).toBe(true);
    expect(satisfies(ACR.multiFactor, ACR.multiFactor)).toBe(true);
    expect(satisfies(ACR.password, ACR.multiFactor)).toBe(false);
    expect(satisfies(ACR.password, undefined)).toBe(true);
  });

  test('any one requested value satisfies a request; unknown values are ignored', () => {
    expect(requestedLevel([ACR.phishingResistant, ACR.multiFactor])).toBe(ACR.multiFactor);
    expect(requestedLevel(['urn:other:gold', ACR.phishingResistant])).toBe(ACR.phishingResistant);
    expect(requestedLevel(['urn:other:gold'])).toBeUndefined();
  });

  test('the reported acr is a requested value the sign-in met, else the level reached', () => {
    expect(reportedAcr(ACR.phishingResistant, [ACR.multiFactor])).toBe(ACR.multiFactor);
    expect(reportedAcr(ACR.phishingResistant, [ACR.multiFactor, ACR.phishingResistant])).toBe(ACR.phishingResistant);
    expect(reportedAcr(ACR.multiFactor, [])).toBe(ACR.multiFactor);
  });
});
