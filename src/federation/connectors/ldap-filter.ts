import { Filter } from 'ldapts';

/**
 * An operator's filter template with a typed value put in its placeholders, escaped as RFC 4515
 * says (`*` `(` `)` `\` NUL become `\2a` `\28` `\29` `\5c` `\00`, by ldapts' Filter.escape): what a
 * person types is always one assertion value, never filter syntax, so `*` or `*)(uid=*` matches
 * only an entry whose attribute holds those very characters.
 */
export function fillFilter(template: string, values: Record<string, string>): string {
  return template.replace(/\{([a-z]+)\}/g, (placeholder, name: string) => {
    const value = values[name];
    return value === undefined ? placeholder : Filter.escape(value);
  });
}
