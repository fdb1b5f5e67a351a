/**
 * Group and role names go into tokens (`groups`, `roles`) and onto command lines, so they are one
 * word of plain characters: nothing a JSON, header or shell consumer has to escape, no look-alikes.
 */
export const AUTHORIZATION_NAME = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;

/** Role names Keyline keeps for its own roles (keyline-admin, keyline-helpdesk, keyline-viewer). */
export const RESERVED_ROLE_PREFIX = 'keyline-';

export function nameProblem(kind: 'group' | 'role', name: string): string | undefined {
  if (!AUTHORIZATION_NAME.test(name)) {
    return `${kind} name "${name.slice(0, 80)}" must be 1-64 letters, digits, '.', '_', ':' or '-', starting with a letter or digit`;
  }
  // Paths and the CLI take an id or a name; a name shaped like an id would make one mean two things.
  if (/^(grp|rol)_/i.test(name)) return `${kind} names cannot start with "grp_" or "rol_" (that is how ids look)`;
  if (kind === 'role' && name.toLowerCase().startsWith(RESERVED_ROLE_PREFIX)) {
    return `role names starting with "${RESERVED_ROLE_PREFIX}" are Keyline's own`;
  }
  return undefined;
}
