/**
 * The patch's values for these keys, leaving out those it does not give (undefined): an absent key
 * leaves the stored value alone (null is a value), and a key not listed (an id) is never written.
 */
export function definedFields<T extends object>(patch: T, keys: readonly (keyof T)[]): Partial<T> {
  const fields: Partial<T> = {};
  for (const key of keys) if (patch[key] !== undefined) fields[key] = patch[key];
  return fields;
}
