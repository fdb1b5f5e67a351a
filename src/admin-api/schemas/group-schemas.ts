import { z } from 'zod';
import type { GroupRecord } from '../../store/store.ts';
import { cursorParameter, limitParameter, pageSchema } from '../paging.ts';

/**
 * Groups in the admin API. Names and parents are checked by authorization-administration.ts (the
 * one place their rules live); these schemas give the shape, and its refusals name the field.
 */
const groupName = z.string().max(200).meta({ description: 'Letters, digits, ".", "_", ":" or "-", at most 64; unique; it goes into tokens.' });
const description = z.string().max(1000).nullable().optional().meta({ description: 'One line, at most 200 characters; null removes it.' });

export const groupPathSchema = z.object({ id: z.string().min(1).max(200).meta({ description: 'The group\'s id or name.' }) });
export const memberPathSchema = groupPathSchema.extend({ userId: z.string().min(1).max(200).meta({ description: 'The user\'s id.' }) });

export const newGroupSchema = z.strictObject({
  name: groupName,
  parent: z.string().max(200).nullable().optional().meta({ description: 'The parent group\'s name or id; membership of this group counts for the parent.' }),
  description,
}).meta({ id: 'NewGroup' });

export const groupChangesSchema = z.strictObject({
  name: groupName.optional(),
  parent: z.string().max(200).nullable().optional().meta({ description: 'The new parent\'s name or id; null makes it a top-level group. A cycle is refused.' }),
  description,
}).meta({ id: 'GroupChanges', description: 'Only the fields given change.' });

const groupReference = z.object({ id: z.string(), name: z.string() });

export const groupSchema = z.object({
  id: z.string(),
  name: z.string(),
  parentId: z.string().nullable(),
  parent: z.string().nullable().meta({ description: 'The parent\'s name.' }),
  description: z.string().nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
}).meta({ id: 'Group' });

export const groupDetailsSchema = groupSchema.extend({
  children: z.array(groupReference).meta({ description: 'The direct child groups, by name.' }),
  memberCount: z.number().int().meta({ description: 'Direct members (members of child groups count for this group too, but are not counted here).' }),
  roles: z.array(z.object({ id: z.string(), name: z.string(), resource: z.string().nullable() })).meta({ description: 'Roles granted to the group, by name.' }),
}).meta({ id: 'GroupDetails' });

export const groupPageSchema = pageSchema(groupSchema, 'GroupPage');

export const memberSchema = z.object({ id: z.string(), email: z.string(), name: z.string().nullable(), disabled: z.boolean() }).meta({ id: 'GroupMember' });
export const memberPageSchema = pageSchema(memberSchema, 'GroupMemberPage');

/** Members are paged by account id. */
export const memberPagingQuerySchema = z.strictObject({
  cursor: cursorParameter(z.object({ after: z.string() })),
  limit: limitParameter,
});

export function groupView(group: GroupRecord, parentName: string | null): z.input<typeof groupSchema> {
  return {
    id: group.id,
    name: group.name,
    parentId: group.parentId,
    parent: parentName,
    description: group.description,
    createdAt: group.createdAt.toISOString(),
    updatedAt: group.updatedAt.toISOString(),
  };
}
