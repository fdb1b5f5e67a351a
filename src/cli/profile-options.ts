import { ADDRESS_FIELDS, TEXT_CLAIMS, type ProfileChange } from '../accounts/profile-claims.ts';
import type { ParsedArguments } from './parse-arguments.ts';

/**
 * The command-line options for the OpenID Connect standard claims, made from the claim lists in
 * profile-claims.ts (so a claim added there gets its option): `--given-name`, `--phone`,
 * `--address-locality`, ... An empty value removes the claim.
 */
const SHORTER: Record<string, string> = { phone_number: 'phone', street_address: 'street' };
const kebab = (name: string) => (SHORTER[name] ?? name).replaceAll('_', '-');

const CLAIM_OPTIONS = TEXT_CLAIMS.map((claim) => ({ claim, option: kebab(claim) }));
const ADDRESS_OPTIONS = ADDRESS_FIELDS.map((field) => ({ field, option: `address-${kebab(field)}` }));

export const PROFILE_OPTIONS = Object.fromEntries([
  ...[...CLAIM_OPTIONS, ...ADDRESS_OPTIONS].map(({ option }) => [option, { type: 'string' as const }]),
  ['phone-verified', { type: 'boolean' as const }],
]);

export const PROFILE_HELP = `      ${CLAIM_OPTIONS.map(({ option }) => `--${option}`).join(' ')}
      ${ADDRESS_OPTIONS.map(({ option }) => `--${option}`).join(' ')}
      --phone-verified                  the standard claims (OpenID Connect Core §5.1); "" removes one`;

/** The claims given on the command line, and only those; undefined when none is. */
export function profileChangeFromOptions(parsed: ParsedArguments): ProfileChange | undefined {
  const given = (option: string) => (typeof parsed.values[option] === 'string' ? parsed.values[option] as string : undefined);
  const text = Object.fromEntries(CLAIM_OPTIONS.filter(({ option }) => given(option) !== undefined).map(({ claim, option }) => [claim, given(option)]));
  const address = Object.fromEntries(ADDRESS_OPTIONS.filter(({ option }) => given(option) !== undefined).map(({ field, option }) => [field, given(option)]));
  const phoneNumberVerified = parsed.values['phone-verified'] === true ? true : undefined;
  if (Object.keys(text).length === 0 && Object.keys(address).length === 0 && phoneNumberVerified === undefined) return undefined;
  return { text, ...(Object.keys(address).length ? { address } : {}), ...(phoneNumberVerified ? { phoneNumberVerified } : {}) };
}
