import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ASSETS_DIRECTORY } from '../paths.ts';

/** The mark for an upstream without a brand of its own (a company's OIDC, OAuth 2.0 or directory). */
export const GENERIC_UPSTREAM_ICON = 'upstream.svg';

const ICON_FILE = /^[a-z0-9-]+\.svg$/;
const icons = new Map<string, string>();

/**
 * An upstream button's mark, as inline SVG markup from Keyline's own files in assets/federation:
 * inline, so the page makes no request for it (no third party, nothing for the CSP to allow) and a
 * one-colour mark drawn in `currentColor` follows the button's text colour in light and dark. The
 * name comes from a preset (code), never from the request or the store; anything else is the
 * generic mark.
 */
export function upstreamIcon(file: string | undefined): string {
  const name = file && ICON_FILE.test(file) ? file : GENERIC_UPSTREAM_ICON;
  let markup = icons.get(name);
  if (markup === undefined) {
    markup = readFileSync(join(ASSETS_DIRECTORY, 'federation', name), 'utf8').trim()
      // Decorative: the button's text names the provider; an SVG must not take focus on its own.
      .replace('<svg ', '<svg aria-hidden="true" focusable="false" ');
    icons.set(name, markup);
  }
  return markup;
}
