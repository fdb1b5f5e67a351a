import type { Context } from 'koa';
import type { z } from 'zod';
import { readBody } from '../http/read-body.ts';
import type { AdminOperation } from './admin-operation.ts';
import { ProblemError, type ProblemField } from './problem.ts';

const BODY_LIMIT_BYTES = 64 * 1024;

type Location = 'body' | 'query' | 'path';

/** RFC 6901: `~` and `/` inside a member name are escaped. */
const pointerOf = (path: readonly PropertyKey[]) => `#/${path.map((part) => String(part).replaceAll('~', '~0').replaceAll('/', '~1')).join('/')}`;
const dotted = (path: readonly PropertyKey[]) => path.map(String).join('.');

/** Each zod issue becomes one named field: its JSON pointer in the body, or the parameter's name. */
function fieldsOf(issues: readonly z.core.$ZodIssue[], location: Location): ProblemField[] {
  return issues.flatMap((issue) => {
    const paths = issue.code === 'unrecognized_keys' ? issue.keys.map((key) => [...issue.path, key]) : [issue.path];
    return paths.map((path) => {
      const message = issue.code === 'unrecognized_keys' ? 'is not a field of this request' : issue.message;
      const name = dotted(path) || location;
      return location === 'body'
        ? { pointer: pointerOf(path), detail: `${name}: ${message}` }
        : { parameter: String(path[0] ?? location), detail: `${name}: ${message}` };
    });
  });
}

function validated<S extends z.ZodType>(schema: S, input: unknown, location: Location): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const errors = fieldsOf(parsed.error.issues, location);
  const what = location === 'body' ? 'the request body' : `the ${location} parameters`;
  throw new ProblemError(422, 'validation_failed', `${what}: ${errors.map((error) => error.detail).join('; ')}`, { errors });
}

async function jsonBody(ctx: Context): Promise<unknown> {
  const raw = await readBody(ctx, BODY_LIMIT_BYTES, `The request body is larger than ${BODY_LIMIT_BYTES / 1024} KiB.`);
  if (raw.length === 0) return undefined;
  if (!ctx.is('application/json')) {
    throw new ProblemError(415, 'unsupported_media_type', 'Send the request body as application/json.');
  }
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch (error) {
    throw new ProblemError(400, 'invalid_json', `the request body is not JSON: ${(error as Error).message}`);
  }
}

/** The operation's path, query and body, each validated by its schema; a body is required only when the schema requires one. */
export async function validatedInputs(ctx: Context & { params?: Record<string, string> }, operation: AdminOperation) {
  const params = operation.params ? validated(operation.params, ctx.params ?? {}, 'path') : undefined;
  const query = operation.query ? validated(operation.query, { ...ctx.query }, 'query') : undefined;
  const body = operation.body ? validated(operation.body, await jsonBody(ctx), 'body') : undefined;
  return { params, query, body };
}
