import { z } from 'zod';
import { pageSchema } from '../paging.ts';

export const registrationTokenSchema = z.object({
  id: z.string().meta({ description: 'What the token is listed, audited and revoked by; never the token itself.' }),
  expiresAt: z.iso.datetime().nullable(),
  maxUses: z.number().int().nullable(),
  uses: z.number().int().nullable().meta({ description: 'Clients it registered so far, where it counts them (with maxUses).' }),
}).meta({ id: 'RegistrationToken', description: 'An initial access token for dynamic client registration (RFC 7591); its value is not stored.' });

export const registrationTokenPageSchema = pageSchema(registrationTokenSchema, 'RegistrationTokenPage');

export const newRegistrationTokenSchema = z.strictObject({
  expiresInSeconds: z.number().int().min(60).max(366 * 86_400).default(7 * 86_400),
  maxUses: z.number().int().min(1).optional().meta({ description: 'Register at most this many clients, counted across nodes.' }),
}).default({ expiresInSeconds: 7 * 86_400 }).meta({ id: 'NewRegistrationToken' });

export const createdRegistrationTokenSchema = registrationTokenSchema.extend({
  token: z.string().meta({ description: 'The initial access token, shown this once.' }),
}).meta({ id: 'CreatedRegistrationToken' });

export const registrationTokenPathSchema = z.object({
  tokenId: z.string().min(1).max(200).meta({ description: 'The id the token was listed or created with.' }),
});
