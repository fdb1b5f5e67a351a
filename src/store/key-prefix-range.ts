/**
 * The half-open range [prefix, upper) holding exactly the strings that start with `prefix`, for
 * index range scans on both backends. The last character must be ASCII so that incrementing it
 * stays a single code unit and sorts the same bytewise (SQLite) and by code unit (MongoDB).
 */
export function keyPrefixRange(prefix: string): { lower: string; upper: string } {
  const last = prefix.charCodeAt(prefix.length - 1);
  if (!(last >= 0x20 && last < 0x7e)) throw new Error(`a key prefix must end in a printable ASCII character: ${JSON.stringify(prefix)}`);
  return { lower: prefix, upper: prefix.slice(0, -1) + String.fromCharCode(last + 1) };
}
