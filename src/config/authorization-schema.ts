import { z } from 'zod';
import { OIDC_SCOPES, RESERVED_CLAIMS } from '../oidc/claims.ts';

/**
 * The operator's declarations for issue 20: custom user attributes (`attributes:`) and the scopes
 * that release claims taken from them, from groups or from roles (`claims:`). Declarative only:
 * no user code runs in Keyline.
 */
export const ATTRIBUTE_TYPES = ['string', 'number', 'boolean', 'string[]', 'date'] as const;
export type AttributeType = (typeof ATTRIBUTE_TYPES)[number];

export const ATTRIBUTE_NAME = /^[a-z][a-z0-9_]{0,39}$/;
const ATTRIBUTE_NAME_RULE = 'lower-case letters, digits and _, starting with a letter, at most 40 characters';

const attributeSchema = z.strictObject({
  name: z.string().regex(ATTRIBUTE_NAME, `must be ${ATTRIBUTE_NAME_RULE}`).describe('Lower-case letters, digits and `_`, starting with a letter.'),
  type: z.enum(ATTRIBUTE_TYPES, { error: `must be one of ${ATTRIBUTE_TYPES.join(', ')}` }).describe('What its values are; `date` is YYYY-MM-DD.'),
  label: z.string().trim().min(1).max(80).optional().describe('Shown on the account page; an attribute without one is not shown there unless the person may edit it.'),
  userEditable: z.boolean().default(false).describe('The person may change it on the account page (so it is self-asserted).'),
  required: z.boolean().default(false).describe('Given when an administrator creates a user, and never removed.'),
});

export type AttributeDeclaration = z.output<typeof attributeSchema>;

export const attributesSchema = z.array(attributeSchema).max(100).default([]).superRefine((declarations, ctx) => {
  const seen = new Set<string>();
  declarations.forEach((declaration, index) => {
    if (seen.has(declaration.name)) ctx.addIssue({ code: 'custom', message: `"${declaration.name}" is declared twice`, path: [index, 'name'] });
    seen.add(declaration.name);
  });
});

/** Where a mapped claim's value comes from: an attribute, the person's group names, or their global role names. */
export type ClaimSource = `attribute.${string}` | 'groups' | 'roles';
/** scope → claim name → source */
export type ClaimScopes = Record<string, Record<string, ClaimSource>>;

const SCOPE_NAME = /^[a-z][a-z0-9_-]{0,39}$/;
const CLAIM_NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
const SOURCE = /^(attribute\.[a-z][a-z0-9_]{0,39}|groups|roles)$/;
const RESERVED_SCOPES: ReadonlySet<string> = new Set([...OIDC_SCOPES]);

export const claimsSchema = z.record(z.string(), z.record(z.string(), z.string())).default({}).superRefine((scopes, ctx) => {
  const claimedBy = new Map<string, string>();
  for (const [scope, claims] of Object.entries(scopes)) {
    if (!SCOPE_NAME.test(scope)) {
      ctx.addIssue({ code: 'custom', message: `"${scope}" cannot be a scope name: lower-case letters, digits, _ and -, starting with a letter`, path: [scope] });
    } else if (RESERVED_SCOPES.has(scope)) {
      ctx.addIssue({ code: 'custom', message: `"${scope}" is an OpenID Connect scope, whose claims are Keyline's; choose another name`, path: [scope] });
    }
    if (Object.keys(claims).length === 0) ctx.addIssue({ code: 'custom', message: 'a scope releases at least one claim', path: [scope] });
    for (const [claim, source] of Object.entries(claims)) {
      if (!CLAIM_NAME.test(claim)) {
        ctx.addIssue({ code: 'custom', message: `"${claim}" cannot be a claim name: letters, digits and _, starting with a letter`, path: [scope, claim] });
      } else if (RESERVED_CLAIMS.has(claim)) {
        ctx.addIssue({ code: 'custom', message: `"${claim}" is a standard or registered claim, which Keyline sets itself; choose another name`, path: [scope, claim] });
      } else if (claimedBy.has(claim)) {
        ctx.addIssue({ code: 'custom', message: `"${claim}" is released by scope "${claimedBy.get(claim)}" already; a claim comes from one scope`, path: [scope, claim] });
      }
      claimedBy.set(claim, scope);
      if (!SOURCE.test(source)) {
        ctx.addIssue({ code: 'custom', message: `"${source}" is not a source: use attribute.<name>, groups or roles`, path: [scope, claim] });
      }
    }
  }
}).transform((scopes) => scopes as ClaimScopes);

/** What the pages need to know of the declarations: attribute labels and types, and what each claim scope releases. */
export interface AuthorizationDeclarations {
  attributes: readonly AttributeDeclaration[];
  claims: ClaimScopes;
}

/**
 * What only the whole config can tell: a source must name a declared attribute, and a claim scope
 * must not be an API's scope (a token would not say which was meant). One line per problem.
 */
export function claimsConfigProblems(config: { attributes: AttributeDeclaration[]; claims: ClaimScopes; resources: Record<string, { scopes: string[] }> }): string[] {
  const problems: string[] = [];
  const declared = new Set(config.attributes.map((attribute) => attribute.name));
  for (const [scope, claims] of Object.entries(config.claims)) {
    for (const [claim, source] of Object.entries(claims)) {
      const attribute = source.startsWith('attribute.') ? source.slice('attribute.'.length) : undefined;
      if (attribute !== undefined && !declared.has(attribute)) {
        problems.push(`claims.${scope}.${claim}: "${source}" names the attribute "${attribute}", which is not declared under attributes:`);
      }
    }
    for (const [indicator, resource] of Object.entries(config.resources)) {
      if (resource.scopes.includes(scope)) problems.push(`claims.${scope}: "${scope}" is a scope of the API ${indicator}; choose another name`);
    }
  }
  return problems;
}
