import { z } from 'zod';

/** What a person holds right now, as effective-access.ts computes it for tokens. */
export const userAccessSchema = z.object({
  groups: z.array(z.string()).meta({ description: 'Group names, direct and inherited from parent groups, sorted.' }),
  roles: z.array(z.object({
    id: z.string(),
    name: z.string(),
    resource: z.string().nullable(),
    direct: z.boolean().meta({ description: 'Granted to the person themselves.' }),
    groups: z.array(z.string()).meta({ description: 'The groups (among the person\'s, inherited ones included) the role is granted to.' }),
  })).meta({ description: 'Every role held, with where it comes from.' }),
  resources: z.array(z.object({
    resource: z.string(),
    roles: z.array(z.string()),
    permissions: z.array(z.string()).meta({ description: 'The scopes of this resource the person\'s roles permit.' }),
  })).meta({ description: 'Per API resource: what reaches that API\'s tokens (when it enforces RBAC).' }),
  globalRoles: z.array(z.string()).meta({ description: 'Roles of no resource.' }),
}).meta({ id: 'UserAccess' });
