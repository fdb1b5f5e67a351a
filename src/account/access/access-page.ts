import { effectiveAccessOfAccount } from '../../authorization/effective-access.ts';
import type { AttributeDeclaration } from '../../config/schema.ts';
import type { AttributeValue } from '../../store/store.ts';
import type { AccountContext, AccountDeps } from '../account-context.ts';

/** The form field of an attribute the person edits; any other field name is refused. */
export const attributeField = (name: string) => `attribute.${name}`;

/** What a text input shows for a value: a list as comma-separated entries. */
export function attributeText(value: AttributeValue | undefined): string {
  if (value === undefined) return '';
  return Array.isArray(value) ? value.join(', ') : String(value);
}

export interface AttributeForm {
  /** attribute name → what was typed (booleans: whether ticked) */
  values: Record<string, string | boolean>;
  /** attribute name → what the value must be (`string`, `number`, `date`, `list`, `boolean`, `required`) */
  invalid: Record<string, string>;
}

const expectationOf = (declaration: AttributeDeclaration) => (declaration.type === 'string[]' ? 'list' : declaration.type);
export const expectedFor = (declaration: AttributeDeclaration, kind: 'unknown' | 'required' | 'invalid') => (kind === 'required' ? 'required' : expectationOf(declaration));

/**
 * The person's groups and roles (read only, roles under the API they are for) and their custom
 * attributes: those declared userEditable as inputs by type, the others shown when the operator
 * gave them a label.
 */
export async function renderAccessPage(
  deps: AccountDeps, ctx: AccountContext, { form, status = 200 }: { form?: AttributeForm; status?: number } = {},
): Promise<void> {
  const { account, csrfToken } = ctx.state.signedIn!;
  const access = await effectiveAccessOfAccount(deps.store, deps.provider.issuer, account.id);
  const byResource = new Map<string | null, string[]>();
  for (const role of access.roles) byResource.set(role.resource, [...byResource.get(role.resource) ?? [], role.name]);
  const roleGroups = await Promise.all([...byResource].map(async ([indicator, names]) => ({
    api: indicator === null ? undefined : (await deps.resources.find(indicator))?.name ?? ((URL.canParse(indicator) && new URL(indicator).host) || indicator),
    roles: names.sort(),
  })));
  roleGroups.sort((a, b) => (a.api === undefined ? -1 : b.api === undefined ? 1 : a.api.localeCompare(b.api)));
  const attributes = account.attributes ?? {};
  const editable = deps.declarations.attributes.filter((declaration) => declaration.userEditable).map((declaration) => {
    const typed = form?.values[declaration.name];
    return {
      name: declaration.name,
      field: attributeField(declaration.name),
      label: declaration.label ?? declaration.name,
      type: declaration.type,
      text: typeof typed === 'string' ? typed : attributeText(attributes[declaration.name]),
      checked: typeof typed === 'boolean' ? typed : attributes[declaration.name] === true,
      required: declaration.required,
      invalid: form?.invalid[declaration.name],
    };
  });
  const readOnly = deps.declarations.attributes
    .filter((declaration) => !declaration.userEditable && declaration.label !== undefined && attributes[declaration.name] !== undefined)
    .map((declaration) => ({ label: declaration.label!, type: declaration.type, value: attributes[declaration.name]!, text: attributeText(attributes[declaration.name]) }));
  deps.pages.render(ctx, 'account-access', {
    page: 'access',
    csrfToken,
    email: account.email,
    groups: access.groups,
    roleGroups,
    editable,
    readOnly,
    invalid: Object.keys(form?.invalid ?? {}).length > 0,
    done: ctx.query.done === 'saved' ? 'saved' : undefined,
  }, { status });
}
