/**
 * The OpenID Connect standard claims an account carries besides its email (OIDC Core §5.1), kept
 * under their claim names, and the checks each value must pass before it is stored.
 */
export interface PostalAddress {
  formatted?: string;
  street_address?: string;
  locality?: string;
  region?: string;
  postal_code?: string;
  country?: string;
}

export interface AccountProfile {
  given_name?: string;
  family_name?: string;
  middle_name?: string;
  nickname?: string;
  preferred_username?: string;
  picture?: string;
  website?: string;
  gender?: string;
  birthdate?: string;
  zoneinfo?: string;
  locale?: string;
  phone_number?: string;
  phone_number_verified?: boolean;
  address?: PostalAddress;
}

type TextClaim = Exclude<keyof AccountProfile, 'phone_number_verified' | 'address'>;

const MAX_LENGTH = 256;

function isHttpUrl(value: string): boolean {
  return URL.canParse(value) && /^https?:$/.test(new URL(value).protocol);
}

function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return value.includes('/') || value === 'UTC';
  } catch {
    return false;
  }
}

function isLanguageTag(value: string): boolean {
  try {
    return Intl.getCanonicalLocales(value).length === 1;
  } catch {
    return false;
  }
}

/** OIDC Core §5.1: YYYY-MM-DD, YYYY alone, or 0000-MM-DD when the year is withheld. */
function isBirthdate(value: string): boolean {
  if (/^\d{4}$/.test(value)) return true;
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const [, year, month, day] = match.map(Number) as [number, number, number, number];
  const date = new Date(Date.UTC(year === 0 ? 2000 : year, month - 1, day));
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day && (year === 0 || date <= new Date());
}

const RULES: Record<TextClaim, { test: (value: string) => boolean; expected: string }> = {
  given_name: { test: () => true, expected: '' },
  family_name: { test: () => true, expected: '' },
  middle_name: { test: () => true, expected: '' },
  nickname: { test: () => true, expected: '' },
  preferred_username: { test: (value) => !/\s/.test(value), expected: 'a username without spaces' },
  picture: { test: isHttpUrl, expected: 'an http(s) URL' },
  website: { test: isHttpUrl, expected: 'an http(s) URL' },
  gender: { test: () => true, expected: '' },
  birthdate: { test: isBirthdate, expected: 'a date as YYYY-MM-DD (or YYYY, or 0000-MM-DD), not in the future' },
  zoneinfo: { test: isTimeZone, expected: 'an IANA time zone such as Europe/Paris' },
  locale: { test: isLanguageTag, expected: 'a BCP 47 language tag such as fr-CA' },
  phone_number: { test: (value) => /^\+[1-9]\d{1,14}$/.test(value), expected: 'an E.164 number such as +14155550123' },
};

export const TEXT_CLAIMS = Object.keys(RULES) as TextClaim[];
export const ADDRESS_FIELDS = ['formatted', 'street_address', 'locality', 'region', 'postal_code', 'country'] as const;

export interface ProfileChange {
  /** A claim set to '' is removed. */
  text?: Partial<Record<TextClaim, string>>;
  address?: Partial<Record<(typeof ADDRESS_FIELDS)[number], string>>;
  phoneNumberVerified?: boolean;
}

/**
 * Applies a change to a profile: every problem is named (claim and what it must be), and nothing
 * is applied when there is one. Empty values remove the claim, so a claim is never stored empty.
 */
export function changeProfile(current: AccountProfile, change: ProfileChange): { profile: AccountProfile; problems: string[] } {
  const problems: string[] = [];
  const profile: AccountProfile = structuredClone(current);
  for (const [claim, raw] of Object.entries(change.text ?? {}) as Array<[TextClaim, string | undefined]>) {
    if (raw === undefined) continue;
    const value = raw.trim();
    if (value === '') {
      delete profile[claim];
    } else if (value.length > MAX_LENGTH) {
      problems.push(`${claim}: at most ${MAX_LENGTH} characters`);
    } else if (!RULES[claim].test(value)) {
      problems.push(`${claim}: must be ${RULES[claim].expected}`);
    } else {
      profile[claim] = claim === 'locale' ? Intl.getCanonicalLocales(value)[0]! : value;
    }
  }
  if (change.text?.phone_number !== undefined) delete profile.phone_number_verified;
  if (change.address) {
    const address: PostalAddress = { ...profile.address };
    for (const [field, raw] of Object.entries(change.address) as Array<[keyof PostalAddress, string | undefined]>) {
      if (raw === undefined) continue;
      const value = raw.trim();
      if (value.length > MAX_LENGTH) problems.push(`address.${field}: at most ${MAX_LENGTH} characters`);
      else if (value === '') delete address[field];
      else address[field] = value;
    }
    if (Object.keys(address).length) profile.address = address;
    else delete profile.address;
  }
  if (change.phoneNumberVerified !== undefined) {
    if (change.phoneNumberVerified && !profile.phone_number) problems.push('phone_number_verified: there is no phone number to verify');
    else if (change.phoneNumberVerified) profile.phone_number_verified = true;
    else delete profile.phone_number_verified;
  }
  return { profile: problems.length ? current : profile, problems };
}
