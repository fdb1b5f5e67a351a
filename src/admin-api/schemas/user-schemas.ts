import { z } from 'zod';
import { ADDRESS_FIELDS, TEXT_CLAIMS, type ProfileChange } from '../../accounts/profile-claims.ts';
import { pageSchema, pagingQuerySchema } from '../paging.ts';

/**
 * Users in the admin API. The standard claims are listed from profile-claims.ts (the one place
 * their rules live): these schemas give their shape; the accounts service checks their values,
 * and its refusals name the claim.
 */
const claimValue = z.string().optional().meta({ description: 'See OpenID Connect Core §5.1.' });
const removableClaim = z.string().nullable().optional().meta({ description: 'A new value; null or "" removes the claim.' });

/** One schema per name, keyed by the names (the claim lists are the accounts module's). */
function each<K extends string, S extends z.ZodType>(names: readonly K[], schema: S): Record<K, S> {
  return Object.fromEntries(names.map((name) => [name, schema])) as Record<K, S>;
}

export const addressSchema = z.object(each(ADDRESS_FIELDS, claimValue)).meta({ id: 'PostalAddress' });

export const profileClaimsSchema = z.object({
  ...each(TEXT_CLAIMS, claimValue),
  phone_number_verified: z.boolean().optional(),
  address: addressSchema.optional(),
}).meta({ id: 'ProfileClaims', description: 'The OpenID Connect standard claims the user has; absent claims are absent.' });

export const profileChangeSchema = z.strictObject({
  ...each(TEXT_CLAIMS, removableClaim),
  phone_number_verified: z.boolean().optional(),
  address: z.strictObject(each(ADDRESS_FIELDS, removableClaim))
    .nullable().optional().meta({ description: 'The fields to change; null removes the whole address.' }),
}).meta({ id: 'ProfileChange', description: 'Only the claims given change.' });

/** The request's claims as the accounts service takes them ('' removes a claim). */
export function toProfileChange(change: z.output<typeof profileChangeSchema> | undefined): ProfileChange | undefined {
  if (!change) return undefined;
  const { address, phone_number_verified: phoneNumberVerified, ...claims } = change;
  const text = Object.fromEntries(Object.entries(claims).filter(([, value]) => value !== undefined).map(([claim, value]) => [claim, value ?? '']));
  const addressChange = address === null
    ? Object.fromEntries(ADDRESS_FIELDS.map((field) => [field, '']))
    : address && Object.fromEntries(Object.entries(address).filter(([, value]) => value !== undefined).map(([field, value]) => [field, value ?? '']));
  return { text, ...(addressChange ? { address: addressChange } : {}), ...(phoneNumberVerified !== undefined ? { phoneNumberVerified } : {}) };
}

const attributeValueSchema = z.union([z.string(), z.number(), z.boolean(), z.array(z.string())])
  .meta({ id: 'AttributeValue', description: 'As the attribute is declared (config `attributes:`): text, number, boolean, a list of texts, or a date as YYYY-MM-DD.' });
const attributeNameSchema = z.string().max(64);

export const userSchema = z.object({
  id: z.string(),
  email: z.string(),
  emailVerified: z.boolean(),
  name: z.string().nullable(),
  disabled: z.boolean(),
  signInByEmail: z.boolean().meta({ description: 'True when the user has a password (signs in with email and password); false for an account made just-in-time from an upstream identity that has not set one: it signs in through its linked identities or a passkey.' }),
  profile: profileClaimsSchema,
  attributes: z.record(attributeNameSchema, attributeValueSchema).meta({ description: 'The custom attributes the user has, by name.' }),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
}).meta({ id: 'User' });

export const factorSchema = z.object({
  id: z.string(),
  type: z.enum(['totp', 'webauthn']),
  name: z.string(),
  createdAt: z.iso.datetime(),
  lastUsedAt: z.iso.datetime().nullable(),
}).meta({ id: 'SecondFactor', description: 'An enrolled second factor or passkey; never its secret or key.' });

export const userDetailsSchema = userSchema.extend({
  factors: z.array(factorSchema),
  recoveryCodesUnused: z.number().int(),
}).meta({ id: 'UserDetails' });

export const userPageSchema = pageSchema(userSchema, 'UserPage');

export const userPathSchema = z.object({ id: z.string().min(1).max(200).meta({ description: 'The user\'s id.' }) });

export const listUsersQuerySchema = pagingQuerySchema.extend({
  email: z.string().trim().toLowerCase().min(1).max(320).optional().meta({ description: 'Only users whose email contains this text.' }),
});

export const newUserSchema = z.strictObject({
  email: z.string().max(320),
  password: z.string().max(1024).meta({ description: 'Checked against the password policy; never returned, logged or audited.' }),
  name: z.string().max(200).nullable().optional(),
  emailVerified: z.boolean().optional().meta({ description: 'The administrator vouches for the address.' }),
  profile: profileChangeSchema.optional(),
  attributes: z.record(attributeNameSchema, attributeValueSchema).optional()
    .meta({ description: 'Custom attributes, each declared in config `attributes:`; every required one must be given. An unknown name is refused.' }),
}).meta({ id: 'NewUser' });

export const userChangesSchema = z.strictObject({
  name: z.string().max(200).nullable().optional().meta({ description: 'null or "" removes the name.' }),
  disabled: z.boolean().optional().meta({ description: 'Disabling ends every session and grant of the user.' }),
  profile: profileChangeSchema.optional(),
  attributes: z.record(attributeNameSchema, attributeValueSchema.nullable()).optional()
    .meta({ description: 'The attributes to change; null removes one (never a required one). Those not named stay. An unknown name is refused.' }),
}).meta({ id: 'UserChanges' });

export const newPasswordSchema = z.strictObject({
  password: z.string().max(1024),
}).meta({ id: 'NewPassword' });

export const removalSchema = z.object({
  sessionRecords: z.number().int().meta({ description: 'Sessions, grants, codes and tokens that ended.' }),
  factors: z.number().int().meta({ description: 'Second factors removed.' }),
}).meta({ id: 'Removal' });
