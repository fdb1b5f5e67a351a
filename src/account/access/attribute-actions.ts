import { attributeFromText, AttributeError, changeAttributes, type AttributeChange } from '../../authorization/attributes.ts';
import { changedFields } from '../../audit/audited-change.ts';
import { HttpError } from '../../http/http-error.ts';
import type { AccountContext, AccountDeps } from '../account-context.ts';
import { attributeField, attributeText, expectedFor, renderAccessPage, type AttributeForm } from './access-page.ts';

/**
 * Saves the attributes the person may edit. The form carries only those (and the CSRF token): any
 * other field, such as an attribute only an administrator sets, is refused outright. Only values
 * that changed are written, onto the attributes as they are when written (compare and set), so an
 * administrator's change made meanwhile to another attribute stays. Invalid values are marked and nothing is saved then.
 */
export function saveAttributes(deps: AccountDeps) {
  return async (ctx: AccountContext): Promise<void> => {
    const { account } = ctx.state.signedIn!;
    const body = ctx.state.form!;
    const editable = deps.declarations.attributes.filter((declaration) => declaration.userEditable);
    const fields = new Set(['csrf', ...editable.map((declaration) => attributeField(declaration.name))]);
    const stray = Object.keys(body).find((field) => !fields.has(field));
    if (stray !== undefined) throw new HttpError(400, 'invalid_request', 'This form has a field your account page does not offer.');

    const current = (await deps.accounts.findById(account.id))?.attributes ?? {};
    const form: AttributeForm = { values: {}, invalid: {} };
    const change: AttributeChange = {};
    for (const declaration of editable) {
      const typed = body[attributeField(declaration.name)];
      const value = current[declaration.name];
      if (declaration.type === 'boolean') {
        const ticked = typed !== undefined;
        form.values[declaration.name] = ticked;
        if (ticked !== (value === true)) change[declaration.name] = ticked;
        continue;
      }
      // A field the form always has but this request left out changes nothing.
      if (typed === undefined) continue;
      form.values[declaration.name] = typed;
      const text = typed.trim();
      if (text === attributeText(value)) continue;
      change[declaration.name] = text === '' ? null : attributeFromText(declaration, text);
    }

    let next;
    try {
      next = changeAttributes(deps.declarations.attributes, current, change);
    } catch (error) {
      if (!(error instanceof AttributeError)) throw error;
      for (const problem of error.problems) {
        const declaration = editable.find((candidate) => candidate.name === problem.attribute)!;
        form.invalid[problem.attribute] = expectedFor(declaration, problem.kind);
      }
      await renderAccessPage(deps, ctx, { form, status: 400 });
      return;
    }
    const { before, after } = changedFields(current, next);
    if (Object.keys(after).length > 0) {
      await deps.accounts.changeAttributes(account.id, (now) => changeAttributes(deps.declarations.attributes, now, change));
      await deps.securityEvents.record({
        type: 'account.attributes_updated', actor: `user:${account.id}`, accountId: account.id, email: account.email, ip: ctx.ip,
        requestId: ctx.state.requestId, data: { before: { attributes: before }, after: { attributes: after } },
      }, ctx.state.log);
    }
    ctx.status = 303;
    ctx.redirect('/account/access?done=saved');
  };
}
