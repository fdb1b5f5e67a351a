import { z } from 'zod';

/**
 * List endpoints page with an opaque cursor: the position after the last item of a page, as
 * base64url JSON. Callers treat it as a string; its shape is the list's own business, and a
 * cursor that does not decode to that shape is refused as a bad `cursor` parameter.
 */
export function encodeCursor(position: Record<string, string>): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

export function cursorParameter<T extends z.ZodObject>(position: T) {
  return z.string().max(1024).transform((cursor, context) => {
    try {
      const decoded: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
      const parsed = position.safeParse(decoded);
      if (parsed.success) return parsed.data as z.output<T>;
    } catch {
      // falls through to the issue below
    }
    context.addIssue({ code: 'custom', message: 'not a cursor this list handed out; pass the nextCursor of the previous page' });
    return z.NEVER;
  }).optional().meta({ description: 'The `nextCursor` of the previous page; leave out for the first page.' });
}

export const limitParameter = z.coerce.number().int().min(1).max(200).default(50)
  .meta({ description: 'How many items per page (1–200).' });

/** The query of a list paged by a unique sort key (the cursor holds the last key of the page). */
export const pagingQuerySchema = z.strictObject({
  cursor: cursorParameter(z.object({ after: z.string() })),
  limit: limitParameter,
});

export interface Page<T> {
  items: T[];
  /** Where the next page starts; null on the last page. */
  nextCursor: string | null;
}

/** A page from up to `limit + 1` items read in list order: the extra one only says that more follow. */
export function pageOf<T, V>(items: T[], limit: number, positionOf: (item: T) => Record<string, string>, view: (item: T) => V): Page<V> {
  const shown = items.slice(0, limit);
  return { items: shown.map(view), nextCursor: items.length > limit ? encodeCursor(positionOf(shown.at(-1)!)) : null };
}

/** The same paging for lists that are read whole (clients, resources, keys: a few hundred at most), by a unique sort key. */
export function pageOfSorted<T, V>(sorted: T[], keyOf: (item: T) => string, after: string | undefined, limit: number, view: (item: T) => V): Page<V> {
  const rest = after === undefined ? sorted : sorted.filter((item) => keyOf(item) > after);
  return pageOf(rest.slice(0, limit + 1), limit, (item) => ({ after: keyOf(item) }), view);
}

/** The response schema of a page of `item`. */
export function pageSchema<T extends z.ZodType>(item: T, id: string) {
  return z.object({
    items: z.array(item),
    nextCursor: z.string().nullable().meta({ description: 'Pass as `cursor` for the next page; null on the last page.' }),
  }).meta({ id });
}
