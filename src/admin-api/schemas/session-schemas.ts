import { z } from 'zod';
import { pageSchema } from '../paging.ts';
import { userPathSchema } from './user-schemas.ts';

export const sessionSchema = z.object({
  uid: z.string().nullable().meta({ description: 'The session\'s public identifier; never the cookie value.' }),
  createdAt: z.iso.datetime().nullable(),
  lastSeenAt: z.iso.datetime().nullable(),
  expiresAt: z.iso.datetime().nullable(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  clients: z.array(z.string()).meta({ description: 'The clients signed in through this session.' }),
}).meta({ id: 'Session' });

export const sessionPageSchema = pageSchema(sessionSchema, 'SessionPage');

export const sessionPathSchema = userPathSchema.extend({ uid: z.string().min(1).max(200) });

export const revokedSchema = z.object({
  removed: z.number().int().meta({ description: 'Sessions, grants, codes and tokens that ended.' }),
}).meta({ id: 'SessionsRevoked' });
