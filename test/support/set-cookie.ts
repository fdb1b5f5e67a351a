export interface ParsedSetCookie {
  name: string;
  value: string;
  attributes: Record<string, string | true>;
}

/** Parses one Set-Cookie header into its name, value and (lower-cased) attributes. */
export function parseSetCookie(header: string): ParsedSetCookie {
  const [pair = '', ...rest] = header.split(';').map((part) => part.trim());
  const separator = pair.indexOf('=');
  const attributes: Record<string, string | true> = {};
  for (const attribute of rest) {
    const eq = attribute.indexOf('=');
    if (eq === -1) attributes[attribute.toLowerCase()] = true;
    else attributes[attribute.slice(0, eq).toLowerCase()] = attribute.slice(eq + 1);
  }
  return { name: pair.slice(0, separator), value: pair.slice(separator + 1), attributes };
}
