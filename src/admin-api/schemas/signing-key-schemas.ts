import { z } from 'zod';
import { SIGNING_ALGS } from '../../config/schema.ts';
import { pageSchema } from '../paging.ts';

export const signingKeySchema = z.object({
  kid: z.string(),
  alg: z.string(),
  sequence: z.number().int(),
  status: z.enum(['pending', 'signing', 'superseded', 'retired']),
  createdAt: z.iso.datetime(),
  activatesAt: z.iso.datetime().meta({ description: 'When it starts (or started) signing.' }),
  unpublishAt: z.iso.datetime().nullable().meta({ description: 'When it leaves (or left) the JWKS; null while not decided yet.' }),
}).meta({ id: 'SigningKey', description: 'Never private key material.' });

export const signingKeyPageSchema = pageSchema(signingKeySchema, 'SigningKeyPage');

export const rotationRequestSchema = z.strictObject({
  algorithms: z.array(z.enum(SIGNING_ALGS)).min(1).optional().meta({ description: 'Default: every algorithm Keyline signs with.' }),
  now: z.boolean().default(false).meta({
    description: 'Sign with the new keys at once and retire the old ones (a suspected compromise): tokens they signed stop verifying, '
      + 'this call\'s own token too. Otherwise the new keys are published now and sign after keys.prePublish.',
  }),
}).default({ now: false }).meta({ id: 'RotationRequest' });

export const rotationSchema = z.object({
  rotated: z.array(z.object({
    alg: z.string(),
    kid: z.string(),
    activatesAt: z.iso.datetime(),
    retired: z.array(z.string()),
  })),
}).meta({ id: 'Rotation' });
