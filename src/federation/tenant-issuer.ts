/** A Microsoft tenant id (a GUID, or `organizations`/`common`/`consumers` in a document's issuer). */
export const TENANT_ID = /^[A-Za-z0-9-]{1,64}$/;

/** Whether `issuer` is the multi-tenant `template` (`…/{tenantid}/…`) filled with one tenant id. */
export function isTenantOf(template: string, issuer: string): boolean {
  const [before, after] = template.split('{tenantid}') as [string, string];
  if (!issuer.startsWith(before) || !issuer.endsWith(after) || issuer.length <= before.length + after.length) return false;
  return TENANT_ID.test(issuer.slice(before.length, issuer.length - after.length));
}
